package maintenance

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"realty"
	"realty/internal/postgres"
)

// Priorities are the work orders' priorities, most urgent first.
var Priorities = []string{"emergency", "high", "normal", "low"}

// DefaultTargets are the response targets of an organization that set none:
// how long a work order of each priority may stay open (not assigned).
var DefaultTargets = map[string]int{"emergency": 4, "high": 24, "normal": 72, "low": 168}

// Target is the response target of one priority, in hours.
type Target struct {
	Priority string `db:"priority" json:"priority" enum:"emergency,high,normal,low"`
	Hours    int    `db:"hours" json:"hours" minimum:"1" maximum:"2160"`
}

// Targets returns the organization's response target of every priority,
// most urgent first, defaults filled in. Forbidden without
// maintenance.read.
func (s *Service) Targets(ctx context.Context, actor realty.Actor) ([]Target, error) {
	if err := actor.Require("maintenance.read"); err != nil {
		return nil, err
	}
	var out []Target
	err := s.tx(ctx, actor, func(tx pgx.Tx) error {
		var err error
		out, err = targetsTx(ctx, tx, actor)
		return err
	})
	return out, err
}

func targetsTx(ctx context.Context, tx pgx.Tx, actor realty.Actor) ([]Target, error) {
	rows, err := tx.Query(ctx, `SELECT priority, hours FROM maintenance.response_targets WHERE organization_id = $1`, actor.OrgID)
	if err != nil {
		return nil, err
	}
	set, err := pgx.CollectRows(rows, pgx.RowToStructByName[Target])
	if err != nil {
		return nil, err
	}
	out := make([]Target, len(Priorities))
	for i, p := range Priorities {
		out[i] = Target{Priority: p, Hours: DefaultTargets[p]}
		for _, t := range set {
			if t.Priority == p {
				out[i].Hours = t.Hours
			}
		}
	}
	return out, nil
}

// respondByTx is when a work order of priority filed at created must be
// assigned.
func respondByTx(ctx context.Context, tx pgx.Tx, actor realty.Actor, priority string, created time.Time) (time.Time, error) {
	targets, err := targetsTx(ctx, tx, actor)
	if err != nil {
		return time.Time{}, err
	}
	for _, t := range targets {
		if t.Priority == priority {
			return created.Add(time.Duration(t.Hours) * time.Hour), nil
		}
	}
	return time.Time{}, realty.FieldError("priority", "must be emergency, high, normal or low")
}

// SetTargets stores the given priorities' response targets (the others
// keep theirs) and returns all of them. Forbidden without
// maintenance.manage; Invalid naming priority or hours. Work orders filed
// before keep the target they were filed with.
func (s *Service) SetTargets(ctx context.Context, actor realty.Actor, in []Target) ([]Target, error) {
	if err := actor.Require("maintenance.manage"); err != nil {
		return nil, err
	}
	var out []Target
	err := s.tx(ctx, actor, func(tx pgx.Tx) error {
		for _, t := range in {
			if _, err := tx.Exec(ctx, `INSERT INTO maintenance.response_targets (organization_id, id, priority, hours)
				VALUES ($1, $2, $3, $4) ON CONFLICT (organization_id, priority) DO UPDATE SET hours = excluded.hours`,
				actor.OrgID, realty.NewID(), t.Priority, t.Hours); err != nil {
				return err
			}
		}
		var err error
		out, err = targetsTx(ctx, tx, actor)
		return err
	})
	return out, postgres.MapError(err)
}
