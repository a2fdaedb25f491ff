package main

import (
	"fmt"
	"net/url"
	"time"

	"github.com/shopspring/decimal"

	"realty/internal/listing"
)

// shapes are the searches docs/search.md reports: the four the benchmark's
// W1 runs, the geographic and full-text ones, a second page, and a count.
func shapes(d data) []shape {
	price := func(i int) (int64, int64) {
		lo := int64(200_000 + 50_000*(i%8))
		return lo, lo + 400_000
	}
	dec := func(v int64) *decimal.Decimal { x := decimal.NewFromInt(v); return &x }
	words := []string{"pool", "garden", "renovated", "views", "fireplace", "hardwood"}
	return []shape{
		{"status_city_price", "Active in a city, price range, cheapest first", "listings_status_city_price_idx",
			func(i int) (url.Values, listing.Query) {
				c := d.cities[i%len(d.cities)]
				l, h := price(i)
				v := url.Values{"status": {"Active"}, "city": {c.Name}, "min_price": {fmt.Sprint(l)}, "max_price": {fmt.Sprint(h)}, "sort": {"price_asc"}}
				return v, listing.Query{Statuses: []string{"Active"}, City: c.Name, MinPrice: dec(l), MaxPrice: dec(h), Sort: "price_asc"}
			}},
		{"beds_baths_price", "3+ bedrooms, 2+ bathrooms, price range, cheapest first", "listings_price_idx",
			func(i int) (url.Values, listing.Query) {
				l, h := price(i)
				beds, baths := 3, 2.0
				v := url.Values{"min_beds": {"3"}, "min_baths": {"2"}, "min_price": {fmt.Sprint(l)}, "max_price": {fmt.Sprint(h)}, "sort": {"price_asc"}}
				return v, listing.Query{MinBeds: &beds, MinBaths: &baths, MinPrice: dec(l), MaxPrice: dec(h), Sort: "price_asc"}
			}},
		{"agent_newest", "one agent's listings, newest first", "listings_agent_idx",
			func(i int) (url.Values, listing.Query) {
				a := d.agents[i%len(d.agents)]
				return url.Values{"agent": {a.String()}, "sort": {"newest"}}, listing.Query{AgentID: &a, Sort: "newest"}
			}},
		{"newest", "everything, newest first", "listings_newest_idx",
			func(int) (url.Values, listing.Query) {
				return url.Values{"sort": {"newest"}}, listing.Query{Sort: "newest"}
			}},
		{"radius_distance", "within 5 km of a city centre, nearest first", "listings_geo_idx (GiST)",
			func(i int) (url.Values, listing.Query) {
				c := d.cities[i%len(d.cities)]
				r := 5.0
				v := url.Values{"lat": {fmt.Sprint(c.Lat)}, "lng": {fmt.Sprint(c.Lng)}, "radius_km": {"5"}, "sort": {"distance"}}
				return v, listing.Query{Lat: &c.Lat, Lng: &c.Lng, RadiusKm: &r, Sort: "distance"}
			}},
		{"full_text", "a word in remarks, features or address, best match first", "listings_org_search_idx + listings_org_address_trgm_idx (GIN)",
			func(i int) (url.Values, listing.Query) {
				w := words[i%len(words)]
				return url.Values{"q": {w}}, listing.Query{Q: w}
			}},
		{"radius_text", "within 5 km and a word, best match first", "listings_geo_idx (GiST)",
			func(i int) (url.Values, listing.Query) {
				c, w, r := d.cities[i%len(d.cities)], words[i%len(words)], 5.0
				v := url.Values{"lat": {fmt.Sprint(c.Lat)}, "lng": {fmt.Sprint(c.Lng)}, "radius_km": {"5"}, "q": {w}}
				return v, listing.Query{Lat: &c.Lat, Lng: &c.Lng, RadiusKm: &r, Q: w}
			}},
		{"modified_since", "changed in the last day (replication)", "listings_modified_idx",
			func(int) (url.Values, listing.Query) {
				t := time.Now().Add(-24 * time.Hour).UTC().Truncate(time.Second)
				return url.Values{"modified_since": {t.Format(time.RFC3339)}, "sort": {"newest"}}, listing.Query{ModifiedSince: &t, Sort: "newest"}
			}},
		{"status_city_count", "status_city_price with count=true", "listings_status_city_price_idx",
			func(i int) (url.Values, listing.Query) {
				c := d.cities[i%len(d.cities)]
				l, h := price(i)
				v := url.Values{"status": {"Active"}, "city": {c.Name}, "min_price": {fmt.Sprint(l)}, "max_price": {fmt.Sprint(h)}, "sort": {"price_asc"}, "count": {"true"}}
				return v, listing.Query{Statuses: []string{"Active"}, City: c.Name, MinPrice: dec(l), MaxPrice: dec(h), Sort: "price_asc", Count: true}
			}},
	}
}
