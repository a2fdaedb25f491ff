package api

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"
	"github.com/shopspring/decimal"

	"realty"
	"realty/internal/property"
)

// ValuationBody are a CMA's options; every one may be left out for its
// default.
type ValuationBody struct {
	RadiusKm     float64          `json:"radius_km,omitempty" minimum:"0" maximum:"50" doc:"how far to look for closed sales, in km (default 2)"`
	Months       int              `json:"months,omitempty" minimum:"0" maximum:"36" doc:"how many months back (default 6)"`
	AreaPct      float64          `json:"area_pct,omitempty" minimum:"0" maximum:"100" doc:"living area within this percentage of the subject's (default 25)"`
	BedsRange    int              `json:"beds_range,omitempty" minimum:"0" maximum:"10" doc:"bedrooms within this many of the subject's (default 1)"`
	MaxComps     int              `json:"max_comps,omitempty" minimum:"0" maximum:"20" doc:"comparables kept, the weightiest (default 6)"`
	PropertyType string           `json:"property_type,omitempty" maxLength:"30" doc:"RESO PropertyType of the sales (default: from the property's type)"`
	Market       string           `json:"market,omitempty" maxLength:"100" doc:"whose adjustment rates (default: the property's city if it has rates, else default)"`
	ListPrice    *decimal.Decimal `json:"list_price,omitempty" maxLength:"20" numeric:"14,2" doc:"the price to place against the market (default: the property's listing on the market)"`
	AsOf         *realty.Date     `json:"as_of,omitempty" doc:"the day valued (default today)"`
}

func (b ValuationBody) options() property.Options {
	return property.Options{RadiusKm: b.RadiusKm, Months: b.Months, AreaPct: b.AreaPct, BedsRange: b.BedsRange, MaxComps: b.MaxComps,
		PropertyType: b.PropertyType, Market: b.Market, ListPrice: b.ListPrice, AsOf: b.AsOf}
}

// RatesBody is one market's adjustment rates.
type RatesBody struct {
	Market              string          `json:"market" maxLength:"100" doc:"default, or a city's name"`
	AreaUnit            string          `json:"area_unit,omitempty" enum:"sqft,sqm" doc:"default sqft"`
	PerArea             decimal.Decimal `json:"per_area" maxLength:"20" numeric:"12,2" doc:"per unit of living area"`
	PerBedroom          decimal.Decimal `json:"per_bedroom" maxLength:"20" numeric:"14,2"`
	PerBathroom         decimal.Decimal `json:"per_bathroom" maxLength:"20" numeric:"14,2"`
	PerYearOfAge        decimal.Decimal `json:"per_year_of_age" maxLength:"20" numeric:"14,2" doc:"what a year older takes off"`
	LotUnit             string          `json:"lot_unit,omitempty" enum:"sqft,sqm,acre" doc:"default sqft"`
	PerLotUnit          decimal.Decimal `json:"per_lot_unit" maxLength:"20" numeric:"14,4"`
	PerConditionStep    decimal.Decimal `json:"per_condition_step" maxLength:"20" numeric:"14,2" doc:"per step of condition, 1 poor to 5 excellent"`
	MonthlyAppreciation decimal.Decimal `json:"monthly_appreciation" maxLength:"20" numeric:"6,3" doc:"percent a month, -10 to 10"`
	Notes               string          `json:"notes,omitempty" maxLength:"2000"`
}

// ValuationsOutput lists valuations.
type ValuationsOutput struct {
	Body struct {
		Items []property.Valuation `json:"items"`
	}
}

// RatesOutput lists markets' rates.
type RatesOutput struct {
	Body struct {
		Items []property.Rates `json:"items"`
	}
}

func routeValuations(a huma.API, d Deps) {
	tags := []string{"Properties"}
	read, write := Access{Permission: "valuation.read"}, Access{Permission: "valuation.write"}
	Register(a, huma.Operation{OperationID: "create-valuation", Method: http.MethodPost, Path: Prefix + "/properties/{id}/valuations", Tags: tags,
		Summary: "Run a comparative market analysis (CMA) of a property", DefaultStatus: http.StatusCreated,
		Description: "Chooses closed sales near the property (the organization's and MLS-imported), adjusts each for its differences " +
			"with the market's adjustment rates, weighs them and stores the suggested price, its range, the list price's position " +
			"and a confidence. 422 naming radius_km when no sale qualifies."}, write,
		func(ctx context.Context, in *struct {
			ID   realty.ID `path:"id"`
			Body ValuationBody
		}) (*struct{ Body property.Valuation }, error) {
			v, err := d.Property.Valuate(ctx, actor(ctx), in.ID, in.Body.options())
			return &struct{ Body property.Valuation }{v}, err
		})
	Register(a, huma.Operation{OperationID: "list-property-valuations", Method: http.MethodGet, Path: Prefix + "/properties/{id}/valuations",
		Tags: tags, Summary: "A property's CMAs, newest first"}, read, func(ctx context.Context, in *IDPath) (*ValuationsOutput, error) {
		list, err := d.Property.Valuations(ctx, actor(ctx), in.ID)
		out := &ValuationsOutput{}
		out.Body.Items = list
		return out, err
	})
	Register(a, huma.Operation{OperationID: "get-valuation", Method: http.MethodGet, Path: Prefix + "/valuations/{id}", Tags: tags,
		Summary: "One CMA with its comparables and adjustments"}, read, func(ctx context.Context, in *IDPath) (*struct{ Body property.Valuation }, error) {
		v, err := d.Property.Valuation(ctx, actor(ctx), in.ID)
		return &struct{ Body property.Valuation }{v}, err
	})
	Register(a, huma.Operation{OperationID: "list-adjustment-rates", Method: http.MethodGet, Path: Prefix + "/valuation-rates", Tags: tags,
		Summary: "Each market's CMA adjustment rates"}, read, func(ctx context.Context, _ *struct{}) (*RatesOutput, error) {
		list, err := d.Property.AdjustmentRates(ctx, actor(ctx))
		out := &RatesOutput{}
		out.Body.Items = list
		return out, err
	})
	Register(a, huma.Operation{OperationID: "set-adjustment-rates", Method: http.MethodPut, Path: Prefix + "/valuation-rates", Tags: tags,
		Summary: "Create or replace one market's adjustment rates"}, Access{Permission: "valuation.manage"},
		func(ctx context.Context, in *struct{ Body RatesBody }) (*struct{ Body property.Rates }, error) {
			b := in.Body
			r, err := d.Property.SetAdjustmentRates(ctx, actor(ctx), property.Rates{Market: b.Market, AreaUnit: b.AreaUnit, PerArea: b.PerArea,
				PerBedroom: b.PerBedroom, PerBathroom: b.PerBathroom, PerYearOfAge: b.PerYearOfAge, LotUnit: b.LotUnit, PerLotUnit: b.PerLotUnit,
				PerConditionStep: b.PerConditionStep, MonthlyAppreciation: b.MonthlyAppreciation, Notes: b.Notes})
			return &struct{ Body property.Rates }{r}, err
		})
}
