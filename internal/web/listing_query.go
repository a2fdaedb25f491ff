package web

import (
	"errors"
	"maps"
	"math"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/shopspring/decimal"

	"realty"
	"realty/internal/listing"
)

// searchQuery reads the search form (the same filters as GET
// /api/v1/listings, parsed by the same listing.ParseQuery) into a
// listing.Query, always counting. Invalid names the field that does not
// parse.
func searchQuery(v url.Values) (listing.Query, error) {
	q, err := listing.ParseQuery(v)
	q.Count = true
	return q, err
}

// The form fields' bounds, below what their columns hold: amounts are
// numeric(14, 2) or narrower (a narrower column's overflow is still a 422,
// without the field), measures numeric(12, 2) or wider, whole numbers int.
var maxDecimal = decimal.New(1, 12)

const maxFloat = 1e10

// refuseNUL returns an Invalid error naming the first form or query field
// holding a NUL character, which PostgreSQL's text cannot store, or nil.
func refuseNUL(v url.Values) error {
	for _, name := range slices.Sorted(maps.Keys(v)) {
		for _, s := range v[name] {
			if strings.IndexByte(s, 0) >= 0 {
				return realty.FieldError(name, "must not contain a NUL character")
			}
		}
	}
	return nil
}

func decimalField(v url.Values, name string) (*decimal.Decimal, error) {
	s := strings.TrimSpace(v.Get(name))
	if s == "" {
		return nil, nil
	}
	d, err := decimal.NewFromString(s)
	if err != nil {
		return nil, realty.FieldError(name, "is not a number")
	}
	if d.Abs().GreaterThanOrEqual(maxDecimal) {
		return nil, realty.FieldError(name, "is too large")
	}
	return &d, nil
}

func intField(v url.Values, name string) (*int, error) {
	s := strings.TrimSpace(v.Get(name))
	if s == "" {
		return nil, nil
	}
	n, err := strconv.ParseInt(s, 10, 32)
	if errors.Is(err, strconv.ErrRange) {
		return nil, realty.FieldError(name, "is too large")
	}
	if err != nil {
		return nil, realty.FieldError(name, "is not a whole number")
	}
	i := int(n)
	return &i, nil
}

func floatField(v url.Values, name string) (*float64, error) {
	s := strings.TrimSpace(v.Get(name))
	if s == "" {
		return nil, nil
	}
	f, err := strconv.ParseFloat(s, 64)
	if errors.Is(err, strconv.ErrRange) || err == nil && math.Abs(f) >= maxFloat {
		return nil, realty.FieldError(name, "is too large")
	}
	if err != nil || math.IsNaN(f) {
		return nil, realty.FieldError(name, "is not a number")
	}
	return &f, nil
}

func idField(v url.Values, name string) (*realty.ID, error) {
	s := strings.TrimSpace(v.Get(name))
	if s == "" {
		return nil, nil
	}
	id, err := realty.ParseID(s)
	if err != nil {
		return nil, realty.FieldError(name, "is not an id")
	}
	return &id, nil
}

func textField(v url.Values, name string) *string {
	if _, ok := v[name]; !ok {
		return nil
	}
	s := strings.TrimSpace(v.Get(name))
	return &s
}

func dateField(v url.Values, name string) (*realty.Date, error) {
	t, err := parseDay(name, strings.TrimSpace(v.Get(name)))
	if err != nil || t == nil {
		return nil, err
	}
	d := realty.DateOf(*t)
	return &d, nil
}

// listingFields reads the listing form's changeable fields. A field absent
// from the form stays unchanged; lists are comma-separated. Invalid names
// the field that does not parse.
func listingFields(v url.Values) (listing.Fields, error) {
	f := listing.Fields{StandardStatus: nonEmpty(textField(v, "standard_status")), PropertyType: nonEmpty(textField(v, "property_type")),
		PropertySubType: textField(v, "property_sub_type"), PublicRemarks: textField(v, "public_remarks")}
	var err error
	for _, p := range []func() error{
		func() error { f.ListPrice, err = decimalField(v, "list_price"); return err },
		func() error { f.ClosePrice, err = decimalField(v, "close_price"); return err },
		func() error { f.BedroomsTotal, err = intField(v, "bedrooms_total"); return err },
		func() error { f.BathroomsTotal, err = floatField(v, "bathrooms_total"); return err },
		func() error { f.LivingArea, err = floatField(v, "living_area"); return err },
		func() error { f.YearBuilt, err = intField(v, "year_built"); return err },
		func() error { f.OnMarketDate, err = dateField(v, "on_market_date"); return err },
		func() error { f.CloseDate, err = dateField(v, "close_date"); return err },
	} {
		if err := p(); err != nil {
			return f, err
		}
	}
	if _, ok := v["features"]; ok {
		list := []string{}
		for _, s := range strings.Split(v.Get("features"), ",") {
			if s = strings.TrimSpace(s); s != "" {
				list = append(list, s)
			}
		}
		f.Features = &list
	}
	return f, nil
}

func nonEmpty(s *string) *string {
	if s == nil || *s == "" {
		return nil
	}
	return s
}

// listingForm is a listing as the form shows it: every field as text, so
// a refused form comes back with what the user typed.
func listingForm(l listing.Listing) url.Values {
	v := url.Values{"standard_status": {l.StandardStatus}, "property_type": {l.PropertyType}, "list_price": {l.ListPrice.String()},
		"listing_key": {l.ListingKey}, "list_type": {l.ListType}, "features": {strings.Join(l.Features, ", ")}}
	set := func(name string, ok bool, s func() string) {
		if ok {
			v.Set(name, s())
		}
	}
	set("property_sub_type", l.PropertySubType != nil, func() string { return *l.PropertySubType })
	set("public_remarks", l.PublicRemarks != nil, func() string { return *l.PublicRemarks })
	set("bedrooms_total", l.BedroomsTotal != nil, func() string { return strconv.Itoa(*l.BedroomsTotal) })
	set("bathrooms_total", l.BathroomsTotal != nil, func() string { return strconv.FormatFloat(*l.BathroomsTotal, 'f', -1, 64) })
	set("living_area", l.LivingArea != nil, func() string { return strconv.FormatFloat(*l.LivingArea, 'f', -1, 64) })
	set("year_built", l.YearBuilt != nil, func() string { return strconv.Itoa(*l.YearBuilt) })
	set("close_price", l.ClosePrice != nil, func() string { return l.ClosePrice.String() })
	set("on_market_date", l.OnMarketDate != nil, func() string { return l.OnMarketDate.String() })
	set("close_date", l.CloseDate != nil, func() string { return l.CloseDate.String() })
	return v
}
