package property

import (
	"context"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/shopspring/decimal"

	"realty"
	"realty/internal/postgres"
)

// UnitState is a unit as occupancy reads it: its property, number, status
// and market rent, and when it was created.
type UnitState struct {
	UnitID       realty.ID        `db:"unit_id" json:"unit_id"`
	UnitNumber   string           `db:"unit_number" json:"unit_number"`
	PropertyID   realty.ID        `db:"property_id" json:"property_id"`
	PropertyName string           `db:"property_name" json:"property_name"`
	Status       string           `db:"status" json:"status"`
	MarketRent   *decimal.Decimal `db:"market_rent" json:"market_rent,omitempty"`
	CreatedAt    time.Time        `db:"created_at" json:"created_at"`
}

// UnitStates are the units the actor can see counted by status, and the
// units of one status (or all of them) listed.
type UnitStates struct {
	// ByStatus counts units per status, every status of UnitStatuses in
	// order, zeros included; Total is their sum.
	ByStatus []StatusCount `json:"by_status"`
	Total    int           `json:"total"`
	// Units are the units of the status asked for (every unit when none
	// was), by property name and unit number.
	Units []UnitState `json:"units"`
}

// UnitStates counts the units the actor can see (the organization's, in
// properties not deleted and within the actor's property scope) by status,
// and lists those of status, every unit when status is empty, in one round
// trip. Forbidden without property.read; Invalid naming status for a
// status not in UnitStatuses.
func (s *Service) UnitStates(ctx context.Context, actor realty.Actor, status string) (UnitStates, error) {
	if err := actor.Require("property.read"); err != nil {
		return UnitStates{}, err
	}
	if status != "" && !slices.Contains(UnitStatuses, status) {
		return UnitStates{}, realty.FieldError("status", "must be vacant, occupied, maintenance or unavailable")
	}
	args := pgx.NamedArgs{"org": actor.OrgID, "scope": scopeArg(actor), "status": status}
	var counts []StatusCount
	var out UnitStates
	err := postgres.ReadBatch(ctx, s.pool, actor, func(b *pgx.Batch) {
		b.Queue(`SELECT u.status, count(*)::int AS count FROM property.units u JOIN (`+visible+`) p ON p.id = u.property_id
			WHERE u.organization_id = @org GROUP BY u.status`, args)
		b.Queue(`SELECT u.id AS unit_id, u.unit_number, p.id AS property_id, p.name AS property_name, u.status, u.market_rent, u.created_at
			FROM property.units u JOIN (`+visible+`) p ON p.id = u.property_id
			WHERE u.organization_id = @org AND (@status = '' OR u.status = @status)
			ORDER BY p.name, u.unit_number, u.id`, args)
	}, func(br pgx.BatchResults) error {
		rows, err := br.Query()
		if err == nil {
			counts, err = pgx.CollectRows(rows, pgx.RowToStructByName[StatusCount])
		}
		if err == nil {
			rows, err = br.Query()
		}
		if err == nil {
			out.Units, err = pgx.CollectRows(rows, pgx.RowToStructByName[UnitState])
		}
		return err
	})
	if err != nil {
		return UnitStates{}, err
	}
	out.ByStatus, out.Total = inOrder(counts)
	return out, nil
}

// UnitsMarkSQL reads the newest change to organization $1's properties
// and units (one timestamptz, NULL when it has none): the property part
// of the watermark of a report materialized elsewhere over them
// (occupancy, rent rolls), read in that report's round trip. One probe
// down each table's updated_at index.
const UnitsMarkSQL = `SELECT greatest(
	(SELECT max(updated_at) FROM property.properties WHERE organization_id = $1),
	(SELECT max(updated_at) FROM property.units WHERE organization_id = $1))`
