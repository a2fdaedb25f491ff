package leasing

import (
	"context"

	"github.com/jackc/pgx/v5"

	"realty"
	"realty/internal/property"
)

// UnitTenantsTx returns the tenants of the unit's lease active on day (none
// when the unit is let to no one then), for another domain's rows that the
// unit's residents may see. A resident's transaction sees only their own
// leases, so for them it answers only about a unit they rent.
func UnitTenantsTx(ctx context.Context, tx pgx.Tx, actor realty.Actor, unitID realty.ID, day realty.Date) ([]realty.ID, error) {
	rows, err := tx.Query(ctx, `SELECT tenant_ids FROM leasing.leases
		WHERE organization_id = $1 AND unit_id = $2 AND status = 'active'
		  AND start_date <= $3 AND (end_date IS NULL OR end_date >= $3)
		ORDER BY start_date DESC, id LIMIT 1`, actor.OrgID, unitID, day)
	if err != nil {
		return nil, err
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[[]realty.ID])
	if err != nil || len(ids) == 0 {
		return []realty.ID{}, err
	}
	return ids[0], nil
}

// RentedUnit is a unit a tenant rents, with its number and property.
type RentedUnit struct {
	UnitID     realty.ID `db:"unit_id" json:"unit_id"`
	PropertyID realty.ID `db:"property_id" json:"property_id"`
	UnitNumber string    `db:"unit_number" json:"unit_number"`
}

// TenantUnitsTx returns the units of the tenant's leases active on day,
// by unit number.
func TenantUnitsTx(ctx context.Context, tx pgx.Tx, actor realty.Actor, tenantID realty.ID, day realty.Date) ([]RentedUnit, error) {
	rows, err := tx.Query(ctx, `SELECT unit_id, property_id FROM leasing.leases
		WHERE organization_id = $1 AND $2 = ANY(tenant_ids) AND status = 'active'
		  AND start_date <= $3 AND (end_date IS NULL OR end_date >= $3)
		ORDER BY start_date, id`, actor.OrgID, tenantID, day)
	if err != nil {
		return nil, err
	}
	type leased struct {
		UnitID     realty.ID `db:"unit_id"`
		PropertyID realty.ID `db:"property_id"`
	}
	ls, err := pgx.CollectRows(rows, pgx.RowToStructByName[leased])
	if err != nil {
		return nil, err
	}
	out := make([]RentedUnit, 0, len(ls))
	for _, l := range ls {
		u, err := property.UnitTx(ctx, tx, actor, l.UnitID)
		if err != nil {
			return nil, err
		}
		out = append(out, RentedUnit{UnitID: l.UnitID, PropertyID: l.PropertyID, UnitNumber: u.UnitNumber})
	}
	return out, nil
}
