package property

import (
	"context"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/shopspring/decimal"

	"realty"
	"realty/internal/postgres"
)

// ValuationPermissions are the CMA's permissions (part of Permissions).
var ValuationPermissions = []realty.Permission{
	{Name: "valuation.read", Description: "See comparative market analyses and the adjustment rates", Roles: []string{"broker", "agent"}},
	{Name: "valuation.write", Description: "Run comparative market analyses", Roles: []string{"broker", "agent"}},
	{Name: "valuation.manage", Description: "Set the adjustment rates of each market", Roles: []string{"broker"}},
}

// Options tune a CMA; zero values take the defaults in brackets.
type Options struct {
	RadiusKm     float64          `json:"radius_km" doc:"how far to look for sales [2]"`
	Months       int              `json:"months" doc:"how many months back to look [6]"`
	AreaPct      float64          `json:"area_pct" doc:"living area within this percentage of the subject's [25]"`
	BedsRange    int              `json:"beds_range" doc:"bedrooms within this many of the subject's [1]"`
	MaxComps     int              `json:"max_comps" doc:"comparables kept, the weightiest [6]"`
	PropertyType string           `json:"property_type" doc:"RESO PropertyType of the sales [from the property's type]"`
	Market       string           `json:"market" doc:"whose adjustment rates [the subject's city if it has rates, else default]"`
	ListPrice    *decimal.Decimal `json:"list_price,omitempty" doc:"the price to place against the market [the property's listing on the market]"`
	AsOf         *realty.Date     `json:"as_of,omitempty" doc:"the day valued [today]"`
}

// normalize fills the defaults and refuses values out of range, naming the
// field.
func (o *Options) normalize(p Property, today realty.Date) error {
	o.RadiusKm, o.AreaPct = cmp0(o.RadiusKm, 2), cmp0(o.AreaPct, 25)
	o.Months, o.BedsRange, o.MaxComps = cmp0(o.Months, 6), cmp0(o.BedsRange, 1), cmp0(o.MaxComps, 6)
	o.PropertyType = cmpOr(o.PropertyType, resoTypes[p.PropertyType])
	o.Market = strings.ToLower(cmpOr(o.Market, p.City))
	if o.AsOf == nil {
		o.AsOf = &today
	}
	switch {
	case o.RadiusKm < 0.1 || o.RadiusKm > 50:
		return realty.FieldError("radius_km", "must be 0.1 to 50")
	case o.Months < 1 || o.Months > 36:
		return realty.FieldError("months", "must be 1 to 36")
	case o.AreaPct < 1 || o.AreaPct > 100:
		return realty.FieldError("area_pct", "must be 1 to 100")
	case o.BedsRange < 0 || o.BedsRange > 10:
		return realty.FieldError("beds_range", "must be 0 to 10")
	case o.MaxComps < 1 || o.MaxComps > 20:
		return realty.FieldError("max_comps", "must be 1 to 20")
	case !slices.Contains(resoSaleTypes, o.PropertyType):
		return realty.FieldError("property_type", "must be a RESO PropertyType of sales: Residential, ResidentialIncome, Land, Farm, CommercialSale, BusinessOpportunity or ManufacturedInPark")
	case o.ListPrice != nil && !o.ListPrice.IsPositive():
		return realty.FieldError("list_price", "must be positive")
	case today.Before(*o.AsOf):
		return realty.FieldError("as_of", "must not be in the future")
	}
	return nil
}

var resoSaleTypes = []string{"Residential", "ResidentialIncome", "Land", "Farm", "CommercialSale", "BusinessOpportunity", "ManufacturedInPark"}

func cmp0[T int | float64](v, def T) T {
	if v == 0 {
		return def
	}
	return v
}

// Valuation is a stored CMA: the suggested price, its low–high range, where
// the list price stands, a confidence from 0 to 1, and the comparables with
// their adjustments.
type Valuation struct {
	ID              realty.ID        `db:"id" json:"id"`
	PropertyID      realty.ID        `db:"property_id" json:"property_id"`
	SuggestedPrice  decimal.Decimal  `db:"suggested_price" json:"suggested_price"`
	LowPrice        *decimal.Decimal `db:"low_price" json:"low_price,omitempty"`
	HighPrice       *decimal.Decimal `db:"high_price" json:"high_price,omitempty"`
	ListPrice       *decimal.Decimal `db:"list_price" json:"list_price,omitempty"`
	MarketPosition  *string          `db:"market_position" json:"market_position,omitempty" enum:"above,at,below" doc:"the list price against the range"`
	Confidence      *float64         `db:"confidence" json:"confidence,omitempty" doc:"0 to 1: falls with fewer, farther or disagreeing comparables"`
	Comparables     []Comparable     `db:"comparables" json:"comparables"`
	Subject         Subject          `db:"subject" json:"subject"`
	Options         Options          `db:"options" json:"options"`
	Rates           Rates            `db:"rates" json:"rates"`
	Method          string           `db:"method" json:"method"`
	Recommendations *string          `db:"recommendations" json:"recommendations,omitempty"`
	AsOf            *realty.Date     `db:"as_of" json:"as_of,omitempty"`
	CreatedBy       *realty.ID       `db:"created_by" json:"created_by,omitempty"`
	CreatedAt       time.Time        `db:"created_at" json:"created_at"`
}

const valuationColumns = `id, property_id, suggested_price, low_price, high_price, list_price, market_position,
	confidence::float8 AS confidence, comparables, subject, options, rates, method, recommendations, as_of, created_by, created_at`

// Valuate runs a CMA of a property and stores it. Forbidden without
// valuation.write; NotFound for a property the actor cannot see; Invalid
// naming the field for a bad option, a subject without location or living
// area, or no comparable sale (radius_km).
func (s *Service) Valuate(ctx context.Context, actor realty.Actor, propertyID realty.ID, o Options) (Valuation, error) {
	if err := actor.Require("valuation.write"); err != nil {
		return Valuation{}, err
	}
	if s.market == nil {
		return Valuation{}, errors.New("valuate: no market wired")
	}
	var out Valuation
	err := postgres.Tx(ctx, s.pool, actor, func(tx pgx.Tx) error {
		p, err := GetTx(ctx, tx, actor, propertyID)
		if err != nil {
			return err
		}
		if err := o.normalize(p, realty.DateOf(s.now())); err != nil {
			return err
		}
		v, err := s.valuateTx(ctx, tx, actor, p, o)
		if err != nil {
			return err
		}
		out, err = insertValuation(ctx, tx, actor, v)
		return err
	})
	return out, err
}

// valuateTx gathers the subject, its sales and the market's rates and
// concludes.
func (s *Service) valuateTx(ctx context.Context, tx pgx.Tx, actor realty.Actor, p Property, o Options) (Valuation, error) {
	subj, err := subjectOf(p, o.PropertyType)
	if err != nil {
		return Valuation{}, err
	}
	rates, err := ratesTx(ctx, tx, actor.OrgID, o.Market)
	if err != nil {
		return Valuation{}, err
	}
	o.Market = rates.Market
	if o.ListPrice == nil {
		if o.ListPrice, err = s.market.AskingPriceTx(ctx, tx, actor, p.ID); err != nil {
			return Valuation{}, err
		}
	}
	sales, err := s.market.ClosedNearTx(ctx, tx, actor, o.query(p.ID, subj))
	if err == nil {
		err = conditionsTx(ctx, tx, actor.OrgID, sales)
	}
	if err != nil {
		return Valuation{}, err
	}
	e, err := analyse(subj, sales, rates, o)
	if err != nil {
		return Valuation{}, err
	}
	pos := position(o.ListPrice, e.low, e.high)
	rec := recommend(e, o.ListPrice, pos)
	return Valuation{PropertyID: p.ID, SuggestedPrice: e.suggested, LowPrice: &e.low, HighPrice: &e.high, ListPrice: o.ListPrice,
		MarketPosition: pos, Confidence: &e.confidence, Comparables: e.comps, Subject: subj, Options: o, Rates: rates,
		Method: "cma", Recommendations: &rec, AsOf: o.AsOf}, nil
}

// conditionsTx fills the condition of each sale from its property's record.
func conditionsTx(ctx context.Context, tx pgx.Tx, orgID realty.ID, sales []Sale) error {
	ids := make([]realty.ID, len(sales))
	for i, s := range sales {
		ids[i] = s.PropertyID
	}
	rows, err := tx.Query(ctx, `SELECT id, condition FROM property.properties
		WHERE organization_id = $1 AND id = ANY($2) AND condition IS NOT NULL`, orgID, ids)
	if err != nil {
		return err
	}
	cond := map[realty.ID]int{}
	var id realty.ID
	var c int
	if _, err := pgx.ForEachRow(rows, []any{&id, &c}, func() error { cond[id] = c; return nil }); err != nil {
		return err
	}
	for i := range sales {
		if c, ok := cond[sales[i].PropertyID]; ok {
			sales[i].Condition = &c
		}
	}
	return nil
}

func insertValuation(ctx context.Context, tx pgx.Tx, actor realty.Actor, v Valuation) (Valuation, error) {
	var by *realty.ID
	if !actor.MemberID.IsZero() {
		by = &actor.MemberID
	}
	rows, err := tx.Query(ctx, `INSERT INTO property.valuations (organization_id, id, property_id, suggested_price, low_price,
			high_price, list_price, market_position, confidence, comparables, subject, options, rates, method, recommendations,
			as_of, created_by)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)
		RETURNING `+valuationColumns, actor.OrgID, realty.NewID(), v.PropertyID, v.SuggestedPrice, v.LowPrice, v.HighPrice,
		v.ListPrice, v.MarketPosition, v.Confidence, v.Comparables, v.Subject, v.Options, v.Rates, v.Method,
		v.Recommendations, v.AsOf, by)
	if err != nil {
		return Valuation{}, err
	}
	return pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Valuation])
}

var errValuationNotFound = &realty.Error{Kind: realty.NotFound, Message: "valuation not found"}

// Valuation returns one stored CMA. Forbidden without valuation.read;
// NotFound for another organization's, or one of a property outside the
// actor's scope or deleted.
func (s *Service) Valuation(ctx context.Context, actor realty.Actor, id realty.ID) (Valuation, error) {
	if err := actor.Require("valuation.read"); err != nil {
		return Valuation{}, err
	}
	list, err := postgres.ReadAll[Valuation](ctx, s.pool, actor, `SELECT `+valuationColumns+` FROM property.valuations v
		WHERE organization_id = $1 AND id = $2 AND EXISTS (SELECT FROM property.properties p
			WHERE p.organization_id = $1 AND p.id = v.property_id AND p.deleted_at IS NULL
			AND ($3::uuid[] IS NULL OR p.id = ANY($3)))`, actor.OrgID, id, scopeArg(actor))
	if err != nil {
		return Valuation{}, err
	}
	if len(list) == 0 {
		return Valuation{}, errValuationNotFound
	}
	return list[0], nil
}

// Valuations lists a property's CMAs, newest first (at most 100).
// Forbidden without valuation.read; NotFound as GetTx.
func (s *Service) Valuations(ctx context.Context, actor realty.Actor, propertyID realty.ID) ([]Valuation, error) {
	if err := actor.Require("valuation.read"); err != nil {
		return nil, err
	}
	var out []Valuation
	err := postgres.Tx(ctx, s.pool, actor, func(tx pgx.Tx) error {
		if _, err := GetTx(ctx, tx, actor, propertyID); err != nil {
			return err
		}
		rows, err := tx.Query(ctx, `SELECT `+valuationColumns+` FROM property.valuations
			WHERE organization_id = $1 AND property_id = $2 ORDER BY created_at DESC, id DESC LIMIT 100`, actor.OrgID, propertyID)
		if err == nil {
			out, err = pgx.CollectRows(rows, pgx.RowToStructByName[Valuation])
		}
		return err
	})
	if out == nil {
		out = []Valuation{}
	}
	return out, err
}
