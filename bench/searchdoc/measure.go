package main

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"realty"
	"realty/internal/listing"
	"realty/internal/postgres"
)

type latency struct{ p50, p99 float64 }

type result struct {
	shape    shape
	api, sql latency
	rows     int
	plan     string
}

// measure runs one shape n times through the API and n times as SQL, one
// request at a time, after a warm-up, and explains it once.
func measure(ctx context.Context, pool *postgres.Pool, o options, d data, s shape) (result, error) {
	r := result{shape: s}
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 1}}
	api := func(i int) error {
		v, _ := s.query(i)
		return httpGet(ctx, client, o.base+"/api/v1/listings?"+v.Encode(), o.key)
	}
	sql := func(i int) error {
		_, q := s.query(i)
		_, err := runSQL(ctx, pool, d, q)
		return err
	}
	var err error
	if r.api, err = timeN(o.n, api); err != nil {
		return r, err
	}
	if r.sql, err = timeN(o.n, sql); err != nil {
		return r, err
	}
	_, q := s.query(0)
	r.plan, err = explain(ctx, pool, d, q)
	return r, err
}

// timeN runs f a tenth of n times to warm up, then n times timed.
func timeN(n int, f func(int) error) (latency, error) {
	for i := range max(n/10, 10) {
		if err := f(i); err != nil {
			return latency{}, err
		}
	}
	ds := make([]float64, 0, n)
	for i := range n {
		t := time.Now()
		if err := f(i); err != nil {
			return latency{}, err
		}
		ds = append(ds, float64(time.Since(t).Microseconds())/1000)
	}
	slices.Sort(ds)
	return latency{ds[len(ds)/2], ds[len(ds)*99/100]}, nil
}

// runSQL sends what realty sends for q (postgres.ReadBatch: the scoping, the
// page and the count in one pipeline), and reads every row.
func runSQL(ctx context.Context, pool *postgres.Pool, d data, q listing.Query) (int, error) {
	sql, args, err := listing.SearchSQL(d.actor, q)
	if err != nil {
		return 0, err
	}
	n := 0
	err = postgres.ReadBatch(realty.WithRequestID(ctx, "searchdoc"), pool, d.actor, func(b *pgx.Batch) {
		b.Queue(sql, args)
		if q.Count {
			count, cargs, _ := listing.SearchCountSQL(d.actor, q)
			b.Queue(count, cargs)
		}
	}, func(br pgx.BatchResults) error {
		rows, err := br.Query()
		if err != nil {
			return err
		}
		for rows.Next() {
			if _, err := rows.Values(); err != nil {
				rows.Close()
				return err
			}
			n++
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		if q.Count {
			var total int
			return br.QueryRow().Scan(&total)
		}
		return nil
	})
	return n, err
}

// explain returns EXPLAIN (ANALYZE, BUFFERS) of q's page query (and count),
// run as the runtime role scoped to the organization.
func explain(ctx context.Context, pool *postgres.Pool, d data, q listing.Query) (string, error) {
	var out []string
	err := postgres.Tx(ctx, pool, d.actor, func(tx pgx.Tx) error {
		sqls := []func() (string, pgx.NamedArgs, error){
			func() (string, pgx.NamedArgs, error) { return listing.SearchSQL(d.actor, q) },
		}
		if q.Count {
			sqls = append(sqls, func() (string, pgx.NamedArgs, error) { return listing.SearchCountSQL(d.actor, q) })
		}
		for _, f := range sqls {
			sql, args, err := f()
			if err != nil {
				return err
			}
			rows, err := tx.Query(ctx, "EXPLAIN (ANALYZE, BUFFERS) "+sql, args)
			if err != nil {
				return err
			}
			lines, err := pgx.CollectRows(rows, pgx.RowTo[string])
			if err != nil {
				return err
			}
			out = append(out, strings.Join(lines, "\n"))
		}
		return nil
	})
	if err != nil {
		return "", fmt.Errorf("explain: %w", err)
	}
	return strings.Join(out, "\n\n"), nil
}
