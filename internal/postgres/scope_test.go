package postgres_test

import (
	"context"
	"errors"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"realty"
	"realty/internal/postgres"
)

// safeScope is the only shape realty's scoping SQL may take: canonical ids
// or nothing, and a request id of safe characters or nothing.
var safeScope = regexp.MustCompile(`^SET LOCAL app\.org_id = '(?:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})?'; ` +
	`SET LOCAL app\.user_id = '(?:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})?'; ` +
	`SET LOCAL app\.request_id = '[A-Za-z0-9._-]{0,64}'$`)

// hostileRequestIDs are request ids that must never reach SQL as written.
var hostileRequestIDs = []string{
	"'; DROP TABLE app.probe; --",
	"x'); SELECT set_config('app.org_id', '00000000-0000-0000-0000-000000000000', false); --",
	`back\slash`,
	`\'; DROP TABLE app.probe; --`,
	"nul\x00byte",
	"ünïcødé-ıd",
	"line\nbreak",
	"$$dollar$$",
	strings.Repeat("a", 65),
	strings.Repeat("'", 1000),
	strings.Repeat("a", 1000),
}

func FuzzScopeSQL(f *testing.F) {
	for _, id := range append(hostileRequestIDs, "", "req-1", "A.b_c-0123456789", strings.Repeat("z", 64)) {
		f.Add([]byte("0123456789abcdef"), id)
	}
	f.Fuzz(func(t *testing.T, raw []byte, requestID string) {
		var org realty.ID
		copy(org[:], raw)
		actor := realty.Actor{OrgID: org, UserID: realty.NewID()}
		sql := postgres.ScopeSQL(realty.WithRequestID(context.Background(), requestID), actor)
		if !safeScope.MatchString(sql) {
			t.Fatalf("unsafe scoping SQL %q", sql)
		}
		wantReq := requestID
		if !postgres.ValidRequestID(requestID) {
			wantReq = ""
		}
		if !strings.HasSuffix(sql, "'"+wantReq+"'") {
			t.Fatalf("request id %q rendered as %q", requestID, sql)
		}
		if !org.IsZero() && !strings.Contains(sql, "'"+org.String()+"'") {
			t.Fatalf("organization %s rendered as %q", org, sql)
		}
	})
}

func TestValidRequestID(t *testing.T) {
	t.Parallel()
	for _, ok := range []string{"a", "req-1", "0123456789abcdef01234567", "A.b_c-9", strings.Repeat("z", 64)} {
		if !postgres.ValidRequestID(ok) {
			t.Errorf("%q refused", ok)
		}
	}
	for _, bad := range append(hostileRequestIDs, "", "with space", "semi;colon", "quote'") {
		if postgres.ValidRequestID(bad) {
			t.Errorf("%q accepted", bad)
		}
	}
}

// TestScopeInjection runs transactions and reads whose request id is
// hostile: each runs, scoped to the right organization, with no request id
// recorded, and nothing the id says is executed.
func TestScopeInjection(t *testing.T) {
	t.Parallel()
	s := setup(t)
	for _, id := range append(hostileRequestIDs, "req-fine.1_2") {
		ctx := realty.WithRequestID(context.Background(), id)
		want := ""
		if postgres.ValidRequestID(id) {
			want = id
		}
		type scope struct {
			Org  string `db:"org"`
			Req  string `db:"req"`
			Rows int    `db:"rows"`
		}
		rows, err := postgres.ReadAll[scope](ctx, s.db.Pool, s.a, `SELECT app.current_org_id()::text AS org,
			current_setting('app.request_id') AS req, (SELECT count(*)::int FROM app.probe) AS rows`)
		if err != nil {
			t.Fatalf("read with request id %q: %v", id, err)
		}
		if got := rows[0]; got.Org != s.orgA.String() || got.Req != want || got.Rows != 2 {
			t.Errorf("read with request id %q: %+v, want organization A, request id %q, 2 rows", id, got, want)
		}
		err = postgres.Tx(ctx, s.db.Pool, s.a, func(tx pgx.Tx) error {
			var org, req string
			if err := tx.QueryRow(ctx, `SELECT app.current_org_id()::text, current_setting('app.request_id')`).Scan(&org, &req); err != nil {
				return err
			}
			if org != s.orgA.String() || req != want {
				t.Errorf("transaction with request id %q: organization %s, request id %q", id, org, req)
			}
			_, err := tx.Exec(ctx, "UPDATE app.probe SET qty = qty + 1 WHERE name = 'a1'")
			return err
		})
		if err != nil {
			t.Fatalf("transaction with request id %q: %v", id, err)
		}
	}
	// The table is intact and the trail recorded only the valid id.
	type change struct {
		Req *string `db:"request_id"`
	}
	changes, err := postgres.ReadAll[change](context.Background(), s.db.Pool, s.a,
		`SELECT request_id FROM audit.changes WHERE organization_id = $1 AND action = 'UPDATE' ORDER BY changed_at, id`, s.orgA)
	if err != nil {
		t.Fatal(err)
	}
	if len(changes) != len(hostileRequestIDs)+1 {
		t.Fatalf("%d updates in the trail, want %d", len(changes), len(hostileRequestIDs)+1)
	}
	for i, c := range changes {
		last := i == len(changes)-1
		if (c.Req != nil) != last || (last && *c.Req != "req-fine.1_2") {
			t.Errorf("update %d recorded request id %v", i, c.Req)
		}
	}
	// An organization is a realty.ID ([16]byte): a string cannot be passed
	// as one, and every value renders canonically (FuzzScopeSQL).
	var _ realty.ID = realty.Actor{}.OrgID
}

// singleConnPool is a pool of one connection (so pg_prepared_statements and
// notices are that connection's), configured as OpenPool does, collecting
// the server's notices.
func singleConnPool(t *testing.T, url string) (*postgres.Pool, func() []string) {
	t.Helper()
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		t.Fatal(err)
	}
	cfg.MaxConns = 1
	cfg.ConnConfig.DefaultQueryExecMode = pgx.QueryExecModeCacheStatement
	var mu sync.Mutex
	var notices []string
	cfg.ConnConfig.OnNotice = func(_ *pgconn.PgConn, n *pgconn.Notice) {
		mu.Lock()
		defer mu.Unlock()
		notices = append(notices, n.Severity+": "+n.Message)
	}
	pool, err := pgxpool.NewWithConfig(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	return pool, func() []string {
		mu.Lock()
		defer mu.Unlock()
		return append([]string(nil), notices...)
	}
}

// TestScopingPreparesNothingPerValue runs many scoped reads and transactions,
// each with its own organization and request id, on one connection: the
// statements prepared on it do not grow with them, and the server reports
// nothing (SET LOCAL runs inside a transaction block, where Citus
// propagates it).
func TestScopingPreparesNothingPerValue(t *testing.T) {
	t.Parallel()
	s := setup(t)
	pool, notices := singleConnPool(t, s.db.AppURL)
	prepared := func() int {
		var n int
		if err := pool.QueryRow(context.Background(), "SELECT count(*)::int FROM pg_prepared_statements").Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	round := func(i int) {
		ctx := realty.WithRequestID(context.Background(), "req-"+realty.NewID().String())
		actor := realty.Actor{OrgID: realty.NewID(), UserID: realty.NewID()}
		if i%2 == 0 {
			actor = s.a
		}
		var n int
		err := postgres.Read(ctx, pool, actor, func(rows pgx.Rows) error {
			if rows.Conn() == nil {
				t.Error("rows have no connection (renderers take its type map)")
			}
			for rows.Next() {
				n++
			}
			return nil
		}, "SELECT name FROM app.probe WHERE qty >= $1", 0)
		if err != nil {
			t.Fatal(err)
		}
		if want := map[bool]int{true: 2, false: 0}[i%2 == 0]; n != want {
			t.Fatalf("round %d: %d rows, want %d", i, n, want)
		}
		err = postgres.ReadBatch(ctx, pool, actor, func(b *pgx.Batch) {
			b.Queue("SELECT count(*) FROM app.probe")
			b.Queue("SELECT app.current_request_id()")
		}, func(br pgx.BatchResults) error {
			var c int
			var req string
			if err := br.QueryRow().Scan(&c); err != nil {
				return err
			}
			return br.QueryRow().Scan(&req)
		})
		if err != nil {
			t.Fatal(err)
		}
		err = postgres.Tx(ctx, pool, actor, func(tx pgx.Tx) error {
			_, err := tx.Exec(ctx, "UPDATE app.probe SET qty = qty + 1 WHERE name = $1", "a1")
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	round(0)
	round(1)
	before := prepared()
	for i := range 100 {
		round(i)
	}
	if after := prepared(); after != before {
		t.Fatalf("prepared statements grew from %d to %d over 100 organizations and request ids", before, after)
	}
	if n := notices(); len(n) != 0 {
		t.Fatalf("server notices: %v", n)
	}
	// Nor does pg_stat_statements keep an entry per value: the runtime role's
	// utility statements are not tracked (Migrator.Up).
	var tracked int
	err := pool.QueryRow(context.Background(), `SELECT CASE WHEN current_setting('pg_stat_statements.track_utility', true) IS NULL THEN 0
		ELSE (SELECT count(*)::int FROM pg_stat_statements WHERE query LIKE 'SET LOCAL app.%'
			AND dbid = (SELECT oid FROM pg_database WHERE datname = current_database())) END`).Scan(&tracked)
	if err != nil {
		t.Fatal(err)
	}
	if tracked != 0 {
		t.Fatalf("pg_stat_statements holds %d scoping statements", tracked)
	}
}

// TestReadRecovers checks a failed scoped read leaves its connection usable
// (rolled back, idle), and a statement made stale by a schema change is
// prepared again.
func TestReadRecovers(t *testing.T) {
	t.Parallel()
	s := setup(t)
	ctx := context.Background()
	pool, _ := singleConnPool(t, s.db.AppURL)
	type named struct {
		Name string `db:"name"`
	}
	names := func() ([]named, error) {
		return postgres.ReadAll[named](ctx, pool, s.a, "SELECT name FROM app.probe ORDER BY name")
	}
	if _, err := names(); err != nil {
		t.Fatal(err)
	}
	_, err := postgres.ReadAll[named](ctx, pool, s.a, "SELECT name FROM app.probe WHERE id = $1::text::uuid", "not-a-uuid")
	if realty.KindOf(err) != realty.Invalid {
		t.Fatalf("bad uuid: kind %q (%v), want invalid", realty.KindOf(err), err)
	}
	err = postgres.ReadBatch(ctx, pool, s.a, func(b *pgx.Batch) {
		b.Queue("SELECT 1")
		b.Queue("SELECT * FROM app.no_such_table")
	}, func(br pgx.BatchResults) error { return nil })
	if err == nil {
		t.Fatal("a batch with a failing query succeeded")
	}
	adminExec(t, s.db, "ALTER TABLE app.probe ALTER COLUMN name TYPE varchar(100)")
	// The cached statement's result type changed: the first read may fail,
	// the next must succeed.
	if _, err := names(); err != nil {
		t.Logf("first read after the change: %v", err)
	}
	got, err := names()
	if err != nil || len(got) != 2 {
		t.Fatalf("read after a schema change: %v, %v", got, err)
	}
	var status string
	c, err := pool.Acquire(ctx)
	if err != nil {
		t.Fatal(err)
	}
	status = string(c.Conn().PgConn().TxStatus())
	c.Release()
	if status != "I" {
		t.Fatalf("connection left in transaction status %q", status)
	}
}

// TestScopeNeverOutlivesItsTransaction runs every way a scoped transaction or
// read can end on a pool of one connection, and checks after each that the
// next use of the connection carries no organization, user or request id
// and sees no rows: SET LOCAL vanishes at commit and at rollback, including
// after a statement failed inside the transaction and after a failed read.
func TestScopeNeverOutlivesItsTransaction(t *testing.T) {
	t.Parallel()
	s := setup(t)
	ctx := realty.WithRequestID(context.Background(), "req-leak")
	pool, _ := singleConnPool(t, s.db.AppURL)
	errFn := errors.New("fn failed")
	type leftover struct {
		PID  int    `db:"pid"`
		Org  string `db:"org"`
		User string `db:"usr"`
		Req  string `db:"req"`
		Rows int    `db:"rows"`
	}
	// check reads the connection's state outside any scoping, in a
	// transaction of its own.
	check := func(t *testing.T) leftover {
		t.Helper()
		rows, _ := pool.Query(ctx, `SELECT pg_backend_pid() AS pid,
			coalesce(current_setting('app.org_id', true), '') AS org,
			coalesce(current_setting('app.user_id', true), '') AS usr,
			coalesce(current_setting('app.request_id', true), '') AS req,
			(SELECT count(*)::int FROM app.probe) AS rows`)
		got, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[leftover])
		if err != nil {
			t.Fatal(err)
		}
		if got.Org != "" || got.User != "" || got.Req != "" || got.Rows != 0 {
			t.Fatalf("connection carries %+v after the scoped work", got)
		}
		return got
	}
	cases := []struct {
		name    string
		run     func() error
		wantErr bool
	}{
		{"TxCommit", func() error {
			return postgres.Tx(ctx, pool, s.a, func(tx pgx.Tx) error {
				_, err := tx.Exec(ctx, "UPDATE app.probe SET qty = qty + 1 WHERE name = $1", "a1")
				return err
			})
		}, false},
		{"TxRollback", func() error {
			return postgres.Tx(ctx, pool, s.a, func(tx pgx.Tx) error { return errFn })
		}, true},
		{"TxStatementFailed", func() error {
			return postgres.Tx(ctx, pool, s.a, func(tx pgx.Tx) error {
				// Violates probe_qty_positive: the transaction is aborted.
				_, err := tx.Exec(ctx, "UPDATE app.probe SET qty = -1 WHERE name = $1", "a1")
				return err
			})
		}, true},
		{"TxFailedThenFnError", func() error {
			return postgres.Tx(ctx, pool, s.a, func(tx pgx.Tx) error {
				_, _ = tx.Exec(ctx, "SELECT 1/0")
				return errFn
			})
		}, true},
		{"Read", func() error {
			_, err := postgres.ReadAll[benchRow](ctx, pool, s.a, benchQuery, s.orgA)
			return err
		}, false},
		{"ReadQueryFailed", func() error {
			_, err := postgres.ReadAll[benchRow](ctx, pool, s.a, "SELECT name, qty / 0 AS qty FROM app.probe")
			return err
		}, true},
		{"ReadScanFailed", func() error {
			return postgres.Read(ctx, pool, s.a, func(rows pgx.Rows) error {
				rows.Next()
				return errFn
			}, benchQuery, s.orgA)
		}, true},
		{"ReadBatchSecondFailed", func() error {
			return postgres.ReadBatch(ctx, pool, s.a, func(b *pgx.Batch) {
				b.Queue(benchQuery, s.orgA)
				b.Queue("SELECT $1::int", "not a number")
			}, func(br pgx.BatchResults) error {
				if _, err := br.Exec(); err != nil {
					return err
				}
				_, err := br.Exec()
				return err
			})
		}, true},
	}
	pid := check(t).PID
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if err := c.run(); (err != nil) != c.wantErr {
				t.Fatalf("error %v, want error %v", err, c.wantErr)
			}
			// The connection was kept (a failed transaction is rolled back,
			// not dropped), so the check really reads the same session.
			got := check(t)
			if got.PID != pid {
				t.Errorf("connection replaced (backend %d, was %d)", got.PID, pid)
			}
			pid = got.PID
		})
	}
}
