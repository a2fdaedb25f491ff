// Package listing holds offers on the market, aligned with the RESO Data
// Dictionary: the closed StandardStatus enumeration with each organization's
// MLS statuses mapped onto it, status and price history written by the
// database in the same transaction as the change, open houses, fast search,
// and MLS imports.
package listing

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"github.com/shopspring/decimal"

	"realty"
	"realty/internal/org"
	"realty/internal/postgres"
	"realty/internal/property"
)

// Permissions are the listing domain's permissions.
var Permissions = []realty.Permission{
	{Name: "listing.read", Description: "See listings, their history and open houses",
		Roles: []string{"broker", "agent", "property_manager", "accountant"}},
	{Name: "listing.write", Description: "Create listings and change one's own", Roles: []string{"broker", "agent", "property_manager"}},
	{Name: "listing.manage", Description: "Change every listing, assign agents, map MLS statuses", Roles: []string{"broker"}},
	{Name: "listing.import", Description: "Import MLS listing files (RESO JSON or CSV)", Roles: []string{"broker"}},
}

// OnMarketStatuses are the standard statuses of a listing still on the
// market: its property is offered, promised or about to be.
var OnMarketStatuses = []string{"Active", "ActiveUnderContract", "Pending", "ComingSoon", "Hold"}

// StandardStatuses are RESO's closed StandardStatus values, the only ones a
// listing can have.
var StandardStatuses = []string{"Active", "ActiveUnderContract", "Canceled", "Closed", "ComingSoon", "Delete", "Expired",
	"Hold", "Incomplete", "Pending", "Withdrawn"}

// SearchableStatuses are the statuses a search offers as filters: every
// StandardStatus but Delete (a record withdrawn from the feed, kept only
// until it is purged) and Incomplete (a listing still being entered).
// Search still accepts those two for callers that ask for them by name.
var SearchableStatuses = []string{"Active", "ActiveUnderContract", "ComingSoon", "Pending", "Hold", "Withdrawn", "Expired",
	"Canceled", "Closed"}

// PropertyTypes are RESO's PropertyType values.
var PropertyTypes = []string{"BusinessOpportunity", "CommercialLease", "CommercialSale", "Farm", "Land", "ManufacturedInPark",
	"Residential", "ResidentialIncome", "ResidentialLease"}

// Service is the listing domain.
type Service struct {
	pool       *postgres.Pool
	properties *property.Service
	orgs       *org.Service
	now        func() time.Time
	jobs       *river.Client[pgx.Tx]
}

// New returns the listing service: listings of the properties in
// properties, listed by the members orgs knows. jobs (an insert-only River
// client; nil: none) receives a ChangedArgs job in the transaction of every
// listing created or changed, and one per import.
func New(pool *postgres.Pool, properties *property.Service, orgs *org.Service, jobs *river.Client[pgx.Tx]) *Service {
	return &Service{pool: pool, properties: properties, orgs: orgs, now: time.Now, jobs: jobs}
}

// Listing is one offer of a property (or unit) for sale or lease.
type Listing struct {
	ID                     realty.ID        `db:"id" json:"id"`
	PropertyID             realty.ID        `db:"property_id" json:"property_id"`
	UnitID                 *realty.ID       `db:"unit_id" json:"unit_id,omitempty"`
	ListingKey             string           `db:"listing_key" json:"listing_key"`
	ListingID              *string          `db:"listing_id" json:"listing_id,omitempty" doc:"the MLS number people see"`
	OriginatingSystemName  *string          `db:"originating_system_name" json:"originating_system_name,omitempty"`
	OriginatingSystemKey   *string          `db:"originating_system_key" json:"originating_system_key,omitempty"`
	ListType               string           `db:"list_type" json:"list_type" enum:"sale,lease"`
	StandardStatus         string           `db:"standard_status" json:"standard_status"`
	MlsStatus              *string          `db:"mls_status" json:"mls_status,omitempty"`
	PropertyType           string           `db:"property_type" json:"property_type"`
	PropertySubType        *string          `db:"property_sub_type" json:"property_sub_type,omitempty"`
	ListPrice              decimal.Decimal  `db:"list_price" json:"list_price"`
	OriginalListPrice      *decimal.Decimal `db:"original_list_price" json:"original_list_price,omitempty"`
	ClosePrice             *decimal.Decimal `db:"close_price" json:"close_price,omitempty"`
	ListingContractDate    *realty.Date     `db:"listing_contract_date" json:"listing_contract_date,omitempty"`
	OnMarketDate           *realty.Date     `db:"on_market_date" json:"on_market_date,omitempty"`
	OffMarketDate          *realty.Date     `db:"off_market_date" json:"off_market_date,omitempty"`
	CloseDate              *realty.Date     `db:"close_date" json:"close_date,omitempty"`
	ExpirationDate         *realty.Date     `db:"expiration_date" json:"expiration_date,omitempty"`
	DaysOnMarket           *int             `db:"days_on_market" json:"days_on_market,omitempty" doc:"from the on-market date to the off-market or close date, or today"`
	OriginalEntryTimestamp time.Time        `db:"original_entry_timestamp" json:"original_entry_timestamp"`
	ModificationTimestamp  time.Time        `db:"modification_timestamp" json:"modification_timestamp"`
	StatusChangeTimestamp  time.Time        `db:"status_change_timestamp" json:"status_change_timestamp"`
	PriceChangeTimestamp   *time.Time       `db:"price_change_timestamp" json:"price_change_timestamp,omitempty"`
	ListAgentID            *realty.ID       `db:"list_agent_id" json:"list_agent_id,omitempty" doc:"the member listing it"`
	PublicRemarks          *string          `db:"public_remarks" json:"public_remarks,omitempty"`
	PrivateRemarks         *string          `db:"private_remarks" json:"private_remarks,omitempty"`
	StreetAddress          string           `db:"street_address" json:"street_address"`
	UnitNumber             *string          `db:"unit_number" json:"unit_number,omitempty"`
	City                   string           `db:"city" json:"city"`
	StateProvince          string           `db:"state_province" json:"state_province"`
	PostalCode             *string          `db:"postal_code" json:"postal_code,omitempty"`
	Country                string           `db:"country" json:"country"`
	Latitude               *float64         `db:"latitude" json:"latitude,omitempty"`
	Longitude              *float64         `db:"longitude" json:"longitude,omitempty"`
	BedroomsTotal          *int             `db:"bedrooms_total" json:"bedrooms_total,omitempty"`
	BathroomsTotal         *float64         `db:"bathrooms_total" json:"bathrooms_total,omitempty"`
	LivingArea             *float64         `db:"living_area" json:"living_area,omitempty" doc:"square feet"`
	LotSizeArea            *float64         `db:"lot_size_area" json:"lot_size_area,omitempty" doc:"square feet"`
	YearBuilt              *int             `db:"year_built" json:"year_built,omitempty"`
	Stories                *int             `db:"stories" json:"stories,omitempty"`
	GarageSpaces           *int             `db:"garage_spaces" json:"garage_spaces,omitempty"`
	AssociationFee         *decimal.Decimal `db:"association_fee" json:"association_fee,omitempty"`
	TaxAnnualAmount        *decimal.Decimal `db:"tax_annual_amount" json:"tax_annual_amount,omitempty"`
	Features               []string         `db:"features" json:"features"`
	Appliances             []string         `db:"appliances" json:"appliances"`
	Cooling                []string         `db:"cooling" json:"cooling"`
	Heating                []string         `db:"heating" json:"heating"`
	Flooring               []string         `db:"flooring" json:"flooring"`
	View                   []string         `db:"view" json:"view"`
	PoolFeatures           []string         `db:"pool_features" json:"pool_features"`
	PrimaryPhoto           *string          `db:"primary_photo" json:"-"`
	PhotosCount            int              `db:"photos_count" json:"photos_count"`
	CreatedAt              time.Time        `db:"created_at" json:"created_at"`
	UpdatedAt              time.Time        `db:"updated_at" json:"updated_at"`
}

// daysOnMarket is the SQL for DaysOnMarket.
const daysOnMarket = `CASE WHEN on_market_date IS NULL THEN NULL
	ELSE greatest(coalesce(off_market_date, close_date, current_date) - on_market_date, 0) END`

const listingColumns = `id, property_id, unit_id, listing_key, listing_id, originating_system_name, originating_system_key,
	list_type, standard_status::text AS standard_status, mls_status, property_type, property_sub_type, list_price,
	original_list_price, close_price, listing_contract_date, on_market_date, off_market_date, close_date, expiration_date,
	` + daysOnMarket + ` AS days_on_market, original_entry_timestamp, modification_timestamp, status_change_timestamp,
	price_change_timestamp, list_agent_id, public_remarks, private_remarks, street_address, unit_number, city,
	state_province, postal_code, country, latitude::float8 AS latitude, longitude::float8 AS longitude, bedrooms_total,
	bathrooms_total::float8 AS bathrooms_total, living_area::float8 AS living_area, lot_size_area::float8 AS lot_size_area,
	year_built, stories, garage_spaces, association_fee, tax_annual_amount, features, appliances, cooling, heating,
	flooring, view, pool_features, primary_photo, photos_count, created_at, updated_at`

var errNotFound = &realty.Error{Kind: realty.NotFound, Message: "listing not found"}

// scoped is the filter every read of listings carries: the organization and
// the actor's property scope.
const scoped = `organization_id = @org AND (@scope::uuid[] IS NULL OR property_id = ANY(@scope))`

// Get returns a listing. Forbidden without listing.read; NotFound for
// another organization's listing or one outside the actor's property scope.
func (s *Service) Get(ctx context.Context, actor realty.Actor, id realty.ID) (Listing, error) {
	if err := actor.Require("listing.read"); err != nil {
		return Listing{}, err
	}
	rows, err := postgres.ReadAll[Listing](ctx, s.pool, actor, `SELECT `+listingColumns+` FROM listing.listings
		WHERE `+scoped+` AND id = @id`, pgx.NamedArgs{"org": actor.OrgID, "scope": actor.PropertyScope, "id": id})
	if err != nil {
		return Listing{}, err
	}
	if len(rows) == 0 {
		return Listing{}, errNotFound
	}
	return rows[0], nil
}

func getTx(ctx context.Context, tx pgx.Tx, actor realty.Actor, id realty.ID) (Listing, error) {
	rows, err := tx.Query(ctx, `SELECT `+listingColumns+` FROM listing.listings WHERE `+scoped+` AND id = @id FOR UPDATE`,
		pgx.NamedArgs{"org": actor.OrgID, "scope": actor.PropertyScope, "id": id})
	if err != nil {
		return Listing{}, err
	}
	l, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Listing])
	if realty.KindOf(postgres.MapError(err)) == realty.NotFound {
		return Listing{}, errNotFound
	}
	return l, err
}

// mayEdit says whether the actor may change a listing: managers every one,
// writers their own.
func mayEdit(actor realty.Actor, l Listing) error {
	if actor.Can("listing.manage") {
		return nil
	}
	if err := actor.Require("listing.write"); err != nil {
		return err
	}
	if l.ListAgentID == nil || *l.ListAgentID != actor.MemberID {
		return &realty.Error{Kind: realty.Forbidden, Message: "you may change only your own listings"}
	}
	return nil
}
