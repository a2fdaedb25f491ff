package cli

import (
	"context"
	"fmt"
	"log/slog"
	"path/filepath"
	"strings"

	"github.com/jackc/pgx/v5"

	"realty"
	"realty/internal/app"
	"realty/internal/blob"
	"realty/internal/config"
	"realty/internal/identity"
	"realty/internal/messaging"
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
	mail, err := mailSender(cfg)
	if err != nil {
		return app.Services{}, err
	}
	return app.New(pool, app.Options{SecretKey: key, Blobs: blobs, MediaMaxBytes: cfg.MediaMaxBytes, ImportMaxBytes: cfg.MaxBodyBytes,
		SessionIdleTimeout: cfg.SessionIdleTimeout, SessionLifetime: cfg.SessionLifetime,
		RateLimit: cfg.RateLimit, Mail: mail, MailFrom: cfg.SMTPFrom, PublicURL: cfg.BaseURL(), AllowPrivateWebhooks: cfg.WebhookAllowPrivate, Log: log})
}

// mailSender is the SMTP sender the configuration names, or nil when it
// names none (e-mails then stay queued).
func mailSender(cfg config.Config) (messaging.Sender, error) {
	if cfg.SMTPHost == "" {
		return nil, nil
	}
	helo := ""
	if at := strings.LastIndex(cfg.SMTPFrom, "@"); at >= 0 {
		helo = strings.Trim(cfg.SMTPFrom[at+1:], "> ")
	}
	return messaging.NewSMTP(messaging.SMTPConfig{Host: cfg.SMTPHost, Port: cfg.SMTPPort, TLS: cfg.SMTPTLS,
		Username: cfg.SMTPUsername, Password: cfg.SMTPPassword, HELO: helo})
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
