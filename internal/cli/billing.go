package cli

import (
	"context"
	"fmt"
	"io"

	"realty"
	"realty/internal/leasing"
)

// runBilling is `realty billing run --org SLUG [--period YYYY-MM]
// [--preview]`: the organization's billing run for the month (the current
// one in its time zone by default), or with --preview what it would write.
// It prints each invoice and late fee and the totals.
func runBilling(ctx context.Context, e env) error {
	if len(e.args) == 0 || e.args[0] != "run" {
		return usageErr("want: billing run --org SLUG [--period YYYY-MM] [--preview]")
	}
	e.args = e.args[1:]
	fs := e.flags("billing run")
	slug := fs.String("org", "", "organization slug (required)")
	period := fs.String("period", "", "the month to bill, YYYY-MM (default: the current month in the organization's time zone)")
	preview := fs.Bool("preview", false, "print what the run would write, and write nothing")
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
	actor := realty.System(orgID)
	month, err := s.svc.Leasing.Period(ctx, actor, *period)
	if err != nil {
		return err
	}
	var b leasing.Billing
	if *preview {
		b, err = s.svc.Leasing.PreviewBilling(ctx, actor, month)
	} else {
		b, err = s.svc.Leasing.RunBilling(ctx, actor, month)
	}
	if err != nil {
		return err
	}
	writeBilling(e.stdout, b, *preview)
	return nil
}

// writeBilling prints a run or preview: one line per invoice and late fee,
// then the counts and the total.
func writeBilling(w io.Writer, b leasing.Billing, preview bool) {
	verb := "issued"
	if preview {
		verb = "would issue"
	}
	for _, x := range b.LateFees {
		fmt.Fprintf(w, "late fee  lease %s  due %s  %12s  %s\n", x.LeaseID, x.DueDate, x.Total.StringFixed(2), x.Memo)
	}
	for _, x := range b.Invoices {
		fmt.Fprintf(w, "invoice   lease %s  due %s  %12s  %s\n", x.LeaseID, x.DueDate, x.Total.StringFixed(2), x.Memo)
	}
	fmt.Fprintf(w, "period %s: %s %d invoices and %d late fees, total %s; %d already issued\n",
		b.Period.Time().Format("2006-01"), verb, len(b.Invoices), len(b.LateFees), b.Total.StringFixed(2), b.Skipped)
}
