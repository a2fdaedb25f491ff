package listing_test

import (
	"bytes"
	"context"
	"fmt"
	"math"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	pgxdecimal "github.com/jackc/pgx-shopspring-decimal"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/shopspring/decimal"

	"realty"
	"realty/internal/fixture/fixturetest"
	"realty/internal/listing"
	"realty/internal/postgres"
)

// benchListing is one generated listing, as a file row and as table values.
type benchListing struct {
	key, street, city, state, postal, status, ptype, remarks string
	price                                                    int
	beds, year                                               int
	baths, area, lat, lng                                    string
	onMarket                                                 time.Time
	appliances                                               []string
}

var benchCities = []string{"Springfield", "Shelbyville", "Ogdenville", "North Haverbrook", "Capital City", "Brockway"}

func benchListings(n int) []benchListing {
	out := make([]benchListing, n)
	for i := range out {
		out[i] = benchListing{
			key: fmt.Sprintf("BENCH%07d", i), street: fmt.Sprintf("%d %s Avenue", 100+i%9000, []string{"Oak", "Elm", "Maple", "Cedar"}[i%4]+strconv.Itoa(i/9000)),
			city: benchCities[i%len(benchCities)], state: "IL", postal: fmt.Sprintf("62%03d", i%1000),
			status: []string{"Active", "Pending", "Closed", "ComingSoon"}[i%4], ptype: []string{"Residential", "Residential", "CommercialSale", "Land"}[i%4],
			price: 150000 + (i*7919)%900000, beds: 1 + i%6, year: 1950 + i%70,
			baths: strconv.Itoa(1 + i%4), area: strconv.Itoa(800 + i%3000), lat: fmt.Sprintf("%.6f", 39.5+frac(float64(i)*0.6180339887)*0.5),
			lng: fmt.Sprintf("%.6f", -89.9+frac(float64(i)*0.4142135623)*0.6), onMarket: time.Date(2025, 1+time.Month(i%12), 1+i%28, 0, 0, 0, 0, time.UTC),
			remarks:    fmt.Sprintf("Bright home number %d with updated kitchen, hardwood floors and a large yard near parks and schools.", i),
			appliances: []string{"Dishwasher", "Range", "Refrigerator"}[:1+i%3],
		}
	}
	return out
}

// frac is x's fractional part: scatters generated coordinates (points on a
// line would make the geo index's GiST splits degenerate, which no real
// market looks like).
func frac(x float64) float64 { return x - math.Floor(x) }

const benchHeader = "ListingKey,ListingId,StandardStatus,PropertyType,ListPrice,UnparsedAddress,City,StateOrProvince,PostalCode," +
	"Latitude,Longitude,BedroomsTotal,BathroomsTotalInteger,LivingArea,YearBuilt,OnMarketDate,PublicRemarks,Appliances\n"

func benchCSV(ls []benchListing) []byte {
	var b bytes.Buffer
	b.WriteString(benchHeader)
	for _, l := range ls {
		fmt.Fprintf(&b, "%s,%s,%s,%s,%d,%s,%s,%s,%s,%s,%s,%d,%s,%s,%d,%s,%q,%q\n", l.key, l.key, l.status, l.ptype, l.price,
			l.street, l.city, l.state, l.postal, l.lat, l.lng, l.beds, l.baths, l.area, l.year, l.onMarket.Format(time.DateOnly),
			l.remarks, strings.Join(l.appliances, ","))
	}
	return b.Bytes()
}

// BenchmarkImport measures the importer on 100,000 rows (REALTY_BENCH_ROWS
// to change) against a raw COPY of the same rows into listing.listings,
// with its triggers and indexes. Run with -benchtime=1x: each iteration
// imports into a fresh organization.
func BenchmarkImport(b *testing.B) {
	n := 100_000
	if v, err := strconv.Atoi(os.Getenv("REALTY_BENCH_ROWS")); err == nil && v > 0 {
		n = v
	}
	env := fixturetest.New(b)
	ls := benchListings(n)
	data := benchCSV(ls)
	ctx := context.Background()
	orgs := 0
	newOrg := func() realty.Actor {
		orgs++
		return realty.System(env.Organization(b, fmt.Sprintf("bench-%d", orgs)).Organization.ID)
	}
	lanes := 0
	importOnce := func(actor realty.Actor) listing.ImportResult {
		res, err := env.Listing.ImportFile(ctx, actor, bytes.NewReader(data),
			listing.ImportOptions{Format: listing.FormatCSV, Source: "BENCH", Lanes: lanes})
		if err != nil || res.Inserted+res.Updated+res.Unchanged != n {
			b.Fatalf("import: %+v %v", res, err)
		}
		return res
	}
	b.Run("import", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			b.StopTimer()
			actor := newOrg()
			b.StartTimer()
			importOnce(actor)
		}
		b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "rows/s")
	})
	b.Run("import_one_lane", func(b *testing.B) {
		lanes = 1
		defer func() { lanes = 0 }()
		for i := 0; i < b.N; i++ {
			b.StopTimer()
			actor := newOrg()
			b.StartTimer()
			importOnce(actor)
		}
		b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "rows/s")
	})
	b.Run("reimport_unchanged", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			b.StopTimer()
			actor := newOrg()
			importOnce(actor)
			b.StartTimer()
			if res := importOnce(actor); res.Unchanged != n {
				b.Fatalf("re-import changed rows: %+v", res)
			}
		}
		b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "rows/s")
	})
	b.Run("raw_copy", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			b.StopTimer()
			actor := newOrg()
			props := copyProperties(b, env, actor, ls)
			b.StartTimer()
			copyListings(b, env, actor, ls, props)
		}
		b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "rows/s")
	})
	b.Run("raw_copy_with_properties", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			b.StopTimer()
			actor := newOrg()
			b.StartTimer()
			props := copyProperties(b, env, actor, ls)
			copyListings(b, env, actor, ls, props)
		}
		b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "rows/s")
	})
}

// adminTx runs fn in a transaction of the superuser, scoped to actor's
// organization like the runtime's: PostgreSQL refuses COPY FROM into a table
// under row-level security, so a raw COPY needs a role that bypasses it.
func adminTx(env fixturetest.Env, actor realty.Actor, fn func(pgx.Tx) error) error {
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, env.DB.AdminURL)
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	pgxdecimal.Register(conn.TypeMap())
	return pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, postgres.ScopeSQL(ctx, actor)); err != nil {
			return err
		}
		return fn(tx)
	})
}

// copyProperties COPYs one property per listing and returns their ids.
func copyProperties(b *testing.B, env fixturetest.Env, actor realty.Actor, ls []benchListing) []realty.ID {
	ids := make([]realty.ID, len(ls))
	rows := make([][]any, len(ls))
	for i, l := range ls {
		ids[i] = realty.NewID()
		rows[i] = []any{actor.OrgID, ids[i], l.street, l.street, l.city, l.state, l.postal, "US",
			decimal.RequireFromString(l.lat), decimal.RequireFromString(l.lng)}
	}
	err := adminTx(env, actor, func(tx pgx.Tx) error {
		_, err := tx.CopyFrom(context.Background(), pgx.Identifier{"property", "properties"}, []string{"organization_id", "id", "name",
			"address_line1", "city", "state_province", "postal_code", "country", "latitude", "longitude"}, pgx.CopyFromRows(rows))
		return err
	})
	if err != nil {
		b.Fatal(err)
	}
	return ids
}

// copyListings COPYs the listings straight into listing.listings: the
// baseline an import is measured against.
func copyListings(b *testing.B, env fixturetest.Env, actor realty.Actor, ls []benchListing, props []realty.ID) {
	rows := make([][]any, len(ls))
	for i, l := range ls {
		rows[i] = []any{actor.OrgID, props[i], l.key, l.key, "BENCH", l.key, "sale", l.status, l.ptype, decimal.NewFromInt(int64(l.price)),
			l.street, l.city, l.state, l.postal, "US", decimal.RequireFromString(l.lat), decimal.RequireFromString(l.lng), l.beds,
			decimal.RequireFromString(l.baths), decimal.RequireFromString(l.area), l.year,
			pgtype.Date{Time: l.onMarket, Valid: true}, l.remarks, l.appliances}
	}
	err := adminTx(env, actor, func(tx pgx.Tx) error {
		_, err := tx.CopyFrom(context.Background(), pgx.Identifier{"listing", "listings"}, []string{"organization_id", "property_id",
			"listing_key", "listing_id", "originating_system_name", "originating_system_key", "list_type", "standard_status",
			"property_type", "list_price", "street_address", "city", "state_province", "postal_code", "country", "latitude",
			"longitude", "bedrooms_total", "bathrooms_total", "living_area", "year_built", "on_market_date", "public_remarks",
			"appliances"}, pgx.CopyFromRows(rows))
		return err
	})
	if err != nil {
		b.Fatal(err)
	}
}
