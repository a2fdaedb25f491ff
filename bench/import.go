package main

import (
	"bytes"
	"context"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"time"

	pgxdecimal "github.com/jackc/pgx-shopspring-decimal"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/shopspring/decimal"

	"realty"
	"realty/internal/postgres"
)

// importRow is one generated listing of the W4 file.
type importRow struct {
	key, street, city, postal, status, remarks string
	price, beds, year, baths, area             int
	lat, lng                                   float64
	onMarket                                   time.Time
}

// importRows are n listings with keys unique to the run.
func importRows(run, n int) []importRow {
	out := make([]importRow, n)
	frac := func(x float64) float64 { return x - math.Floor(x) }
	cities := []string{"Springfield", "Shelbyville", "Ogdenville", "North Haverbrook", "Capital City", "Brockway"}
	for i := range out {
		out[i] = importRow{key: fmt.Sprintf("W4-%d-%07d", run, i),
			street: fmt.Sprintf("%d %s Avenue", 100+i%9000, []string{"Oak", "Elm", "Maple", "Cedar"}[i%4]+fmt.Sprint(i/9000)),
			city:   cities[i%len(cities)], postal: fmt.Sprintf("62%03d", i%1000),
			status: []string{"Active", "Pending", "Closed", "ComingSoon"}[i%4], price: 150000 + (i*7919)%900000,
			beds: 1 + i%6, year: 1950 + i%70, baths: 1 + i%4, area: 800 + i%3000,
			lat: 39.5 + frac(float64(i)*0.6180339887)*0.5, lng: -89.9 + frac(float64(i)*0.4142135623)*0.6,
			onMarket: time.Date(2025, 1+time.Month(i%12), 1+i%28, 0, 0, 0, 0, time.UTC),
			remarks:  fmt.Sprintf("Bright home number %d with updated kitchen, hardwood floors and a large yard.", i)}
	}
	return out
}

// importCSV writes the rows as a RESO CSV file.
func importCSV(rows []importRow, path string) error {
	var b bytes.Buffer
	b.WriteString("ListingKey,ListingId,StandardStatus,PropertyType,ListPrice,UnparsedAddress,City,StateOrProvince,PostalCode," +
		"Latitude,Longitude,BedroomsTotal,BathroomsTotalInteger,LivingArea,YearBuilt,OnMarketDate,PublicRemarks\n")
	for _, r := range rows {
		fmt.Fprintf(&b, "%s,%s,%s,Residential,%d,%s,%s,IL,%s,%.6f,%.6f,%d,%d,%d,%d,%s,%q\n", r.key, r.key, r.status, r.price,
			r.street, r.city, r.postal, r.lat, r.lng, r.beds, r.baths, r.area, r.year, r.onMarket.Format(time.DateOnly), r.remarks)
	}
	return os.WriteFile(path, b.Bytes(), 0o644)
}

// importRealty times `realty import reso` of the file into the organization.
func importRealty(ctx context.Context, s *server, slug, path string, n int) (float64, error) {
	start := time.Now()
	out, err := s.realtyCmd(ctx, "", "import", "reso", "--org", slug, "--source", "BENCH", path)
	if err != nil {
		return 0, err
	}
	secs := time.Since(start).Seconds()
	if !strings.Contains(out, fmt.Sprintf("%d inserted", n)) {
		return 0, fmt.Errorf("import did not insert %d rows: %s", n, lastLines(out, 3))
	}
	return float64(n) / secs, nil
}

// importRaw times a raw COPY of the same rows, a property per listing and
// the listings, into listing.listings with its triggers and indexes, in one
// transaction of the superuser (PostgreSQL refuses COPY FROM into a table
// under row-level security, so only a role that bypasses it can).
func importRaw(ctx context.Context, s *server, orgID realty.ID, rows []importRow) (float64, error) {
	conn, err := pgx.Connect(ctx, adminURL(s))
	if err != nil {
		return 0, err
	}
	defer conn.Close(ctx)
	pgxdecimal.Register(conn.TypeMap())
	props := make([][]any, len(rows))
	listings := make([][]any, len(rows))
	for i, r := range rows {
		id := realty.NewID()
		lat, lng := decimal.NewFromFloat(r.lat).Round(6), decimal.NewFromFloat(r.lng).Round(6)
		props[i] = []any{orgID, id, r.street, r.street, r.city, "IL", r.postal, "US", lat, lng}
		listings[i] = []any{orgID, id, r.key, r.key, "BENCH", r.key, "sale", r.status, "Residential", decimal.NewFromInt(int64(r.price)),
			r.street, r.city, "IL", r.postal, "US", lat, lng, r.beds, decimal.NewFromInt(int64(r.baths)), decimal.NewFromInt(int64(r.area)),
			r.year, pgtype.Date{Time: r.onMarket, Valid: true}, r.remarks}
	}
	start := time.Now()
	err = pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, postgres.ScopeSQL(ctx, realty.Actor{OrgID: orgID})); err != nil {
			return err
		}
		if _, err := tx.CopyFrom(ctx, pgx.Identifier{"property", "properties"}, []string{"organization_id", "id", "name",
			"address_line1", "city", "state_province", "postal_code", "country", "latitude", "longitude"}, pgx.CopyFromRows(props)); err != nil {
			return err
		}
		_, err := tx.CopyFrom(ctx, pgx.Identifier{"listing", "listings"}, []string{"organization_id", "property_id",
			"listing_key", "listing_id", "originating_system_name", "originating_system_key", "list_type", "standard_status",
			"property_type", "list_price", "street_address", "city", "state_province", "postal_code", "country", "latitude",
			"longitude", "bedrooms_total", "bathrooms_total", "living_area", "year_built", "on_market_date", "public_remarks"},
			pgx.CopyFromRows(listings))
		return err
	})
	if err != nil {
		return 0, err
	}
	return float64(len(rows)) / time.Since(start).Seconds(), nil
}

// adminURL is the embedded cluster's superuser over its socket.
func adminURL(s *server) string {
	return "host=" + s.socketDir() + " user=postgres dbname=realty"
}

// freshOrg creates an organization of its own for one import (slug
// w4-…), so the seeded organizations the read workloads use stay as seeded.
func freshOrg(ctx context.Context, s *server, slug string) (realty.ID, error) {
	out, err := s.realtyCmd(ctx, "", "org", "create", "--name", "Import "+slug, "--slug", slug)
	if err != nil {
		return realty.ID{}, err
	}
	return realty.ParseID(strings.TrimSpace(lastLines(out, 1)))
}

// w4 runs the import comparison runs times, each into fresh organizations
// (realty's import into one, the raw COPY into another), and returns the
// median rows/s of each.
func w4(ctx context.Context, s *server, work string, n, runs int) (realtyRate, rawRate float64, err error) {
	var rs, raws []float64
	stamp := time.Now().UTC().Format("20060102150405")
	for r := range runs {
		slug := fmt.Sprintf("w4-%s-%d", stamp, r)
		if _, err := freshOrg(ctx, s, slug); err != nil {
			return 0, 0, err
		}
		rawOrg, err := freshOrg(ctx, s, slug+"-copy")
		if err != nil {
			return 0, 0, err
		}
		rows := importRows(r, n)
		path := filepath.Join(work, fmt.Sprintf("w4-%d.csv", r))
		if err := importCSV(rows, path); err != nil {
			return 0, 0, err
		}
		rate, err := importRealty(ctx, s, slug, path, n)
		if err != nil {
			return 0, 0, err
		}
		raw, err := importRaw(ctx, s, rawOrg, rows)
		if err != nil {
			return 0, 0, err
		}
		fmt.Fprintf(os.Stderr, "  W4 run %d: realty %.0f rows/s, raw COPY %.0f rows/s\n", r+1, rate, raw)
		rs, raws = append(rs, rate), append(raws, raw)
		_ = os.Remove(path)
	}
	return medianOf(rs), medianOf(raws), nil
}

func medianOf(xs []float64) float64 {
	s := append([]float64(nil), xs...)
	for i := range s {
		for j := i + 1; j < len(s); j++ {
			if s[j] < s[i] {
				s[i], s[j] = s[j], s[i]
			}
		}
	}
	return s[len(s)/2]
}
