package listing

import (
	"context"
	"reflect"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/shopspring/decimal"

	"realty"
	"realty/internal/postgres"
	"realty/internal/property"
)

func init() {
	postgres.RegisterConstraints(map[string]postgres.Constraint{
		"listing.listings_key_key":             {Kind: realty.Conflict, Field: "listing_key", Message: "is taken by another listing"},
		"listing.listings_key_check":           {Kind: realty.Invalid, Field: "listing_key", Message: "must be 1 to 255 characters"},
		"listing.listings_origin_key":          {Kind: realty.Conflict, Field: "originating_system_key", Message: "is taken by another listing from that system"},
		"listing.listings_list_type_check":     {Kind: realty.Invalid, Field: "list_type", Message: "must be sale or lease"},
		"listing.listings_property_type_check": {Kind: realty.Invalid, Field: "property_type", Message: "must be a RESO PropertyType"},
		"listing.listings_list_price_check":    {Kind: realty.Invalid, Field: "list_price", Message: "must be positive"},
		"listing.listings_close_price_check":   {Kind: realty.Invalid, Field: "close_price", Message: "must be positive"},
		"listing.listings_bedrooms_check":      {Kind: realty.Invalid, Field: "bedrooms_total", Message: "must be between 0 and 200"},
		"listing.listings_bathrooms_check":     {Kind: realty.Invalid, Field: "bathrooms_total", Message: "must be between 0 and 200"},
		"listing.listings_living_area_check":   {Kind: realty.Invalid, Field: "living_area", Message: "must be positive"},
		"listing.listings_property_fkey":       {Kind: realty.Invalid, Field: "property_id", Message: "no such property"},
		"listing.listings_unit_fkey":           {Kind: realty.Invalid, Field: "unit_id", Message: "no such unit"},
		"listing.listings_agent_fkey":          {Kind: realty.Invalid, Field: "list_agent_id", Message: "no such member"},
		"listing.listings_dates_check":         {Kind: realty.Invalid, Field: "off_market_date", Message: "must not be before the on-market date"},
	})
}

// Fields are a listing's changeable fields; in a patch, nil leaves a field
// as it is.
type Fields struct {
	StandardStatus      *string
	MlsStatus           *string
	PropertyType        *string
	PropertySubType     *string
	ListPrice           *decimal.Decimal
	ClosePrice          *decimal.Decimal
	ListingContractDate *realty.Date
	OnMarketDate        *realty.Date
	OffMarketDate       *realty.Date
	CloseDate           *realty.Date
	ExpirationDate      *realty.Date
	ListAgentID         *realty.ID
	PublicRemarks       *string
	PrivateRemarks      *string
	BedroomsTotal       *int
	BathroomsTotal      *float64
	LivingArea          *float64
	LotSizeArea         *float64
	YearBuilt           *int
	Stories             *int
	GarageSpaces        *int
	AssociationFee      *decimal.Decimal
	TaxAnnualAmount     *decimal.Decimal
	Features            *[]string
	Appliances          *[]string
	Cooling             *[]string
	Heating             *[]string
	Flooring            *[]string
	View                *[]string
	PoolFeatures        *[]string
}

// Input is what creating a listing takes: the property it offers (an
// existing one, or a new one described inline), its identity and Fields.
type Input struct {
	PropertyID            *realty.ID
	Property              *property.Input
	UnitID                *realty.ID
	ListingKey            string
	ListingID             *string
	OriginatingSystemName *string
	OriginatingSystemKey  *string
	ListType              string
	Fields
}

// emptyLists turns lists set to nil into empty lists, so "set to nothing"
// clears a list rather than leaving it (SQL NULL means "unchanged" in a
// patch).
func emptyLists(f *Fields) {
	for _, l := range []*[]string{f.Features, f.Appliances, f.Cooling, f.Heating, f.Flooring, f.View, f.PoolFeatures} {
		if l != nil && *l == nil {
			*l = []string{}
		}
	}
}

// checkFields validates the fields set; the error names the field.
func checkFields(f Fields) error {
	if f.StandardStatus != nil && !slices.Contains(StandardStatuses, *f.StandardStatus) {
		return realty.FieldError("standard_status", "must be one of "+strings.Join(StandardStatuses, ", "))
	}
	if f.PropertyType != nil && !slices.Contains(PropertyTypes, *f.PropertyType) {
		return realty.FieldError("property_type", "must be one of "+strings.Join(PropertyTypes, ", "))
	}
	for field, d := range map[string]*decimal.Decimal{"list_price": f.ListPrice, "close_price": f.ClosePrice} {
		if d != nil && !d.IsPositive() {
			return realty.FieldError(field, "must be positive")
		}
	}
	if f.OnMarketDate != nil && f.OffMarketDate != nil && f.OffMarketDate.Before(*f.OnMarketDate) {
		return realty.FieldError("off_market_date", "must not be before the on-market date")
	}
	return nil
}

// Create lists a property. The actor lists it as its agent unless they may
// manage every listing and name another; a property described inline is
// created with it. The status comes from the MLS status mapping when only
// mls_status is given. Forbidden without listing.write; Invalid or Conflict
// naming the field (max_properties when the property to create is past the
// organization's plan limit).
func (s *Service) Create(ctx context.Context, actor realty.Actor, in Input) (Listing, error) {
	if err := actor.Require("listing.write"); err != nil {
		return Listing{}, err
	}
	if err := s.checkCreate(actor, &in); err != nil {
		return Listing{}, err
	}
	var out Listing
	err := postgres.Tx(ctx, s.pool, actor, func(tx pgx.Tx) error {
		p, err := s.propertyFor(ctx, tx, actor, in)
		if err != nil {
			return err
		}
		if err := resolveStatus(ctx, tx, actor, &in.Fields); err != nil {
			return err
		}
		id, err := insertListing(ctx, tx, actor, in, p)
		if err != nil {
			return err
		}
		if out, err = getTx(ctx, tx, actor, id); err != nil {
			return err
		}
		return s.announceChange(ctx, tx, actor, nil, out)
	})
	return out, err
}

func (s *Service) checkCreate(actor realty.Actor, in *Input) error {
	if in.ListPrice == nil {
		return realty.FieldError("list_price", "is required")
	}
	if in.PropertyID == nil && in.Property == nil {
		return realty.FieldError("property_id", "name a property, or describe one in property")
	}
	if in.ListAgentID == nil && !actor.MemberID.IsZero() {
		in.ListAgentID = &actor.MemberID
	}
	if in.ListAgentID != nil && *in.ListAgentID != actor.MemberID && !actor.Can("listing.manage") {
		return realty.FieldError("list_agent_id", "you may list only as yourself")
	}
	in.ListingKey = strings.TrimSpace(in.ListingKey)
	if in.ListingKey == "" {
		in.ListingKey = "L-" + strings.ToUpper(realty.NewID().String()[24:])
	}
	if in.ListType == "" {
		in.ListType = "sale"
	}
	return checkFields(in.Fields)
}

// propertyFor returns the listed property: the named one, or a new one.
func (s *Service) propertyFor(ctx context.Context, tx pgx.Tx, actor realty.Actor, in Input) (property.Property, error) {
	if in.PropertyID != nil {
		p, err := property.GetTx(ctx, tx, actor, *in.PropertyID)
		if realty.KindOf(err) == realty.NotFound {
			return p, realty.FieldError("property_id", "no such property")
		}
		return p, err
	}
	return property.CreateTx(ctx, tx, actor, *in.Property)
}

// resolveStatus sets the standard status from the organization's MLS status
// mapping when only a local status is given.
func resolveStatus(ctx context.Context, tx pgx.Tx, actor realty.Actor, f *Fields) error {
	if f.StandardStatus != nil || f.MlsStatus == nil {
		return nil
	}
	var st string
	err := tx.QueryRow(ctx, `SELECT standard_status::text FROM listing.mls_statuses WHERE organization_id = $1 AND mls_status = $2`,
		actor.OrgID, *f.MlsStatus).Scan(&st)
	if err != nil {
		return realty.FieldError("mls_status", "has no mapping to a standard status: add one, or give standard_status")
	}
	f.StandardStatus = &st
	return nil
}

func insertListing(ctx context.Context, tx pgx.Tx, actor realty.Actor, in Input, p property.Property) (realty.ID, error) {
	f := in.Fields
	beds, baths, area := or(f.BedroomsTotal, p.Bedrooms), or(f.BathroomsTotal, p.Bathrooms), or(f.LivingArea, p.LivingArea)
	var id realty.ID
	err := tx.QueryRow(ctx, `INSERT INTO listing.listings (organization_id, property_id, unit_id, listing_key, listing_id,
		originating_system_name, originating_system_key, list_type, standard_status, mls_status, property_type, property_sub_type,
		list_price, close_price, listing_contract_date, on_market_date, off_market_date, close_date, expiration_date, list_agent_id,
		public_remarks, private_remarks, street_address, unit_number, city, state_province, postal_code, country, latitude, longitude,
		bedrooms_total, bathrooms_total, living_area, lot_size_area, year_built, stories, garage_spaces, association_fee,
		tax_annual_amount, features, appliances, cooling, heating, flooring, view, pool_features)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, coalesce($9, 'Active')::listing.standard_status, $10, coalesce($11, 'Residential'), $12,
		$13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25, $26, $27, $28, $29, $30, $31, $32, $33, $34, $35, $36, $37,
		$38, $39, $40, $41, $42, $43, $44, $45, $46) RETURNING id`,
		actor.OrgID, p.ID, in.UnitID, in.ListingKey, in.ListingID, in.OriginatingSystemName, in.OriginatingSystemKey, in.ListType,
		f.StandardStatus, f.MlsStatus, f.PropertyType, f.PropertySubType, f.ListPrice, f.ClosePrice, f.ListingContractDate,
		f.OnMarketDate, f.OffMarketDate, f.CloseDate, f.ExpirationDate, f.ListAgentID, f.PublicRemarks, f.PrivateRemarks,
		p.AddressLine1, nil, p.City, p.StateProvince, p.PostalCode, p.Country, p.Latitude, p.Longitude,
		beds, baths, area, or(f.LotSizeArea, p.LotSize), or(f.YearBuilt, p.YearBuilt), f.Stories, f.GarageSpaces, f.AssociationFee,
		f.TaxAnnualAmount, list(f.Features, p.Amenities), list(f.Appliances, nil), list(f.Cooling, nil), list(f.Heating, nil),
		list(f.Flooring, nil), list(f.View, nil), list(f.PoolFeatures, nil)).Scan(&id)
	return id, err
}

func or[T any](a, b *T) *T {
	if a != nil {
		return a
	}
	return b
}

func list(v *[]string, def []string) []string {
	switch {
	case v != nil && *v == nil:
		return []string{}
	case v != nil:
		return *v
	case def != nil:
		return def
	}
	return []string{}
}

// Update changes the fields set in f. An agent may change only their own
// listings and not reassign them; the database records every status and
// price change in the listing's history. Forbidden or NotFound as Get;
// Invalid naming the field.
func (s *Service) Update(ctx context.Context, actor realty.Actor, id realty.ID, f Fields) (Listing, error) {
	if err := checkFields(f); err != nil {
		return Listing{}, err
	}
	emptyLists(&f)
	var out Listing
	err := postgres.Tx(ctx, s.pool, actor, func(tx pgx.Tx) error {
		cur, err := getTx(ctx, tx, actor, id)
		if err != nil {
			return err
		}
		if err := mayEdit(actor, cur); err != nil {
			return err
		}
		if f.ListAgentID != nil && !actor.Can("listing.manage") && *f.ListAgentID != actor.MemberID {
			return realty.FieldError("list_agent_id", "only a broker may reassign a listing")
		}
		if err := resolveStatus(ctx, tx, actor, &f); err != nil {
			return err
		}
		if err := updateListing(ctx, tx, actor, id, f); err != nil {
			return err
		}
		if out, err = getTx(ctx, tx, actor, id); err != nil {
			return err
		}
		if sameOffer(cur, out) {
			return nil // nothing changed: nothing to rematch
		}
		return s.announceChange(ctx, tx, actor, &cur, out)
	})
	return out, err
}

func updateListing(ctx context.Context, tx pgx.Tx, actor realty.Actor, id realty.ID, f Fields) error {
	_, err := tx.Exec(ctx, `UPDATE listing.listings SET
		standard_status = coalesce($3::listing.standard_status, standard_status), mls_status = coalesce($4, mls_status),
		property_type = coalesce($5, property_type), property_sub_type = coalesce($6, property_sub_type),
		list_price = coalesce($7, list_price), close_price = coalesce($8, close_price),
		listing_contract_date = coalesce($9, listing_contract_date), on_market_date = coalesce($10, on_market_date),
		off_market_date = coalesce($11, off_market_date), close_date = coalesce($12, close_date),
		expiration_date = coalesce($13, expiration_date), list_agent_id = coalesce($14, list_agent_id),
		public_remarks = coalesce($15, public_remarks), private_remarks = coalesce($16, private_remarks),
		bedrooms_total = coalesce($17, bedrooms_total), bathrooms_total = coalesce($18, bathrooms_total),
		living_area = coalesce($19, living_area), lot_size_area = coalesce($20, lot_size_area), year_built = coalesce($21, year_built),
		stories = coalesce($22, stories), garage_spaces = coalesce($23, garage_spaces), association_fee = coalesce($24, association_fee),
		tax_annual_amount = coalesce($25, tax_annual_amount), features = coalesce($26, features), appliances = coalesce($27, appliances),
		cooling = coalesce($28, cooling), heating = coalesce($29, heating), flooring = coalesce($30, flooring), view = coalesce($31, view),
		pool_features = coalesce($32, pool_features)
		WHERE organization_id = $1 AND id = $2`,
		actor.OrgID, id, f.StandardStatus, f.MlsStatus, f.PropertyType, f.PropertySubType, f.ListPrice, f.ClosePrice,
		f.ListingContractDate, f.OnMarketDate, f.OffMarketDate, f.CloseDate, f.ExpirationDate, f.ListAgentID, f.PublicRemarks,
		f.PrivateRemarks, f.BedroomsTotal, f.BathroomsTotal, f.LivingArea, f.LotSizeArea, f.YearBuilt, f.Stories, f.GarageSpaces,
		f.AssociationFee, f.TaxAnnualAmount, f.Features, f.Appliances, f.Cooling, f.Heating, f.Flooring, f.View, f.PoolFeatures)
	return err
}

// sameOffer says whether a change left every fact of the listing as it was
// (only the times of the write moved).
func sameOffer(a, b Listing) bool {
	for _, l := range []*Listing{&a, &b} {
		l.ModificationTimestamp, l.StatusChangeTimestamp, l.UpdatedAt, l.PriceChangeTimestamp = time.Time{}, time.Time{}, time.Time{}, nil
	}
	return reflect.DeepEqual(a, b)
}
