package crm

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"

	"realty"
	"realty/internal/org"
	"realty/internal/postgres"
)

// Task reminders: every ReminderEvery, each open or in-progress task whose
// due_at falls between ReminderGrace ago and ReminderLead ahead, and that
// has not been reminded, sends its owner a task.due notification (in the
// app, and by e-mail as the owner's preferences say) and is marked
// reminded in the same transaction. Moving a task's due_at clears the mark,
// so each due time is reminded once.
const (
	ReminderEvery = time.Minute
	ReminderLead  = 15 * time.Minute
	ReminderGrace = time.Hour
)

// RemindDueTasks sends the reminders of the organization's tasks coming due
// as of the service's clock and returns how many it sent. Tasks another
// run is reminding at the same moment are skipped (locked, not waited for),
// so two runs never remind one task twice. It returns the database's or
// the announcer's errors (nothing is marked then).
func (s *Service) RemindDueTasks(ctx context.Context, orgID realty.ID) (int, error) {
	now := s.now()
	actor := realty.System(orgID)
	n := 0
	err := postgres.Tx(ctx, s.pool, actor, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `SELECT `+taskColumns+` FROM crm.tasks t
			WHERE t.organization_id = $1 AND t.status IN ('open', 'in_progress') AND t.reminded_at IS NULL
			  AND t.due_at IS NOT NULL AND t.due_at > $2 AND t.due_at <= $3
			ORDER BY t.due_at, t.id FOR UPDATE SKIP LOCKED`, orgID, now.Add(-ReminderGrace), now.Add(ReminderLead))
		if err != nil {
			return err
		}
		tasks, err := pgx.CollectRows(rows, pgx.RowToStructByName[Task])
		if err != nil {
			return err
		}
		for _, t := range tasks {
			if err := s.announce.NotifyMember(ctx, tx, actor, t.OwnerID, "task.due", taskEvent(t)); err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, `UPDATE crm.tasks SET reminded_at = $3 WHERE organization_id = $1 AND id = $2`,
				orgID, t.ID, now); err != nil {
				return err
			}
		}
		n = len(tasks)
		return nil
	})
	return n, err
}

// taskEvent is what a task.due notification says of the task.
func taskEvent(t Task) map[string]any {
	data := map[string]any{"task_id": t.ID, "title": t.Title, "priority": t.Priority}
	if t.DueAt != nil {
		data["due_at"] = t.DueAt.UTC().Format(time.RFC3339)
	}
	if t.ClientID != nil {
		data["client_id"] = *t.ClientID
	}
	return data
}

// TaskRemindersArgs is the periodic job that sends due tasks' reminders.
type TaskRemindersArgs struct{}

// Kind names the job in River.
func (TaskRemindersArgs) Kind() string { return "crm.task_reminders" }

// InsertOpts keep one run per interval.
func (TaskRemindersArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{UniqueOpts: river.UniqueOpts{ByPeriod: ReminderEvery}}
}

// TaskRemindersWorker runs TaskRemindersArgs over every organization.
type TaskRemindersWorker struct {
	river.WorkerDefaults[TaskRemindersArgs]
	CRM *Service
}

// Work reminds each organization's due tasks in turn. An organization that
// fails does not hold the others up; the run returns the failures (River
// retries it, and the tasks already reminded are marked, so none is
// reminded twice).
func (w *TaskRemindersWorker) Work(ctx context.Context, _ *river.Job[TaskRemindersArgs]) error {
	var failed []error
	err := org.EachOrganization(ctx, w.CRM.pool, func(id realty.ID) error {
		if _, err := w.CRM.RemindDueTasks(ctx, id); err != nil {
			failed = append(failed, fmt.Errorf("organization %s: %w", id, err))
		}
		return ctx.Err()
	})
	return errors.Join(append(failed, err)...)
}
