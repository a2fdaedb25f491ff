package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/url"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/shopspring/decimal"

	"realty"
	"realty/internal/listing"
)

// orgData is what the request generator draws from for one organization.
type orgData struct {
	ID     realty.ID
	Slug   string
	Key    string
	Cities []cityData
	Agents []realty.ID
	Low    int64 // price quartiles of the organization's listings
	High   int64
	Newest time.Time
	CRM    crmData     // W9's sample, read when W9 runs
	Pay    paymentData // W5's tenants and accounts, made when W5 runs
	actor  realty.Actor
	// crmActor is the raw side's actor of W9: it holds client.manage, as
	// the organization's API key does.
	crmActor realty.Actor
	// payActor is the raw side's actor of W5, holding what the API key does.
	payActor realty.Actor
}

type cityData struct {
	Name     string
	Lat, Lng float64
}

// loadOrgs reads every seeded organization's cities, agents and prices
// through the superuser connection.
func loadOrgs(ctx context.Context, admin *pgx.Conn) ([]*orgData, error) {
	rows, err := admin.Query(ctx, `SELECT o.id, o.slug,
			percentile_disc(0.25) WITHIN GROUP (ORDER BY l.list_price)::int8,
			percentile_disc(0.75) WITHIN GROUP (ORDER BY l.list_price)::int8, max(l.original_entry_timestamp)
		FROM org.organizations o JOIN listing.listings l ON l.organization_id = o.id
		WHERE o.slug LIKE 'seed-%' GROUP BY o.id, o.slug ORDER BY o.slug`)
	if err != nil {
		return nil, err
	}
	var orgs []*orgData
	for rows.Next() {
		o := &orgData{}
		if err := rows.Scan(&o.ID, &o.Slug, &o.Low, &o.High, &o.Newest); err != nil {
			return nil, err
		}
		o.actor = realty.Actor{OrgID: o.ID, Permissions: []string{"listing.read"}}
		orgs = append(orgs, o)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for _, o := range orgs {
		if err := o.loadPlaces(ctx, admin); err != nil {
			return nil, err
		}
	}
	if len(orgs) == 0 {
		return nil, fmt.Errorf("no seeded organizations (seed-…) with listings")
	}
	return orgs, nil
}

func (o *orgData) loadPlaces(ctx context.Context, admin *pgx.Conn) error {
	rows, err := admin.Query(ctx, `SELECT city, avg(latitude)::float8, avg(longitude)::float8 FROM listing.listings
		WHERE organization_id = $1 GROUP BY city ORDER BY count(*) DESC LIMIT 8`, o.ID)
	if err != nil {
		return err
	}
	for rows.Next() {
		var c cityData
		if err := rows.Scan(&c.Name, &c.Lat, &c.Lng); err != nil {
			return err
		}
		o.Cities = append(o.Cities, c)
	}
	if err := rows.Err(); err != nil {
		return err
	}
	rows, err = admin.Query(ctx, `SELECT DISTINCT list_agent_id FROM listing.listings WHERE organization_id = $1 AND list_agent_id IS NOT NULL`, o.ID)
	if err != nil {
		return err
	}
	o.Agents, err = pgx.CollectRows(rows, pgx.RowTo[realty.ID])
	if err == nil && (len(o.Cities) == 0 || len(o.Agents) == 0) {
		err = fmt.Errorf("%s has no cities or agents", o.Slug)
	}
	return err
}

// words occur in the seeded remarks and features.
var words = []string{"pool", "garden", "renovated", "fireplace", "views", "hardwood", "garage", "patio"}

// searchFor draws the parameters of one W1 search of the shape.
func searchFor(rng *rand.Rand, orgs []*orgData, shape string) (*orgData, Search) {
	o := orgs[rng.IntN(len(orgs))]
	s := Search{Shape: shape, OrgID: o.ID.String(), Limit: 20}
	band := (o.High - o.Low) / 2
	lo := o.Low + rng.Int64N(max(band, 1))
	switch shape {
	case ShapeStatusCity:
		s.Status, s.City, s.MinPrice, s.MaxPrice = "Active", o.Cities[rng.IntN(len(o.Cities))].Name, lo, lo+band
	case ShapeBedsBaths:
		s.MinBeds, s.MinBaths, s.MinPrice, s.MaxPrice = 2+rng.IntN(3), float64(1+rng.IntN(2)), lo, lo+band
	case ShapeAgent:
		s.AgentID = o.Agents[rng.IntN(len(o.Agents))].String()
	}
	return o, s
}

// apiQuery is the search as GET /api/v1/listings parameters.
func apiQuery(s Search) url.Values {
	v := url.Values{"limit": {strconv.Itoa(s.Limit)}}
	switch s.Shape {
	case ShapeStatusCity:
		v.Set("status", s.Status)
		v.Set("city", s.City)
		v.Set("sort", "price_asc")
	case ShapeBedsBaths:
		v.Set("min_beds", strconv.Itoa(s.MinBeds))
		v.Set("min_baths", strconv.FormatFloat(s.MinBaths, 'f', -1, 64))
		v.Set("sort", "price_asc")
	case ShapeAgent:
		v.Set("agent", s.AgentID)
		v.Set("sort", "newest")
	default:
		v.Set("sort", "newest")
	}
	if s.MaxPrice > 0 {
		v.Set("min_price", strconv.FormatInt(s.MinPrice, 10))
		v.Set("max_price", strconv.FormatInt(s.MaxPrice, 10))
	}
	return v
}

// listingQuery is the same search as realty's domain query, for the raw
// SQL (listing.SearchSQL).
func listingQuery(s Search) listing.Query {
	q := listing.Query{Limit: s.Limit, Sort: "newest"}
	if s.MaxPrice > 0 {
		lo, hi := decimal.NewFromInt(s.MinPrice), decimal.NewFromInt(s.MaxPrice)
		q.MinPrice, q.MaxPrice = &lo, &hi
	}
	switch s.Shape {
	case ShapeStatusCity:
		q.Statuses, q.City, q.Sort = []string{s.Status}, s.City, "price_asc"
	case ShapeBedsBaths:
		beds, baths := s.MinBeds, s.MinBaths
		q.MinBeds, q.MinBaths, q.Sort = &beds, &baths, "price_asc"
	case ShapeAgent:
		id, _ := realty.ParseID(s.AgentID)
		q.AgentID = &id
	}
	return q
}

// geoText draws one W2 search: within 5 km of a city centre, with a word.
func geoText(rng *rand.Rand, orgs []*orgData) (*orgData, url.Values, listing.Query) {
	o := orgs[rng.IntN(len(orgs))]
	c := o.Cities[rng.IntN(len(o.Cities))]
	w, r := words[rng.IntN(len(words))], 5.0
	v := url.Values{"lat": {strconv.FormatFloat(c.Lat, 'f', 6, 64)}, "lng": {strconv.FormatFloat(c.Lng, 'f', 6, 64)},
		"radius_km": {"5"}, "q": {w}, "limit": {"20"}}
	lat, _ := strconv.ParseFloat(v.Get("lat"), 64)
	lng, _ := strconv.ParseFloat(v.Get("lng"), 64)
	return o, v, listing.Query{Lat: &lat, Lng: &lng, RadiusKm: &r, Q: w, Limit: 20}
}

// resoQuery draws one W3 request: a RESO $filter with $top and $orderby.
func resoQuery(rng *rand.Rand, orgs []*orgData) (*orgData, string) {
	o := orgs[rng.IntN(len(orgs))]
	band := (o.High - o.Low) / 2
	lo := o.Low + rng.Int64N(max(band, 1))
	v := url.Values{"$top": {"20"}}
	switch rng.IntN(3) {
	case 0:
		v.Set("$filter", fmt.Sprintf("StandardStatus eq 'Active' and City eq '%s' and ListPrice le %d", o.Cities[rng.IntN(len(o.Cities))].Name, lo+band))
		v.Set("$orderby", "ListPrice")
	case 1:
		v.Set("$filter", fmt.Sprintf("BedroomsTotal ge %d and ListPrice ge %d and ListPrice le %d", 2+rng.IntN(3), lo, lo+band))
		v.Set("$orderby", "ListPrice")
	default:
		since := o.Newest.Add(-time.Duration(rng.IntN(30*24)) * time.Hour).UTC().Format(time.RFC3339)
		v.Set("$filter", "ModificationTimestamp gt "+since)
	}
	return o, v.Encode()
}
