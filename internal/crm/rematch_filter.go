package crm

import (
	"slices"
	"strings"

	"github.com/shopspring/decimal"

	"realty/internal/listing"
)

// The full rematch checks every preference of a batch against every Active
// listing of its organization (ten million pairs for 1000 preferences and
// 10000 listings), and only the few that pass are scored. hardWithin on
// decimals and city names allocates per call (a decimal comparison of two
// scales rescales, strings.ToLower copies), so the scan checks the same
// hard criteria on values prepared once: prices as whole cents, city names
// lower-cased, the bounding box unpacked. A price that is not whole cents
// (the columns are numeric(14,2), so none today) falls back to hardWithin.
// ScoreMatch checks the pairs that pass again, exactly.

// banded is a preference with its hard criteria prepared for the scan.
type banded struct {
	pref      ClientPreference
	low, high *decimal.Decimal
	// min9 and max11 are 9 × price_min and 11 × price_max in cents: a
	// listing of c cents is within the band when 10c ≥ min9 and 10c ≤ max11
	// (PriceTolerance is a tenth).
	min9, max11 int64
	exact       bool // a price is not whole cents: use hardWithin
	cities      []string
	box         *box
}

// bandOf prepares p for the scan.
func bandOf(p ClientPreference) banded {
	b := banded{pref: p, box: p.box()}
	b.low, b.high = priceBand(p)
	if p.PriceMin != nil {
		c, ok := cents(*p.PriceMin)
		b.min9, b.exact = 9*c, b.exact || !ok
	}
	if p.PriceMax != nil {
		c, ok := cents(*p.PriceMax)
		b.max11, b.exact = 11*c, b.exact || !ok
	}
	for _, c := range p.Cities {
		b.cities = append(b.cities, strings.ToLower(c))
	}
	return b
}

// scanFacts is a listing's facts prepared for the scan.
type scanFacts struct {
	cents int64
	exact bool // the price is not whole cents: use hardWithin
	city  string
}

// factsOf prepares a chunk of listings for the scan.
func factsOf(chunk []listing.Facts) []scanFacts {
	out := make([]scanFacts, len(chunk))
	for i := range chunk {
		c, ok := cents(chunk[i].ListPrice)
		out[i] = scanFacts{cents: c, exact: !ok, city: strings.ToLower(chunk[i].City)}
	}
	return out
}

// maxCents bounds the prices taken as cents (numeric(14,2) holds less), so
// 11 × cents cannot overflow.
const maxCents = 1 << 56

// cents is d in whole cents; ok is false when d has a fraction of a cent or
// is out of range.
func cents(d decimal.Decimal) (int64, bool) {
	s := d.Shift(2)
	if !s.IsInteger() || s.Abs().GreaterThanOrEqual(decimal.NewFromInt(maxCents)) {
		return 0, false
	}
	return s.IntPart(), true
}

// admits is hardWithin(b.pref, b.low, b.high, *l) on the prepared values.
func (b *banded) admits(l *listing.Facts, x *scanFacts) bool {
	p := &b.pref
	switch {
	case l.StandardStatus != "Active" || l.ListType != p.ListType:
		return false
	case b.exact || x.exact:
		return hardWithin(*p, b.low, b.high, *l)
	case p.PriceMin != nil && 10*x.cents < b.min9, p.PriceMax != nil && 10*x.cents > b.max11:
		return false
	case !roomsAndTypeOK(p, l):
		return false
	}
	if p.RadiusKm != nil {
		return l.Latitude != nil && l.Longitude != nil && b.box.holds(*l.Latitude, *l.Longitude) &&
			distanceKm(*p.CentreLat, *p.CentreLon, *l.Latitude, *l.Longitude) <= *p.RadiusKm*DistanceTolerance
	}
	if len(b.cities) == 0 && len(p.PostalCodes) == 0 {
		return true
	}
	return slices.Contains(b.cities, x.city) || (l.PostalCode != nil && slices.Contains(p.PostalCodes, *l.PostalCode))
}
