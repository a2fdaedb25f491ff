package cli

import (
	"context"
	"fmt"
	"runtime"

	"github.com/jackc/pgx/v5"

	"realty/internal/postgres"
	"realty/internal/server"
)

// runVersion prints realty's version and the database server's, warning when
// the server lacks the row-level security fixes realty relies on.
func runVersion(ctx context.Context, e env) error {
	fs := e.flags("version")
	cfg, err := e.config(fs, "data-dir")
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "realty %s (%s %s/%s)\n", Version(), runtime.Version(), runtime.GOOS, runtime.GOARCH)
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
	v, err := postgres.ServerVersion(ctx, conn)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "PostgreSQL %s\n", v.Text)
	if w := v.Warning(); w != "" {
		fmt.Fprintf(e.stdout, "WARNING: %s\n", w)
	}
	return nil
}
