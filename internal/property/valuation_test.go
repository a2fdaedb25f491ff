package property_test

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/shopspring/decimal"

	"realty"
	"realty/internal/fixture/fixturetest"
	"realty/internal/property"
)

// synthetic is a market whose prices follow a known formula: a home's value
// today is base + a·area + b·beds + c·baths − d·age + e·lot + f·condition,
// and a sale m months ago fetched value / (1 + g·m) times a few percent of
// noise. Its adjustment rates are the formula's.
type synthetic struct {
	asOf   realty.Date
	centre [2]float64
	rng    *rand.Rand
}

var formula = property.Rates{Market: "springfield", AreaUnit: "sqft", PerArea: decimal.NewFromInt(120),
	PerBedroom: decimal.NewFromInt(8000), PerBathroom: decimal.NewFromInt(6000), PerYearOfAge: decimal.NewFromInt(900),
	LotUnit: "sqft", PerLotUnit: decimal.NewFromInt(3), PerConditionStep: decimal.NewFromInt(12000),
	MonthlyAppreciation: decimal.RequireFromString("0.5")}

// value is the formula's price of h on the as-of day.
func (m synthetic) value(h fixturetest.Home) float64 {
	age := float64(m.asOf.Year - h.Year)
	return 60000 + 120*h.Area + 8000*float64(h.Beds) + 6000*h.Baths - 900*age + 3*h.Lot + 12000*float64(h.Condition)
}

// home is a random house within km of the centre.
func (m synthetic) home(km float64) fixturetest.Home {
	r, a := km*math.Sqrt(m.rng.Float64()), 2*math.Pi*m.rng.Float64()
	lat := m.centre[0] + r*math.Cos(a)/111.2
	lng := m.centre[1] + r*math.Sin(a)/(111.2*math.Cos(m.centre[0]*math.Pi/180))
	return fixturetest.Home{Lat: math.Round(lat*1e6) / 1e6, Lng: math.Round(lng*1e6) / 1e6,
		Area: float64(1200 + m.rng.IntN(1600)), Beds: 2 + m.rng.IntN(4), Baths: 1 + 0.5*float64(m.rng.IntN(6)),
		Lot: float64(3000 + 100*m.rng.IntN(90)), Year: 1950 + m.rng.IntN(71), Condition: 1 + m.rng.IntN(5)}
}

// sell records h sold within the last year at the formula's price then,
// with 3 % noise.
func (m synthetic) sell(t *testing.T, env fixturetest.Env, actor realty.Actor, i int, h fixturetest.Home) {
	days := m.rng.IntN(365)
	months := float64(days) / (365.25 / 12)
	price := m.value(h) / (1 + 0.005*months) * (1 + 0.03*m.rng.NormFloat64())
	env.Sold(t, actor, fmt.Sprintf("%d Market Street", i), h, decimal.NewFromFloat(price).Round(0), m.asOf.AddDays(-days))
}

// TestCMARecoversFormula values subjects in a synthetic market and checks
// the formula's price falls within the stated range for at least 90 % of
// them, with ranges narrow enough to be of use.
func TestCMARecoversFormula(t *testing.T) {
	t.Parallel()
	env := fixturetest.New(t)
	o := env.Organization(t, "acme")
	broker, agent := o.Personas["broker"].Actor, o.Personas["agent"].Actor
	ctx := context.Background()
	if _, err := env.Property.SetAdjustmentRates(ctx, broker, formula); err != nil {
		t.Fatal(err)
	}
	m := synthetic{asOf: realty.Date{Year: 2026, Month: 6, Day: 30}, centre: [2]float64{39.7817, -89.6501}, rng: rand.New(rand.NewPCG(15, 47))}
	for i := range 300 {
		m.sell(t, env, broker, i, m.home(3))
	}
	const subjects = 40
	covered := 0
	var errs, widths []float64
	for i := range subjects {
		h := m.home(2)
		p := env.Subject(t, agent, fmt.Sprintf("%d Subject Road", i), h)
		v, err := env.Property.Valuate(ctx, agent, p.ID, property.Options{RadiusKm: 1.5, Months: 12, AsOf: &m.asOf})
		if err != nil {
			t.Fatalf("subject %d: %v", i, err)
		}
		truth := decimal.NewFromFloat(m.value(h))
		if !truth.LessThan(*v.LowPrice) && !truth.GreaterThan(*v.HighPrice) {
			covered++
		}
		errs = append(errs, math.Abs(v.SuggestedPrice.Sub(truth).Div(truth).InexactFloat64()))
		widths = append(widths, v.HighPrice.Sub(*v.LowPrice).Div(truth).InexactFloat64()/2)
		if v.Rates.Market != "springfield" || len(v.Comparables) == 0 || v.Confidence == nil {
			t.Fatalf("subject %d: rates %q, %d comparables, confidence %v", i, v.Rates.Market, len(v.Comparables), v.Confidence)
		}
	}
	slices.Sort(errs)
	slices.Sort(widths)
	share := float64(covered) / subjects
	t.Logf("CMA accuracy: formula price within the stated range for %d of %d subjects (%.0f %%); median error %.1f %%, median half-range %.1f %%",
		covered, subjects, 100*share, 100*errs[subjects/2], 100*widths[subjects/2])
	if share < 0.9 {
		t.Errorf("the range held the formula's price for %.0f %% of subjects, want at least 90 %%", 100*share)
	}
	if widths[subjects/2] > 0.10 {
		t.Errorf("median half-range %.1f %%: too wide to be of use", 100*widths[subjects/2])
	}
}
