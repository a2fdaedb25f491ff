package deal

import (
	"context"

	"github.com/jackc/pgx/v5"

	"realty"
)

// LateLimit bounds LateMilestones: the broker's view shows the oldest this
// many, enough to act on, never the whole backlog.
const LateLimit = 100

// LateMilestone is an open milestone past its due date on an open deal,
// with the deal it belongs to and the agent responsible for it.
type LateMilestone struct {
	ID        realty.ID   `db:"id" json:"id"`
	DealID    realty.ID   `db:"deal_id" json:"deal_id"`
	DealTitle string      `db:"deal_title" json:"deal_title"`
	Name      string      `db:"name" json:"name"`
	DueDate   realty.Date `db:"due_date" json:"due_date"`
	DaysLate  int         `db:"days_late" json:"days_late" doc:"days past the due date, in the organization's time zone"`
	AgentID   *realty.ID  `db:"agent_id" json:"agent_id,omitempty" doc:"the deal's agent, who is responsible for it"`
}

// LateMilestones lists the open milestones past their due date (in the
// organization's time zone) on the open deals the actor sees — every
// agent's for a broker, their own for an agent — oldest due first, at
// most LateLimit. Errors: Forbidden without deal.read.
func (s *Service) LateMilestones(ctx context.Context, actor realty.Actor) ([]LateMilestone, error) {
	if err := actor.Require("deal.read"); err != nil {
		return nil, err
	}
	out := []LateMilestone{}
	err := s.tx(ctx, actor, func(tx pgx.Tx) error {
		today, err := s.orgTodayTx(ctx, tx, actor)
		if err != nil {
			return err
		}
		rows, err := tx.Query(ctx, `SELECT m.id, m.deal_id, d.title AS deal_title, m.name, m.due_date,
			(@today::date - m.due_date) AS days_late, d.agent_id
			FROM deal.milestones m JOIN deal.deals d ON d.organization_id = m.organization_id AND d.id = m.deal_id
			WHERE m.organization_id = @org AND d.organization_id = @org AND m.completed_at IS NULL
			  AND m.due_date IS NOT NULL AND m.due_date < @today
			  AND d.stage NOT IN ('closed', 'fell_through', 'withdrawn') AND (@all OR d.agent_id = @me)
			ORDER BY m.due_date, d.title, m.position, m.id LIMIT @limit`,
			pgx.NamedArgs{"org": actor.OrgID, "today": today, "all": seesAll(actor), "me": actor.MemberID, "limit": LateLimit})
		if err != nil {
			return err
		}
		out, err = pgx.CollectRows(rows, pgx.RowToStructByName[LateMilestone])
		return err
	})
	return out, err
}
