package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// DistributedTable is a table as Citus would hold it: Column is its
// distribution column, empty for a reference table (copied to every node).
type DistributedTable struct {
	Name   string `db:"name"`
	Column string `db:"distribution_column"`
}

// Distribution returns how each of realty's tables would be held on Citus,
// read from the migrated catalog through db (the administrative
// connection): org.organizations distributed by id, every table with an
// organization_id distributed by it, every other table of realty's schemas a
// reference table. River's tables stay ordinary tables on the coordinator
// and are left out. Reference tables come first, then org.organizations,
// then the rest, each after the tables its foreign keys reference: the order
// in which Citus accepts them.
func Distribution(ctx context.Context, db DB) ([]DistributedTable, error) {
	rows, err := db.Query(ctx, `SELECT name, distribution_column FROM (
		SELECT n.nspname || '.' || c.relname AS name,
			CASE WHEN n.nspname = 'org' AND c.relname = 'organizations' THEN 'id'
			     WHEN EXISTS (SELECT FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'organization_id'
			                  AND NOT a.attisdropped) THEN 'organization_id'
			     ELSE '' END AS distribution_column
		FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
		WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition AND n.nspname IN `+realtySchemas+`) t
		ORDER BY distribution_column <> '', name <> 'org.organizations', name`)
	if err != nil {
		return nil, fmt.Errorf("read catalog: %w", err)
	}
	tables, err := pgx.CollectRows(rows, pgx.RowToStructByName[DistributedTable])
	if err != nil {
		return nil, err
	}
	refs, err := foreignKeys(ctx, db)
	if err != nil {
		return nil, err
	}
	return referencedFirst(tables, refs), nil
}

// foreignKeys maps each of realty's tables to the tables its foreign keys
// reference (itself left out).
func foreignKeys(ctx context.Context, db DB) (map[string][]string, error) {
	rows, err := db.Query(ctx, `SELECT DISTINCT con.conrelid::regclass::text, con.confrelid::regclass::text
		FROM pg_constraint con JOIN pg_class c ON c.oid = con.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace
		WHERE con.contype = 'f' AND con.conrelid <> con.confrelid AND n.nspname IN `+realtySchemas)
	if err != nil {
		return nil, fmt.Errorf("read foreign keys: %w", err)
	}
	refs := map[string][]string{}
	var from, to string
	_, err = pgx.ForEachRow(rows, []any{&from, &to}, func() error {
		refs[from] = append(refs[from], to)
		return nil
	})
	return refs, err
}

// referencedFirst orders tables so that each comes after the tables it
// references, keeping the given order otherwise (a table in a cycle keeps
// its place).
func referencedFirst(tables []DistributedTable, refs map[string][]string) []DistributedTable {
	placed := map[string]bool{}
	var out []DistributedTable
	var place func(t DistributedTable, seen map[string]bool)
	byName := map[string]DistributedTable{}
	for _, t := range tables {
		byName[t.Name] = t
	}
	place = func(t DistributedTable, seen map[string]bool) {
		if placed[t.Name] || seen[t.Name] {
			return
		}
		seen[t.Name] = true
		for _, r := range refs[t.Name] {
			if dep, ok := byName[r]; ok {
				place(dep, seen)
			}
		}
		placed[t.Name] = true
		out = append(out, t)
	}
	for _, t := range tables {
		place(t, map[string]bool{})
	}
	return out
}

// DistributionSQL is the SQL that distributes tables on a Citus
// coordinator, in order: triggers on distributed tables are allowed for the
// session (realty's audit and history triggers touch only colocated
// tables), reference tables are created, then org.organizations and every
// organization-owned table colocated with it.
func DistributionSQL(tables []DistributedTable) []string {
	out := []string{"SET citus.enable_unsafe_triggers = on;"}
	for _, t := range tables {
		switch t.Column {
		case "":
			out = append(out, fmt.Sprintf("SELECT create_reference_table('%s');", t.Name))
		case "id":
			out = append(out, fmt.Sprintf("SELECT create_distributed_table('%s', 'id');", t.Name))
		default:
			out = append(out, fmt.Sprintf("SELECT create_distributed_table('%s', '%s', colocate_with => 'org.organizations');",
				t.Name, t.Column))
		}
	}
	return out
}
