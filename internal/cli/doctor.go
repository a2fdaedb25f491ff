package cli

import (
	"context"
	"fmt"
	"text/tabwriter"

	"github.com/jackc/pgx/v5"

	"realty/internal/postgres"
)

// runDoctor prints every health check with its status and recommendation. It
// fails (exit 1) when a check fails, or with -strict when one warns.
func runDoctor(ctx context.Context, e env) error {
	fs := e.flags("doctor")
	strict := fs.Bool("strict", false, "treat warnings as failures")
	cfg, err := e.config(fs, "data-dir")
	if err != nil {
		return err
	}
	var checks []postgres.Check
	err = withAdmin(ctx, e, cfg, func(conn *pgx.Conn) error {
		checks, err = postgres.Diagnose(ctx, conn)
		return err
	})
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "CHECK\tSTATUS\tVALUE\tRECOMMENDATION")
	bad := 0
	for _, c := range checks {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", c.Name, c.Status, c.Value, c.Recommendation)
		if c.Status == postgres.Fail || (*strict && c.Status == postgres.Warning) {
			bad++
		}
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if bad > 0 {
		fmt.Fprintf(e.stdout, "%d check(s) failed\n", bad)
		return errChecksFailed
	}
	return nil
}
