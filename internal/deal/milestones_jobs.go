package deal

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

const (
	// MilestonesEvery is how often reminders and escalations are checked.
	MilestonesEvery = time.Hour
	// ReminderDays is how many days before its due date an open milestone
	// is announced to the deal's agent.
	ReminderDays = 2
	// EscalateDays is how many days past its due date an open milestone is
	// announced to the brokers (holders of deal.manage); the agent is told
	// the day after it was due.
	EscalateDays = 2
)

// MilestoneNotifier tells members of milestones (messaging.Service).
type MilestoneNotifier interface {
	NotifyMember(ctx context.Context, tx pgx.Tx, actor realty.Actor, member realty.ID, kind string, data map[string]any) error
}

// MilestoneHolders finds the members holding a permission (org.Service).
type MilestoneHolders interface {
	HoldersTx(ctx context.Context, tx pgx.Tx, actor realty.Actor, perm string, property realty.ID) ([]realty.ID, error)
}

// milestoneNotice is an open milestone of an open deal with a notice due.
type milestoneNotice struct {
	ID          realty.ID   `db:"id"`
	DealID      realty.ID   `db:"deal_id"`
	Name        string      `db:"name"`
	DueDate     realty.Date `db:"due_date"`
	RemindedAt  *time.Time  `db:"reminded_at"`
	OverdueAt   *time.Time  `db:"overdue_at"`
	EscalatedAt *time.Time  `db:"escalated_at"`
	Title       string      `db:"title"`
	AgentID     *realty.ID  `db:"agent_id"`
}

// RemindMilestones sends the organization's due milestone notices, each
// level once: a reminder to the deal's agent ReminderDays before the due
// date, an overdue notice to the agent once the due date has passed, and
// an escalation to the brokers EscalateDays after it. Each level sent is
// recorded on the milestone in the transaction that queues its
// notifications, and milestones another run holds are skipped, so a second
// run sends nothing again. It first seeds the public holidays of any year
// (this one and the next) the calendar has none of, so the calendar rolls
// over with the years. It returns how many notices it sent.
func (s *Service) RemindMilestones(ctx context.Context, orgID realty.ID, holders MilestoneHolders, notify MilestoneNotifier) (int, error) {
	actor := realty.System(orgID)
	sent := 0
	err := s.tx(ctx, actor, func(tx pgx.Tx) error {
		if err := s.ensureHolidaysTx(ctx, tx, actor); err != nil {
			return err
		}
		today, err := s.orgTodayTx(ctx, tx, actor)
		if err != nil {
			return err
		}
		rows, err := tx.Query(ctx, `SELECT m.id, m.deal_id, m.name, m.due_date, m.reminded_at, m.overdue_at, m.escalated_at, d.title, d.agent_id
			FROM deal.milestones m JOIN deal.deals d ON d.organization_id = m.organization_id AND d.id = m.deal_id
			WHERE m.organization_id = $1 AND m.completed_at IS NULL AND m.due_date IS NOT NULL
			  AND d.stage NOT IN ('closed', 'fell_through', 'withdrawn')
			  AND ((m.reminded_at IS NULL AND m.due_date <= $2) OR (m.overdue_at IS NULL AND m.due_date < $3)
			       OR (m.escalated_at IS NULL AND m.due_date < $4))
			ORDER BY m.due_date, m.id FOR UPDATE OF m SKIP LOCKED`,
			orgID, today.AddDays(ReminderDays), today, today.AddDays(-EscalateDays))
		if err != nil {
			return err
		}
		due, err := pgx.CollectRows(rows, pgx.RowToStructByName[milestoneNotice])
		if err != nil {
			return err
		}
		var brokers []realty.ID
		for _, m := range due {
			if brokers == nil && m.EscalatedAt == nil && m.DueDate.Before(today.AddDays(-EscalateDays)) {
				if brokers, err = holders.HoldersTx(ctx, tx, actor, "deal.manage", realty.ID{}); err != nil {
					return err
				}
			}
			n, err := s.noticeMilestone(ctx, tx, actor, notify, m, today, brokers)
			if err != nil {
				return err
			}
			sent += n
		}
		return nil
	})
	return sent, err
}

// noticeMilestone sends the levels of m now due and records them; the
// reminder is recorded as sent once the overdue notice supersedes it.
func (s *Service) noticeMilestone(ctx context.Context, tx pgx.Tx, actor realty.Actor, notify MilestoneNotifier, m milestoneNotice,
	today realty.Date, brokers []realty.ID) (int, error) {
	data := map[string]any{"deal_id": m.DealID, "deal_title": m.Title, "milestone_id": m.ID, "milestone": m.Name, "due_date": m.DueDate.String()}
	var to []realty.ID
	if m.AgentID != nil {
		to = []realty.ID{*m.AgentID}
	}
	sent := 0
	send := func(kind string, members []realty.ID) error {
		for _, member := range members {
			if err := notify.NotifyMember(ctx, tx, actor, member, kind, data); err != nil {
				return fmt.Errorf("notify %s of milestone %s: %w", member, m.ID, err)
			}
			sent++
		}
		return nil
	}
	overdue, escalate := m.DueDate.Before(today), m.DueDate.Before(today.AddDays(-EscalateDays))
	var err error
	switch {
	case escalate && m.EscalatedAt == nil:
		if m.OverdueAt == nil {
			err = send("milestone.overdue", to)
		}
		if err == nil {
			err = send("milestone.escalated", brokers)
		}
	case overdue && m.OverdueAt == nil:
		err = send("milestone.overdue", to)
	case !overdue && m.RemindedAt == nil:
		err = send("milestone.due", to)
	}
	if err != nil {
		return 0, err
	}
	_, err = tx.Exec(ctx, `UPDATE deal.milestones SET reminded_at = COALESCE(reminded_at, $3),
		overdue_at = CASE WHEN $4 THEN COALESCE(overdue_at, $3) ELSE overdue_at END,
		escalated_at = CASE WHEN $5 THEN COALESCE(escalated_at, $3) ELSE escalated_at END, updated_at = now()
		WHERE organization_id = $1 AND id = $2`, actor.OrgID, m.ID, s.now(), overdue, escalate)
	return sent, err
}

// MilestonesArgs is the periodic job that sends milestone reminders and
// escalations.
type MilestonesArgs struct{}

// Kind names the job in River.
func (MilestonesArgs) Kind() string { return "deal.milestone_notices" }

// InsertOpts keep one run per interval.
func (MilestonesArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{UniqueOpts: river.UniqueOpts{ByPeriod: MilestonesEvery}}
}

// MilestonesWorker runs RemindMilestones over every organization.
type MilestonesWorker struct {
	river.WorkerDefaults[MilestonesArgs]
	Deal   *Service
	Orgs   *org.Service
	Notify MilestoneNotifier
}

// Work goes through the organizations in turn; one organization's failure
// does not hold the others up, and the run returns the failures (River
// retries; levels sent are recorded, so none is sent twice).
func (w *MilestonesWorker) Work(ctx context.Context, _ *river.Job[MilestonesArgs]) error {
	var failed []error
	err := org.EachOrganization(ctx, w.Deal.pool, func(id realty.ID) error {
		if _, err := w.Deal.RemindMilestones(ctx, id, w.Orgs, w.Notify); err != nil {
			failed = append(failed, fmt.Errorf("organization %s: %w", id, err))
		}
		return ctx.Err()
	})
	return errors.Join(append(failed, err)...)
}

// MilestonePeriodicJobs are the deal domain's scheduled milestone jobs: notices
// every MilestonesEvery, and at start.
func MilestonePeriodicJobs() []*river.PeriodicJob {
	return []*river.PeriodicJob{
		river.NewPeriodicJob(river.PeriodicInterval(MilestonesEvery),
			func() (river.JobArgs, *river.InsertOpts) { return MilestonesArgs{}, nil },
			&river.PeriodicJobOpts{RunOnStart: true}),
	}
}
