package property

import (
	"context"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/shopspring/decimal"

	"realty"
)

// Comparative market analysis (CMA): a property's likely price from the
// organization's closed sales near it, each adjusted for how it differs.
// The sales live in the listing domain, which imports this one, so the
// service reads them through Market, which app wires to the listing service.

// Market is what a CMA needs from the listing domain.
type Market interface {
	// ClosedNearTx returns the closed sales matching q, nearest first, at
	// most q.Limit, within tx. It checks no permission: the caller has.
	ClosedNearTx(ctx context.Context, tx pgx.Tx, actor realty.Actor, q CompQuery) ([]Sale, error)
	// AskingPriceTx returns the list price of the property's sale listing
	// on the market, or nil when it has none, within tx.
	AskingPriceTx(ctx context.Context, tx pgx.Tx, actor realty.Actor, propertyID realty.ID) (*decimal.Decimal, error)
}

// UseMarket gives the service the listing domain's sales (app wires it; a
// service without one refuses every CMA as an internal error).
func (s *Service) UseMarket(m Market) { s.market = m }

// CompQuery selects candidate comparables: closed sales of one RESO
// property type within RadiusKm of a point, closed from SoldSince to
// SoldUntil, with living area and bedrooms in range (nil: any), other than
// the subject.
type CompQuery struct {
	SubjectID    realty.ID
	PropertyType string
	Lat, Lng     float64
	RadiusKm     float64
	SoldSince    realty.Date
	SoldUntil    realty.Date
	AreaMin      *float64
	AreaMax      *float64
	BedsMin      *int
	BedsMax      *int
	Limit        int
}

// Sale is a closed listing offered as a comparable. Source is the MLS it
// was imported from, or empty for the organization's own listing.
type Sale struct {
	ListingID  realty.ID       `db:"listing_id" json:"listing_id"`
	PropertyID realty.ID       `db:"property_id" json:"property_id"`
	ListingKey string          `db:"listing_key" json:"listing_key"`
	Source     string          `db:"source" json:"source,omitempty" doc:"the MLS it was imported from; empty for the organization's own listing"`
	Address    string          `db:"street_address" json:"address"`
	City       string          `db:"city" json:"city"`
	DistanceKm float64         `db:"distance_km" json:"distance_km"`
	ClosePrice decimal.Decimal `db:"close_price" json:"close_price"`
	CloseDate  realty.Date     `db:"close_date" json:"close_date"`
	LivingArea *float64        `db:"living_area" json:"living_area,omitempty" doc:"square feet"`
	Bedrooms   *int            `db:"bedrooms_total" json:"bedrooms,omitempty"`
	Bathrooms  *float64        `db:"bathrooms_total" json:"bathrooms,omitempty"`
	LotSize    *float64        `db:"lot_size_area" json:"lot_size,omitempty" doc:"square feet"`
	YearBuilt  *int            `db:"year_built" json:"year_built,omitempty"`
	Condition  *int            `db:"-" json:"condition,omitempty" doc:"from the sold property's record, when rated"`
}

// Subject is the property priced, as it was when priced.
type Subject struct {
	Address      string   `json:"address"`
	City         string   `json:"city"`
	Latitude     float64  `json:"latitude"`
	Longitude    float64  `json:"longitude"`
	PropertyType string   `json:"property_type" doc:"RESO PropertyType compared"`
	LivingArea   float64  `json:"living_area" doc:"square feet"`
	Bedrooms     *int     `json:"bedrooms,omitempty"`
	Bathrooms    *float64 `json:"bathrooms,omitempty"`
	LotSize      *float64 `json:"lot_size,omitempty" doc:"square feet"`
	YearBuilt    *int     `json:"year_built,omitempty"`
	Condition    *int     `json:"condition,omitempty"`
}

// resoTypes maps realty's property types to the RESO PropertyType of their
// sales.
var resoTypes = map[string]string{"residential": "Residential", "commercial": "CommercialSale", "industrial": "CommercialSale",
	"land": "Land", "mixed": "ResidentialIncome"}

// subjectOf describes p for a CMA. Invalid naming the field a CMA cannot do
// without: the location (to find sales near it) and the living area (to
// compare sizes).
func subjectOf(p Property, resoType string) (Subject, error) {
	if p.Latitude == nil || p.Longitude == nil {
		return Subject{}, realty.FieldError("latitude", "the property needs a location (latitude and longitude) to find sales near it")
	}
	if p.LivingArea == nil && resoType != "Land" {
		return Subject{}, realty.FieldError("living_area", "the property needs its living area to be compared")
	}
	s := Subject{Address: p.AddressLine1, City: p.City, Latitude: *p.Latitude, Longitude: *p.Longitude, PropertyType: resoType,
		Bedrooms: p.Bedrooms, Bathrooms: p.Bathrooms, LotSize: p.LotSize, YearBuilt: p.YearBuilt, Condition: p.Condition}
	if p.LivingArea != nil {
		s.LivingArea = *p.LivingArea
	}
	return s, nil
}

// query is the comparables search of a subject under o.
func (o Options) query(id realty.ID, s Subject) CompQuery {
	q := CompQuery{SubjectID: id, PropertyType: s.PropertyType, Lat: s.Latitude, Lng: s.Longitude, RadiusKm: o.RadiusKm,
		SoldUntil: *o.AsOf, SoldSince: realty.DateOf(o.AsOf.Time().AddDate(0, -o.Months, 0)), Limit: candidateLimit}
	if s.LivingArea > 0 {
		lo, hi := s.LivingArea*(1-o.AreaPct/100), s.LivingArea*(1+o.AreaPct/100)
		q.AreaMin, q.AreaMax = &lo, &hi
	}
	if s.Bedrooms != nil {
		lo, hi := *s.Bedrooms-o.BedsRange, *s.Bedrooms+o.BedsRange
		q.BedsMin, q.BedsMax = &lo, &hi
	}
	return q
}

// candidateLimit bounds the sales a CMA weighs (the nearest ones).
const candidateLimit = 60

// recommend says in words what the numbers mean for the seller.
func recommend(e estimate, list *decimal.Decimal, pos *string) string {
	var b strings.Builder
	b.WriteString("Price between $" + e.low.StringFixed(0) + " and $" + e.high.StringFixed(0) +
		", most likely near $" + e.suggested.StringFixed(0) + ".")
	if pos != nil && *pos != "at" {
		pct := list.Sub(e.suggested).Div(e.suggested).Mul(decimal.NewFromInt(100)).Abs().StringFixed(1)
		b.WriteString(" The list price of $" + list.StringFixed(0) + " is " + *pos + " the range (" + pct + " % from the suggested price).")
	}
	switch {
	case len(e.comps) < 3:
		b.WriteString(" Only " + strconv.Itoa(len(e.comps)) + " comparable sale(s): widen the radius or the months before relying on it.")
	case e.confidence < 0.4:
		b.WriteString(" Low confidence: the comparables are far, few or disagree; check them before relying on it.")
	}
	return b.String()
}
