package cli

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"runtime/debug"

	"github.com/jackc/pgx/v5"

	"realty/internal/api"
	"realty/internal/config"
	"realty/internal/identity"
	"realty/internal/postgres"
	"realty/internal/reso"
	"realty/internal/server"
	"realty/internal/web"
)

// runServe wires realty together in one straight line and tears it down in
// reverse order when ctx ends (SIGINT or SIGTERM).
func runServe(ctx context.Context, e env) error {
	fs := e.flags("serve")
	demo := fs.Bool("demo", false, "load the demo organization into an empty database and print its logins")
	demoPassword := fs.String("demo-password", "", "password for every demo login (default: random, printed)")
	cfg, err := e.config(fs, "http-addr", "data-dir")
	if err != nil {
		return err
	}
	log := server.NewLogger(e.stderr, cfg.LogFormat, cfg.LogLevel)
	tuneGC()

	db, err := openDatabase(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer closeLogged(log, "embedded PostgreSQL", db.close)
	pool, err := openRuntime(ctx, cfg, db, log)
	if err != nil {
		return err
	}
	defer pool.Close()
	svc, err := newServices(cfg, pool, log)
	if err != nil {
		return err
	}
	stopWatch := watchAuthChanges(ctx, svc.Identity, db.appURL, log)
	defer stopWatch()
	if *demo {
		if err := loadDemo(ctx, svc, e.stdout, *demoPassword, "http://"+cfg.HTTPAddr); err != nil {
			return err
		}
	}
	jobs, err := startJobs(ctx, pool, svc, cfg, log)
	if err != nil {
		return err
	}
	defer closeLogged(log, "background jobs", jobs.Stop)
	stopBackups := startBackups(ctx, cfg, db, log)
	defer stopBackups()

	metrics := server.NewMetrics(pool, log)
	metrics.SetBuildInfo(Version(), Revision())
	srv, err := server.New(server.Options{
		Addr: cfg.HTTPAddr, MaxBodyBytes: cfg.MaxBodyBytes,
		ReadTimeout: cfg.ReadTimeout, WriteTimeout: cfg.WriteTimeout, IdleTimeout: cfg.IdleTimeout,
		Log: log, Pool: pool, Metrics: metrics, Binaries: db.binaries,
		MetricsToken: cfg.MetricsToken, MetricsElsewhere: cfg.MetricsAddr != "",
		API:  api.Deps{Log: log, Version: Version(), Services: svc},
		Web:  web.Deps{Log: log, Version: Version(), Services: svc, CookieSecure: cfg.CookieSecure},
		RESO: reso.Deps{Log: log, Pool: pool, Org: svc.Org, Identity: svc.Identity, Limits: svc.Limits},
	})
	if err != nil {
		return err
	}
	if err := startDebug(ctx, cfg.DebugAddr, log); err != nil {
		return fmt.Errorf("listen on %s (REALTY_DEBUG_ADDR): %w", cfg.DebugAddr, err)
	}
	if err := startMetrics(ctx, cfg.MetricsAddr, cfg.MetricsToken, metrics, log); err != nil {
		return fmt.Errorf("listen on %s (REALTY_METRICS_ADDR): %w", cfg.MetricsAddr, err)
	}
	return listenAndServe(ctx, srv, cfg, db, log)
}

// serveGCPercent is the garbage collector's target for serve when GOGC is
// not set: a request allocates a few kilobytes and keeps nothing, so the
// live heap is small and collecting at 4× it instead of 2× halves the
// collector's share of the CPU for a few megabytes more memory.
const serveGCPercent = 400

func tuneGC() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(serveGCPercent)
	}
}

// watchAuthChanges keeps the identity service's key cache in step with
// credential changes made by any process (see identity.WatchAuthChanges);
// the returned function stops it and waits.
func watchAuthChanges(ctx context.Context, ids *identity.Service, url string, log *slog.Logger) func() {
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		ids.WatchAuthChanges(ctx, func(ctx context.Context) (*pgx.Conn, error) { return pgx.Connect(ctx, url) }, log)
	}()
	return func() { cancel(); <-done }
}

// openRuntime migrates the embedded database (an external one must already
// be current), then opens the runtime pool and checks its role cannot bypass
// row-level security.
func openRuntime(ctx context.Context, cfg config.Config, db *database, log *slog.Logger) (*postgres.Pool, error) {
	if cfg.Embedded() {
		if err := postgres.NewMigrator(db.adminURL, log).Up(ctx); err != nil {
			return nil, err
		}
	}
	pool, err := postgres.OpenPool(ctx, db.appURL, cfg.PoolSize)
	if err != nil {
		return nil, err
	}
	if err := postgres.CheckRuntimeRole(ctx, pool); err != nil {
		pool.Close()
		return nil, err
	}
	current, err := postgres.SchemaCurrent(ctx, pool)
	if err == nil && !current {
		err = errors.New("the database schema is behind this build of realty: run `realty migrate up` (with REALTY_ADMIN_DATABASE_URL set to a role that may migrate)")
	}
	if err != nil {
		pool.Close()
		return nil, err
	}
	return pool, nil
}

// listenAndServe serves until ctx ends, the server fails, or an embedded
// PostgreSQL this process started exits; then it drains in-flight requests.
func listenAndServe(ctx context.Context, srv *http.Server, cfg config.Config, db *database, log *slog.Logger) error {
	ln, err := net.Listen("tcp", cfg.HTTPAddr)
	if err != nil {
		return fmt.Errorf("listen on %s (REALTY_HTTP_ADDR): %w", cfg.HTTPAddr, err)
	}
	log.Info("realty serving", "url", "http://"+ln.Addr().String(), "version", Version())
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	select {
	case err := <-served:
		return fmt.Errorf("http server: %w", err)
	case <-db.done():
		err = errors.New("embedded PostgreSQL exited unexpectedly; see postgres.log in the data directory")
	case <-ctx.Done():
		log.Info("shutting down")
	}
	shutdownCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cfg.ShutdownTimeout)
	defer cancel()
	if serr := srv.Shutdown(shutdownCtx); serr != nil {
		log.Warn("http shutdown", "err", serr)
	}
	return err
}

// closeLogged runs a shutdown step with a fresh deadline and logs its failure.
func closeLogged(log *slog.Logger, what string, stop func(context.Context) error) {
	ctx, cancel := context.WithTimeout(context.Background(), stopTimeout)
	defer cancel()
	if err := stop(ctx); err != nil {
		log.Warn("stop "+what, "err", err)
	}
}
