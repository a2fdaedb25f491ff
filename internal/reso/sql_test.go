package reso

import (
	"context"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/shopspring/decimal"

	"realty"
	"realty/internal/fixture/fixturetest"
	"realty/internal/listing"
	"realty/internal/postgres"
	"realty/internal/property"
)

func ptr[T any](v T) *T { return &v }

// TestEveryFieldRuns runs, on real PostgreSQL, a query per field of every
// entity set that selects, filters and orders by it, so no expression in
// the tables can fail at run time.
func TestEveryFieldRuns(t *testing.T) {
	t.Parallel()
	env := fixturetest.New(t)
	actor := env.Organization(t, "acme").Personas["owner"].Actor
	for _, set := range entitySets {
		for _, f := range set.Fields {
			v := url.Values{"$select": {f.Name}, "$count": {"true"}, "$top": {"1"}, "$skip": {"1"}}
			switch {
			case f.NoFilter:
			case f.Kind == kCollection:
				v.Set("$filter", f.Name+"/all(x: x ne '"+f.Enum.Members[0]+"') or "+f.Name+"/any()")
			default:
				v.Set("$filter", f.Name+" eq null or "+f.Name+" ne null")
				v.Set("$orderby", f.Name+" desc")
			}
			runQuery(t, env.Pool, actor, set, v)
		}
	}
}

// TestFilterCorpusRuns runs every seed of the fuzz corpus that translates,
// as a full Property query, on real PostgreSQL.
func TestFilterCorpusRuns(t *testing.T) {
	t.Parallel()
	env := fixturetest.New(t)
	actor := env.Organization(t, "acme").Personas["owner"].Actor
	seeds, err := filepath.Glob("testdata/fuzz/FuzzParseFilter/*")
	if err != nil || len(seeds) < 20 {
		t.Fatalf("seed corpus: %d files, %v", len(seeds), err)
	}
	ran := 0
	for _, path := range seeds {
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		line := strings.TrimSpace(strings.SplitN(string(b), "\n", 2)[1])
		filter, err := strconv.Unquote(strings.TrimSuffix(strings.TrimPrefix(line, "string("), ")"))
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		if _, _, err := translateFilter(propertySet, filter, 1); err != nil {
			continue
		}
		runQuery(t, env.Pool, actor, propertySet, url.Values{"$filter": {filter}, "$count": {"true"}})
		ran++
	}
	if ran < 15 {
		t.Fatalf("only %d seeds translate", ran)
	}
}

func runQuery(t *testing.T, pool *postgres.Pool, actor realty.Actor, set *entitySet, v url.Values) {
	t.Helper()
	o, err := parseOptions(set, v.Encode(), false)
	if err != nil {
		t.Fatalf("%s %v: %v", set.Name, v, err)
	}
	q, err := collectionQuery(set, actor, o)
	if err != nil {
		t.Fatalf("%s %v: %v", set.Name, v, err)
	}
	err = postgres.ReadBatch(context.Background(), pool, actor, func(b *pgx.Batch) {
		b.Queue(q.countSQL, q.countArgs...)
		b.Queue(q.sql, q.args...)
	}, func(br pgx.BatchResults) error {
		if _, err := br.Exec(); err != nil {
			return err
		}
		_, err := br.Exec()
		return err
	})
	if err != nil {
		t.Errorf("%s %v: %v\n%s", set.Name, v, err, q.sql)
	}
}

// TestContainsUsesTrigramIndex plans contains on City and UnparsedAddress
// over 10,000 listings of 400 towns in one organization (and 1,000 of
// another): the organization-led trigram indexes serve them. Sequential
// scans are off in the transaction so that the check holds whatever the
// statistics say; the assertion is that an index for the LIKE exists and
// applies to the SQL the translator writes.
func TestContainsUsesTrigramIndex(t *testing.T) {
	t.Parallel()
	env := fixturetest.New(t)
	ctx := context.Background()
	actor := env.Organization(t, "acme").Personas["agent"].Actor
	other := env.Organization(t, "globex").Personas["agent"].Actor
	admin, err := pgx.Connect(ctx, env.DB.AdminURL)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close(ctx)
	for _, c := range []struct {
		actor realty.Actor
		n     int
	}{{actor, 10000}, {other, 1000}} {
		first, err := env.Listing.Create(ctx, c.actor, listing.Input{ListingKey: "seed",
			Property: &property.Input{AddressLine1: "1 Seed St", City: "Austin", StateProvince: "TX"},
			Fields:   listing.Fields{ListPrice: ptr(decimal.NewFromInt(100000))}})
		if err != nil {
			t.Fatal(err)
		}
		err = pgx.BeginFunc(ctx, admin, func(tx pgx.Tx) error {
			if _, err := tx.Exec(ctx, postgres.ScopeSQL(ctx, realty.Actor{OrgID: c.actor.OrgID})); err != nil {
				return err
			}
			_, err := tx.Exec(ctx, `INSERT INTO listing.listings (organization_id, property_id, listing_key, standard_status,
					list_price, street_address, city, state_province)
				SELECT $1, $2, 'K-' || i, 'Active', 100000 + i,
					i || CASE WHEN i % 89 = 0 THEN ' Quail Hollow Lane' ELSE ' Elm Street' END,
					CASE WHEN i % 97 = 0 THEN 'Austin' ELSE 'Town ' || i % 400 END, 'TX'
				FROM generate_series(1, $3::int) i`, c.actor.OrgID, first.PropertyID, c.n)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if _, err := admin.Exec(ctx, "VACUUM ANALYZE listing.listings"); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ filter, index string }{
		{"contains(City,'ustin')", "listings_org_city_trgm_idx"},
		{"contains(City,'ustin') and length(City) eq 6", "listings_org_city_trgm_idx"},
		{"startswith(City,'Austi')", "listings_org_city_trgm_idx"},
		{"contains(UnparsedAddress,'Quail Hol')", "listings_org_address_trgm_idx"},
	} {
		o, err := parseOptions(propertySet, url.Values{"$filter": {c.filter}, "$count": {"true"}}.Encode(), false)
		if err != nil {
			t.Fatal(err)
		}
		q, err := collectionQuery(propertySet, actor, o)
		if err != nil {
			t.Fatal(err)
		}
		for _, stmt := range []struct {
			sql  string
			args []any
		}{{q.countSQL, q.countArgs}, {q.sql, q.args}} {
			plan := explain(t, env.Pool, actor, stmt.sql, stmt.args)
			if !likeInIndex(plan, c.index) {
				t.Errorf("%s: the plan does not match the LIKE in %s:\n%s", c.filter, c.index, plan)
			}
		}
	}
}

// likeInIndex says the plan scans index with a LIKE (~~) in its condition,
// not only the organization (which the btree_gin column matches too).
func likeInIndex(plan, index string) bool {
	lines := strings.Split(plan, "\n")
	for i, line := range lines[:len(lines)-1] {
		if strings.Contains(line, "Index Scan on "+index) && strings.Contains(lines[i+1], "Index Cond:") && strings.Contains(lines[i+1], "~~") {
			return true
		}
	}
	return false
}

// explain is the plan of sql run as actor with sequential scans off.
func explain(t *testing.T, pool *postgres.Pool, actor realty.Actor, sql string, args []any) string {
	t.Helper()
	ctx := context.Background()
	var lines []string
	err := postgres.Tx(ctx, pool, actor, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, "SET LOCAL enable_seqscan = off"); err != nil {
			return err
		}
		rows, err := tx.Query(ctx, "EXPLAIN "+sql, args...)
		if err != nil {
			return err
		}
		lines, err = pgx.CollectRows(rows, pgx.RowTo[string])
		return err
	})
	if err != nil {
		t.Fatalf("%v\n%s", err, sql)
	}
	return strings.Join(lines, "\n")
}
