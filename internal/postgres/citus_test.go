package postgres_test

import (
	"context"
	"io"
	"log/slog"
	"slices"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"realty/internal/postgres"
	"realty/internal/postgres/pgtest"
)

// citusStandIns are plain PL/pgSQL functions with the names and parameters
// of the Citus functions realty calls, recording each call in citus_calls,
// and a pg_dist_partition of the tables "distributed" so far. A worker
// whose name is in citus_failing reports failure, as Citus does.
const citusStandIns = `
CREATE TABLE public.citus_calls (n serial PRIMARY KEY, call text NOT NULL);
CREATE TABLE public.citus_failing (nodename text PRIMARY KEY);
CREATE TABLE public.pg_dist_partition (logicalrelid regclass PRIMARY KEY);
CREATE FUNCTION public.run_command_on_workers(command text,
		OUT nodename text, OUT nodeport int, OUT success bool, OUT result text) RETURNS SETOF record
	LANGUAGE plpgsql AS $$
BEGIN
	INSERT INTO public.citus_calls (call) VALUES ('workers: ' || command);
	FOREACH nodename IN ARRAY ARRAY['worker-1', 'worker-2'] LOOP
		nodeport := 5432;
		success := NOT EXISTS (SELECT FROM public.citus_failing f WHERE f.nodename = run_command_on_workers.nodename);
		result := CASE WHEN success THEN 'OK' ELSE 'ERROR: refused' END;
		RETURN NEXT;
	END LOOP;
END $$;
CREATE FUNCTION public.create_distributed_table(table_name regclass, distribution_column text,
		colocate_with text DEFAULT 'default') RETURNS void
	LANGUAGE plpgsql AS $$
BEGIN
	INSERT INTO public.citus_calls (call) VALUES (format('distribute: %s by %s with %s', table_name, distribution_column, colocate_with));
	INSERT INTO public.pg_dist_partition VALUES (table_name);
END $$;
CREATE FUNCTION public.create_reference_table(table_name regclass) RETURNS void
	LANGUAGE plpgsql AS $$
BEGIN
	INSERT INTO public.citus_calls (call) VALUES (format('reference: %s', table_name));
	INSERT INTO public.pg_dist_partition VALUES (table_name);
END $$;`

// TestMigrateUpOnCitus runs migrate up from an empty database as it runs on
// a Citus coordinator, against stand-ins of Citus's functions: the bootstrap
// grants reach the workers before the migrations, the LEAKPROOF marks reach
// them after, every table of realty's schemas is distributed once (the
// organizations by id first, the organization-owned tables colocated with
// them, the rest as reference tables), the runtime role gets the setting
// that propagates SET LOCAL; a second run distributes nothing again; a
// worker that fails fails migrate up, named.
func TestMigrateUpOnCitus(t *testing.T) {
	t.Parallel()
	db := pgtest.New(t)
	ctx := context.Background()
	m := postgres.NewMigrator(db.AdminURL, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err := m.Reset(ctx); err != nil {
		t.Fatal(err)
	}
	admin := adminConn(t, db)
	t.Cleanup(func() { _, _ = admin.Exec(context.Background(), "ALTER ROLE "+postgres.OwnerRole+" NOLOGIN") })
	if _, err := admin.Exec(ctx, citusStandIns); err != nil {
		t.Fatal(err)
	}
	postgres.SetCitusCheck(m, func(context.Context, postgres.DB) (bool, error) { return true, nil })
	if err := m.Up(ctx); err != nil {
		t.Fatalf("migrate up on citus: %v", err)
	}
	calls := citusCalls(t, admin)
	grants := 0
	marks := 0
	for _, c := range calls {
		switch {
		case strings.HasPrefix(c, "workers: GRANT ") && strings.Contains(c, pgx.Identifier{db.Name}.Sanitize()):
			grants++
		case strings.HasPrefix(c, "workers: ALTER FUNCTION ") && strings.HasSuffix(c, " LEAKPROOF"):
			marks++
		}
	}
	if grants != 2 {
		t.Errorf("%d database grants ran on the workers, want 2 (owner and runtime role):\n%s", grants, strings.Join(calls, "\n"))
	}
	if want := len(postgres.LeakproofMarks()); marks != want || want < 10 {
		t.Errorf("%d LEAKPROOF marks ran on the workers, want %d", marks, want)
	}
	// The migrations call no stand-in, so the order of the calls is: the two
	// grants (the bootstrap), every mark, then the distribution.
	firstCreate := slices.IndexFunc(calls, func(c string) bool { return !strings.HasPrefix(c, "workers: ") })
	if firstWith(calls, "workers: GRANT ") != 0 || firstWith(calls, "workers: ALTER FUNCTION") != grants ||
		firstCreate != grants+marks {
		t.Errorf("want the grants first, then the marks, then the distribution:\n%s", strings.Join(calls, "\n"))
	}
	checkDistributed(t, admin, calls)

	var login bool
	var setting []string
	err := admin.QueryRow(ctx, `SELECT rolcanlogin, (SELECT s.setconfig FROM pg_db_role_setting s
		WHERE s.setrole = 'realty_app'::regrole AND s.setdatabase = (SELECT oid FROM pg_database WHERE datname = current_database()))
		FROM pg_roles WHERE rolname = 'realty_owner'`).Scan(&login, &setting)
	if err != nil {
		t.Fatal(err)
	}
	if !login || !slices.Contains(setting, "citus.propagate_set_commands=local") {
		t.Errorf("realty_owner login=%v, realty_app settings %v", login, setting)
	}

	before := len(calls)
	if err := m.Up(ctx); err != nil {
		t.Fatalf("second migrate up: %v", err)
	}
	for _, c := range citusCalls(t, admin)[before:] {
		if !strings.HasPrefix(c, "workers: ") {
			t.Errorf("second migrate up ran %q again", c)
		}
	}

	if _, err := admin.Exec(ctx, `INSERT INTO public.citus_failing VALUES ('worker-2')`); err != nil {
		t.Fatal(err)
	}
	err = m.Up(ctx)
	if err == nil || !strings.Contains(err.Error(), "worker-2") {
		t.Fatalf("migrate up with a failing worker: %v, want an error naming worker-2", err)
	}
}

func citusCalls(t *testing.T, admin *pgx.Conn) []string {
	t.Helper()
	rows, err := admin.Query(context.Background(), `SELECT call FROM public.citus_calls ORDER BY n`)
	if err != nil {
		t.Fatal(err)
	}
	calls, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	return calls
}

func firstWith(calls []string, prefix string) int {
	return slices.IndexFunc(calls, func(c string) bool { return strings.HasPrefix(c, prefix) })
}

// checkDistributed holds the distribution calls to the catalog: every table
// of Distribution once, as it says, org.organizations before the tables
// colocated with it.
func checkDistributed(t *testing.T, admin *pgx.Conn, calls []string) {
	t.Helper()
	tables, err := postgres.Distribution(context.Background(), admin)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, c := range calls {
		if !strings.HasPrefix(c, "workers: ") {
			got = append(got, c)
		}
	}
	var want []string
	for _, tb := range tables {
		switch tb.Column {
		case "":
			want = append(want, "reference: "+tb.Name)
		case "id":
			want = append(want, "distribute: "+tb.Name+" by id with default")
		default:
			want = append(want, "distribute: "+tb.Name+" by organization_id with org.organizations")
		}
	}
	if !slices.Equal(got, want) || len(want) < 20 {
		t.Errorf("distribution calls:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
