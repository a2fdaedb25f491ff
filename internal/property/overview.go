package property

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/shopspring/decimal"

	"realty"
	"realty/internal/postgres"
)

// UnitStatuses are the statuses a unit may have, in the order people read
// them.
var UnitStatuses = []string{"vacant", "occupied", "maintenance", "unavailable"}

// OverviewVacant caps the vacant units an Overview lists.
const OverviewVacant = 5

// Overview is the portfolio at a glance: how many properties, buildings
// and units the actor can see, the units by status, and the vacant units
// available soonest.
type Overview struct {
	Properties int `json:"properties"`
	Buildings  int `json:"buildings"`
	Units      int `json:"units"`
	// UnitsByStatus counts units per status, every status of UnitStatuses
	// in order, zeros included.
	UnitsByStatus []StatusCount `json:"units_by_status"`
	// Vacant are up to OverviewVacant vacant units, soonest available
	// first (those without a date last).
	Vacant []VacantUnit `json:"vacant"`
}

// StatusCount is how many units have one status.
type StatusCount struct {
	Status string `db:"status" json:"status"`
	Count  int    `db:"count" json:"count"`
}

// VacantUnit is a vacant unit with its property's name.
type VacantUnit struct {
	UnitID           realty.ID        `db:"unit_id" json:"unit_id"`
	UnitNumber       string           `db:"unit_number" json:"unit_number"`
	PropertyID       realty.ID        `db:"property_id" json:"property_id"`
	PropertyName     string           `db:"property_name" json:"property_name"`
	MarketRent       *decimal.Decimal `db:"market_rent" json:"market_rent,omitempty"`
	AvailabilityDate *time.Time       `db:"availability_date" json:"availability_date,omitempty" format:"date"`
}

// visible are the properties the actor can see: the organization's, not
// deleted, within the actor's property scope.
const visible = `SELECT id, name FROM property.properties
	WHERE organization_id = @org AND deleted_at IS NULL AND (@scope::uuid[] IS NULL OR id = ANY(@scope))`

// Overview summarises the portfolio the actor can see, in one round trip.
// Forbidden without property.read.
func (s *Service) Overview(ctx context.Context, actor realty.Actor) (Overview, error) {
	if err := actor.Require("property.read"); err != nil {
		return Overview{}, err
	}
	args := pgx.NamedArgs{"org": actor.OrgID, "scope": scopeArg(actor), "limit": OverviewVacant}
	var o Overview
	var counts []StatusCount
	err := postgres.ReadBatch(ctx, s.pool, actor, func(b *pgx.Batch) {
		b.Queue(`SELECT (SELECT count(*) FROM (`+visible+`) p)::int,
			(SELECT count(*) FROM property.buildings WHERE organization_id = @org AND property_id IN (SELECT id FROM (`+visible+`) p))::int`, args)
		b.Queue(`SELECT status, count(*)::int AS count FROM property.units
			WHERE organization_id = @org AND property_id IN (SELECT id FROM (`+visible+`) p) GROUP BY status`, args)
		b.Queue(`SELECT u.id AS unit_id, u.unit_number, p.id AS property_id, p.name AS property_name, u.market_rent, u.availability_date
			FROM property.units u JOIN (`+visible+`) p ON p.id = u.property_id
			WHERE u.organization_id = @org AND u.status = 'vacant'
			ORDER BY u.availability_date NULLS LAST, p.name, u.unit_number LIMIT @limit`, args)
	}, func(br pgx.BatchResults) error {
		if err := br.QueryRow().Scan(&o.Properties, &o.Buildings); err != nil {
			return err
		}
		rows, err := br.Query()
		if err == nil {
			counts, err = pgx.CollectRows(rows, pgx.RowToStructByName[StatusCount])
		}
		if err == nil {
			rows, err = br.Query()
		}
		if err == nil {
			o.Vacant, err = pgx.CollectRows(rows, pgx.RowToStructByName[VacantUnit])
		}
		return err
	})
	if err != nil {
		return Overview{}, err
	}
	o.UnitsByStatus, o.Units = inOrder(counts)
	return o, nil
}

// inOrder lists every unit status with its count, and the total.
func inOrder(counts []StatusCount) ([]StatusCount, int) {
	out, total := make([]StatusCount, len(UnitStatuses)), 0
	for i, st := range UnitStatuses {
		out[i].Status = st
		for _, c := range counts {
			if c.Status == st {
				out[i].Count = c.Count
				total += c.Count
			}
		}
	}
	return out, total
}
