package property

import (
	"context"

	"github.com/jackc/pgx/v5"

	"realty"
)

// SetUnitStatusTx sets a unit's status (vacant, occupied, maintenance or
// unavailable) within tx, locking the unit's row until tx ends, and
// returns the unit as it was before. It is what another domain calls when
// its own change moves a unit in or out of use (a lease activated or
// ended), so the unit and that change commit together. It checks no
// permission: the caller's use case has checked its own. NotFound for a
// unit the actor cannot see; Invalid naming status for an unknown status.
func SetUnitStatusTx(ctx context.Context, tx pgx.Tx, actor realty.Actor, unitID realty.ID, status string) (Unit, error) {
	before, err := lockUnitTx(ctx, tx, actor, unitID)
	if err != nil {
		return Unit{}, err
	}
	if before.Status == status {
		return before, nil
	}
	_, err = tx.Exec(ctx, `UPDATE property.units SET status = $3 WHERE organization_id = $1 AND id = $2`,
		actor.OrgID, unitID, status)
	return before, err
}

// lockUnitTx reads a unit the actor can see and locks its row.
func lockUnitTx(ctx context.Context, tx pgx.Tx, actor realty.Actor, unitID realty.ID) (Unit, error) {
	if _, err := UnitTx(ctx, tx, actor, unitID); err != nil {
		return Unit{}, err
	}
	rows, err := tx.Query(ctx, `SELECT `+unitColumns+` FROM property.units WHERE organization_id = $1 AND id = $2 FOR UPDATE`,
		actor.OrgID, unitID)
	if err != nil {
		return Unit{}, err
	}
	return pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Unit])
}
