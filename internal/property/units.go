package property

import (
	"context"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/shopspring/decimal"

	"realty"
	"realty/internal/postgres"
)

func init() {
	postgres.RegisterConstraints(map[string]postgres.Constraint{
		"property.buildings_name_check":    {Kind: realty.Invalid, Field: "name", Message: "must be 1 to 100 characters"},
		"property.buildings_name_key":      {Kind: realty.Conflict, Field: "name", Message: "is taken by another building of this property"},
		"property.buildings_property_fkey": {Kind: realty.NotFound, Message: "property not found"},
		"property.units_number_check":      {Kind: realty.Invalid, Field: "unit_number", Message: "must be 1 to 25 characters"},
		"property.units_number_key":        {Kind: realty.Conflict, Field: "unit_number", Message: "is taken by another unit of this property"},
		"property.units_status_check":      {Kind: realty.Invalid, Field: "status", Message: "must be vacant, occupied, maintenance or unavailable"},
		"property.units_market_rent_check": {Kind: realty.Invalid, Field: "market_rent", Message: "must not be negative"},
		"property.units_property_fkey":     {Kind: realty.NotFound, Message: "property not found"},
		"property.units_building_fkey":     {Kind: realty.Invalid, Field: "building_id", Message: "no such building"},
	})
}

// Building is one structure of a property.
type Building struct {
	ID         realty.ID `db:"id" json:"id"`
	PropertyID realty.ID `db:"property_id" json:"property_id"`
	Name       string    `db:"name" json:"name"`
	Floors     *int      `db:"floors" json:"floors,omitempty"`
	YearBuilt  *int      `db:"year_built" json:"year_built,omitempty"`
	CreatedAt  time.Time `db:"created_at" json:"created_at"`
}

// Unit is a rentable or sellable part of a property.
type Unit struct {
	ID               realty.ID        `db:"id" json:"id"`
	PropertyID       realty.ID        `db:"property_id" json:"property_id"`
	BuildingID       *realty.ID       `db:"building_id" json:"building_id,omitempty"`
	UnitNumber       string           `db:"unit_number" json:"unit_number"`
	UnitType         *string          `db:"unit_type" json:"unit_type,omitempty"`
	Floor            *int             `db:"floor" json:"floor,omitempty"`
	Area             *float64         `db:"area" json:"area,omitempty" doc:"square feet"`
	Bedrooms         *int             `db:"bedrooms" json:"bedrooms,omitempty"`
	Bathrooms        *float64         `db:"bathrooms" json:"bathrooms,omitempty"`
	MarketRent       *decimal.Decimal `db:"market_rent" json:"market_rent,omitempty"`
	Status           string           `db:"status" json:"status" enum:"vacant,occupied,maintenance,unavailable"`
	AvailabilityDate *realty.Date     `db:"availability_date" json:"availability_date,omitempty"`
	CreatedAt        time.Time        `db:"created_at" json:"created_at"`
}

const unitColumns = `id, property_id, building_id, unit_number, unit_type, floor, area::float8 AS area, bedrooms,
	bathrooms::float8 AS bathrooms, market_rent, status, availability_date, created_at`

// BuildingInput is what creating a building takes.
type BuildingInput struct {
	Name      string
	Floors    *int
	YearBuilt *int
}

// CreateBuilding adds a building to a property. NotFound for a property the
// actor cannot see; Conflict for a duplicate name.
func (s *Service) CreateBuilding(ctx context.Context, actor realty.Actor, propertyID realty.ID, in BuildingInput) (Building, error) {
	if err := actor.Require("property.write"); err != nil {
		return Building{}, err
	}
	var out Building
	err := postgres.Tx(ctx, s.pool, actor, func(tx pgx.Tx) error {
		if _, err := GetTx(ctx, tx, actor, propertyID); err != nil {
			return err
		}
		rows, err := tx.Query(ctx, `INSERT INTO property.buildings (organization_id, property_id, name, floors, year_built)
			VALUES ($1, $2, $3, $4, $5) RETURNING id, property_id, name, floors, year_built, created_at`,
			actor.OrgID, propertyID, strings.TrimSpace(in.Name), in.Floors, in.YearBuilt)
		if err != nil {
			return err
		}
		out, err = pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Building])
		return err
	})
	return out, err
}

// Buildings lists a property's buildings. NotFound for a property the actor
// cannot see.
func (s *Service) Buildings(ctx context.Context, actor realty.Actor, propertyID realty.ID) ([]Building, error) {
	if _, err := s.Get(ctx, actor, propertyID); err != nil {
		return nil, err
	}
	return postgres.ReadAll[Building](ctx, s.pool, actor, `SELECT id, property_id, name, floors, year_built, created_at
		FROM property.buildings WHERE organization_id = $1 AND property_id = $2 ORDER BY name, id`, actor.OrgID, propertyID)
}

// UnitInput is what creating or replacing a unit takes.
type UnitInput struct {
	BuildingID       *realty.ID
	UnitNumber       string
	UnitType         *string
	Floor            *int
	Area             *float64
	Bedrooms         *int
	Bathrooms        *float64
	MarketRent       *decimal.Decimal
	Status           string
	AvailabilityDate *time.Time
}

func (in *UnitInput) args() []any {
	in.UnitNumber = strings.TrimSpace(in.UnitNumber)
	in.Status = cmpOr(in.Status, "vacant")
	return []any{in.BuildingID, in.UnitNumber, in.UnitType, in.Floor, in.Area, in.Bedrooms, in.Bathrooms, in.MarketRent, in.Status, in.AvailabilityDate}
}

// CreateUnit adds a unit to a property. NotFound for a property the actor
// cannot see; Conflict for a unit number the property already has; Invalid
// naming the field.
func (s *Service) CreateUnit(ctx context.Context, actor realty.Actor, propertyID realty.ID, in UnitInput) (Unit, error) {
	if err := actor.Require("property.write"); err != nil {
		return Unit{}, err
	}
	var out Unit
	err := postgres.Tx(ctx, s.pool, actor, func(tx pgx.Tx) error {
		if _, err := GetTx(ctx, tx, actor, propertyID); err != nil {
			return err
		}
		rows, err := tx.Query(ctx, `INSERT INTO property.units (organization_id, property_id, building_id, unit_number, unit_type,
			floor, area, bedrooms, bathrooms, market_rent, status, availability_date)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING `+unitColumns,
			append([]any{actor.OrgID, propertyID}, in.args()...)...)
		if err != nil {
			return err
		}
		out, err = pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Unit])
		return err
	})
	return out, err
}

// Units lists a property's units by number. NotFound for a property the
// actor cannot see.
func (s *Service) Units(ctx context.Context, actor realty.Actor, propertyID realty.ID) ([]Unit, error) {
	if _, err := s.Get(ctx, actor, propertyID); err != nil {
		return nil, err
	}
	return postgres.ReadAll[Unit](ctx, s.pool, actor, `SELECT `+unitColumns+` FROM property.units
		WHERE organization_id = $1 AND property_id = $2 ORDER BY length(unit_number), unit_number, id`, actor.OrgID, propertyID)
}

var errUnitNotFound = &realty.Error{Kind: realty.NotFound, Message: "unit not found"}

// UnitTx returns a unit within tx; NotFound when it is not in a property the
// actor can see.
func UnitTx(ctx context.Context, tx pgx.Tx, actor realty.Actor, id realty.ID) (Unit, error) {
	rows, err := tx.Query(ctx, `SELECT `+postgres.Prefix("u", unitColumns)+` FROM property.units u
		JOIN property.properties p ON p.organization_id = u.organization_id AND p.id = u.property_id AND p.deleted_at IS NULL
		WHERE u.organization_id = $1 AND u.id = $2 AND ($3::uuid[] IS NULL OR u.property_id = ANY($3))`, actor.OrgID, id, scopeArg(actor))
	if err != nil {
		return Unit{}, err
	}
	u, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Unit])
	if realty.KindOf(postgres.MapError(err)) == realty.NotFound {
		return Unit{}, errUnitNotFound
	}
	return u, err
}

// UpdateUnit replaces a unit's fields (its status among them). NotFound for
// a unit the actor cannot see.
func (s *Service) UpdateUnit(ctx context.Context, actor realty.Actor, id realty.ID, in UnitInput) (Unit, error) {
	if err := actor.Require("property.write"); err != nil {
		return Unit{}, err
	}
	var out Unit
	err := postgres.Tx(ctx, s.pool, actor, func(tx pgx.Tx) error {
		if _, err := UnitTx(ctx, tx, actor, id); err != nil {
			return err
		}
		rows, err := tx.Query(ctx, `UPDATE property.units SET building_id = $3, unit_number = $4, unit_type = $5, floor = $6,
			area = $7, bedrooms = $8, bathrooms = $9, market_rent = $10, status = $11, availability_date = $12
			WHERE organization_id = $1 AND id = $2 RETURNING `+unitColumns, append([]any{actor.OrgID, id}, in.args()...)...)
		if err != nil {
			return err
		}
		out, err = pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Unit])
		return err
	})
	return out, err
}

// Unit returns one unit. Forbidden without property.read; NotFound when it
// is not in a property the actor can see.
func (s *Service) Unit(ctx context.Context, actor realty.Actor, id realty.ID) (Unit, error) {
	if err := actor.Require("property.read"); err != nil {
		return Unit{}, err
	}
	var out Unit
	err := postgres.Tx(ctx, s.pool, actor, func(tx pgx.Tx) error {
		var err error
		out, err = UnitTx(ctx, tx, actor, id)
		return err
	})
	return out, err
}
