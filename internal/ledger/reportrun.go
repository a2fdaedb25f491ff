package ledger

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"

	"realty"
	"realty/internal/messaging"
	"realty/internal/org"
	"realty/internal/postgres"
)

// Mailer queues e-mail in the caller's transaction (messaging.Service).
type Mailer interface {
	EnqueueTx(ctx context.Context, tx pgx.Tx, actor realty.Actor, e messaging.Email) (realty.ID, error)
}

// UseMail gives the service the outbox scheduled reports are e-mailed
// through, and the public address their download links start with.
func (s *Service) UseMail(m Mailer, publicURL string) {
	if publicURL == "" {
		publicURL = "http://127.0.0.1:8080"
	}
	s.mail, s.publicURL = m, publicURL
}

// ReportMailKind is the kind of e-mail a scheduled report sends.
const ReportMailKind = "report.scheduled"

// RunReport runs a report kind with parameters as on the day today and
// returns it as a table. It requires what the report's read requires.
func (s *Service) RunReport(ctx context.Context, actor realty.Actor, kind string, p ReportParams, today realty.Date) (Table, error) {
	from, to := p.span(today)
	switch kind {
	case "income_statement":
		st, err := s.IncomeStatement(ctx, actor, from, to, p.PropertyID)
		return st.Table(), err
	case "balance_sheet":
		bs, err := s.BalanceSheet(ctx, actor, to)
		return bs.Table(), err
	case "trial_balance":
		tb, err := s.TrialBalance(ctx, actor, to)
		return tb.Table(s.now()), err
	case "owner_statement":
		if p.PropertyID == nil {
			return Table{}, realty.FieldError("parameters.property_id", "an owner statement is of one property")
		}
		os, err := s.OwnerStatement(ctx, actor, *p.PropertyID, from)
		return os.Table(), err
	case "budget_vs_actual":
		if p.BudgetID == nil {
			return Table{}, realty.FieldError("parameters.budget_id", "budget vs actual needs a budget")
		}
		ba, err := s.BudgetVsActual(ctx, actor, *p.BudgetID)
		return ba.Table(), err
	case "ar_aging":
		ag, err := s.Aging(ctx, actor, to)
		return ag.Table(s.now(), nil), err
	}
	return Table{}, realty.FieldError("kind", "is not a report kind")
}

// RunSavedReport runs a saved report as on the day on (today in the
// organization's time zone when nil). Forbidden without ledger.read (and
// what its kind requires); NotFound for an unknown report.
func (s *Service) RunSavedReport(ctx context.Context, actor realty.Actor, id realty.ID, on *realty.Date) (SavedReport, Table, error) {
	r, err := s.SavedReport(ctx, actor, id)
	if err != nil {
		return r, Table{}, err
	}
	today, err := s.today(ctx, actor, on)
	if err != nil {
		return r, Table{}, err
	}
	t, err := s.RunReport(ctx, actor, r.Kind, r.Parameters, today)
	return r, t, err
}

func (s *Service) today(ctx context.Context, actor realty.Actor, on *realty.Date) (realty.Date, error) {
	if on != nil {
		return *on, nil
	}
	var today realty.Date
	err := postgres.Tx(ctx, s.pool, actor, func(tx pgx.Tx) error {
		var err error
		today, err = s.Today(ctx, tx, actor)
		return err
	})
	return today, err
}

// RunDueReports e-mails every saved report whose next run has come: one
// e-mail per recipient, each with a link to the report's CSV as on the run's
// day, queued in the outbox in the transaction that moves the report's next
// run a month on (so a run is sent once: the e-mail's key names the report
// and the run's day). It returns the number of e-mails queued. Forbidden
// without report.manage (the System actor of the job has it).
func (s *Service) RunDueReports(ctx context.Context, actor realty.Actor) (int, error) {
	if err := actor.Require("report.manage"); err != nil {
		return 0, err
	}
	if s.mail == nil {
		return 0, fmt.Errorf("run due reports: no mail outbox")
	}
	sent := 0
	err := postgres.Tx(ctx, s.pool, actor, func(tx pgx.Tx) error {
		o, err := org.OrganizationTx(ctx, tx, actor)
		if err != nil {
			return err
		}
		loc, err := time.LoadLocation(o.TimeZone)
		if err != nil {
			return fmt.Errorf("organization time zone %q: %w", o.TimeZone, err)
		}
		rows, err := tx.Query(ctx, `SELECT `+savedReportColumns+` FROM ledger.saved_reports
			WHERE organization_id = $1 AND next_run_at <= $2 ORDER BY next_run_at, id LIMIT 100 FOR UPDATE SKIP LOCKED`, actor.OrgID, s.now())
		if err != nil {
			return err
		}
		due, err := pgx.CollectRows(rows, pgx.RowToStructByName[SavedReport])
		if err != nil {
			return err
		}
		for _, r := range due {
			n, err := s.sendRunTx(ctx, tx, actor, r, loc)
			if err != nil {
				return err
			}
			sent += n
		}
		return nil
	})
	return sent, err
}

// sendRunTx queues one report run's e-mails and schedules its next run.
func (s *Service) sendRunTx(ctx context.Context, tx pgx.Tx, actor realty.Actor, r SavedReport, loc *time.Location) (int, error) {
	day := realty.DateOf(r.NextRunAt.In(loc))
	from, to := r.Parameters.span(day)
	link := fmt.Sprintf("%s/reports/saved/%s/csv?on=%s", s.publicURL, r.ID, day)
	for i, rcpt := range r.Recipients {
		_, err := s.mail.EnqueueTx(ctx, tx, actor, messaging.Email{To: rcpt, Kind: ReportMailKind, Key: fmt.Sprintf("report:%s:%s:%d", r.ID, day, i),
			Data: map[string]any{"name": r.Name, "kind": r.Kind, "from": from.String(), "to": to.String(), "link": link}})
		if err != nil {
			return 0, err
		}
	}
	next := NextRun(s.now(), *r.ScheduleDay, r.ScheduleHour, loc)
	_, err := tx.Exec(ctx, `UPDATE ledger.saved_reports SET last_run_at = $3, next_run_at = $4 WHERE organization_id = $1 AND id = $2`,
		actor.OrgID, r.ID, s.now(), next)
	return len(r.Recipients), err
}

// DueReportsArgs is the hourly job that runs every organization's due
// saved reports.
type DueReportsArgs struct{}

// Kind names the job in River.
func (DueReportsArgs) Kind() string { return "ledger.due_reports" }

// InsertOpts make the job unique per hour.
func (DueReportsArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{UniqueOpts: river.UniqueOpts{ByPeriod: time.Hour}}
}

// DueReportsWorker runs RunDueReports as realty.System of each
// organization in turn; a run already sent is not sent again.
type DueReportsWorker struct {
	river.WorkerDefaults[DueReportsArgs]
	Ledger *Service
}

// Work sends every organization's due reports; an error makes River retry.
func (w *DueReportsWorker) Work(ctx context.Context, _ *river.Job[DueReportsArgs]) error {
	return org.EachOrganization(ctx, w.Ledger.pool, func(id realty.ID) error {
		if _, err := w.Ledger.RunDueReports(ctx, realty.System(id)); err != nil {
			return fmt.Errorf("due reports of %s: %w", id, err)
		}
		return nil
	})
}

// PeriodicJobs are the ledger's scheduled jobs: the saved reports and the
// monthly summary, hourly and at start.
func PeriodicJobs() []*river.PeriodicJob {
	return []*river.PeriodicJob{
		river.NewPeriodicJob(river.PeriodicInterval(time.Hour),
			func() (river.JobArgs, *river.InsertOpts) { return DueReportsArgs{}, nil },
			&river.PeriodicJobOpts{ID: "ledger.due_reports", RunOnStart: true}),
		river.NewPeriodicJob(river.PeriodicInterval(time.Hour),
			func() (river.JobArgs, *river.InsertOpts) { return SummaryArgs{}, nil },
			&river.PeriodicJobOpts{ID: "ledger.refresh_summary", RunOnStart: true}),
	}
}
