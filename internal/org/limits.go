package org

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"realty"
	"realty/internal/postgres"
)

// The plan limits an organization may carry (nil: unlimited), by column.
const (
	LimitUsers      = "max_users"
	LimitProperties = "max_properties"
)

// limitQueries read one plan limit, locking the organization's row when the
// limit is set. FOR NO KEY UPDATE makes concurrent checks of one
// organization's limits wait for each other and nothing else: the inserts
// that reference the organization take a key-share lock, which it leaves
// alone.
var limitQueries = map[string]string{
	LimitUsers:      `SELECT max_users FROM org.organizations WHERE id = $1 AND max_users IS NOT NULL FOR NO KEY UPDATE`,
	LimitProperties: `SELECT max_properties FROM org.organizations WHERE id = $1 AND max_properties IS NOT NULL FOR NO KEY UPDATE`,
}

// LimitTx returns the organization's plan limit named (LimitUsers or
// LimitProperties; nil when the plan has none) and, when there is one,
// holds the organization's row until tx ends, so that transactions adding
// what the limit counts count one after the other and the limit holds
// under concurrency. The caller counts after this call, in tx.
func LimitTx(ctx context.Context, tx pgx.Tx, orgID realty.ID, name string) (*int, error) {
	q, ok := limitQueries[name]
	if !ok {
		return nil, fmt.Errorf("no plan limit %q", name)
	}
	var limit int
	err := tx.QueryRow(ctx, q, orgID).Scan(&limit)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return &limit, nil
}

// PlanLimitError is the Conflict of an addition past a plan limit: it
// names the limit, what the plan allows and how many the organization has.
func PlanLimitError(name, noun string, limit, current int) *realty.Error {
	return &realty.Error{Kind: realty.Conflict,
		Message: fmt.Sprintf("plan limit reached: the organization's plan allows %d %s (%s) and it has %d", limit, noun, name, current),
		Fields:  map[string]string{name: fmt.Sprintf("%d of %d %s in use", current, limit, noun)}}
}

// IsPlanLimit reports whether err is a PlanLimitError.
func IsPlanLimit(err error) bool {
	var e *realty.Error
	if !errors.As(err, &e) || e.Kind != realty.Conflict {
		return false
	}
	return e.Fields[LimitUsers] != "" || e.Fields[LimitProperties] != ""
}

// checkSeat refuses a membership past the plan's max_users: a user who is
// not yet an active member takes a seat. Conflict as PlanLimitError.
func checkSeat(ctx context.Context, tx pgx.Tx, orgID, userID realty.ID) error {
	limit, err := LimitTx(ctx, tx, orgID, LimitUsers)
	if err != nil || limit == nil {
		return err
	}
	var active int
	var already bool
	if err := tx.QueryRow(ctx, `SELECT count(*), coalesce(bool_or(user_id = $2), false) FROM org.members
		WHERE organization_id = $1 AND status = 'active'`, orgID, userID).Scan(&active, &already); err != nil {
		return err
	}
	if !already && active >= *limit {
		return PlanLimitError(LimitUsers, "members", *limit, active)
	}
	return nil
}

// SetPlanLimit sets one of the organization's plan limits (LimitUsers or
// LimitProperties; nil: unlimited) through db, an administrative connection
// held by one caller (operators set plans; the runtime role may not). It
// sets the connection's organization for the audit trail. Invalid naming
// name for another limit.
func SetPlanLimit(ctx context.Context, db postgres.DB, orgID realty.ID, name string, v *int) error {
	if _, ok := limitQueries[name]; !ok {
		return realty.FieldError("name", "must be max_users or max_properties")
	}
	if _, err := db.Exec(ctx, `SELECT set_config('app.org_id', $1, false)`, orgID.String()); err != nil {
		return err
	}
	_, err := db.Exec(ctx, `UPDATE org.organizations SET `+name+` = $2 WHERE id = $1`, orgID, v)
	return err
}
