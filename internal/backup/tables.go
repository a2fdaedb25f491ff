package backup

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"realty/internal/postgres"
)

// connect opens an administrative connection whose output settings are
// fixed, so a row's text (and so its checksum) does not depend on the
// server's or the client's defaults.
func connect(ctx context.Context, dbURL string) (*pgx.Conn, error) {
	cfg, err := pgx.ParseConfig(dbURL)
	if err != nil {
		return nil, fmt.Errorf("database URL: %w", err)
	}
	for k, v := range map[string]string{"TimeZone": "UTC", "DateStyle": "ISO, YMD", "IntervalStyle": "postgres",
		"extra_float_digits": "1", "bytea_output": "hex", "application_name": "realty backup"} {
		cfg.RuntimeParams[k] = v
	}
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("connect: %w", err)
	}
	return conn, nil
}

// requireAllRows fails unless the connection's role sees every row despite
// row-level security (a superuser or a role with BYPASSRLS), as pg_dump and
// the row counts need.
func requireAllRows(ctx context.Context, db postgres.DB) error {
	var ok bool
	var role string
	if err := db.QueryRow(ctx, `SELECT current_user, rolsuper OR rolbypassrls FROM pg_roles WHERE rolname = current_user`).Scan(&role, &ok); err != nil {
		return fmt.Errorf("read role: %w", err)
	}
	if !ok {
		return fmt.Errorf("role %s is neither a superuser nor BYPASSRLS: row-level security would hide rows; "+
			"back up and restore through a superuser (REALTY_ADMIN_DATABASE_URL)", role)
	}
	return nil
}

// realtyTables lists the tables realty owns, read from the catalog: every
// table in a schema realty_owner owns, and every table realty_owner owns
// elsewhere (goose's version table). Partitions are listed one by one;
// partitioned parents hold no rows of their own.
func realtyTables(ctx context.Context, db postgres.DB) ([]Table, error) {
	rows, err := db.Query(ctx, `SELECT n.nspname AS schema, c.relname AS name FROM pg_class c
		JOIN pg_namespace n ON n.oid = c.relnamespace
		WHERE c.relkind = 'r' AND to_regrole($1) IS NOT NULL
		  AND (n.nspowner = to_regrole($1) OR c.relowner = to_regrole($1))
		ORDER BY 1, 2`, postgres.OwnerRole)
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

// tableStats fills each table's row count and, with checksums, its
// checksum: the sum of the first 64 bits (read as a signed integer) of the
// md5 of every row's text. A sum does not depend on the rows' order and
// needs constant memory however large the table; with the count it catches
// a changed, lost or added row.
func tableStats(ctx context.Context, db postgres.DB, tables []Table, checksums bool) error {
	for i := range tables {
		name := pgx.Identifier{tables[i].Schema, tables[i].Name}.Sanitize()
		sql := "SELECT count(*), '' FROM " + name
		if checksums {
			sql = "SELECT count(*), coalesce(sum(('x' || left(md5(realty_backup_row::text), 16))::bit(64)::bigint::numeric), 0)::text FROM " +
				name + " AS realty_backup_row"
		}
		if err := db.QueryRow(ctx, sql).Scan(&tables[i].Rows, &tables[i].Checksum); err != nil {
			return fmt.Errorf("count %s: %w", tables[i].QualifiedName(), err)
		}
	}
	return nil
}

// schemaVersions returns goose's and River's schema versions (0 when a
// table is missing; checked first, since a failed query would end the
// snapshot's transaction).
func schemaVersions(ctx context.Context, db postgres.DB) (schema int64, river int, err error) {
	var hasGoose, hasRiver bool
	err = db.QueryRow(ctx, `SELECT to_regclass('public.goose_db_version') IS NOT NULL, to_regclass('river.river_migration') IS NOT NULL`).
		Scan(&hasGoose, &hasRiver)
	if err == nil && hasGoose {
		err = db.QueryRow(ctx, `SELECT coalesce(max(version_id), 0) FROM public.goose_db_version`).Scan(&schema)
	}
	if err == nil && hasRiver {
		err = db.QueryRow(ctx, `SELECT coalesce(max(version), 0) FROM river.river_migration`).Scan(&river)
	}
	if err != nil {
		return 0, 0, fmt.Errorf("schema version: %w", err)
	}
	return schema, river, nil
}

// compareTables returns one line per table that differs between want (the
// manifest) and got (restored), or that only one of them has.
func compareTables(want, got []Table, checksums bool) []TableResult {
	byName := map[string]Table{}
	for _, t := range got {
		byName[t.QualifiedName()] = t
	}
	var out []TableResult
	for _, w := range want {
		g, ok := byName[w.QualifiedName()]
		delete(byName, w.QualifiedName())
		r := TableResult{Table: w.QualifiedName(), Want: w.Rows, Got: g.Rows, OK: true}
		switch {
		case !ok:
			r.OK, r.Problem, r.Got = false, "missing after restore", -1
		case g.Rows != w.Rows:
			r.OK, r.Problem = false, "row count differs"
		case checksums && g.Checksum != w.Checksum:
			r.OK, r.Problem = false, "checksum differs"
		}
		out = append(out, r)
	}
	for _, g := range got {
		if _, extra := byName[g.QualifiedName()]; extra {
			out = append(out, TableResult{Table: g.QualifiedName(), Want: -1, Got: g.Rows, Problem: "not in the backup"})
		}
	}
	return out
}

// TableResult is one table's comparison after a restore.
type TableResult struct {
	Table     string
	Want, Got int64 // -1: absent on that side
	OK        bool
	Problem   string
}

// errNoTables is returned when a database holds none of realty's tables.
var errNoTables = errors.New("the database holds no realty tables (no schema owned by " + postgres.OwnerRole + "): is it realty's, and migrated?")
