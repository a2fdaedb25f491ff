package main

import (
	"fmt"
	"os"
	"runtime"
	"strings"
	"time"
)

// page renders docs/search.md.
func page(o options, d data, rs []result) string {
	var b strings.Builder
	b.WriteString(`# Listing search: shapes, indexes and plans

` + "`GET /api/v1/listings`" + ` (and the dashboard's search page) turn filters into one SQL
statement over ` + "`listing.listings`" + `, built in ` + "`internal/listing/search.go`" + ` and
` + "`filters.go`" + `. Every shape below is served by an index of migration 0004 (0007 for
price without status, 0008 for text); the plans are PostgreSQL's own, captured by
` + "`bench/searchdoc`" + ` running exactly the SQL realty sends, as the runtime role with the
organization set, so row-level security is part of every plan.

How the shapes stay on their indexes:

- **Every index leads with ` + "`organization_id`" + `**, and every query names it: row-level
  security adds the same condition, and PostgreSQL uses either.
- **Sorted shapes read in index order and stop**: status + city + price walks
  ` + "`(organization_id, standard_status, city_key, list_price, id)`" + `; the page's 21st row
  (one more than asked, to know whether another page follows) ends the scan. Keyset cursors
  continue with ` + "`(key, id) > (…)`" + ` on the same index, so page 100 costs what page 1 does.
- **City is compared through a stored lower-case column** (` + "`city_key`" + `): under
  row-level security a condition on a function that is not LEAKPROOF (` + "`lower(city)`" + `)
  is evaluated after the policy and never becomes an index condition. Migration 0001 marks
  the comparison operators searches use LEAKPROOF for the same reason (` + "`realty doctor`" + `
  checks it).
- **Radius** uses a GiST index on ` + "`(organization_id, ll_to_earth(lat, lng))`" + ` (btree_gist +
  earthdistance): ` + "`earth_box(centre, r) @> point`" + ` is the indexable box, and
  ` + "`earth_distance(…) <= r`" + ` trims its corners.
- **Full text** matches ` + "`search_document @@ websearch_to_tsquery('english', q)`" + ` (the
  document is address, features and remarks, weighted, maintained by a trigger), or a
  partial street address by ` + "`street_address ILIKE '%q%'`" + `; the two are combined by a
  BitmapOr and ranked by ` + "`ts_rank`" + `. Both GIN indexes lead with ` + "`organization_id`" + `
  (the ` + "`btree_gin`" + ` extension, migration 0008): without it a common word returned every
  organization's matches (110,000 of a million for "pool") before the organization was
  applied, and the search took 22 ms instead of 6. What remains is ranking: every match of
  the organization is ranked before the best 21 are kept.
- **Counts are asked for** (` + "`count=true`" + `); a page never counts by itself.

`)
	fmt.Fprintf(&b, "## Latency, one client\n\n%d listings in %d organizations (`realty seed --scale`); the searched organization, `%s`, holds %d of them. "+
		"Each shape ran %d times after a warm-up, one request at a time, with parameters varying between requests "+
		"(cities, price bands, agents, words). **API** is `GET /api/v1/listings` over HTTP with an API key, measured by the client; "+
		"**SQL** is the same statement through pgx without realty (the scoping statement and the query in one pipeline, rows decoded).\n\n",
		d.total, d.orgs, o.slug, d.listings, o.n)
	b.WriteString("| shape | what | index | API p50 | API p99 | SQL p50 | SQL p99 |\n|---|---|---|---:|---:|---:|---:|\n")
	for _, r := range rs {
		fmt.Fprintf(&b, "| `%s` | %s | `%s` | %.2f ms | %.2f ms | %.2f ms | %.2f ms |\n",
			r.shape.name, r.shape.what, r.shape.index, r.api.p50, r.api.p99, r.sql.p50, r.sql.p99)
	}
	host, _ := os.Hostname()
	fmt.Fprintf(&b, "\nMeasured %s on %s (%d cores, %s), %s, client, realty and PostgreSQL on the same machine. Produced by:\n\n",
		time.Now().UTC().Format("2006-01-02"), host, runtime.NumCPU(), runtime.Version(), strings.Fields(d.pg)[0]+" "+strings.Fields(d.pg)[1])
	fmt.Fprintf(&b, "    go run ./bench/searchdoc -data-dir DIR -url %s -key rk_… -org %s -n %d\n\n", o.base, o.slug, o.n)
	b.WriteString(limits)
	b.WriteString("## Plans\n\nEXPLAIN (ANALYZE, BUFFERS) of each shape's first parameters, after the timed runs (so the cache is warm, as in service).\n")
	for _, r := range rs {
		v, _ := r.shape.query(0)
		fmt.Fprintf(&b, "\n### `%s`\n\n`GET /api/v1/listings?%s`\n\n```\n%s\n```\n", r.shape.name, v.Encode(), r.plan)
	}
	return b.String()
}

// limits are what the plans below do not show.
const limits = `## Known limits

- **Dense radius searches sorted by distance** read every listing inside the radius and sort them:
  the GiST index finds the box, not the nearest first. An organization with 100,000 listings packed
  within 50 km (the benchmark's import workload leaves such organizations behind) answers a 5 km
  nearest-first search in about 70 ms. A KNN ordering (` + "`<->`" + ` on the cube) would read only the first
  page, at the cost of a different cursor; not done yet.
- **Full text ranks every match** of the organization before keeping the best page: a common word
  matching a tenth of a 10,000-listing organization costs 5–7 ms, and its tail grows with the number
  of matches.

`
