package crm

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/shopspring/decimal"

	"realty/internal/listing"
)

// The match engine's rules (docs/crm.md, "How matches are scored").
//
// Hard criteria decide whether a listing is a candidate at all: it is
// Active, of the preference's list type, of one of its property types, has
// at least the bedrooms and bathrooms asked for, is in one of its cities or
// postal codes or within DistanceTolerance × the radius of its centre, and
// its price is within the band PriceTolerance around the price range.
//
// Soft criteria share 100 points among them, and a criterion the
// preference leaves open earns its full weight. A match is stored only
// when it scores at least MatchThreshold.
const (
	WeightPrice    = 35
	WeightLocation = 20
	WeightArea     = 15
	WeightFeatures = 20
	WeightKeywords = 10

	// MatchThreshold is the least score stored as a match.
	MatchThreshold = 50
	// PriceTolerance: a listing up to 10% over the maximum (or under the
	// minimum) is still a candidate, losing price points linearly.
	PriceTolerance = 0.10
	// AreaTolerance: living area up to 20% outside the range earns partial
	// points.
	AreaTolerance = 0.20
	// DistanceTolerance: a listing up to 1.5 × the radius from the centre
	// is a candidate, losing location points linearly beyond the radius.
	DistanceTolerance = 1.5
	earthRadiusKm     = 6371.0
)

// Outcomes of one criterion.
const (
	Full    = "full"
	Partial = "partial"
	Missed  = "missed"
)

// Criterion is one line of a match's breakdown: how a listing fared on one
// criterion and the points it earned. Hard criteria (list type, property
// type, bedrooms, bathrooms) have weight 0: a listing failing one is no match.
type Criterion struct {
	Name    string `json:"name" enum:"price,location,living_area,features,keywords,list_type,property_type,bedrooms,bathrooms"`
	Outcome string `json:"outcome" enum:"full,partial,missed"`
	Weight  int    `json:"weight"`
	Points  int    `json:"points"`
	Detail  string `json:"detail" doc:"what the listing has against what was asked, in words"`
}

// Scored is a listing's score against a preference, with every point
// attributed to a criterion.
type Scored struct {
	Score     int         `json:"score"`
	Breakdown []Criterion `json:"breakdown"`
}

// ScoreMatch scores l against p; ok is false when l fails a hard criterion.
func ScoreMatch(p ClientPreference, l listing.Facts) (s Scored, ok bool) {
	if !hardOK(p, l) {
		return Scored{}, false
	}
	s.Breakdown = append(hardLines(p, l), scorePrice(p, l), scoreLocation(p, l), scoreArea(p, l), scoreFeatures(p, l), scoreKeywords(p, l))
	for _, c := range s.Breakdown {
		s.Score += c.Points
	}
	return s, true
}

// priceBand is the price range widened by PriceTolerance; nil ends are open.
func priceBand(p ClientPreference) (low, high *decimal.Decimal) {
	if p.PriceMin != nil {
		v := p.PriceMin.Mul(decimal.NewFromFloat(1 - PriceTolerance))
		low = &v
	}
	if p.PriceMax != nil {
		v := p.PriceMax.Mul(decimal.NewFromFloat(1 + PriceTolerance))
		high = &v
	}
	return low, high
}

func hardOK(p ClientPreference, l listing.Facts) bool {
	low, high := priceBand(p)
	return hardWithin(p, low, high, l)
}

// hardWithin is hardOK with the preference's price band already computed.
func hardWithin(p ClientPreference, low, high *decimal.Decimal, l listing.Facts) bool {
	switch {
	case l.StandardStatus != "Active" || l.ListType != p.ListType:
		return false
	case low != nil && l.ListPrice.LessThan(*low), high != nil && l.ListPrice.GreaterThan(*high):
		return false
	}
	return roomsAndTypeOK(&p, &l) && placeOK(p, l)
}

// roomsAndTypeOK holds l to p's minimum bedrooms and bathrooms and its
// property types.
func roomsAndTypeOK(p *ClientPreference, l *listing.Facts) bool {
	switch {
	case p.BedroomsMin != nil && (l.Bedrooms == nil || *l.Bedrooms < *p.BedroomsMin):
		return false
	case p.BathroomsMin != nil && (l.Bathrooms == nil || *l.Bathrooms < *p.BathroomsMin):
		return false
	case len(p.PropertyTypes) > 0 && !slices.Contains(p.PropertyTypes, l.PropertyType):
		return false
	}
	return true
}

func placeOK(p ClientPreference, l listing.Facts) bool {
	if p.RadiusKm != nil {
		return l.Latitude != nil && l.Longitude != nil &&
			p.box().holds(*l.Latitude, *l.Longitude) &&
			distanceKm(*p.CentreLat, *p.CentreLon, *l.Latitude, *l.Longitude) <= *p.RadiusKm*DistanceTolerance
	}
	if len(p.Cities) == 0 && len(p.PostalCodes) == 0 {
		return true
	}
	return slices.ContainsFunc(p.Cities, func(c string) bool { return strings.ToLower(c) == strings.ToLower(l.City) }) ||
		(l.PostalCode != nil && slices.Contains(p.PostalCodes, *l.PostalCode))
}

// hardLines are the breakdown's lines for the hard criteria the preference
// sets (all met, or the listing would be no candidate).
func hardLines(p ClientPreference, l listing.Facts) []Criterion {
	out := []Criterion{{Name: "list_type", Outcome: Full, Detail: "for " + l.ListType}}
	if len(p.PropertyTypes) > 0 {
		out = append(out, Criterion{Name: "property_type", Outcome: Full, Detail: l.PropertyType + " is one of " + strings.Join(p.PropertyTypes, ", ")})
	}
	if p.BedroomsMin != nil {
		out = append(out, Criterion{Name: "bedrooms", Outcome: Full, Detail: fmt.Sprintf("%d bedrooms, at least %d wanted", *l.Bedrooms, *p.BedroomsMin)})
	}
	if p.BathroomsMin != nil {
		out = append(out, Criterion{Name: "bathrooms", Outcome: Full, Detail: fmt.Sprintf("%g bathrooms, at least %g wanted", *l.Bathrooms, *p.BathroomsMin)})
	}
	return out
}

// line is a soft criterion earning fraction (0..1) of weight.
func line(name string, weight int, fraction float64, detail string) Criterion {
	pts := int(math.Round(float64(weight) * max(0, min(1, fraction))))
	outcome := Partial
	switch {
	case fraction >= 1:
		outcome = Full
	case pts == 0:
		outcome = Missed
	}
	return Criterion{Name: name, Outcome: outcome, Weight: weight, Points: pts, Detail: detail}
}

func scorePrice(p ClientPreference, l listing.Facts) Criterion {
	price := l.ListPrice.InexactFloat64()
	switch {
	case p.PriceMax != nil && l.ListPrice.GreaterThan(*p.PriceMax):
		mx := p.PriceMax.InexactFloat64()
		over := (price - mx) / mx
		return line("price", WeightPrice, 1-over/PriceTolerance,
			fmt.Sprintf("price %s is %.1f%% over the %s maximum", money(l.ListPrice), over*100, money(*p.PriceMax)))
	case p.PriceMin != nil && l.ListPrice.LessThan(*p.PriceMin):
		mn := p.PriceMin.InexactFloat64()
		under := (mn - price) / mn
		return line("price", WeightPrice, 1-under/PriceTolerance,
			fmt.Sprintf("price %s is %.1f%% under the %s minimum", money(l.ListPrice), under*100, money(*p.PriceMin)))
	case p.PriceMin == nil && p.PriceMax == nil:
		return line("price", WeightPrice, 1, "any price")
	}
	return line("price", WeightPrice, 1, "price "+money(l.ListPrice)+" is within the range asked")
}

func scoreLocation(p ClientPreference, l listing.Facts) Criterion {
	switch {
	case p.RadiusKm != nil:
		d, r := distanceKm(*p.CentreLat, *p.CentreLon, *l.Latitude, *l.Longitude), *p.RadiusKm
		if d <= r {
			return line("location", WeightLocation, 1, fmt.Sprintf("%.1f km from the centre, within the %g km radius", d, r))
		}
		return line("location", WeightLocation, 1-(d-r)/(r*(DistanceTolerance-1)),
			fmt.Sprintf("%.1f km from the centre, %.1f km beyond the %g km radius", d, d-r, r))
	case len(p.Cities) > 0 || len(p.PostalCodes) > 0:
		return line("location", WeightLocation, 1, "in "+l.City+" "+deref(l.PostalCode))
	}
	return line("location", WeightLocation, 1, "anywhere")
}

func scoreArea(p ClientPreference, l listing.Facts) Criterion {
	if p.LivingAreaMin == nil && p.LivingAreaMax == nil {
		return line("living_area", WeightArea, 1, "any size")
	}
	if l.LivingArea == nil {
		return line("living_area", WeightArea, 0, "living area unknown")
	}
	a := *l.LivingArea
	switch {
	case p.LivingAreaMin != nil && a < *p.LivingAreaMin:
		under := (*p.LivingAreaMin - a) / *p.LivingAreaMin
		return line("living_area", WeightArea, 1-under/AreaTolerance, fmt.Sprintf("%g is %.1f%% under the %g minimum", a, under*100, *p.LivingAreaMin))
	case p.LivingAreaMax != nil && a > *p.LivingAreaMax:
		over := (a - *p.LivingAreaMax) / *p.LivingAreaMax
		return line("living_area", WeightArea, 1-over/AreaTolerance, fmt.Sprintf("%g is %.1f%% over the %g maximum", a, over*100, *p.LivingAreaMax))
	}
	return line("living_area", WeightArea, 1, fmt.Sprintf("%g is within the range asked", a))
}

func scoreFeatures(p ClientPreference, l listing.Facts) Criterion {
	if len(p.Features) == 0 {
		return line("features", WeightFeatures, 1, "no must-haves")
	}
	var has, lacks []string
	for _, f := range p.Features {
		if slices.ContainsFunc(l.Features, func(g string) bool { return strings.EqualFold(f, g) }) {
			has = append(has, f)
		} else {
			lacks = append(lacks, f)
		}
	}
	detail := fmt.Sprintf("has %d of %d must-haves", len(has), len(p.Features))
	if len(lacks) > 0 {
		detail += "; lacks " + strings.Join(lacks, ", ")
	}
	return line("features", WeightFeatures, float64(len(has))/float64(len(p.Features)), detail)
}

func scoreKeywords(p ClientPreference, l listing.Facts) Criterion {
	if len(p.Keywords) == 0 {
		return line("keywords", WeightKeywords, 1, "no keywords")
	}
	text := strings.ToLower(l.Remarks + " " + strings.Join(l.Features, " "))
	var found []string
	for _, k := range p.Keywords {
		if strings.Contains(text, strings.ToLower(k)) {
			found = append(found, k)
		}
	}
	detail := fmt.Sprintf("mentions %d of %d keywords", len(found), len(p.Keywords))
	if len(found) > 0 {
		detail += ": " + strings.Join(found, ", ")
	}
	return line("keywords", WeightKeywords, float64(len(found))/float64(len(p.Keywords)), detail)
}

// distanceKm is the great-circle distance (haversine).
func distanceKm(lat1, lon1, lat2, lon2 float64) float64 {
	rad := math.Pi / 180
	dLat, dLon := (lat2-lat1)*rad, (lon2-lon1)*rad
	a := math.Sin(dLat/2)*math.Sin(dLat/2) + math.Cos(lat1*rad)*math.Cos(lat2*rad)*math.Sin(dLon/2)*math.Sin(dLon/2)
	return 2 * earthRadiusKm * math.Asin(math.Sqrt(min(1, a)))
}

type box listing.Box

// boxAround bounds every point within km of a centre, with a margin.
func boxAround(lat, lon, km float64) box {
	dLat := km / (earthRadiusKm * math.Pi / 180) * 1.01
	edge := math.Min(89.9, math.Abs(lat)+dLat)
	dLon := math.Min(180, dLat/math.Cos(edge*math.Pi/180))
	return box{MinLat: lat - dLat, MaxLat: lat + dLat, MinLon: lon - dLon, MaxLon: lon + dLon}
}

// box is the stored bounding box of a radius preference (the one its
// prefilter used), nil without one.
func (p ClientPreference) box() *box {
	if p.BoxMinLat == nil {
		return nil
	}
	return &box{MinLat: *p.BoxMinLat, MaxLat: *p.BoxMaxLat, MinLon: *p.BoxMinLon, MaxLon: *p.BoxMaxLon}
}

func (b *box) holds(lat, lon float64) bool {
	if b == nil {
		return false
	}
	return lat >= b.MinLat && lat <= b.MaxLat && lon >= b.MinLon && lon <= b.MaxLon
}

// money writes an amount with thousands separators: 410,000 or 1,250.50.
func money(d decimal.Decimal) string {
	s := d.StringFixed(2)
	whole, frac, _ := strings.Cut(s, ".")
	neg := strings.HasPrefix(whole, "-")
	whole = strings.TrimPrefix(whole, "-")
	var b strings.Builder
	for i, r := range whole {
		if i > 0 && (len(whole)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	out := b.String()
	if frac != "00" {
		out += "." + frac
	}
	if neg {
		out = "-" + out
	}
	return out
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
