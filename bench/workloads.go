package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"sync"

	"github.com/jackc/pgx/v5"

	"realty"
	"realty/internal/listing"
	"realty/internal/postgres"
	"realty/internal/reso"
)

// target is one side of a comparison: how to send request i of client c.
type target struct {
	name string
	do   request
	// server is the process whose CPU counts as the server's (none for raw SQL).
	server func() []int
}

// workload is a read workload measured against realty and its raw SQL.
type workload struct {
	ID, Name string
	realty   target
	raw      target
}

// rngs hands each client its own deterministic random source, per target,
// so realty and the raw SQL see the same stream of requests.
type rngs struct {
	mu   sync.Mutex
	seed uint64
	m    map[int]*rand.Rand
}

func newRNGs(seed uint64) *rngs { return &rngs{seed: seed, m: map[int]*rand.Rand{}} }

func (r *rngs) of(client int) *rand.Rand {
	r.mu.Lock()
	defer r.mu.Unlock()
	g, ok := r.m[client]
	if !ok {
		g = rand.New(rand.NewPCG(r.seed, uint64(client)))
		r.m[client] = g
	}
	return g
}

// env is what the workloads need.
type env struct {
	srv    *server
	orgs   []*orgData
	client *http.Client
	raw    *postgres.Pool
}

// get sends an authenticated GET and checks a 200 whose body starts with
// prefix.
func (e *env) get(ctx context.Context, path, key, prefix string) error {
	status, body, err := fetch(ctx, e.client, e.srv.url+path, "Bearer "+key)
	if err != nil {
		return err
	}
	if status != http.StatusOK || !bytes.HasPrefix(body, []byte(prefix)) {
		return fmt.Errorf("GET %s: %d %.200s", path, status, body)
	}
	return nil
}

// fetch sends a GET with an Authorization header and returns the status
// and the whole body.
func fetch(ctx context.Context, client *http.Client, url, authorization string) (int, []byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Authorization", authorization)
	res, err := client.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	return res.StatusCode, body, err
}

// sql sends what realty sends for a read (postgres.Read: the scoping and the
// query in one pipeline, the query prepared and cached per connection), and
// decodes every row.
func (e *env) sql(ctx context.Context, actor realty.Actor, query string, args ...any) error {
	ctx = realty.WithRequestID(ctx, "bench")
	return postgres.Read(ctx, e.raw, actor, func(rows pgx.Rows) error {
		for rows.Next() {
			if _, err := rows.Values(); err != nil {
				return err
			}
		}
		return rows.Err()
	}, query, args...)
}

// readWorkloads are W1 (one per shape), W2, W3 and W9 (list and timeline).
func readWorkloads(e *env) []workload {
	var out []workload
	for _, shape := range Shapes {
		out = append(out, e.w1(shape))
	}
	return append(out, e.w2(), e.w3(), e.w9list(), e.w9timeline())
}

func (e *env) w1(shape string) workload {
	api, raw := newRNGs(1), newRNGs(1)
	return workload{ID: "W1", Name: shape,
		realty: target{"realty", func(ctx context.Context, c, _ int) error {
			o, s := searchFor(api.of(c), e.orgs, shape)
			return e.get(ctx, "/api/v1/listings?"+apiQuery(s).Encode(), o.Key, `{"items":[`)
		}, e.srv.pid},
		raw: target{"raw SQL", func(ctx context.Context, c, _ int) error {
			o, s := searchFor(raw.of(c), e.orgs, shape)
			sql, args, err := listing.SearchSQL(o.actor, listingQuery(s))
			if err != nil {
				return err
			}
			return e.sql(ctx, o.actor, sql, args)
		}, none}}
}

func (e *env) w2() workload {
	api, raw := newRNGs(2), newRNGs(2)
	return workload{ID: "W2", Name: "radius_text",
		realty: target{"realty", func(ctx context.Context, c, _ int) error {
			o, v, _ := geoText(api.of(c), e.orgs)
			return e.get(ctx, "/api/v1/listings?"+v.Encode(), o.Key, `{"items":[`)
		}, e.srv.pid},
		raw: target{"raw SQL", func(ctx context.Context, c, _ int) error {
			o, _, q := geoText(raw.of(c), e.orgs)
			sql, args, err := listing.SearchSQL(o.actor, q)
			if err != nil {
				return err
			}
			return e.sql(ctx, o.actor, sql, args)
		}, none}}
}

func (e *env) w3() workload {
	api, raw := newRNGs(3), newRNGs(3)
	return workload{ID: "W3", Name: "reso_filter",
		realty: target{"realty", func(ctx context.Context, c, _ int) error {
			o, q := resoQuery(api.of(c), e.orgs)
			return e.get(ctx, "/reso/odata/Property?"+q, o.Key, `{"@odata.context"`)
		}, e.srv.pid},
		raw: target{"raw SQL", func(ctx context.Context, c, _ int) error {
			o, q := resoQuery(raw.of(c), e.orgs)
			sql, args, err := reso.CollectionSQL(o.actor, "Property", q)
			if err != nil {
				return err
			}
			return e.sql(ctx, o.actor, sql, args...)
		}, none}}
}

func none() []int { return nil }
