// Package property holds the physical portfolio: properties with their
// address and location, buildings, units, valuations, and media (photos,
// floor plans, documents) kept in the blob store.
package property

import (
	"context"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/shopspring/decimal"

	"realty"
	"realty/internal/blob"
	"realty/internal/postgres"
)

func init() {
	postgres.RegisterConstraints(map[string]postgres.Constraint{
		"property.properties_name_check":        {Kind: realty.Invalid, Field: "name", Message: "must be 1 to 200 characters"},
		"property.properties_type_check":        {Kind: realty.Invalid, Field: "property_type", Message: "must be residential, commercial, industrial, land or mixed"},
		"property.properties_status_check":      {Kind: realty.Invalid, Field: "status", Message: "must be active, inactive, under_construction or sold"},
		"property.properties_address_check":     {Kind: realty.Invalid, Field: "address_line1", Message: "must be 1 to 200 characters"},
		"property.properties_city_check":        {Kind: realty.Invalid, Field: "city", Message: "must be 1 to 100 characters"},
		"property.properties_country_check":     {Kind: realty.Invalid, Field: "country", Message: "must be an ISO 3166 two-letter code such as US"},
		"property.properties_latitude_check":    {Kind: realty.Invalid, Field: "latitude", Message: "must be between -90 and 90"},
		"property.properties_longitude_check":   {Kind: realty.Invalid, Field: "longitude", Message: "must be between -180 and 180"},
		"property.properties_location_check":    {Kind: realty.Invalid, Field: "latitude", Message: "latitude and longitude go together"},
		"property.properties_year_built_check":  {Kind: realty.Invalid, Field: "year_built", Message: "must be between 1600 and 2200"},
		"property.properties_living_area_check": {Kind: realty.Invalid, Field: "living_area", Message: "must be positive"},
		"property.properties_bedrooms_check":    {Kind: realty.Invalid, Field: "bedrooms", Message: "must be between 0 and 200"},
		"property.properties_bathrooms_check":   {Kind: realty.Invalid, Field: "bathrooms", Message: "must be between 0 and 200"},
		"property.properties_manager_fkey":      {Kind: realty.Invalid, Field: "manager_id", Message: "no such member"},
	})
}

// Permissions are the property domain's permissions, the CMA's among them.
var Permissions = append([]realty.Permission{
	{Name: "property.read", Description: "See properties, buildings, units and media",
		Roles: []string{"broker", "agent", "property_manager", "accountant", "maintenance"}},
	{Name: "property.write", Description: "Create and change properties, buildings, units and media",
		Roles: []string{"broker", "agent", "property_manager"}},
}, ValuationPermissions...)

// Service is the property domain.
type Service struct {
	pool     *postgres.Pool
	blobs    blob.Store
	maxMedia int64
	now      func() time.Time
	market   Market
}

// New returns the property service; media files up to maxMedia bytes go to
// blobs.
func New(pool *postgres.Pool, blobs blob.Store, maxMedia int64) *Service {
	return &Service{pool: pool, blobs: blobs, maxMedia: maxMedia, now: time.Now}
}

// Property is a building or piece of land the organization sells, leases or
// manages.
type Property struct {
	ID              realty.ID        `db:"id" json:"id"`
	Name            string           `db:"name" json:"name"`
	PropertyType    string           `db:"property_type" json:"property_type" enum:"residential,commercial,industrial,land,mixed"`
	Subtype         *string          `db:"subtype" json:"subtype,omitempty"`
	Status          string           `db:"status" json:"status" enum:"active,inactive,under_construction,sold"`
	AddressLine1    string           `db:"address_line1" json:"address_line1"`
	AddressLine2    *string          `db:"address_line2" json:"address_line2,omitempty"`
	City            string           `db:"city" json:"city"`
	StateProvince   string           `db:"state_province" json:"state_province"`
	PostalCode      *string          `db:"postal_code" json:"postal_code,omitempty"`
	Country         string           `db:"country" json:"country"`
	Latitude        *float64         `db:"latitude" json:"latitude,omitempty"`
	Longitude       *float64         `db:"longitude" json:"longitude,omitempty"`
	ParcelNumber    *string          `db:"parcel_number" json:"parcel_number,omitempty"`
	YearBuilt       *int             `db:"year_built" json:"year_built,omitempty"`
	LivingArea      *float64         `db:"living_area" json:"living_area,omitempty" doc:"square feet"`
	LotSize         *float64         `db:"lot_size" json:"lot_size,omitempty" doc:"square feet"`
	Bedrooms        *int             `db:"bedrooms" json:"bedrooms,omitempty"`
	Bathrooms       *float64         `db:"bathrooms" json:"bathrooms,omitempty"`
	Condition       *int             `db:"condition" json:"condition,omitempty" doc:"1 poor, 2 fair, 3 average, 4 good, 5 excellent"`
	Amenities       []string         `db:"amenities" json:"amenities"`
	ManagerID       *realty.ID       `db:"manager_id" json:"manager_id,omitempty"`
	MarketValue     *decimal.Decimal `db:"market_value" json:"market_value,omitempty"`
	AcquisitionCost *decimal.Decimal `db:"acquisition_price" json:"acquisition_price,omitempty"`
	AnnualTax       *decimal.Decimal `db:"annual_tax" json:"annual_tax,omitempty"`
	CreatedAt       time.Time        `db:"created_at" json:"created_at"`
	UpdatedAt       time.Time        `db:"updated_at" json:"updated_at"`
}

const propertyColumns = `id, name, property_type, subtype, status, address_line1, address_line2, city, state_province,
	postal_code, country, latitude::float8 AS latitude, longitude::float8 AS longitude, parcel_number, year_built,
	living_area::float8 AS living_area, lot_size::float8 AS lot_size, bedrooms, bathrooms::float8 AS bathrooms, condition, amenities,
	manager_id, market_value, acquisition_price, annual_tax, created_at, updated_at`

// Input is what creating or replacing a property takes.
type Input struct {
	Name            string
	PropertyType    string
	Subtype         *string
	Status          string
	AddressLine1    string
	AddressLine2    *string
	City            string
	StateProvince   string
	PostalCode      *string
	Country         string
	Latitude        *float64
	Longitude       *float64
	ParcelNumber    *string
	YearBuilt       *int
	LivingArea      *float64
	LotSize         *float64
	Bedrooms        *int
	Bathrooms       *float64
	Condition       *int
	Amenities       []string
	ManagerID       *realty.ID
	MarketValue     *decimal.Decimal
	AcquisitionCost *decimal.Decimal
	AnnualTax       *decimal.Decimal
}

func (in *Input) normalize() error {
	in.Name, in.AddressLine1, in.City = strings.TrimSpace(in.Name), strings.TrimSpace(in.AddressLine1), strings.TrimSpace(in.City)
	if in.Name == "" {
		in.Name = in.AddressLine1
	}
	in.PropertyType = cmpOr(in.PropertyType, "residential")
	in.Status = cmpOr(in.Status, "active")
	in.Country = strings.ToUpper(cmpOr(in.Country, "US"))
	if in.Amenities == nil {
		in.Amenities = []string{}
	}
	if (in.Latitude == nil) != (in.Longitude == nil) {
		return realty.FieldError("latitude", "latitude and longitude go together")
	}
	if in.Condition != nil && (*in.Condition < 1 || *in.Condition > 5) {
		return realty.FieldError("condition", "must be 1 (poor) to 5 (excellent)")
	}
	for _, m := range []*decimal.Decimal{in.MarketValue, in.AcquisitionCost, in.AnnualTax} {
		if m != nil && m.IsNegative() {
			return realty.FieldError("market_value", "amounts must not be negative")
		}
	}
	return nil
}

func cmpOr(v, def string) string {
	if v = strings.TrimSpace(v); v == "" {
		return def
	}
	return v
}

func (in Input) args() []any {
	return []any{in.Name, in.PropertyType, in.Subtype, in.Status, in.AddressLine1, in.AddressLine2, in.City, in.StateProvince,
		in.PostalCode, in.Country, in.Latitude, in.Longitude, in.ParcelNumber, in.YearBuilt, in.LivingArea, in.LotSize,
		in.Bedrooms, in.Bathrooms, in.Amenities, in.ManagerID, in.MarketValue, in.AcquisitionCost, in.AnnualTax, in.Condition}
}

var errNotFound = &realty.Error{Kind: realty.NotFound, Message: "property not found"}

// CreateTx creates a property within tx (a listing may create its
// property). Invalid naming the field for a bad value; Conflict
// (org.PlanLimitError) when the organization's plan allows no more
// properties.
func CreateTx(ctx context.Context, tx pgx.Tx, actor realty.Actor, in Input) (Property, error) {
	if err := in.normalize(); err != nil {
		return Property{}, err
	}
	if err := checkRoomTx(ctx, tx, actor.OrgID, 1); err != nil {
		return Property{}, err
	}
	rows, err := tx.Query(ctx, `INSERT INTO property.properties (organization_id, name, property_type, subtype, status,
		address_line1, address_line2, city, state_province, postal_code, country, latitude, longitude, parcel_number, year_built,
		living_area, lot_size, bedrooms, bathrooms, amenities, manager_id, market_value, acquisition_price, annual_tax, condition)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25)
		RETURNING `+propertyColumns, append([]any{actor.OrgID}, in.args()...)...)
	if err != nil {
		return Property{}, err
	}
	return pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Property])
}

// Create makes a property. Forbidden without property.write; Invalid naming
// the field for a bad value; Conflict (org.PlanLimitError, naming
// max_properties) when the plan allows no more properties.
func (s *Service) Create(ctx context.Context, actor realty.Actor, in Input) (Property, error) {
	if err := actor.Require("property.write"); err != nil {
		return Property{}, err
	}
	var out Property
	err := postgres.Tx(ctx, s.pool, actor, func(tx pgx.Tx) error {
		var err error
		out, err = CreateTx(ctx, tx, actor, in)
		return err
	})
	return out, err
}

// scopeArg is the actor's property scope for queries: NULL when unlimited.
func scopeArg(actor realty.Actor) []realty.ID {
	return actor.PropertyScope
}

const getSQL = `SELECT ` + propertyColumns + ` FROM property.properties
	WHERE organization_id = $1 AND id = $2 AND deleted_at IS NULL AND ($3::uuid[] IS NULL OR id = ANY($3))`

// GetTx returns a property the actor may see, within tx. NotFound for
// another organization's property, one outside the actor's scope, or a
// deleted one.
func GetTx(ctx context.Context, tx pgx.Tx, actor realty.Actor, id realty.ID) (Property, error) {
	rows, err := tx.Query(ctx, getSQL, actor.OrgID, id, scopeArg(actor))
	if err != nil {
		return Property{}, err
	}
	return one(rows)
}

func one(rows pgx.Rows) (Property, error) {
	p, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Property])
	if realty.KindOf(postgres.MapError(err)) == realty.NotFound {
		return Property{}, errNotFound
	}
	return p, err
}

// Get returns a property. Forbidden without property.read; NotFound as
// GetTx.
func (s *Service) Get(ctx context.Context, actor realty.Actor, id realty.ID) (Property, error) {
	if err := actor.Require("property.read"); err != nil {
		return Property{}, err
	}
	var out Property
	err := postgres.Read(ctx, s.pool, actor, func(rows pgx.Rows) error {
		var err error
		out, err = one(rows)
		return err
	}, getSQL, actor.OrgID, id, scopeArg(actor))
	return out, err
}

// Filter selects properties: City and Q (name or address, partial) narrow
// the list; Cursor continues a page.
type Filter struct {
	City   string
	Q      string
	Cursor string
	Limit  int
}

// Page is a page of properties, by name.
type Page struct {
	Items      []Property `json:"items"`
	NextCursor string     `json:"next_cursor,omitempty"`
}

// List returns the actor's properties by name, a page at a time. Forbidden
// without property.read; Invalid naming cursor for a foreign cursor.
func (s *Service) List(ctx context.Context, actor realty.Actor, f Filter) (Page, error) {
	if err := actor.Require("property.read"); err != nil {
		return Page{}, err
	}
	limit := f.Limit
	if limit <= 0 || limit > 200 {
		limit = 50
	}
	where := []string{"organization_id = @org", "deleted_at IS NULL", "(@scope::uuid[] IS NULL OR id = ANY(@scope))"}
	args := pgx.NamedArgs{"org": actor.OrgID, "scope": scopeArg(actor), "limit": limit + 1}
	if f.City != "" {
		where, args["city"] = append(where, "lower(city) = lower(@city)"), f.City
	}
	if f.Q != "" {
		where, args["q"] = append(where, "(name ILIKE '%' || @q || '%' OR address_line1 ILIKE '%' || @q || '%')"), f.Q
	}
	if f.Cursor != "" {
		var name string
		var id realty.ID
		if err := postgres.DecodeCursor(f.Cursor, &name, &id); err != nil {
			return Page{}, err
		}
		where, args["c_name"], args["c_id"] = append(where, "(name, id) > (@c_name, @c_id)"), name, id
	}
	items, err := postgres.ReadAll[Property](ctx, s.pool, actor, `SELECT `+propertyColumns+` FROM property.properties
		WHERE `+strings.Join(where, " AND ")+` ORDER BY name, id LIMIT @limit`, args)
	if err != nil {
		return Page{}, err
	}
	p := Page{Items: items}
	if len(items) > limit {
		p.Items = items[:limit]
		p.NextCursor = postgres.EncodeCursor(items[limit-1].Name, items[limit-1].ID)
	}
	if p.Items == nil {
		p.Items = []Property{}
	}
	return p, nil
}

// Update replaces a property's fields. Forbidden without property.write;
// NotFound as GetTx; Invalid naming the field.
func (s *Service) Update(ctx context.Context, actor realty.Actor, id realty.ID, in Input) (Property, error) {
	if err := actor.Require("property.write"); err != nil {
		return Property{}, err
	}
	if err := in.normalize(); err != nil {
		return Property{}, err
	}
	var out Property
	err := postgres.Tx(ctx, s.pool, actor, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `UPDATE property.properties SET name = $4, property_type = $5, subtype = $6, status = $7,
			address_line1 = $8, address_line2 = $9, city = $10, state_province = $11, postal_code = $12, country = $13,
			latitude = $14, longitude = $15, parcel_number = $16, year_built = $17, living_area = $18, lot_size = $19,
			bedrooms = $20, bathrooms = $21, amenities = $22, manager_id = $23, market_value = $24, acquisition_price = $25, annual_tax = $26,
			condition = $27
			WHERE organization_id = $1 AND id = $2 AND deleted_at IS NULL AND ($3::uuid[] IS NULL OR id = ANY($3))
			RETURNING `+propertyColumns, append([]any{actor.OrgID, id, scopeArg(actor)}, in.args()...)...)
		if err != nil {
			return err
		}
		out, err = pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Property])
		if realty.KindOf(postgres.MapError(err)) == realty.NotFound {
			return errNotFound
		}
		return err
	})
	return out, err
}

// DeleteTx removes a property from view (its history stays) within tx.
// Domains that hold rows about properties decide first whether it may go
// (listing.Service.DeleteProperty refuses while a listing is on the market).
// Forbidden without property.write; NotFound for another organization's
// property or one outside the actor's scope.
func DeleteTx(ctx context.Context, tx pgx.Tx, actor realty.Actor, id realty.ID) error {
	if err := actor.Require("property.write"); err != nil {
		return err
	}
	tag, err := tx.Exec(ctx, `UPDATE property.properties SET deleted_at = now()
		WHERE organization_id = $1 AND id = $2 AND deleted_at IS NULL AND ($3::uuid[] IS NULL OR id = ANY($3))`,
		actor.OrgID, id, scopeArg(actor))
	if err == nil && tag.RowsAffected() == 0 {
		return errNotFound
	}
	return err
}
