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
		"property.adjustment_rates_market_check":        {Kind: realty.Invalid, Field: "market", Message: "must be 1 to 100 characters"},
		"property.adjustment_rates_market_key":          {Kind: realty.Conflict, Field: "market", Message: "has rates already"},
		"property.adjustment_rates_area_unit_check":     {Kind: realty.Invalid, Field: "area_unit", Message: "must be sqft or sqm"},
		"property.adjustment_rates_lot_unit_check":      {Kind: realty.Invalid, Field: "lot_unit", Message: "must be sqft, sqm or acre"},
		"property.adjustment_rates_per_area_check":      {Kind: realty.Invalid, Field: "per_area", Message: "must not be negative"},
		"property.adjustment_rates_per_bedroom_check":   {Kind: realty.Invalid, Field: "per_bedroom", Message: "must not be negative"},
		"property.adjustment_rates_per_bathroom_check":  {Kind: realty.Invalid, Field: "per_bathroom", Message: "must not be negative"},
		"property.adjustment_rates_per_year_check":      {Kind: realty.Invalid, Field: "per_year_of_age", Message: "must not be negative"},
		"property.adjustment_rates_per_lot_check":       {Kind: realty.Invalid, Field: "per_lot_unit", Message: "must not be negative"},
		"property.adjustment_rates_per_condition_check": {Kind: realty.Invalid, Field: "per_condition_step", Message: "must not be negative"},
		"property.adjustment_rates_monthly_check":       {Kind: realty.Invalid, Field: "monthly_appreciation", Message: "must be between -10 and 10 (percent a month)"},
		"property.adjustment_rates_notes_check":         {Kind: realty.Invalid, Field: "notes", Message: "must be at most 2000 characters"},
		"property.properties_condition_check":           {Kind: realty.Invalid, Field: "condition", Message: "must be 1 (poor) to 5 (excellent)"},
		"property.valuations_list_price_check":          {Kind: realty.Invalid, Field: "list_price", Message: "must be positive"},
	})
}

// DefaultMarket is the market whose rates apply where no market names the
// subject's city.
const DefaultMarket = "default"

// Rates are a market's adjustment rates: what one unit of difference
// between a subject and a comparable sale is worth (docs/cma.md). A market
// is "default" or a city's name in lower case.
type Rates struct {
	Market              string          `db:"market" json:"market" doc:"default, or a city's name in lower case"`
	AreaUnit            string          `db:"area_unit" json:"area_unit" enum:"sqft,sqm"`
	PerArea             decimal.Decimal `db:"per_area" json:"per_area" doc:"per square foot or metre of living area"`
	PerBedroom          decimal.Decimal `db:"per_bedroom" json:"per_bedroom"`
	PerBathroom         decimal.Decimal `db:"per_bathroom" json:"per_bathroom"`
	PerYearOfAge        decimal.Decimal `db:"per_year_of_age" json:"per_year_of_age" doc:"what a year older takes off"`
	LotUnit             string          `db:"lot_unit" json:"lot_unit" enum:"sqft,sqm,acre"`
	PerLotUnit          decimal.Decimal `db:"per_lot_unit" json:"per_lot_unit"`
	PerConditionStep    decimal.Decimal `db:"per_condition_step" json:"per_condition_step" doc:"per step of condition (1 poor to 5 excellent)"`
	MonthlyAppreciation decimal.Decimal `db:"monthly_appreciation" json:"monthly_appreciation" doc:"percent a month the market moved since a sale"`
	Notes               string          `db:"notes" json:"notes"`
	UpdatedAt           time.Time       `db:"updated_at" json:"updated_at"`
}

// DefaultRates are the starting rates every organization gets (as migration
// 0047 seeded them): a generic US market, to be calibrated.
func DefaultRates() Rates {
	d := decimal.NewFromInt
	return Rates{Market: DefaultMarket, AreaUnit: "sqft", PerArea: d(150), PerBedroom: d(10000), PerBathroom: d(7500),
		PerYearOfAge: d(1000), LotUnit: "sqft", PerLotUnit: d(2), PerConditionStep: d(15000),
		MonthlyAppreciation: decimal.RequireFromString("0.3"), Notes: "Starting values: calibrate them to your market (docs/cma.md)."}
}

const ratesColumns = `market, area_unit, per_area, per_bedroom, per_bathroom, per_year_of_age, lot_unit, per_lot_unit,
	per_condition_step, monthly_appreciation, notes, updated_at`

// SeedRatesTx gives a new organization the default rates, within the
// organization's creating transaction (an org.CreateHook).
func (s *Service) SeedRatesTx(ctx context.Context, tx pgx.Tx, actor realty.Actor) error {
	return upsertRates(ctx, tx, actor, DefaultRates())
}

func upsertRates(ctx context.Context, tx pgx.Tx, actor realty.Actor, r Rates) error {
	var by *realty.ID
	if !actor.MemberID.IsZero() {
		by = &actor.MemberID
	}
	_, err := tx.Exec(ctx, `INSERT INTO property.adjustment_rates (organization_id, id, market, area_unit, per_area, per_bedroom,
			per_bathroom, per_year_of_age, lot_unit, per_lot_unit, per_condition_step, monthly_appreciation, notes, updated_by)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
		ON CONFLICT (organization_id, market) DO UPDATE SET area_unit = EXCLUDED.area_unit, per_area = EXCLUDED.per_area,
			per_bedroom = EXCLUDED.per_bedroom, per_bathroom = EXCLUDED.per_bathroom, per_year_of_age = EXCLUDED.per_year_of_age,
			lot_unit = EXCLUDED.lot_unit, per_lot_unit = EXCLUDED.per_lot_unit, per_condition_step = EXCLUDED.per_condition_step,
			monthly_appreciation = EXCLUDED.monthly_appreciation, notes = EXCLUDED.notes, updated_by = EXCLUDED.updated_by`,
		actor.OrgID, realty.NewID(), r.Market, r.AreaUnit, r.PerArea, r.PerBedroom, r.PerBathroom, r.PerYearOfAge, r.LotUnit,
		r.PerLotUnit, r.PerConditionStep, r.MonthlyAppreciation, r.Notes, by)
	return err
}

// AdjustmentRates lists the organization's markets and their rates, the
// default first. Forbidden without valuation.read.
func (s *Service) AdjustmentRates(ctx context.Context, actor realty.Actor) ([]Rates, error) {
	if err := actor.Require("valuation.read"); err != nil {
		return nil, err
	}
	return postgres.ReadAll[Rates](ctx, s.pool, actor, `SELECT `+ratesColumns+` FROM property.adjustment_rates
		WHERE organization_id = $1 ORDER BY market <> 'default', market`, actor.OrgID)
}

// SetAdjustmentRates creates or replaces one market's rates. Forbidden
// without valuation.manage; Invalid naming the field.
func (s *Service) SetAdjustmentRates(ctx context.Context, actor realty.Actor, r Rates) (Rates, error) {
	if err := actor.Require("valuation.manage"); err != nil {
		return Rates{}, err
	}
	r.Market = strings.ToLower(strings.TrimSpace(r.Market))
	r.AreaUnit, r.LotUnit = cmpOr(r.AreaUnit, "sqft"), cmpOr(r.LotUnit, "sqft")
	for field, v := range map[string]decimal.Decimal{"per_area": r.PerArea, "per_bedroom": r.PerBedroom, "per_bathroom": r.PerBathroom,
		"per_year_of_age": r.PerYearOfAge, "per_lot_unit": r.PerLotUnit, "per_condition_step": r.PerConditionStep} {
		if v.IsNegative() || v.GreaterThan(decimal.NewFromInt(1e9)) {
			return Rates{}, realty.FieldError(field, "must be 0 to 1,000,000,000")
		}
	}
	if r.MonthlyAppreciation.Abs().GreaterThan(decimal.NewFromInt(10)) {
		return Rates{}, realty.FieldError("monthly_appreciation", "must be between -10 and 10 (percent a month)")
	}
	var out Rates
	err := postgres.Tx(ctx, s.pool, actor, func(tx pgx.Tx) error {
		if err := upsertRates(ctx, tx, actor, r); err != nil {
			return err
		}
		var err error
		out, err = ratesTx(ctx, tx, actor.OrgID, r.Market)
		return err
	})
	return out, err
}

// ratesTx returns the rates of market, else the default market's, else the
// built-in defaults (an organization whose default row was deleted by hand).
func ratesTx(ctx context.Context, tx pgx.Tx, orgID realty.ID, market string) (Rates, error) {
	rows, err := tx.Query(ctx, `SELECT `+ratesColumns+` FROM property.adjustment_rates
		WHERE organization_id = $1 AND market IN ($2, 'default') ORDER BY market = 'default' LIMIT 1`, orgID, market)
	if err != nil {
		return Rates{}, err
	}
	list, err := pgx.CollectRows(rows, pgx.RowToStructByName[Rates])
	if err != nil || len(list) == 0 {
		return DefaultRates(), err
	}
	return list[0], nil
}
