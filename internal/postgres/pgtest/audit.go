package pgtest

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"realty/internal/postgres"
)

// The statement audit: every statement the runtime role ran in this test
// binary's databases (pg_stat_statements, harvested as each test ends) is
// checked against the rules that let Citus route it to one organization's
// shards (checkStatement). Main runs it after the tests pass and fails the
// binary on a violation, naming the statement and the rule, so every package
// whose tests use New is audited and a new domain is born passing.

// exception lets statements through the audit. Contains is matched against
// the normalized statement (lower case, single spaces, no comments or
// literals); Reason says why the statement cannot route and still is right.
type exception struct {
	Contains string
	Reason   string
}

// exceptions are the statements on organization-owned tables that may break
// a rule. Keep the list short: each entry is a statement that would fan out
// to every shard on Citus, or not run there at all. Entries marked pending
// belong to packages whose schema is being changed; remove each once its
// statement is fixed.
var exceptions = []exception{
	{"select count(*) filter (where organization_id = $1), count(*) from ",
		"the isolation test (internal/fixture) counts every row row-level security lets the runtime role see, on purpose without the organization's key"},
	{"from org.members m join org.organizations o on o.id = m.organization_id where m.user_id = $1",
		"a user's organizations (org.Service.Memberships) span organizations by nature: on Citus a multi-shard read, " +
			"which it runs with row-level security on every shard; a per-user lookup is the remedy if it shows in measurements"},
	{"select coalesce(array_agg(m.organization_id), $1) from org.members m where m.user_id = app.current_user_id() and m.status = $2",
		"the body of org.member_org_ids(), the user's organizations for org.organizations' policy (recorded when the planner " +
			"evaluates the function to estimate a plan); across organizations by nature, like Memberships"},
}

// report is the audit's outcome for one test binary.
type report struct {
	statements, onOrgTables, excepted int
	violations                        []violation
}

type violation struct {
	sql      string
	problems []string
}

// audit checks the statements seen (normalized text → calls) against the
// rules and the exceptions.
func audit(seen map[string]int64, schema orgSchema, ex []exception) report {
	var r report
	for sql := range seen {
		r.statements++
		touches, problems := checkStatement(sql, schema)
		if !touches {
			continue
		}
		r.onOrgTables++
		if len(problems) == 0 {
			continue
		}
		norm := normalizeSQL(sql)
		if slices.ContainsFunc(ex, func(e exception) bool { return strings.Contains(norm, e.Contains) }) {
			r.excepted++
			continue
		}
		r.violations = append(r.violations, violation{sql, problems})
	}
	slices.SortFunc(r.violations, func(a, b violation) int { return strings.Compare(a.sql, b.sql) })
	return r
}

// String is the one-line summary, preceded by each violating statement with
// the rules it breaks.
func (r report) String() string {
	var b strings.Builder
	for _, v := range r.violations {
		fmt.Fprintf(&b, "statement audit: violation: %s\n", strings.Join(v.problems, "; "))
		fmt.Fprintf(&b, "    %s\n", strings.ReplaceAll(strings.TrimSpace(v.sql), "\n", "\n    "))
	}
	fmt.Fprintf(&b, "statement audit: %d statements by %s, %d on organization tables, %d excepted, %d violating\n",
		r.statements, postgres.RuntimeRole, r.onOrgTables, r.excepted, len(r.violations))
	return b.String()
}

// auditor collects the runtime role's statements of this binary's test
// databases.
var auditor struct {
	mu      sync.Mutex
	pool    *pgxpool.Pool // superuser, on the server's maintenance database
	err     error         // why the audit cannot run
	schema  *orgSchema
	pending []uint32 // databases not yet harvested
	seen    map[string]int64
	dealloc int64 // pg_stat_statements_info.dealloc when the binary started
}

// startAudit connects to the server's maintenance database, where it makes
// sure pg_stat_statements can be read, and fails when it cannot: an audit
// that saw nothing would pass for the wrong reason.
func startAudit(ctx context.Context, url string) error {
	pool, err := pgxpool.New(ctx, url)
	if err != nil {
		return fmt.Errorf("statement audit: %w", err)
	}
	var dealloc int64
	var track string
	_, err = pool.Exec(ctx, "CREATE EXTENSION IF NOT EXISTS pg_stat_statements")
	if err == nil {
		err = pool.QueryRow(ctx, `SELECT dealloc, current_setting('pg_stat_statements.track')
			FROM pg_stat_statements_info`).Scan(&dealloc, &track)
	}
	if err == nil && track == "none" {
		err = errors.New("pg_stat_statements.track is none")
	}
	if err != nil {
		pool.Close()
		return fmt.Errorf("statement audit needs pg_stat_statements (shared_preload_libraries = pg_stat_statements, track = top or all): %w", err)
	}
	auditor.pool, auditor.dealloc, auditor.seen = pool, dealloc, map[string]int64{}
	return nil
}

// watch registers a new test database for the audit: it reads the schema's
// organization tables from the first, forgets what the server may still
// hold for a database of that oid, and harvests its statements when the
// test ends.
func watch(t interface{ Cleanup(func()) }, db *DB) error {
	ctx := context.Background()
	var oid uint32
	err := auditor.pool.QueryRow(ctx, `SELECT oid, pg_stat_statements_reset(0, oid, 0) IS NULL
		FROM pg_database WHERE datname = $1`, db.Name).Scan(&oid, new(bool))
	if err != nil {
		return fmt.Errorf("statement audit: %w", err)
	}
	auditor.mu.Lock()
	defer auditor.mu.Unlock()
	if auditor.schema == nil {
		s, err := readOrgSchema(ctx, db.AdminURL)
		if err != nil {
			return fmt.Errorf("statement audit: %w", err)
		}
		auditor.schema = &s
	}
	db.oid = oid
	auditor.pending = append(auditor.pending, oid)
	t.Cleanup(func() {
		if err := harvest(ctx, oid); err != nil {
			auditor.mu.Lock()
			auditor.err = cmp.Or(auditor.err, err)
			auditor.mu.Unlock()
		}
	})
	return nil
}

// harvest moves the statements the runtime role ran in database oid into
// the audit's set and clears them on the server, keeping its statement
// table small.
func harvest(ctx context.Context, oid uint32) error {
	rows, err := auditor.pool.Query(ctx, `SELECT s.query, s.calls FROM pg_stat_statements(true) s
		JOIN pg_roles r ON r.oid = s.userid WHERE s.dbid = $1 AND r.rolname = $2`, oid, postgres.RuntimeRole)
	if err != nil {
		return fmt.Errorf("statement audit: read pg_stat_statements: %w", err)
	}
	type stat struct {
		Query string
		Calls int64
	}
	stats, err := pgx.CollectRows(rows, pgx.RowToStructByPos[stat])
	if err != nil {
		return fmt.Errorf("statement audit: read pg_stat_statements: %w", err)
	}
	if _, err := auditor.pool.Exec(ctx, "SELECT pg_stat_statements_reset(0, $1, 0)", oid); err != nil {
		return fmt.Errorf("statement audit: reset: %w", err)
	}
	auditor.mu.Lock()
	defer auditor.mu.Unlock()
	for _, s := range stats {
		auditor.seen[s.Query] += s.Calls
	}
	auditor.pending = slices.DeleteFunc(auditor.pending, func(o uint32) bool { return o == oid })
	return nil
}

// finishAudit harvests what is left, checks the statements and returns the
// report; an error means the audit could not see everything.
func finishAudit() (report, error) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	defer auditor.pool.Close()
	for _, oid := range slices.Clone(auditor.pending) {
		if err := harvest(ctx, oid); err != nil {
			return report{}, err
		}
	}
	if auditor.err != nil {
		return report{}, auditor.err
	}
	var dealloc int64
	if err := auditor.pool.QueryRow(ctx, "SELECT dealloc FROM pg_stat_statements_info").Scan(&dealloc); err != nil {
		return report{}, fmt.Errorf("statement audit: %w", err)
	}
	if dealloc != auditor.dealloc {
		return report{}, errors.New("statement audit: pg_stat_statements evicted statements during the run " +
			"(raise pg_stat_statements.max): the audit would not have seen them all")
	}
	if auditor.schema == nil {
		return report{}, nil
	}
	return audit(auditor.seen, *auditor.schema, exceptions), nil
}

// readOrgSchema reads the organization-owned tables (every table with an
// organization_id column) and their volatile id defaults from a migrated
// database.
func readOrgSchema(ctx context.Context, url string) (orgSchema, error) {
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		return orgSchema{}, err
	}
	defer conn.Close(ctx)
	s := orgSchema{keys: map[string][]string{}, volatileDefaults: map[string][]string{}}
	rows, err := conn.Query(ctx, `SELECT n.nspname || '.' || c.relname, a.attname,
			coalesce(pg_get_expr(d.adbin, d.adrelid) ~ '(uuid_v7|gen_random_uuid|uuid_generate_v[14]|nextval)\(', false)
		FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
		JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
		LEFT JOIN pg_attrdef d ON d.adrelid = c.oid AND d.adnum = a.attnum
		WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition
			AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'river')
			AND EXISTS (SELECT FROM pg_attribute o WHERE o.attrelid = c.oid AND o.attname = 'organization_id' AND NOT o.attisdropped)`)
	if err != nil {
		return orgSchema{}, err
	}
	var table, col string
	var volatile bool
	_, err = pgx.ForEachRow(rows, []any{&table, &col, &volatile}, func() error {
		if col == "organization_id" || (table == "org.organizations" && col == "id") {
			s.keys[table] = append(s.keys[table], col)
		}
		if volatile {
			s.volatileDefaults[table] = append(s.volatileDefaults[table], col)
		}
		return nil
	})
	return s, err
}
