package cli

import (
	"context"
	"fmt"
	"log/slog"
	"path/filepath"

	"github.com/jackc/pgx/v5"

	"realty"
	"realty/internal/app"
	"realty/internal/blob"
	"realty/internal/config"
	"realty/internal/identity"
	"realty/internal/org"
	"realty/internal/postgres"
	"realty/internal/server"
)

// newServices builds every domain service over the runtime pool.
func newServices(cfg config.Config, pool *postgres.Pool, log *slog.Logger) (app.Services, error) {
	key, err := identity.LoadSecretKey(cfg.SecretKey, cfg.DataDir)
	if err != nil {
		return app.Services{}, err
	}
	blobs, err := blob.NewLocal(filepath.Join(cfg.DataDir, "blobs"))
	if err != nil {
		return app.Services{}, err
	}
	return app.New(pool, app.Options{SecretKey: key, Blobs: blobs, MediaMaxBytes: cfg.MediaMaxBytes, ImportMaxBytes: cfg.MaxBodyBytes,
		SessionIdleTimeout: cfg.SessionIdleTimeout, SessionLifetime: cfg.SessionLifetime,
		RateLimit: cfg.RateLimit, Log: log})
}

// orgBySlug finds an organization's id through the administrative
// connection: operators name organizations by slug, and row-level security
// rightly hides every organization from a runtime connection that acts in
// none.
func orgBySlug(ctx context.Context, adminURL, slug string) (realty.ID, error) {
	conn, err := pgx.Connect(ctx, adminURL)
	if err != nil {
		return realty.ID{}, fmt.Errorf("connect: %w", err)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	return org.IDBySlug(ctx, conn, slug)
}

// session is an opened database with services, for commands that act on
// data: closing it closes the pool and stops a cluster this process started.
type session struct {
	db   *database
	pool *postgres.Pool
	svc  app.Services
	log  *slog.Logger
}

// openSession opens the database (migrated: the schema must be current) and
// builds the services.
func openSession(ctx context.Context, e env, cfg config.Config) (*session, error) {
	log := server.NewLogger(e.stderr, cfg.LogFormat, "warn")
	db, err := openDatabase(ctx, cfg, log)
	if err != nil {
		return nil, err
	}
	pool, err := openRuntime(ctx, cfg, db, log)
	if err != nil {
		_ = db.close(context.WithoutCancel(ctx))
		return nil, err
	}
	svc, err := newServices(cfg, pool, log)
	if err != nil {
		pool.Close()
		_ = db.close(context.WithoutCancel(ctx))
		return nil, err
	}
	return &session{db: db, pool: pool, svc: svc, log: log}, nil
}

func (s *session) close() {
	s.pool.Close()
	closeLogged(s.log, "embedded PostgreSQL", s.db.close)
}
