package migrations

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// lintFrom is the first migration the index lint holds: 0001–0011 landed
// before the rule, and 0007–0009 among them built indexes on
// listing.listings inside the migration's transaction (locking writes to
// every listing for the build). Landed migrations are never edited, so the
// lint starts after them.
const lintFrom = 12

var (
	createTableRe  = regexp.MustCompile(`(?is)\bCREATE\s+(?:UNLOGGED\s+)?TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?([\w."]+)`)
	createIndexRe  = regexp.MustCompile(`(?is)\bCREATE\s+(?:UNIQUE\s+)?INDEX\s+(CONCURRENTLY\s+)?(?:IF\s+NOT\s+EXISTS\s+)?(?:[\w"]+\s+)?ON\s+(ONLY\s+)?([\w."]+)`)
	concurrentlyRe = regexp.MustCompile(`(?i)\b(?:INDEX|REINDEX\s+\w+)\s+CONCURRENTLY\b`)
	noTxRe         = regexp.MustCompile(`(?m)^--\s*\+goose\s+NO\s+TRANSACTION\s*$`)
	lineCommentRe  = regexp.MustCompile(`(?m)--.*$`)
)

// lintIndexBuilds returns what is wrong with a migration's index builds:
//   - CREATE INDEX on a table the migration did not create, without
//     CONCURRENTLY: a plain build blocks the table's writes until it ends.
//     ON ONLY a partitioned table is exempt: it only records the parent's
//     index (PostgreSQL cannot build that one concurrently; the partitions'
//     are built concurrently by migrate up, see 0012).
//   - a CONCURRENTLY build or drop in a file without "-- +goose NO
//     TRANSACTION": it cannot run inside the migration's transaction.
func lintIndexBuilds(sql string) []string {
	var problems []string
	noTx := noTxRe.MatchString(sql)
	code := lineCommentRe.ReplaceAllString(sql, "")
	created := map[string]bool{}
	for _, m := range createTableRe.FindAllStringSubmatch(code, -1) {
		created[tableName(m[1])] = true
	}
	for _, m := range createIndexRe.FindAllStringSubmatch(code, -1) {
		concurrent, only, table := m[1] != "", m[2] != "", tableName(m[3])
		if !concurrent && !only && !created[table] {
			problems = append(problems, fmt.Sprintf("CREATE INDEX on %s (not created by this migration) without CONCURRENTLY", table))
		}
	}
	if concurrentlyRe.MatchString(code) && !noTx {
		problems = append(problems, "CONCURRENTLY in a migration without -- +goose NO TRANSACTION")
	}
	return problems
}

func tableName(s string) string { return strings.ToLower(strings.ReplaceAll(s, `"`, "")) }

// TestIndexBuildsConcurrent holds every migration from lintFrom on to
// lintIndexBuilds.
func TestIndexBuildsConcurrent(t *testing.T) {
	checked := 0
	for _, name := range Files() {
		n, err := strconv.Atoi(name[:4])
		if err != nil {
			t.Fatalf("%s: no number", name)
		}
		if n < lintFrom {
			continue
		}
		b, err := FS.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		checked++
		for _, p := range lintIndexBuilds(string(b)) {
			t.Errorf("%s: %s", name, p)
		}
	}
	if checked == 0 {
		t.Fatalf("no migration from %04d on: the lint checked nothing", lintFrom)
	}
}

// TestIndexLint shows the lint on migrations written for it, and on the
// landed ones it would have refused.
func TestIndexLint(t *testing.T) {
	cases := []struct {
		name, sql string
		problems  int
	}{
		{"ErrPlainOnExisting", "-- +goose Up\nCREATE INDEX listings_x_idx ON listing.listings (organization_id, x);\n", 1},
		{"ErrUniqueIfNotExists", "-- +goose Up\nCREATE UNIQUE INDEX IF NOT EXISTS k ON org.members USING btree (organization_id, email);\n", 1},
		{"ErrConcurrentInTx", "-- +goose Up\nCREATE INDEX CONCURRENTLY listings_x_idx ON listing.listings (x);\n", 1},
		{"ErrDropConcurrentInTx", "-- +goose Up\nDROP INDEX CONCURRENTLY listing.listings_x_idx;\n", 1},
		{"ErrBoth", "-- +goose Up\nCREATE INDEX a ON listing.listings (x);\nCREATE INDEX CONCURRENTLY b ON listing.listings (y);\n", 2},
		{"OKConcurrent", "-- +goose NO TRANSACTION\n-- +goose Up\nCREATE INDEX CONCURRENTLY IF NOT EXISTS listings_x_idx ON listing.listings (x);\n", 0},
		{"OKNewTable", "-- +goose Up\nCREATE TABLE crm.leads (organization_id uuid, id uuid);\nCREATE INDEX leads_idx ON crm.leads (organization_id);\n", 0},
		{"OKOnOnly", "-- +goose NO TRANSACTION\n-- +goose Up\nCREATE INDEX changes_x_idx ON ONLY audit.changes (x);\n", 0},
		{"OKInComment", "-- +goose Up\n-- CREATE INDEX a ON listing.listings (x) is what 0007 did\nSELECT 1;\n", 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := lintIndexBuilds(c.sql); len(got) != c.problems {
				t.Fatalf("lint found %q, want %d problems", got, c.problems)
			}
		})
	}
	for _, name := range []string{"0007_listing_price_index.sql", "0008_listing_text_index.sql", "0009_geo_point.sql"} {
		b, err := FS.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		if len(lintIndexBuilds(string(b))) == 0 {
			t.Errorf("%s built an index on listing.listings in its transaction, yet passes the lint", name)
		}
	}
}
