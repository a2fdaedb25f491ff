package maintenance

import (
	"context"

	"realty"
	"realty/internal/postgres"
)

// OpenCount is how many work orders of one priority are in one of the
// statuses still to be done (open, assigned, in_progress); Overdue counts
// those of them still open past their response target.
type OpenCount struct {
	Priority string `db:"priority" json:"priority" enum:"emergency,high,normal,low"`
	Status   string `db:"status" json:"status" enum:"open,assigned,in_progress"`
	Count    int    `db:"count" json:"count"`
	Overdue  int    `db:"overdue" json:"overdue"`
}

// OpenByPriority counts the work orders not yet completed or canceled
// within the actor's property scope, by priority (emergency first) and
// status (open, assigned, in_progress), in one query; a pair without
// orders is absent. It is what the manager dashboard's work order panel
// draws (each pair is the list Filter{Active: true, Priority, Status}).
// Forbidden without maintenance.read.
func (s *Service) OpenByPriority(ctx context.Context, actor realty.Actor) ([]OpenCount, error) {
	if err := actor.Require("maintenance.read"); err != nil {
		return nil, err
	}
	return postgres.ReadAll[OpenCount](ctx, s.pool, actor, `SELECT priority, status, count(*)::int AS count,
			(count(*) FILTER (WHERE status = 'open' AND respond_by < $3))::int AS overdue
		FROM maintenance.work_orders
		WHERE organization_id = $1 AND ($2::uuid[] IS NULL OR property_id = ANY($2)) AND status IN ('open', 'assigned', 'in_progress')
		GROUP BY priority, status
		ORDER BY array_position(ARRAY['emergency', 'high', 'normal', 'low'], priority),
			array_position(ARRAY['open', 'assigned', 'in_progress'], status)`, actor.OrgID, actor.PropertyScope, s.now())
}
