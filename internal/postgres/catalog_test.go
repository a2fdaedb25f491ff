package postgres_test

import (
	"context"
	"slices"
	"testing"

	"github.com/jackc/pgx/v5"

	"realty/internal/postgres/pgtest"
)

// keyExempt are organization tables whose primary key is not
// (organization_id, id), and why.
var keyExempt = map[string]string{
	"audit.changes": "partitioned by month: the key must hold changed_at",
}

// triggerExempt are organization tables without the kit's updated_at and
// audit triggers, and why.
var triggerExempt = map[string]string{
	"audit.changes":         "the audit trail itself",
	"audit.security_events": "append-only log, written by its own definer function",
}

// policyExempt are organization tables whose org policy covers reads only,
// and why.
var policyExempt = map[string]string{
	"audit.security_events": "the runtime role cannot write it at all; audit.record_security_event does",
}

type table struct {
	Name          string   `db:"name"`
	RLS           bool     `db:"rls"`
	Forced        bool     `db:"forced"`
	Policies      []string `db:"policies"`
	PrimaryKey    []string `db:"primary_key"`
	Triggers      []string `db:"triggers"`
	OrgPolicyFull bool     `db:"org_policy_full"`
}

const tablesSQL = `
SELECT n.nspname || '.' || c.relname AS name, c.relrowsecurity AS rls, c.relforcerowsecurity AS forced,
	coalesce((SELECT array_agg(p.polname::text) FROM pg_policy p WHERE p.polrelid = c.oid), '{}') AS policies,
	coalesce((SELECT array_agg(a.attname::text ORDER BY k.ord) FROM pg_constraint pk
		CROSS JOIN unnest(pk.conkey) WITH ORDINALITY k(attnum, ord)
		JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = k.attnum
		WHERE pk.conrelid = c.oid AND pk.contype = 'p'), '{}') AS primary_key,
	coalesce((SELECT array_agg(t.tgname::text) FROM pg_trigger t WHERE t.tgrelid = c.oid AND NOT t.tgisinternal), '{}') AS triggers,
	EXISTS (SELECT FROM pg_policy p WHERE p.polrelid = c.oid AND p.polname = 'org_isolation' AND p.polcmd = '*'
		AND pg_get_expr(p.polqual, p.polrelid) LIKE '%organization_id = app.current_org_id()%'
		AND pg_get_expr(p.polwithcheck, p.polrelid) LIKE '%organization_id = app.current_org_id()%') AS org_policy_full
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition
  AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'public', 'river')
  AND EXISTS (SELECT FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'organization_id' AND NOT a.attisdropped)
ORDER BY 1`

// TestCatalog holds every table with organization_id to the isolation rules:
// RLS enabled and forced, the org policy for reads and writes, primary key
// (organization_id, id), composite foreign keys to organization tables, and
// the audit and updated_at triggers. It runs over whatever migrations exist,
// so every new table is held to it.
func TestCatalog(t *testing.T) {
	t.Parallel()
	conn := adminConn(t, pgtest.New(t))
	rows, err := conn.Query(ctx0, tablesSQL)
	if err != nil {
		t.Fatal(err)
	}
	tables, err := pgx.CollectRows(rows, pgx.RowToStructByName[table])
	if err != nil {
		t.Fatal(err)
	}
	for _, tb := range tables {
		checkTable(t, tb)
	}
	checkForeignKeys(t, conn)
	checkRoles(t, conn)
	checkDefiners(t, conn)
	t.Logf("catalog: %d organization-owned tables checked", len(tables))
	if len(tables) < 8 {
		t.Fatalf("only %d organization tables found: the query is wrong", len(tables))
	}
}

func checkTable(t *testing.T, tb table) {
	t.Helper()
	if !tb.RLS || !tb.Forced {
		t.Errorf("%s: row-level security enabled=%v forced=%v", tb.Name, tb.RLS, tb.Forced)
	}
	if _, ok := policyExempt[tb.Name]; !ok && !tb.OrgPolicyFull {
		t.Errorf("%s: no org_isolation policy with USING and WITH CHECK on organization_id (policies %v)", tb.Name, tb.Policies)
	}
	if _, ok := keyExempt[tb.Name]; !ok && !slices.Equal(tb.PrimaryKey, []string{"organization_id", "id"}) {
		t.Errorf("%s: primary key %v, want (organization_id, id)", tb.Name, tb.PrimaryKey)
	}
	if _, ok := triggerExempt[tb.Name]; !ok {
		for _, trig := range []string{"audit_changes", "set_updated_at"} {
			if !slices.Contains(tb.Triggers, trig) {
				t.Errorf("%s: trigger %s missing (apply app.apply_org_kit)", tb.Name, trig)
			}
		}
	}
}

// checkForeignKeys requires every foreign key between two organization
// tables to pair their distribution columns (organization_id, or id for
// org.organizations), so no row can point into another organization and
// Citus can keep both rows on one shard.
func checkForeignKeys(t *testing.T, conn *pgx.Conn) {
	t.Helper()
	rows, err := conn.Query(ctx0, `WITH owned AS (`+ownedTablesSQL+`)
		SELECT con.conname, con.conrelid::regclass::text, con.confrelid::regclass::text
		FROM pg_constraint con
		JOIN owned f ON f.oid = con.conrelid
		JOIN owned r ON r.oid = con.confrelid
		WHERE con.contype = 'f'
		  AND NOT EXISTS (
		      SELECT FROM unnest(con.conkey, con.confkey) k(a, b)
		      JOIN pg_attribute x ON x.attrelid = con.conrelid AND x.attnum = k.a AND x.attname = f.dist
		      JOIN pg_attribute y ON y.attrelid = con.confrelid AND y.attnum = k.b AND y.attname = r.dist)`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var name, from, to string
		if err := rows.Scan(&name, &from, &to); err != nil {
			t.Fatal(err)
		}
		t.Errorf("foreign key %s from %s to %s does not pair organization_id", name, from, to)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
}

func checkRoles(t *testing.T, conn *pgx.Conn) {
	t.Helper()
	var super, bypass, login bool
	var owned int
	err := conn.QueryRow(ctx0, `SELECT rolsuper, rolbypassrls, rolcanlogin,
		(SELECT count(*) FROM pg_class c WHERE c.relowner = r.oid) + (SELECT count(*) FROM pg_proc p WHERE p.proowner = r.oid)
		+ (SELECT count(*) FROM pg_namespace n WHERE n.nspowner = r.oid) + (SELECT count(*) FROM pg_type ty WHERE ty.typowner = r.oid)
		FROM pg_roles r WHERE rolname = 'realty_app'`).Scan(&super, &bypass, &login, &owned)
	if err != nil {
		t.Fatal(err)
	}
	if super || bypass || owned != 0 {
		t.Errorf("realty_app: superuser=%v bypassrls=%v owns %d objects", super, bypass, owned)
	}
	var foreignOwned int
	err = conn.QueryRow(ctx0, `SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
		WHERE n.nspname IN ('app','identity','org','property','listing','crm','deal','document','leasing','ledger','maintenance','messaging','audit','report','river')
		  AND c.relowner <> 'realty_owner'::regrole`).Scan(&foreignOwned)
	if err != nil || foreignOwned != 0 {
		t.Errorf("%d relations in realty's schemas are not owned by realty_owner (%v)", foreignOwned, err)
	}
}

// checkDefiners requires every SECURITY DEFINER function to pin its
// search_path, so a caller cannot hijack the names it uses.
func checkDefiners(t *testing.T, conn *pgx.Conn) {
	t.Helper()
	rows, err := conn.Query(ctx0, `SELECT p.oid::regprocedure::text FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
		WHERE p.prosecdef AND n.nspname NOT IN ('pg_catalog', 'information_schema')
		  AND NOT coalesce(EXISTS (SELECT FROM unnest(p.proconfig) c WHERE c LIKE 'search_path=%'), false)`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var fn string
		if err := rows.Scan(&fn); err != nil {
			t.Fatal(err)
		}
		t.Errorf("SECURITY DEFINER function %s does not pin search_path", fn)
	}
}

var ctx0 = context.Background()
