package leasing

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"

	"realty"
	"realty/internal/org"
)

// BillingArgs is the job that runs one organization's billing for a month
// (RunBilling as realty.System): enqueued per organization by the hourly
// schedule, or on demand. An empty Period is the current month in the
// organization's time zone. The job may run twice, be retried or be killed
// midway: the run's natural keys make that harmless.
type BillingArgs struct {
	OrganizationID realty.ID `json:"organization_id"`
	Period         string    `json:"period,omitempty" doc:"YYYY-MM"`
}

// Kind names the job in River.
func (BillingArgs) Kind() string { return "leasing.billing" }

// InsertOpts retry a failed run a few times.
func (BillingArgs) InsertOpts() river.InsertOpts { return river.InsertOpts{MaxAttempts: 10} }

// BillingWorker runs BillingArgs.
type BillingWorker struct {
	river.WorkerDefaults[BillingArgs]
	Leasing *Service
}

// Timeout allows a large organization's run, and stays below the rescuer's
// default REALTY_JOB_RESCUE_AFTER (10 minutes).
func (w *BillingWorker) Timeout(*river.Job[BillingArgs]) time.Duration { return 9 * time.Minute }

// Work runs the organization's billing; an error makes River retry.
func (w *BillingWorker) Work(ctx context.Context, job *river.Job[BillingArgs]) error {
	actor := realty.System(job.Args.OrganizationID)
	period, err := w.Leasing.Period(ctx, actor, job.Args.Period)
	if err != nil {
		return err
	}
	_, err = w.Leasing.RunBilling(ctx, actor, period)
	return err
}

// Period is p ("2026-12") parsed, or the current month in the actor's
// organization's time zone when p is empty. Invalid naming period.
func (s *Service) Period(ctx context.Context, actor realty.Actor, p string) (realty.Date, error) {
	if p != "" {
		return ParsePeriod(p)
	}
	var today realty.Date
	err := s.tx(ctx, actor, func(tx pgx.Tx) error {
		var err error
		today, err = s.books.Today(ctx, tx, actor)
		return err
	})
	return realty.Date{Year: today.Year, Month: today.Month, Day: 1}, err
}

// BillingScheduleArgs is the periodic job that enqueues every
// organization's billing for its current month.
type BillingScheduleArgs struct{}

// Kind names the job in River.
func (BillingScheduleArgs) Kind() string { return "leasing.billing_schedule" }

// InsertOpts make the schedule unique per hour, so restarts and several
// servers never pile copies up.
func (BillingScheduleArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{UniqueOpts: river.UniqueOpts{ByPeriod: time.Hour}}
}

// BillingScheduleWorker fans the billing out, one job per organization
// (unique per organization and hour).
type BillingScheduleWorker struct {
	river.WorkerDefaults[BillingScheduleArgs]
	Leasing *Service
}

// Work enqueues BillingArgs for every organization.
func (w *BillingScheduleWorker) Work(ctx context.Context, _ *river.Job[BillingScheduleArgs]) error {
	client := river.ClientFromContext[pgx.Tx](ctx)
	return org.EachOrganization(ctx, w.Leasing.pool, func(id realty.ID) error {
		_, err := client.Insert(ctx, BillingArgs{OrganizationID: id}, &river.InsertOpts{MaxAttempts: 10,
			UniqueOpts: river.UniqueOpts{ByArgs: true, ByPeriod: time.Hour}})
		if err != nil {
			return fmt.Errorf("enqueue billing of %s: %w", id, err)
		}
		return nil
	})
}
