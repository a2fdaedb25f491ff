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

	"realty"
	"realty/internal/fixture/fixturetest"
	"realty/internal/postgres"
)

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
