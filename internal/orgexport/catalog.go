package orgexport

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/jackc/pgx/v5"

	"realty/internal/postgres"
)

// Table is one table as the catalog describes it.
type Table struct {
	Schema, Name string
}

// String is schema.name.
func (t Table) String() string { return t.Schema + "." + t.Name }

// ident is the quoted schema.name.
func (t Table) ident() string { return pgx.Identifier{t.Schema, t.Name}.Sanitize() }

// foreignKey is one foreign key between two of realty's tables.
type foreignKey struct {
	Name             string
	From, To         Table
	FromCols, ToCols []string
}

// catalog is what an export or import needs to know of the schema.
type catalog struct {
	// owned are the organization-owned tables (a column organization_id),
	// partitioned tables by their parent, partitions left out, in
	// foreign-key dependency order.
	owned []Table
	// lookups are global tables naming an organization in org_id (the slug
	// and API key prefix lookups).
	lookups []Table
	// keys are the foreign keys of the owned tables.
	keys []foreignKey
	// userRefs are owned tables' columns referencing identity.users.
	userRefs []foreignKey
	// blobCols are owned tables holding a blob_key column.
	blobCols []Table
	// generated maps schema.name to its generated columns, never inserted.
	generated map[string][]string
}

// realtySchemas selects the schemas realty_owner owns, River's aside: the
// organization's queued jobs are not moved (see docs/operations.md).
const realtySchemas = `n.nspowner = to_regrole($1) AND n.nspname <> 'river'`

// readCatalog reads the catalog of the connected database.
func readCatalog(ctx context.Context, db postgres.DB) (*catalog, error) {
	c := &catalog{generated: map[string][]string{}}
	var err error
	if c.owned, err = tablesWith(ctx, db, "organization_id"); err != nil {
		return nil, err
	}
	if c.lookups, err = tablesWith(ctx, db, "org_id"); err != nil {
		return nil, err
	}
	if c.blobCols, err = tablesWith(ctx, db, "blob_key"); err != nil {
		return nil, err
	}
	c.blobCols = slices.DeleteFunc(c.blobCols, func(t Table) bool { return !slices.Contains(c.owned, t) })
	if err := c.readKeys(ctx, db); err != nil {
		return nil, err
	}
	if err := c.readGenerated(ctx, db); err != nil {
		return nil, err
	}
	c.owned = dependencyOrder(c.owned, c.keys)
	return c, nil
}

// tablesWith lists realty's tables (partitioned parents, not partitions)
// having a column of that name, by name.
func tablesWith(ctx context.Context, db postgres.DB, column string) ([]Table, error) {
	rows, err := db.Query(ctx, `SELECT n.nspname, c.relname FROM pg_class c
		JOIN pg_namespace n ON n.oid = c.relnamespace
		JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = $2 AND NOT a.attisdropped
		WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition AND `+realtySchemas+`
		ORDER BY 1, 2`, postgres.OwnerRole, column)
	if err != nil {
		return nil, fmt.Errorf("list tables: %w", err)
	}
	var out []Table
	var t Table
	_, err = pgx.ForEachRow(rows, []any{&t.Schema, &t.Name}, func() error {
		out = append(out, t)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("list tables: %w", err)
	}
	return out, nil
}

// readKeys reads every foreign key whose referencing table is owned.
func (c *catalog) readKeys(ctx context.Context, db postgres.DB) error {
	rows, err := db.Query(ctx, `SELECT k.conname, fn.nspname, f.relname, tn.nspname, t.relname,
			ARRAY(SELECT a.attname::text FROM unnest(k.conkey) WITH ORDINALITY u(n, i)
				JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = u.n ORDER BY u.i),
			ARRAY(SELECT a.attname::text FROM unnest(k.confkey) WITH ORDINALITY u(n, i)
				JOIN pg_attribute a ON a.attrelid = k.confrelid AND a.attnum = u.n ORDER BY u.i)
		FROM pg_constraint k
		JOIN pg_class f ON f.oid = k.conrelid JOIN pg_namespace fn ON fn.oid = f.relnamespace
		JOIN pg_class t ON t.oid = k.confrelid JOIN pg_namespace tn ON tn.oid = t.relnamespace
		WHERE k.contype = 'f' AND NOT f.relispartition AND k.conparentid = 0
		ORDER BY 2, 3, 1`)
	if err != nil {
		return fmt.Errorf("list foreign keys: %w", err)
	}
	var k foreignKey
	_, err = pgx.ForEachRow(rows, []any{&k.Name, &k.From.Schema, &k.From.Name, &k.To.Schema, &k.To.Name, &k.FromCols, &k.ToCols}, func() error {
		if !slices.Contains(c.owned, k.From) {
			return nil
		}
		c.keys = append(c.keys, k)
		if k.To == usersTable {
			c.userRefs = append(c.userRefs, k)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("list foreign keys: %w", err)
	}
	return nil
}

// readGenerated reads the generated columns of realty's tables.
func (c *catalog) readGenerated(ctx context.Context, db postgres.DB) error {
	rows, err := db.Query(ctx, `SELECT n.nspname || '.' || c.relname, a.attname::text FROM pg_attribute a
		JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
		WHERE a.attgenerated <> '' AND NOT a.attisdropped AND `+realtySchemas, postgres.OwnerRole)
	if err != nil {
		return fmt.Errorf("list generated columns: %w", err)
	}
	var table, col string
	_, err = pgx.ForEachRow(rows, []any{&table, &col}, func() error {
		c.generated[table] = append(c.generated[table], col)
		return nil
	})
	if err != nil {
		return fmt.Errorf("list generated columns: %w", err)
	}
	return nil
}

// dependencyOrder sorts tables so that every table comes after the tables
// its foreign keys reference (Kahn's algorithm, ties by name; a table's
// references to itself are ignored, and tables on a cycle, should one
// appear, follow in name order). The import does not rely on the order (it
// checks every foreign key after loading), but a reader of the file and any
// other loader can.
func dependencyOrder(tables []Table, keys []foreignKey) []Table {
	deps := map[Table]map[Table]bool{}
	for _, t := range tables {
		deps[t] = map[Table]bool{}
	}
	for _, k := range keys {
		if _, ok := deps[k.To]; ok && k.From != k.To {
			deps[k.From][k.To] = true
		}
	}
	byName := func(a, b Table) int { return cmp.Compare(a.String(), b.String()) }
	var out []Table
	for len(deps) > 0 {
		var ready []Table
		for t, d := range deps {
			if len(d) == 0 {
				ready = append(ready, t)
			}
		}
		if len(ready) == 0 { // a cycle: take the rest by name
			for t := range deps {
				ready = append(ready, t)
			}
		}
		slices.SortFunc(ready, byName)
		for _, t := range ready {
			delete(deps, t)
			for _, d := range deps {
				delete(d, t)
			}
		}
		out = append(out, ready...)
	}
	return out
}

// Tables realty's export names itself, beside those read from the catalog.
var (
	orgTable      = Table{"org", "organizations"}
	usersTable    = Table{"identity", "users"}
	recoveryTable = Table{"identity", "mfa_recovery_codes"}
)

// columnList quotes and joins column names.
func columnList(prefix string, cols []string) string {
	q := make([]string, len(cols))
	for i, c := range cols {
		q[i] = prefix + pgx.Identifier{c}.Sanitize()
	}
	return strings.Join(q, ", ")
}
