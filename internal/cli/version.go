package cli

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"realty/internal/postgres"
)

// runVersion prints realty's version and the database server's, warning when
// the server lacks the row-level security fixes realty relies on.
func runVersion(ctx context.Context, e env) error {
	fs := e.flags("version")
	cfg, err := e.config(fs, "data-dir")
	if err != nil {
		return err
	}
	fmt.Fprintln(e.stdout, versionLine())
	var v postgres.Version
	err = withAdmin(ctx, e, cfg, func(conn *pgx.Conn, _ *database) error {
		v, err = postgres.ServerVersion(ctx, conn)
		return err
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "PostgreSQL %s\n", v.Text)
	if w := v.Warning(); w != "" {
		fmt.Fprintf(e.stdout, "WARNING: %s\n", w)
	}
	return nil
}
