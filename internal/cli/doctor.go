package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/jackc/pgx/v5"

	"realty/internal/config"
	"realty/internal/postgres"
)

// runDoctor prints every health check with its status and recommendation,
// as a table or (-json) as one JSON object. It fails (exit 1) when a check
// fails, or with -strict when one warns.
func runDoctor(ctx context.Context, e env) error {
	fs := e.flags("doctor")
	strict := fs.Bool("strict", false, "treat warnings as failures")
	asJSON := fs.Bool("json", false, "print the checks as JSON")
	cfg, err := e.config(fs, "data-dir")
	if err != nil {
		return err
	}
	var checks []postgres.Check
	err = withAdmin(ctx, e, cfg, func(conn *pgx.Conn, db *database) error {
		checks, err = postgres.Diagnose(ctx, conn)
		if err == nil {
			checks = append(checks, ledgerCheck(ctx, conn), pitrCheck(ctx, conn, cfg))
		}
		if err == nil && db.binaries != nil {
			checks = append(checks, postgres.CheckBinaries(ctx, conn, db.binaries))
		}
		return err
	})
	if err != nil {
		return err
	}
	checks = append(checks, mailCheck(cfg), backupCheck(cfg))
	bad := 0
	for _, c := range checks {
		if c.Status == postgres.Fail || (*strict && c.Status == postgres.Warning) {
			bad++
		}
	}
	if *asJSON {
		err = writeChecksJSON(e.stdout, checks, bad)
	} else {
		err = writeChecksTable(e.stdout, checks, bad)
	}
	if err != nil {
		return err
	}
	if bad > 0 {
		return errChecksFailed
	}
	return nil
}

func writeChecksTable(w io.Writer, checks []postgres.Check, bad int) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "CHECK\tSTATUS\tVALUE\tRECOMMENDATION")
	for _, c := range checks {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", c.Name, c.Status, c.Value, c.Recommendation)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if bad > 0 {
		fmt.Fprintf(w, "%d check(s) failed\n", bad)
	}
	return nil
}

// checkJSON is one check in doctor -json's output.
type checkJSON struct {
	Name   string `json:"name"`
	Status string `json:"status"`
	Detail string `json:"detail"`
	Advice string `json:"advice"`
}

// writeChecksJSON prints {"ok": bool, "failed": n, "checks": [...]}; failed
// counts what makes the exit code 1 (warnings too under -strict).
func writeChecksJSON(w io.Writer, checks []postgres.Check, bad int) error {
	out := struct {
		OK     bool        `json:"ok"`
		Failed int         `json:"failed"`
		Checks []checkJSON `json:"checks"`
	}{OK: bad == 0, Failed: bad, Checks: []checkJSON{}}
	for _, c := range checks {
		out.Checks = append(out.Checks, checkJSON{c.Name, c.Status, c.Value, c.Recommendation})
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}

// mailCheck warns when no SMTP server is configured: e-mails (password
// resets, invitations, notices) then stay queued in the outbox.
func mailCheck(cfg config.Config) postgres.Check {
	if cfg.SMTPHost == "" {
		return postgres.Check{Name: "Mail (SMTP)", Status: postgres.Warning, Value: "not configured",
			Recommendation: "set REALTY_SMTP_HOST and REALTY_SMTP_FROM: until then e-mails stay queued in the outbox"}
	}
	return postgres.Check{Name: "Mail (SMTP)", Status: postgres.OK, Value: fmt.Sprintf("%s:%d (%s)", cfg.SMTPHost, cfg.SMTPPort, cfg.SMTPTLS),
		Recommendation: "none"}
}
