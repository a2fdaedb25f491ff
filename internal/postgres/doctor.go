package postgres

import (
	"context"
	"fmt"
	"strings"
)

// Check is one finding of Diagnose.
type Check struct {
	Name           string
	Status         string // OK, WARNING or FAIL
	Value          string
	Recommendation string
}

// Statuses of a Check.
const (
	OK      = "OK"
	Warning = "WARNING"
	Fail    = "FAIL"
)

// Version is a server's version.
type Version struct {
	Num  int    // server_version_num, e.g. 150018
	Text string // server_version, e.g. "15.18 (Debian 15.18-0+deb12u1)"
}

// MinimumVersion is the oldest server realty runs on; RecommendedVersion the
// oldest with the row-level security fixes realty's isolation relies on.
const (
	MinimumVersion     = 150000
	RecommendedVersion = 150014
)

// Warning says what is wrong with the version, or "".
func (v Version) Warning() string {
	switch {
	case v.Num < MinimumVersion:
		return "PostgreSQL 15 or later is required"
	case v.Num < RecommendedVersion:
		return "PostgreSQL below 15.14 lacks row-level security fixes; upgrade to the latest 15.x or later"
	}
	return ""
}

// ServerVersion reads the server's version.
func ServerVersion(ctx context.Context, db DB) (Version, error) {
	var v Version
	err := db.QueryRow(ctx, "SELECT current_setting('server_version_num')::int, current_setting('server_version')").Scan(&v.Num, &v.Text)
	if err != nil {
		return v, fmt.Errorf("server version: %w", err)
	}
	return v, nil
}

// realtySchemas are the schemas whose tables the checks look at.
const realtySchemas = `('identity','org','property','listing','crm','deal','document','leasing','ledger','maintenance','messaging','audit','report','app')`

// Diagnose runs the database health checks through an administrative
// connection (pg_stat_activity needs it to see every session), ending with
// the health checks /metrics also reports (health_checks.go). A check whose
// query fails is reported as FAIL with the error; Diagnose itself fails only
// when ctx ends.
func Diagnose(ctx context.Context, db DB) ([]Check, error) {
	var out []Check
	for _, c := range checks() {
		check := c.run(ctx, db)
		check.Name = c.name
		out = append(out, check)
		if err := ctx.Err(); err != nil {
			return out, err
		}
	}
	out = append(out, healthChecks(ctx, db)...) // health_checks.go
	return out, ctx.Err()
}

type checker struct {
	name string
	run  func(context.Context, DB) Check
}

func checks() []checker {
	return []checker{
		{"Server version", checkVersion},
		{"Extensions", checkExtensions},
		{"Migrations", checkMigrations},
		{"Runtime role", checkRuntimeRoleSafe},
		{"Row-level security", checkRLS},
		{"Leakproof comparisons", checkLeakproof},
		{"Connections in use", checkConnections},
		{"Long-running queries", checkLongQueries},
		{"Unused indexes", checkUnusedIndexes},
	}
}

func failed(err error) Check {
	return Check{Status: Fail, Value: err.Error(), Recommendation: "fix the error above and run realty doctor again"}
}

func checkVersion(ctx context.Context, db DB) Check {
	v, err := ServerVersion(ctx, db)
	switch {
	case err != nil:
		return failed(err)
	case v.Num < MinimumVersion:
		return Check{"", Fail, v.Text, v.Warning()}
	case v.Warning() != "":
		return Check{"", Warning, v.Text, v.Warning()}
	}
	return Check{"", OK, v.Text, "none"}
}

func checkExtensions(ctx context.Context, db DB) Check {
	want := []string{"btree_gist", "pg_trgm", "cube", "earthdistance", "pgcrypto", "citext", "unaccent", "pg_stat_statements"}
	var missing []string
	for _, name := range want {
		var ok bool
		if err := db.QueryRow(ctx, "SELECT EXISTS (SELECT FROM pg_extension WHERE extname = $1)", name).Scan(&ok); err != nil {
			return failed(err)
		}
		if !ok {
			missing = append(missing, name)
		}
	}
	if len(missing) > 0 {
		return Check{"", Fail, "missing: " + strings.Join(missing, ", "), "run realty migrate up as a superuser (the contrib extensions need the postgresql-contrib files)"}
	}
	return Check{"", OK, fmt.Sprintf("%d present", len(want)), "none"}
}

func checkMigrations(ctx context.Context, db DB) Check {
	current, err := SchemaCurrent(ctx, db)
	switch {
	case err != nil:
		return failed(err)
	case !current:
		return Check{"", Fail, "behind", "run realty migrate up"}
	}
	return Check{"", OK, "current", "none"}
}

func checkRuntimeRoleSafe(ctx context.Context, db DB) Check {
	var super, bypass, exists bool
	err := db.QueryRow(ctx, `SELECT count(*) > 0, coalesce(bool_or(rolsuper), false), coalesce(bool_or(rolbypassrls), false)
		FROM pg_roles WHERE rolname = $1`, RuntimeRole).Scan(&exists, &super, &bypass)
	switch {
	case err != nil:
		return failed(err)
	case !exists:
		return Check{"", Fail, RuntimeRole + " missing", "run realty migrate up"}
	case super || bypass:
		return Check{"", Fail, RuntimeRole + " bypasses row-level security", "ALTER ROLE realty_app NOSUPERUSER NOBYPASSRLS"}
	}
	return Check{"", OK, RuntimeRole + " is subject to row-level security", "none"}
}

func checkRLS(ctx context.Context, db DB) Check {
	var tables, unprotected int
	err := db.QueryRow(ctx, `
		SELECT count(*), count(*) FILTER (WHERE NOT (c.relrowsecurity AND c.relforcerowsecurity))
		FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
		WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition AND n.nspname IN `+realtySchemas+`
		  AND EXISTS (SELECT FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'organization_id' AND NOT a.attisdropped)`).
		Scan(&tables, &unprotected)
	switch {
	case err != nil:
		return failed(err)
	case unprotected > 0:
		return Check{"", Fail, fmt.Sprintf("%d of %d organization tables without forced RLS", unprotected, tables), "apply app.apply_org_kit to them in a migration"}
	}
	return Check{"", OK, fmt.Sprintf("forced on all %d organization tables", tables), "none"}
}

// checkLeakproof verifies the comparisons migration 0001 marks LEAKPROOF:
// without the mark, row-level security keeps filters off their indexes.
func checkLeakproof(ctx context.Context, db DB) Check {
	var missing []string
	rows, err := db.Query(ctx, `SELECT p.oid::regprocedure::text FROM pg_proc p
		WHERE p.proname IN ('numeric_eq','numeric_lt','numeric_le','numeric_gt','numeric_ge','enum_eq','enum_ne','ts_match_vq',
		                    'texticlike','cube_contained','ll_to_earth','geo_point') AND NOT p.proleakproof`)
	if err != nil {
		return failed(err)
	}
	for rows.Next() {
		var fn string
		if err := rows.Scan(&fn); err != nil {
			rows.Close()
			return failed(err)
		}
		missing = append(missing, fn)
	}
	rows.Close()
	if len(missing) > 0 {
		return Check{"", Warning, "not leakproof: " + strings.Join(missing, ", "),
			"run migration 0001 as a superuser (ALTER FUNCTION … LEAKPROOF), or searches scan whole organizations"}
	}
	return Check{"", OK, "search comparisons can use their indexes under RLS", "none"}
}

func checkConnections(ctx context.Context, db DB) Check {
	var used, max int
	err := db.QueryRow(ctx, "SELECT count(*), current_setting('max_connections')::int FROM pg_stat_activity WHERE backend_type = 'client backend'").Scan(&used, &max)
	if err != nil {
		return failed(err)
	}
	v := fmt.Sprintf("%d of %d", used, max)
	if used*100 >= max*80 {
		return Check{"", Warning, v, "lower REALTY_POOL_SIZE or put PgBouncer (transaction mode) in front"}
	}
	return Check{"", OK, v, "none"}
}

func checkLongQueries(ctx context.Context, db DB) Check {
	var n int
	err := db.QueryRow(ctx, `SELECT count(*) FROM pg_stat_activity
		WHERE state <> 'idle' AND backend_type = 'client backend' AND now() - query_start > interval '5 minutes'`).Scan(&n)
	switch {
	case err != nil:
		return failed(err)
	case n > 0:
		return Check{"", Warning, fmt.Sprintf("%d running over 5 minutes", n), "inspect them in pg_stat_activity; pg_cancel_backend(pid) stops one"}
	}
	return Check{"", OK, "none over 5 minutes", "none"}
}

func checkUnusedIndexes(ctx context.Context, db DB) Check {
	rows, err := db.Query(ctx, `
		SELECT s.schemaname || '.' || s.indexrelname
		FROM pg_stat_user_indexes s JOIN pg_index i ON i.indexrelid = s.indexrelid
		WHERE s.idx_scan = 0 AND NOT i.indisunique AND s.schemaname IN `+realtySchemas+`
		  AND pg_relation_size(s.indexrelid) > 8 * 1024 * 1024
		ORDER BY pg_relation_size(s.indexrelid) DESC`)
	if err != nil {
		return failed(err)
	}
	var names []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			rows.Close()
			return failed(err)
		}
		names = append(names, n)
	}
	rows.Close()
	if len(names) > 0 {
		return Check{"", Warning, strings.Join(names, ", "), "never scanned since statistics were reset: consider dropping them in a migration"}
	}
	return Check{"", OK, "none over 8 MB", "none"}
}
