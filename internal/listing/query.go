package listing

import (
	"math"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"realty"
)

// ParseQuery reads a search's filters from query parameters, as both edges
// receive them: GET /api/v1/listings and the dashboard's search form. A
// parameter absent or empty is no filter; list parameters (status,
// property_type) may repeat and may each hold a comma-separated list;
// modified_since is an RFC 3339 instant or a day (YYYY-MM-DD, from its
// start in UTC). Invalid names the parameter that does not parse. Value
// rules (known statuses, ranges) are checked by Search itself.
func ParseQuery(v url.Values) (Query, error) {
	q := Query{Statuses: listParam(v["status"]), ListType: text(v, "list_type"), PropertyTypes: listParam(v["property_type"]),
		SubType: text(v, "property_sub_type"), City: text(v, "city"), PostalCode: text(v, "postal_code"), Q: text(v, "q"),
		Sort: text(v, "sort"), Cursor: text(v, "cursor")}
	p := parser{v: v}
	q.MinPrice, q.MaxPrice = parse(&p, "min_price", parseDecimal), parse(&p, "max_price", parseDecimal)
	q.MinBeds = parse(&p, "min_beds", strconv.Atoi)
	q.MinBaths, q.MinArea, q.MaxArea = parse(&p, "min_baths", parseFloat), parse(&p, "min_area", parseFloat), parse(&p, "max_area", parseFloat)
	q.Lat, q.Lng, q.RadiusKm = parse(&p, "lat", parseFloat), parse(&p, "lng", parseFloat), parse(&p, "radius_km", parseFloat)
	q.AgentID = parse(&p, "agent", realty.ParseID)
	q.ModifiedSince = parse(&p, "modified_since", parseInstant)
	if n := parse(&p, "limit", strconv.Atoi); n != nil {
		q.Limit = *n
	}
	if b := parse(&p, "count", strconv.ParseBool); b != nil {
		q.Count = *b
	}
	return q, p.err
}

// parser reads parameters one after another and keeps the first failure.
type parser struct {
	v   url.Values
	err error
}

// reasons say what each kind of value must be.
var reasons = map[string]string{
	"min_beds": "is not a whole number", "limit": "is not a whole number", "agent": "is not an id",
	"modified_since": "is not a date (YYYY-MM-DD) or an RFC 3339 time", "count": "is not true or false",
}

// parse returns the parameter name parsed by fn, nil when it is absent or
// empty (or an earlier parameter failed), recording a failure on p.
func parse[T any](p *parser, name string, fn func(string) (T, error)) *T {
	s := text(p.v, name)
	if s == "" || p.err != nil {
		return nil
	}
	out, err := fn(s)
	if err != nil {
		reason, ok := reasons[name]
		if !ok {
			reason = "is not a number"
		}
		p.err = realty.FieldError(name, reason)
		return nil
	}
	return &out
}

func text(v url.Values, name string) string { return strings.TrimSpace(v.Get(name)) }

// listParam flattens repeated and comma-separated values, dropping empties.
func listParam(values []string) []string {
	var out []string
	for _, v := range values {
		for _, part := range strings.Split(v, ",") {
			if p := strings.TrimSpace(part); p != "" {
				out = append(out, p)
			}
		}
	}
	return out
}

func parseDecimal(s string) (decimal.Decimal, error) { return decimal.NewFromString(s) }

// parseFloat refuses NaN and infinities, which no filter can mean.
func parseFloat(s string) (float64, error) {
	f, err := strconv.ParseFloat(s, 64)
	if err == nil && (math.IsNaN(f) || math.IsInf(f, 0)) {
		err = strconv.ErrSyntax
	}
	return f, err
}

func parseInstant(s string) (time.Time, error) {
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		return t, nil
	}
	return time.Parse(time.RFC3339, s)
}
