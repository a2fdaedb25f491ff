package postgres_test

import (
	"testing"

	"github.com/jackc/pgx/v5"

	"realty/internal/postgres/pgtest"
)

// ownedTablesSQL selects every organization-owned table (one with an
// organization_id column, partitions aside, outside the system schemas and
// River's) with its distribution column: organization_id, or id for
// org.organizations, whose organization_id is generated from id and so cannot
// be a Citus distribution column.
const ownedTablesSQL = `
	SELECT c.oid, CASE WHEN c.oid = 'org.organizations'::regclass THEN 'id' ELSE 'organization_id' END AS dist
	FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
	WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition
	  AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'public', 'river') AND n.nspname NOT LIKE 'pg\_%'
	  AND EXISTS (SELECT FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'organization_id' AND NOT a.attisdropped)`

// distributionViolation is one departure from the distribution rules.
type distributionViolation struct {
	Key     string // the object at fault: schema.constraint, schema.function, schema.table.policy, …
	Message string
}

// distributionRules are the catalog rules a schema must meet for Citus,
// each a query over the migrated catalog returning what departs from it.
// TestDistributionRulesFail plants a departure from each.
var distributionRules = []struct {
	Name  string
	Check func(t *testing.T, conn *pgx.Conn) []distributionViolation
}{
	{"unique keys include the distribution column", uniqueWithoutDistribution},
	{"no global table references an organization-owned one", globalReferences},
	{"no trigger function notifies", notifyingTriggers},
	{"no policy holds a subquery", policySubqueries},
	{"no trigger on a global table", globalTriggers},
}

// TestDistribution holds the schema to what Citus needs to distribute every
// organization-owned table by organization_id (CITUS.md, DESIGN.md §5):
// every primary key, unique and exclusion constraint and every unique index
// of such a table includes its distribution column; no global table has a
// foreign key to one or a trigger (reference tables are copied to every
// node, and a trigger's values would differ between the copies); no trigger
// sends NOTIFY (the application does, in its own transaction); no policy
// holds a subquery. Foreign keys between two organization-owned tables
// pairing their distribution columns is checkForeignKeys, run by
// TestCatalog. There are no exceptions: a table that must be unique across
// organizations gets a global lookup table (docs/architecture.md).
func TestDistribution(t *testing.T) {
	t.Parallel()
	conn := adminConn(t, pgtest.New(t))
	for _, r := range distributionRules {
		for _, v := range r.Check(t, conn) {
			t.Errorf("%s: %s", r.Name, v.Message)
		}
	}
}

// uniqueWithoutDistribution returns the primary key, unique and exclusion
// constraints and unique indexes of organization-owned tables that leave
// out the table's distribution column.
func uniqueWithoutDistribution(t *testing.T, conn *pgx.Conn) []distributionViolation {
	t.Helper()
	rows, err := conn.Query(ctx0, `WITH owned AS (`+ownedTablesSQL+`)
		SELECT n.nspname || '.' || ic.relname AS key,
			i.indrelid::regclass::text || ': ' || CASE con.contype WHEN 'p' THEN 'primary key' WHEN 'u' THEN 'unique constraint'
				WHEN 'x' THEN 'exclusion constraint' ELSE 'unique index' END
			|| ' ' || ic.relname || ' ' || coalesce(pg_get_constraintdef(con.oid), pg_get_indexdef(i.indexrelid))
			|| ' leaves out ' || o.dist AS message
		FROM pg_index i
		JOIN owned o ON o.oid = i.indrelid
		JOIN pg_class ic ON ic.oid = i.indexrelid
		JOIN pg_namespace n ON n.oid = ic.relnamespace
		LEFT JOIN pg_constraint con ON con.conindid = i.indexrelid AND con.conrelid = i.indrelid AND con.contype IN ('p', 'u', 'x')
		WHERE (i.indisunique OR i.indisexclusion)
		  AND NOT EXISTS (SELECT FROM pg_attribute a WHERE a.attrelid = i.indrelid AND a.attname = o.dist
		      AND a.attnum = ANY ((i.indkey::int2[])[0:i.indnkeyatts - 1]))
		ORDER BY 1`)
	return collectViolations(t, rows, err)
}

// globalReferences returns the foreign keys from global tables (realty's
// tables without organization_id) to organization-owned tables: Citus
// refuses a reference or local table pointing into a distributed one.
func globalReferences(t *testing.T, conn *pgx.Conn) []distributionViolation {
	t.Helper()
	rows, err := conn.Query(ctx0, `WITH owned AS (`+ownedTablesSQL+`)
		SELECT n.nspname || '.' || con.conname AS key,
			'global table ' || con.conrelid::regclass::text || ' references organization-owned '
			|| con.confrelid::regclass::text || ' (' || pg_get_constraintdef(con.oid) || ')' AS message
		FROM pg_constraint con
		JOIN pg_class c ON c.oid = con.conrelid
		JOIN pg_namespace n ON n.oid = c.relnamespace
		WHERE con.contype = 'f' AND NOT c.relispartition
		  AND con.confrelid IN (SELECT oid FROM owned)
		  AND con.conrelid NOT IN (SELECT oid FROM owned)
		  AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'public', 'river')
		ORDER BY 1`)
	return collectViolations(t, rows, err)
}

// notifyingTriggers returns the trigger functions whose source calls
// pg_notify or NOTIFY, with the triggers that run them: Citus cannot commit
// a notifying transaction that touched a reference table, and a NOTIFY sent
// on a worker never reaches a listener on the coordinator.
func notifyingTriggers(t *testing.T, conn *pgx.Conn) []distributionViolation {
	t.Helper()
	rows, err := conn.Query(ctx0, `SELECT n.nspname || '.' || p.proname AS key,
			'trigger function ' || p.oid::regprocedure::text || ' sends NOTIFY (triggers: '
			|| coalesce((SELECT string_agg(tg.tgname || ' ON ' || tg.tgrelid::regclass::text, ', ' ORDER BY 1)
			   FROM pg_trigger tg WHERE tg.tgfoid = p.oid AND NOT tg.tgisinternal), 'none')
			|| '): notify from the application''s transaction instead' AS message
		FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
		WHERE p.prorettype = 'trigger'::regtype
		  AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'river') AND n.nspname NOT LIKE 'pg\_%'
		  AND p.prosrc ~* '\m(pg_notify|notify)\M'
		ORDER BY 1`)
	return collectViolations(t, rows, err)
}

// policySubqueries returns the row-level security policies whose USING or
// WITH CHECK expression holds a subquery (a SubLink in the stored
// expression): Citus refuses them on distributed tables. A function call
// (such as org.member_org_ids()) takes the subquery's place.
func policySubqueries(t *testing.T, conn *pgx.Conn) []distributionViolation {
	t.Helper()
	rows, err := conn.Query(ctx0, `SELECT n.nspname || '.' || c.relname || '.' || p.polname AS key,
			'policy ' || p.polname || ' on ' || p.polrelid::regclass::text || ' holds a subquery: '
			|| coalesce('USING (' || pg_get_expr(p.polqual, p.polrelid) || ')', '')
			|| coalesce(' WITH CHECK (' || pg_get_expr(p.polwithcheck, p.polrelid) || ')', '') AS message
		FROM pg_policy p JOIN pg_class c ON c.oid = p.polrelid JOIN pg_namespace n ON n.oid = c.relnamespace
		WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'river')
		  AND (p.polqual::text LIKE '%SUBLINK%' OR p.polwithcheck::text LIKE '%SUBLINK%')
		ORDER BY 1`)
	return collectViolations(t, rows, err)
}

// globalTriggers returns the triggers on global tables (realty's tables
// without organization_id): a reference table is copied to every node and a
// trigger runs on each copy, so values it computes (updated_at = now())
// differ between them. Statements set such values themselves.
func globalTriggers(t *testing.T, conn *pgx.Conn) []distributionViolation {
	t.Helper()
	rows, err := conn.Query(ctx0, `WITH owned AS (`+ownedTablesSQL+`)
		SELECT n.nspname || '.' || c.relname || '.' || tg.tgname AS key,
			'global table ' || c.oid::regclass::text || ' has trigger ' || tg.tgname || ' running '
			|| tg.tgfoid::regprocedure::text || ': set the value in the statement instead' AS message
		FROM pg_trigger tg
		JOIN pg_class c ON c.oid = tg.tgrelid
		JOIN pg_namespace n ON n.oid = c.relnamespace
		WHERE NOT tg.tgisinternal AND c.relkind IN ('r', 'p') AND NOT c.relispartition
		  AND c.oid NOT IN (SELECT oid FROM owned)
		  AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'public', 'river') AND n.nspname NOT LIKE 'pg\_%'
		ORDER BY 1`)
	return collectViolations(t, rows, err)
}

// adminConn connects to db as the superuser, for reading the catalog.
func adminConn(t *testing.T, db *pgtest.DB) *pgx.Conn {
	t.Helper()
	conn, err := pgx.Connect(ctx0, db.AdminURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close(ctx0) })
	return conn
}

// collectViolations reads the violations a catalog query returned.
func collectViolations(t *testing.T, rows pgx.Rows, err error) []distributionViolation {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
	found, err := pgx.CollectRows(rows, pgx.RowToStructByName[distributionViolation])
	if err != nil {
		t.Fatal(err)
	}
	return found
}
