// Command searchdoc measures listing search on a loaded database and writes
// docs/search.md: for each main search shape, the plan PostgreSQL runs
// (EXPLAIN ANALYZE, BUFFERS, as the runtime role under row-level security,
// exactly the SQL realty sends) and single-client latency, through realty's
// API and as the same SQL without realty.
//
//	go run ./bench/searchdoc -data-dir /dev/shm/realty-bench-1000000-100 \
//	    -url http://127.0.0.1:8080 -key rk_… -org seed-001
//
// The database must hold data (realty seed --scale), realty must be serving
// it at -url, and -key must be an API key of -org with listing.read.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"github.com/jackc/pgx/v5"

	"realty"
	"realty/internal/listing"
	"realty/internal/postgres"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "searchdoc:", err)
		os.Exit(1)
	}
}

type options struct {
	dataDir, dbURL, adminURL, base, key, slug, out string
	n                                              int
}

func run() error {
	var o options
	flag.StringVar(&o.dataDir, "data-dir", "", "embedded cluster's data directory (its socket is used)")
	flag.StringVar(&o.dbURL, "database-url", "", "runtime-role URL instead of -data-dir")
	flag.StringVar(&o.adminURL, "admin-url", "", "superuser URL, to find the organization (default: the cluster's superuser with -data-dir)")
	flag.StringVar(&o.base, "url", "http://127.0.0.1:8080", "realty's address")
	flag.StringVar(&o.key, "key", "", "API key of -org with listing.read")
	flag.StringVar(&o.slug, "org", "seed-001", "organization searched")
	flag.IntVar(&o.n, "n", 1000, "requests per shape and path")
	flag.StringVar(&o.out, "out", "docs/search.md", "page to write")
	flag.Parse()
	if o.dbURL == "" {
		if o.dataDir == "" {
			return fmt.Errorf("give -data-dir or -database-url")
		}
		o.dbURL = "host=" + filepath.Join(o.dataDir, "run") + " user=" + postgres.RuntimeRole + " dbname=realty"
		if o.adminURL == "" {
			o.adminURL = "host=" + filepath.Join(o.dataDir, "run") + " user=postgres dbname=realty"
		}
	}
	ctx := context.Background()
	pool, err := postgres.OpenPool(ctx, o.dbURL, 2)
	if err != nil {
		return err
	}
	defer pool.Close()
	admin, err := pgx.Connect(ctx, o.adminURL)
	if err != nil {
		return fmt.Errorf("admin connection: %w", err)
	}
	defer admin.Close(ctx)
	d, err := loadData(ctx, pool, admin, o.slug)
	if err != nil {
		return err
	}
	var results []result
	for _, s := range shapes(d) {
		r, err := measure(ctx, pool, o, d, s)
		if err != nil {
			return fmt.Errorf("%s: %w", s.name, err)
		}
		fmt.Printf("%-22s api p50 %6.2f ms p99 %6.2f ms   sql p50 %6.2f ms p99 %6.2f ms\n", s.name, r.api.p50, r.api.p99, r.sql.p50, r.sql.p99)
		results = append(results, r)
	}
	return os.WriteFile(o.out, []byte(page(o, d, results)), 0o644)
}

// data is what the shapes draw their parameters from: the organization's
// cities with their centres, agents and a keyword from its remarks.
type data struct {
	actor    realty.Actor
	listings int
	total    int
	orgs     int
	cities   []city
	agents   []realty.ID
	pg       string
}

type city struct {
	Name     string  `db:"city"`
	Lat      float64 `db:"lat"`
	Lng      float64 `db:"lng"`
	Listings int     `db:"n"`
}

func loadData(ctx context.Context, pool *postgres.Pool, admin *pgx.Conn, slug string) (data, error) {
	var d data
	var orgID realty.ID
	err := admin.QueryRow(ctx, `SELECT id FROM org.organizations WHERE slug = $1`, slug).Scan(&orgID)
	if err != nil {
		return d, fmt.Errorf("organization %s: %w", slug, err)
	}
	d.actor = realty.Actor{OrgID: orgID, Permissions: []string{"listing.read"}}
	err = postgres.Read(ctx, pool, d.actor, func(rows pgx.Rows) error {
		var err error
		d.cities, err = pgx.CollectRows(rows, pgx.RowToStructByName[city])
		return err
	}, `SELECT city, avg(latitude)::float8 AS lat, avg(longitude)::float8 AS lng, count(*)::int AS n
		FROM listing.listings WHERE organization_id = $1 GROUP BY city ORDER BY n DESC LIMIT 10`, orgID)
	if err != nil {
		return d, err
	}
	err = postgres.Read(ctx, pool, d.actor, func(rows pgx.Rows) error {
		var err error
		d.agents, err = pgx.CollectRows(rows, pgx.RowTo[realty.ID])
		return err
	}, `SELECT DISTINCT list_agent_id FROM listing.listings WHERE organization_id = $1 AND list_agent_id IS NOT NULL LIMIT 10`, orgID)
	if err != nil {
		return d, err
	}
	err = admin.QueryRow(ctx, `SELECT (SELECT count(*) FROM listing.listings), (SELECT count(*) FROM listing.listings WHERE organization_id = $1),
		(SELECT count(*) FROM org.organizations), version()`, orgID).Scan(&d.total, &d.listings, &d.orgs, &d.pg)
	if len(d.cities) == 0 || len(d.agents) == 0 {
		return d, fmt.Errorf("organization %s has no listings with cities and agents: seed it first", slug)
	}
	return d, err
}

// shape is one search: its query for realty's API and for listing.SearchSQL,
// varying with i so a run does not repeat one cached answer.
type shape struct {
	name, what, index string
	query             func(i int) (url.Values, listing.Query)
}

func httpGet(ctx context.Context, c *http.Client, u, key string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+key)
	res, err := c.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		return err
	}
	if res.StatusCode != http.StatusOK || !strings.HasPrefix(string(body), `{"items":[`) {
		return fmt.Errorf("GET %s: %d %.200s", u, res.StatusCode, body)
	}
	return nil
}
