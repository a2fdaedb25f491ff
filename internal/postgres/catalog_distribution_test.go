package postgres_test

import (
	"maps"
	"slices"
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

// distributionPending are today's departures from the distribution rules,
// keyed "schema.constraint" (or "schema.index"), each with what it is and
// where it should go. The migration that makes the schema ready for Citus
// empties it; the test fails on an entry that no longer departs, so the map
// only shrinks.
var distributionPending = map[string]string{
	"org.organizations_slug_key": "slugs are unique across organizations: the slug moves to a global lookup table keyed by slug (a reference table)",
	"org.invitations_token_key":  "a token looked up before its organization is known: needs a global lookup keyed by the token hash, the invitation unique by (organization_id, token_hash)",
	"identity.api_keys_prefix_key": "global uniqueness of key prefixes belongs to the lookup identity.api_key_prefixes; " +
		"the key itself needs only (organization_id, prefix)",
	"identity.api_key_prefixes_pkey": "the global lookup of a key's organization by prefix: as a reference table it must not be " +
		"organization-owned (organization_id only as a plain value, no foreign key to org.organizations)",
	"audit.security_events_pkey": "events before sign-in belong to no organization (organization_id NULL): the key must include " +
		"organization_id and organization-less events need a global home",
	"identity.sessions_active_org_id_fkey": "a session (global, per user) names the organization it acts in; a reference table " +
		"cannot reference a distributed one, so membership is checked at use instead of by a foreign key",
}

// distributionViolation is one departure from the distribution rules.
type distributionViolation struct {
	Key     string // schema.constraint or schema.index
	Message string
}

// TestDistribution holds the schema to what Citus needs to distribute every
// organization-owned table by organization_id (CITUS.md, DESIGN.md §5):
// every primary key, unique and exclusion constraint and every unique index
// of such a table includes its distribution column, and no global table has
// a foreign key to one. Foreign keys between two organization-owned tables
// pairing their distribution columns is checkForeignKeys, run by
// TestCatalog.
func TestDistribution(t *testing.T) {
	t.Parallel()
	conn := adminConn(t, pgtest.New(t))
	var found []distributionViolation
	found = append(found, uniqueWithoutDistribution(t, conn)...)
	found = append(found, globalReferences(t, conn)...)
	seen := map[string]bool{}
	for _, v := range found {
		seen[v.Key] = true
		if _, ok := distributionPending[v.Key]; !ok {
			t.Errorf("%s (pending key %q)", v.Message, v.Key)
		}
	}
	for _, k := range slices.Sorted(maps.Keys(distributionPending)) {
		if !seen[k] {
			t.Errorf("distributionPending[%q] no longer departs from the rules: remove it", k)
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
