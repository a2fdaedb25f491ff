package postgres_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"realty"
	"realty/internal/postgres"
)

// setConfigSQL is how transactions were scoped before SET LOCAL: one
// prepared statement with the values as arguments. Citus does not propagate
// it to the workers; it is kept here as the baseline the benchmarks compare
// with.
const setConfigSQL = `SELECT set_config('app.org_id', $1, true), set_config('app.user_id', $2, true), set_config('app.request_id', $3, true)`

// benchQuery is a typical small organization-scoped read.
const benchQuery = `SELECT name, qty FROM app.probe WHERE organization_id = $1 ORDER BY name`

type benchRow struct {
	Name string `db:"name"`
	Qty  int    `db:"qty"`
}

// BenchmarkScopedRead compares a read scoped the old way (set_config and the
// query in one implicit-transaction pipeline, as pgx.Batch sends it) with
// postgres.Read (BEGIN, SET LOCAL ×3, the query and COMMIT in one
// pipeline), on the same query and connection pool. Each request has its own
// request id, as in production.
func BenchmarkScopedRead(b *testing.B) {
	s := setup(b)
	compare(b, readPaths(s))
}

// BenchmarkScopedReadPaired runs the two read paths of BenchmarkScopedRead
// alternately, one request each per iteration, and reports each one's
// median and 10th percentile latency: on a busy machine, where successive
// runs of one path vary more than the paths differ, the pairing compares
// them under the same load.
func BenchmarkScopedReadPaired(b *testing.B) {
	s := setup(b)
	paired(b, readPaths(s))
}

// benchPath is one way of doing a benchmark's request, given a request id.
type benchPath struct {
	name string
	run  func(ctx context.Context) error
}

func readPaths(s setupResult) []benchPath {
	check := func(rows []benchRow, err error) error {
		if err == nil && len(rows) != 2 {
			err = fmt.Errorf("%d rows, want 2", len(rows))
		}
		return err
	}
	return []benchPath{
		{"set_config", func(ctx context.Context) error { return check(readSetConfig(ctx, s.db.Pool, s.a)) }},
		{"set_local", func(ctx context.Context) error {
			return check(postgres.ReadAll[benchRow](ctx, s.db.Pool, s.a, benchQuery, s.orgA))
		}},
	}
}

// compare runs each path as a sub-benchmark, each request with its own
// request id, as in production.
func compare(b *testing.B, paths []benchPath) {
	for _, p := range paths {
		b.Run(p.name, func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; b.Loop(); i++ {
				if err := p.run(realty.WithRequestID(context.Background(), requestID(i))); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// paired runs the paths alternately and reports each one's latency
// percentiles (ns) and the ratio of the medians, last path over first.
func paired(b *testing.B, paths []benchPath) {
	took := make([][]time.Duration, len(paths))
	for i := 0; b.Loop(); i++ {
		ctx := realty.WithRequestID(context.Background(), requestID(i))
		for k, p := range paths {
			start := time.Now()
			if err := p.run(ctx); err != nil {
				b.Fatal(err)
			}
			took[k] = append(took[k], time.Since(start))
		}
	}
	medians := make([]float64, len(paths))
	for k, p := range paths {
		slices.Sort(took[k])
		medians[k] = float64(took[k][len(took[k])/2].Nanoseconds())
		b.ReportMetric(medians[k], p.name+"-p50-ns")
		b.ReportMetric(float64(took[k][len(took[k])/10].Nanoseconds()), p.name+"-p10-ns")
	}
	b.ReportMetric(medians[len(paths)-1]/medians[0], "p50-ratio")
}

// BenchmarkScopedTx compares a transaction scoped the old way (BEGIN and
// set_config pipelined by pgx.Batch.BeginTx) with postgres.Tx (one
// simple-protocol BEGIN; SET LOCAL ×3), each running the same query and
// committing.
func BenchmarkScopedTx(b *testing.B) {
	s := setup(b)
	compare(b, txPaths(s))
}

// BenchmarkScopedTxPaired is BenchmarkScopedTx's paths run alternately (see
// BenchmarkScopedReadPaired).
func BenchmarkScopedTxPaired(b *testing.B) {
	s := setup(b)
	paired(b, txPaths(s))
}

func txPaths(s setupResult) []benchPath {
	pool := s.db.Pool
	query := func(ctx context.Context, tx pgx.Tx) error {
		rows, _ := tx.Query(ctx, benchQuery, s.orgA)
		got, err := pgx.CollectRows(rows, pgx.RowToStructByName[benchRow])
		if err == nil && len(got) != 2 {
			err = errors.New("wrong rows")
		}
		return err
	}
	setConfig := func(ctx context.Context) error {
		bt := &pgx.Batch{}
		bt.BeginTx(pgx.TxOptions{})
		bt.Queue(setConfigSQL, s.orgA.String(), s.a.UserID.String(), realty.RequestID(ctx))
		br := pool.SendBatch(ctx, bt)
		tx := br.Tx()
		if err := br.Close(); err != nil {
			return err
		}
		if err := query(ctx, tx); err != nil {
			_ = tx.Rollback(ctx)
			return err
		}
		return tx.Commit(ctx)
	}
	setLocal := func(ctx context.Context) error {
		return postgres.Tx(ctx, pool, s.a, func(tx pgx.Tx) error { return query(ctx, tx) })
	}
	return []benchPath{{"set_config", setConfig}, {"set_local", setLocal}}
}

// readSetConfig is the read path before SET LOCAL.
func readSetConfig(ctx context.Context, pool *postgres.Pool, actor realty.Actor) ([]benchRow, error) {
	bt := &pgx.Batch{}
	bt.Queue(setConfigSQL, actor.OrgID.String(), actor.UserID.String(), realty.RequestID(ctx))
	bt.Queue(benchQuery, actor.OrgID)
	br := pool.SendBatch(ctx, bt)
	_, err := br.Exec()
	var out []benchRow
	if err == nil {
		rows, _ := br.Query()
		out, err = pgx.CollectRows(rows, pgx.RowToStructByName[benchRow])
	}
	return out, errors.Join(err, br.Close())
}

// requestID is a fresh request id per iteration, like an X-Request-ID.
func requestID(i int) string {
	const digits = "0123456789abcdef"
	id := []byte("req-00000000")
	for k := len(id) - 1; i > 0 && k >= 4; k-- {
		id[k] = digits[i%16]
		i /= 16
	}
	return string(id)
}
