package cli

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"realty"
	"realty/internal/ledger"
	"realty/internal/postgres"
)

// runLedger is `realty ledger check --org SLUG`: every invariant of the
// organization's books, each with OK or the rows that break it. It fails
// (exit 1) when one is broken.
func runLedger(ctx context.Context, e env) error {
	if len(e.args) == 0 || e.args[0] != "check" {
		return usageErr("want: ledger check --org SLUG")
	}
	e.args = e.args[1:]
	fs := e.flags("ledger check")
	slug := fs.String("org", "", "organization slug (required)")
	cfg, err := e.config(fs, "data-dir")
	if err != nil {
		return err
	}
	if *slug == "" {
		return usageErr("--org is required")
	}
	s, err := openSession(ctx, e, cfg)
	if err != nil {
		return err
	}
	defer s.close()
	orgID, err := orgBySlug(ctx, s.db.adminURL, *slug)
	if err != nil {
		return err
	}
	findings, err := s.svc.Ledger.Check(ctx, realty.System(orgID))
	if err != nil {
		return err
	}
	if writeFindings(e.stdout, findings) > 0 {
		return errChecksFailed
	}
	return nil
}

// writeFindings prints each finding as OK or FAIL with its offending rows
// and returns how many failed.
func writeFindings(w io.Writer, findings []ledger.Finding) int {
	bad := 0
	for _, f := range findings {
		if f.OK() {
			fmt.Fprintf(w, "OK    %s\n", f.Name)
			continue
		}
		bad++
		fmt.Fprintf(w, "FAIL  %s: %d row(s)\n", f.Name, len(f.Rows))
		for _, r := range f.Rows {
			fmt.Fprintf(w, "      %s\n", r)
		}
	}
	return bad
}

// ledgerCheck is the doctor's look at every organization's books: the
// invariants `realty ledger check` verifies, summed over organizations.
func ledgerCheck(ctx context.Context, conn *pgx.Conn) postgres.Check {
	c := postgres.Check{Name: "Ledger invariants"}
	orgs, err := ledger.Organizations(ctx, conn)
	var pe *pgconn.PgError
	if errors.As(err, &pe) && pe.Code == "42P01" { // undefined_table
		c.Status, c.Value, c.Recommendation = postgres.Warning, "no ledger schema", "run `realty migrate up`"
		return c
	}
	if err != nil {
		c.Status, c.Value, c.Recommendation = postgres.Fail, err.Error(), "see the error"
		return c
	}
	broken := 0
	first := ""
	for _, id := range orgs {
		findings, err := ledger.CheckDB(ctx, conn, id)
		if err != nil {
			c.Status, c.Value, c.Recommendation = postgres.Fail, err.Error(), "see the error"
			return c
		}
		for _, f := range findings {
			if !f.OK() {
				broken++
				if first == "" {
					first = fmt.Sprintf("organization %s: %s", id, f.Name)
				}
			}
		}
	}
	if broken > 0 {
		c.Status, c.Value = postgres.Fail, fmt.Sprintf("%d broken in %d organizations (%s)", broken, len(orgs), first)
		c.Recommendation = "run `realty ledger check --org SLUG` for the rows at fault"
		return c
	}
	c.Status, c.Value, c.Recommendation = postgres.OK, fmt.Sprintf("%d organizations' books hold", len(orgs)), "none"
	return c
}
