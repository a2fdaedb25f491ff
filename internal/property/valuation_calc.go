package property

import (
	"cmp"
	"fmt"
	"math"
	"slices"

	"github.com/shopspring/decimal"

	"realty"
)

// The comparative market analysis itself, without the database: adjust each
// sale to the subject, weigh the sales, and state a price, a range and a
// confidence. docs/cma.md explains every constant here.

// Adjustment is what one difference between the subject and a comparable is
// worth: Difference is the subject's value minus the comparable's in the
// factor's unit (months since the sale for time), Amount what it adds to the
// comparable's price.
type Adjustment struct {
	Factor     string          `json:"factor" enum:"time,living_area,bedrooms,bathrooms,age,lot,condition"`
	Difference float64         `json:"difference"`
	Amount     decimal.Decimal `json:"amount"`
}

// Comparable is a sale used in a valuation: the sale, its adjustments, the
// price it points to for the subject and its share of the weight.
type Comparable struct {
	Sale
	MonthsSinceSale float64         `json:"months_since_sale"`
	Adjustments     []Adjustment    `json:"adjustments"`
	NetAdjustment   decimal.Decimal `json:"net_adjustment" doc:"every adjustment but time"`
	GrossAdjustment decimal.Decimal `json:"gross_adjustment" doc:"the adjustments but time, without their signs"`
	AdjustedPrice   decimal.Decimal `json:"adjusted_price"`
	Weight          float64         `json:"weight" doc:"its share of the suggested price, 0 to 1"`
}

// estimate is what the analysis concludes.
type estimate struct {
	comps      []Comparable
	suggested  decimal.Decimal
	low, high  decimal.Decimal
	confidence float64
}

const (
	sqmPerSqft  = 0.09290304
	sqftPerAcre = 43560.0
	daysPerMon  = 365.25 / 12
	// minSpread is the least price spread assumed, as a share of the price:
	// a handful of sales that happen to agree do not make a market exact.
	minSpread = 0.03
)

// perSqft converts a rate per unit of area to a rate per square foot, the
// unit realty stores areas in.
func perSqft(rate decimal.Decimal, unit string) float64 {
	r := rate.InexactFloat64()
	switch unit {
	case "sqm":
		return r * sqmPerSqft
	case "acre":
		return r / sqftPerAcre
	}
	return r
}

// adjust prices one sale as if it were the subject, on asOf.
func adjust(s Subject, sale Sale, r Rates, asOf realty.Date) Comparable {
	c := Comparable{Sale: sale}
	c.MonthsSinceSale = math.Max(0, float64(asOf.DaysSince(sale.CloseDate))/daysPerMon)
	timeAdj := sale.ClosePrice.Mul(r.MonthlyAppreciation).Div(decimal.NewFromInt(100)).
		Mul(decimal.NewFromFloat(c.MonthsSinceSale)).Round(2)
	c.MonthsSinceSale = round2(c.MonthsSinceSale)
	c.Adjustments = append(c.Adjustments, Adjustment{Factor: "time", Difference: c.MonthsSinceSale, Amount: timeAdj})
	add := func(factor string, subj, comp *float64, rate float64) {
		if subj == nil || comp == nil || *subj == *comp {
			return
		}
		diff := *subj - *comp
		amt := decimal.NewFromFloat(rate * diff).Round(2)
		c.Adjustments = append(c.Adjustments, Adjustment{Factor: factor, Difference: round2(diff), Amount: amt})
		c.NetAdjustment = c.NetAdjustment.Add(amt)
		c.GrossAdjustment = c.GrossAdjustment.Add(amt.Abs())
	}
	var area *float64
	if s.LivingArea > 0 {
		area = &s.LivingArea
	}
	add("living_area", area, sale.LivingArea, perSqft(r.PerArea, r.AreaUnit))
	add("bedrooms", intf(s.Bedrooms), intf(sale.Bedrooms), r.PerBedroom.InexactFloat64())
	add("bathrooms", s.Bathrooms, sale.Bathrooms, r.PerBathroom.InexactFloat64())
	add("age", intf(s.YearBuilt), intf(sale.YearBuilt), r.PerYearOfAge.InexactFloat64())
	add("lot", s.LotSize, sale.LotSize, perSqft(r.PerLotUnit, r.LotUnit))
	add("condition", intf(s.Condition), intf(sale.Condition), r.PerConditionStep.InexactFloat64())
	c.AdjustedPrice = sale.ClosePrice.Add(timeAdj).Add(c.NetAdjustment)
	return c
}

func intf(v *int) *float64 {
	if v == nil {
		return nil
	}
	f := float64(*v)
	return &f
}

func round2(f float64) float64 { return math.Round(f*100) / 100 }

// rawWeight is a comparable's weight before normalising: closer, more recent
// and less adjusted sales count more; the farthest and oldest allowed count
// half as much as one next door sold today.
func rawWeight(c Comparable, o Options) float64 {
	near := 1 - 0.5*math.Min(c.DistanceKm/o.RadiusKm, 1)
	recent := 1 - 0.5*math.Min(c.MonthsSinceSale/float64(o.Months), 1)
	gross := c.GrossAdjustment.Div(c.ClosePrice).InexactFloat64()
	return near * recent / (1 + 3*gross)
}

// analyse adjusts every sale, keeps the o.MaxComps weightiest and concludes.
// Invalid (naming radius_km) when no sale is left to compare with.
func analyse(s Subject, sales []Sale, r Rates, o Options) (estimate, error) {
	var comps []Comparable
	for _, sale := range sales {
		c := adjust(s, sale, r, *o.AsOf)
		if c.AdjustedPrice.IsPositive() {
			c.Weight = rawWeight(c, o)
			comps = append(comps, c)
		}
	}
	if len(comps) == 0 {
		return estimate{}, realty.FieldError("radius_km", fmt.Sprintf(
			"no closed %s sale within %g km sold in the %d months before %s, of similar size and bedrooms: widen the radius, the months or the tolerances",
			o.PropertyType, o.RadiusKm, o.Months, o.AsOf))
	}
	slices.SortStableFunc(comps, func(a, b Comparable) int { return cmp.Compare(b.Weight, a.Weight) })
	comps = comps[:min(len(comps), o.MaxComps)]
	return conclude(comps), nil
}

// conclude weighs the comparables into a price, a range and a confidence.
func conclude(comps []Comparable) estimate {
	var v1, v2, mean, dist float64
	for _, c := range comps {
		v1 += c.Weight
		v2 += c.Weight * c.Weight
		mean += c.Weight * c.AdjustedPrice.InexactFloat64()
		dist += c.Weight * c.DistanceKm
	}
	mean, dist = mean/v1, dist/v1
	var ss float64
	for i := range comps {
		d := comps[i].AdjustedPrice.InexactFloat64() - mean
		ss += comps[i].Weight * d * d
		comps[i].Weight = math.Round(comps[i].Weight/v1*10000) / 10000
	}
	spread := 0.0
	if den := v1 - v2/v1; den > 0 {
		spread = math.Sqrt(ss / den)
	}
	nEff := v1 * v1 / v2
	half := tQuantile90(nEff-1) * math.Max(spread, minSpread*mean) * math.Sqrt(1+1/nEff)
	half = math.Min(half, 0.5*mean)
	conf := (1 - math.Exp(-float64(len(comps))/3)) / (1 + dist/5) / (1 + 3*spread/mean)
	return estimate{
		comps:      comps,
		suggested:  roundTo(mean, 100, math.Round),
		low:        roundTo(mean-half, 100, math.Floor),
		high:       roundTo(mean+half, 100, math.Ceil),
		confidence: math.Round(conf*100) / 100,
	}
}

func roundTo(v, step float64, f func(float64) float64) decimal.Decimal {
	return decimal.NewFromFloat(f(v/step) * step)
}

// tQuantile90 is Student's t at 95 % one-sided (a 90 % two-sided interval)
// for dof degrees of freedom rounded to a whole number (at least 1), from
// the table, stepping down to the nearest tabled value past 10 (so the
// interval errs wide).
func tQuantile90(dof float64) float64 {
	dof = math.Round(dof)
	table := []struct{ dof, t float64 }{{1, 6.314}, {2, 2.920}, {3, 2.353}, {4, 2.132}, {5, 2.015}, {6, 1.943}, {7, 1.895},
		{8, 1.860}, {9, 1.833}, {10, 1.812}, {15, 1.753}, {20, 1.725}, {30, 1.697}, {60, 1.671}}
	t := table[0].t
	for _, row := range table {
		if dof >= row.dof {
			t = row.t
		}
	}
	return t
}

// position places a list price against the range: above it, below it, or
// at the market within it.
func position(list *decimal.Decimal, low, high decimal.Decimal) *string {
	if list == nil {
		return nil
	}
	p := "at"
	switch {
	case list.GreaterThan(high):
		p = "above"
	case list.LessThan(low):
		p = "below"
	}
	return &p
}
