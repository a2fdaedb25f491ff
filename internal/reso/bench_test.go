package reso_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/shopspring/decimal"

	"realty"
	"realty/internal/fixture/fixturetest"
	"realty/internal/identity"
	"realty/internal/listing"
	"realty/internal/postgres"
	"realty/internal/property"
	"realty/internal/reso"
)

// benchListings seeds n listings (a tenth Active in Austin) in one
// organization and returns the endpoint's URL, an API key and the key's
// actor.
func benchListings(b *testing.B, n int) (string, string, realty.Actor, *postgres.Pool) {
	env := fixturetest.New(b)
	o := env.Organization(b, "bench")
	ctx := context.Background()
	agent := o.Personas["agent"].Actor
	first, err := env.Listing.Create(ctx, agent, listing.Input{ListingKey: "seed",
		Property: &property.Input{AddressLine1: "1 Seed St", City: "Austin", StateProvince: "TX"},
		Fields:   listing.Fields{ListPrice: ptr(decimal.NewFromInt(100000))}})
	if err != nil {
		b.Fatal(err)
	}
	admin, err := pgx.Connect(ctx, env.DB.AdminURL)
	if err != nil {
		b.Fatal(err)
	}
	defer admin.Close(ctx)
	tx, err := admin.Begin(ctx)
	if err != nil {
		b.Fatal(err)
	}
	defer tx.Rollback(ctx)
	if _, err := tx.Exec(ctx, postgres.ScopeSQL(ctx, realty.Actor{OrgID: o.Organization.ID})); err != nil {
		b.Fatal(err)
	}
	_, err = tx.Exec(ctx, `INSERT INTO listing.listings (organization_id, property_id, listing_key, standard_status, list_price,
			street_address, city, state_province, bedrooms_total, appliances, list_agent_id)
		SELECT $1, $2, 'K-' || i, (ARRAY['Active','Pending','Closed','Active','Expired'])[1 + i % 5]::listing.standard_status,
			100000 + (i * 7919) % 900000, i || ' Bench Road', (ARRAY['Austin','Dallas','Houston','El Paso'])[1 + (i / 5) % 4], 'TX',
			i % 6, CASE WHEN i % 3 = 0 THEN '{Dishwasher,Dryer}'::text[] ELSE '{}' END, $3
		FROM generate_series(1, $4::int) i`, o.Organization.ID, first.PropertyID, agent.MemberID, n)
	if err == nil {
		err = tx.Commit(ctx)
	}
	if err == nil {
		_, err = admin.Exec(ctx, `ANALYZE listing.listings`)
	}
	if err != nil {
		b.Fatal(err)
	}
	_, key, err := env.Identity.CreateAPIKey(ctx, o.Personas["owner"].Actor, identity.NewAPIKey{Name: "bench", Permissions: []string{"listing.read"}}, identity.Client{})
	if err != nil {
		b.Fatal(err)
	}
	mux := http.NewServeMux()
	reso.Mount(mux, reso.Deps{Pool: env.Pool, Org: env.Org})
	ts := httptest.NewServer(mux)
	b.Cleanup(ts.Close)
	actor, _, err := env.Identity.AuthenticateAPIKey(ctx, key, identity.Client{})
	if err != nil {
		b.Fatal(err)
	}
	return ts.URL, key, actor, env.Pool
}

const benchFilter = "StandardStatus eq 'Active' and City eq 'Austin'"

// BenchmarkPropertyFilter is a page of 100 filtered listings through the
// endpoint (authentication, query, JSON); BenchmarkRawSQL the same page's
// query alone, for comparison.
func BenchmarkPropertyFilter(b *testing.B) {
	base, key, _, _ := benchListings(b, 20000)
	for _, c := range []struct{ name, query string }{
		{"Default", "$filter=" + url.QueryEscape(benchFilter)},
		{"ByPrice", "$filter=" + url.QueryEscape(benchFilter) + "&$orderby=ListPrice"},
		{"Select", "$filter=" + url.QueryEscape(benchFilter) + "&$select=ListingKey,ListPrice,City"},
	} {
		b.Run(c.name, func(b *testing.B) {
			req, _ := http.NewRequest("GET", base+"/reso/odata/Property?"+c.query, nil)
			req.Header.Set("Authorization", "Bearer "+key)
			for b.Loop() {
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					b.Fatal(err)
				}
				n, _ := io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != 200 || n < 1000 {
					b.Fatalf("status %d, %d bytes", resp.StatusCode, n)
				}
			}
		})
	}
}

func BenchmarkRawSQL(b *testing.B) {
	_, _, actor, pool := benchListings(b, 20000)
	ctx := context.Background()
	columns := `listing_key, listing_id, standard_status::text, list_price, street_address, city, state_province, postal_code,
		bedrooms_total, bathrooms_total, living_area, modification_timestamp, appliances, public_remarks`
	for b.Loop() {
		err := postgres.Read(ctx, pool, actor, func(rows pgx.Rows) error {
			for rows.Next() {
				if _, err := rows.Values(); err != nil {
					return err
				}
			}
			return nil
		}, `SELECT `+columns+` FROM listing.listings WHERE organization_id = $1
			AND standard_status = $2::listing.standard_status AND city_key = lower($3) ORDER BY modification_timestamp, id LIMIT 101`,
			actor.OrgID, "Active", "Austin")
		if err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkExplain logs the plans of the benchmark's queries (go test -bench
// Explain -v).
func BenchmarkExplain(b *testing.B) {
	_, _, actor, pool := benchListings(b, 20000)
	for _, order := range []string{"l.modification_timestamp, l.id", "l.list_price, l.id"} {
		var plan []string
		err := postgres.Read(context.Background(), pool, actor, func(rows pgx.Rows) error {
			var err error
			plan, err = pgx.CollectRows(rows, pgx.RowTo[string])
			return err
		}, `EXPLAIN (ANALYZE, COSTS OFF) SELECT l.listing_key FROM listing.listings l WHERE l.organization_id = $1
			AND (l.standard_status) = $2::listing.standard_status AND l.city_key = lower($3::text) ORDER BY `+order+` LIMIT 101`,
			actor.OrgID, "Active", "Austin")
		if err != nil {
			b.Fatal(err)
		}
		b.Log("ORDER BY " + order + "\n" + strings.Join(plan, "\n"))
	}
	for b.Loop() {
	}
}
