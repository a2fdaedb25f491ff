package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"path/filepath"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"realty/internal/config"
	"realty/internal/postgres"
	"realty/internal/postgres/cluster"
	"realty/internal/server"
)

// databaseName is the database realty uses in its embedded cluster.
const databaseName = "realty"

// database is where realty's data lives: an external server, or the embedded
// cluster in the data directory, started for this command or already running
// for another realty process.
type database struct {
	cluster  *cluster.Cluster // nil for an external server
	adminURL string           // migrations and diagnostics
	appURL   string           // the runtime role
	// binaries reports the version of the server binaries a restart of the
	// embedded cluster would run (nil for an external server).
	binaries postgres.OnDisk
}

// binaryCacheTTL is how long the version of the binaries on disk is reused:
// finding it forks postgres --version, and /readyz asks on every probe.
const binaryCacheTTL = 10 * time.Second

// onDisk returns the version of the server binaries the launcher would use.
func onDisk(binDir string) postgres.OnDisk {
	dir, err := cluster.FindBinDir(binDir)
	if err != nil {
		return func(context.Context) (int, string, error) { return 0, "", err }
	}
	return (&cluster.VersionProbe{BinDir: dir, TTL: binaryCacheTTL}).Version
}

// openDatabase returns the configured database. With REALTY_DATABASE_URL it
// only records the URLs; otherwise it attaches to or starts the embedded
// cluster and makes sure its database exists.
func openDatabase(ctx context.Context, cfg config.Config, log *slog.Logger) (*database, error) {
	if !cfg.Embedded() {
		return &database{adminURL: cfg.AdminDatabaseURL, appURL: cfg.DatabaseURL}, nil
	}
	c, err := cluster.Open(ctx, cluster.Config{
		DataDir:  filepath.Join(cfg.DataDir, "postgres"),
		BinDir:   cfg.PGBinDir,
		Settings: cfg.PGSettings,
		// Archiving turns on (or off) at the cluster's next start.
		WALArchiveDir: cfg.WALArchiveDirectory(),
	})
	if err != nil {
		return nil, fmt.Errorf("embedded PostgreSQL: %w", err)
	}
	if c.Owned() {
		log.Info("embedded PostgreSQL started", "data_dir", c.DataDir(), "socket_dir", c.SocketDir(), "pid", c.PID())
	} else {
		log.Info("embedded PostgreSQL already running, attached", "data_dir", c.DataDir(), "pid", c.PID())
	}
	db := &database{cluster: c, adminURL: c.URL(cluster.Superuser, databaseName), appURL: c.URL(postgres.RuntimeRole, databaseName),
		binaries: onDisk(cfg.PGBinDir)}
	if err := createDatabase(ctx, c); err != nil {
		_ = db.close(context.WithoutCancel(ctx))
		return nil, err
	}
	return db, nil
}

func createDatabase(ctx context.Context, c *cluster.Cluster) error {
	conn, err := pgx.Connect(ctx, c.ConnString(cluster.Superuser, "postgres"))
	if err != nil {
		return fmt.Errorf("connect to embedded PostgreSQL: %w", err)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	var exists bool
	if err := conn.QueryRow(ctx, "SELECT EXISTS (SELECT FROM pg_database WHERE datname = $1)", databaseName).Scan(&exists); err != nil {
		return err
	}
	if exists {
		return nil
	}
	_, err = conn.Exec(ctx, "CREATE DATABASE "+databaseName)
	var pe *pgconn.PgError
	if errors.As(err, &pe) && pe.Code == "42P04" { // another process made it first
		return nil
	}
	return err
}

// close stops the embedded cluster when this process started it.
func (d *database) close(ctx context.Context) error {
	if d.cluster == nil {
		return nil
	}
	return d.cluster.Stop(ctx)
}

// done is closed when an embedded cluster this process started exits.
func (d *database) done() <-chan struct{} {
	if d.cluster == nil {
		return nil
	}
	return d.cluster.Done()
}

// config loads the configuration, binds the named settings as flags on fs
// (beside the command's own flags, defined before), parses the command's
// arguments and validates the result.
func (e env) config(fs *flag.FlagSet, flagNames ...string) (config.Config, error) {
	cfg, err := config.Load(e.getenv)
	if err != nil {
		return cfg, err
	}
	cfg.BindFlags(fs, flagNames...)
	if err := parse(fs, e.args); err != nil {
		return cfg, err
	}
	return cfg, cfg.Validate()
}

// parse parses a command's flags; a bad flag is a usage error.
func parse(fs *flag.FlagSet, args []string) error {
	err := fs.Parse(args)
	if err == nil || errors.Is(err, flag.ErrHelp) {
		return err
	}
	return fmt.Errorf("%w: %v", errUsage, err)
}

// withAdmin opens the database and runs fn on an administrative connection
// (diagnostics and version need to see the whole server), stopping an
// embedded cluster this process started afterwards.
func withAdmin(ctx context.Context, e env, cfg config.Config, fn func(*pgx.Conn, *database) error) error {
	log := server.NewLogger(e.stderr, cfg.LogFormat, "warn")
	db, err := openDatabase(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer closeLogged(log, "embedded PostgreSQL", db.close)
	conn, err := pgx.Connect(ctx, db.adminURL)
	if err != nil {
		return fmt.Errorf("connect: %w", err)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	return fn(conn, db)
}
