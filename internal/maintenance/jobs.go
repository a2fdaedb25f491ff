package maintenance

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"

	"realty"
	"realty/internal/org"
)

// OverdueEvery is how often the overdue check runs.
const OverdueEvery = 5 * time.Minute

// NotifyOverdue tells the managers (holders of maintenance.manage covering
// the property) of each of the organization's work orders still open past
// its response target, once: the order is marked in the same transaction,
// and orders another run holds are skipped, not waited for. It returns how
// many work orders it announced, and the database's or the notifier's
// errors (nothing is marked then).
func (s *Service) NotifyOverdue(ctx context.Context, orgID realty.ID) (int, error) {
	actor := realty.System(orgID)
	now := s.now()
	n := 0
	err := s.tx(ctx, actor, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `SELECT `+workOrderColumns("$2")+` FROM maintenance.work_orders w
			WHERE w.organization_id = $1 AND w.status = 'open' AND w.overdue_notified_at IS NULL AND w.respond_by < $2
			ORDER BY w.respond_by, w.id FOR UPDATE SKIP LOCKED`, orgID, now)
		if err != nil {
			return err
		}
		due, err := pgx.CollectRows(rows, pgx.RowToStructByName[WorkOrder])
		if err != nil {
			return err
		}
		for _, w := range due {
			if err := s.announceOverdue(ctx, tx, actor, w); err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, `UPDATE maintenance.work_orders SET overdue_notified_at = $3
				WHERE organization_id = $1 AND id = $2`, orgID, w.ID, now); err != nil {
				return err
			}
		}
		n = len(due)
		return nil
	})
	return n, err
}

func (s *Service) announceOverdue(ctx context.Context, tx pgx.Tx, actor realty.Actor, w WorkOrder) error {
	managers, err := s.orgs.HoldersTx(ctx, tx, actor, "maintenance.manage", w.PropertyID)
	if err != nil {
		return err
	}
	data := map[string]any{"work_order_id": w.ID, "title": w.Title, "priority": w.Priority,
		"respond_by": w.RespondBy.UTC().Format(time.RFC3339)}
	for _, m := range managers {
		if err := s.notify.NotifyMember(ctx, tx, actor, m, "workorder.overdue", data); err != nil {
			return fmt.Errorf("notify %s: %w", m, err)
		}
	}
	return nil
}

// OverdueArgs is the periodic job that announces overdue work orders.
type OverdueArgs struct{}

// Kind names the job in River.
func (OverdueArgs) Kind() string { return "maintenance.overdue" }

// InsertOpts keep one run per interval.
func (OverdueArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{UniqueOpts: river.UniqueOpts{ByPeriod: OverdueEvery}}
}

// OverdueWorker runs NotifyOverdue over every organization.
type OverdueWorker struct {
	river.WorkerDefaults[OverdueArgs]
	Maintenance *Service
}

// Work announces each organization's overdue work orders in turn; one
// organization's failure does not hold the others up, and the run returns
// the failures (River retries; announced orders are marked, so none is
// announced twice).
func (w *OverdueWorker) Work(ctx context.Context, _ *river.Job[OverdueArgs]) error {
	var failed []error
	err := org.EachOrganization(ctx, w.Maintenance.pool, func(id realty.ID) error {
		if _, err := w.Maintenance.NotifyOverdue(ctx, id); err != nil {
			failed = append(failed, fmt.Errorf("organization %s: %w", id, err))
		}
		return ctx.Err()
	})
	return errors.Join(append(failed, err)...)
}

// PeriodicJobs are the maintenance domain's scheduled jobs: the overdue
// check every OverdueEvery, and at start.
func PeriodicJobs() []*river.PeriodicJob {
	return []*river.PeriodicJob{
		river.NewPeriodicJob(river.PeriodicInterval(OverdueEvery),
			func() (river.JobArgs, *river.InsertOpts) { return OverdueArgs{}, nil },
			&river.PeriodicJobOpts{RunOnStart: true}),
	}
}
