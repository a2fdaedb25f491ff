package postgres

import (
	"context"
	"fmt"
	"regexp"
	"strings"

	"github.com/jackc/pgx/v5"

	"realty/internal/postgres/migrations"
)

// On a Citus coordinator (the database has the citus extension), migrate up
// does three things more than on plain PostgreSQL, all idempotent:
//
//  1. Before the migrations, a superuser bootstrap, each statement in its own
//     transaction: the two roles committed before any DDL runs as them (Citus
//     propagates CREATE ROLE to the workers), realty_owner able to log in
//     (Citus runs the owner's DDL on the workers over new connections as that
//     role), and the database grants repeated on every worker (Citus does not
//     propagate GRANT … ON DATABASE for a database it did not create).
//  2. Every migration session allows triggers on distributed tables
//     (citus.enable_unsafe_triggers): realty's triggers touch only their own
//     row's organization, which is colocated.
//  3. After the migrations: the LEAKPROOF marks of the migrations repeated on
//     every worker (they are not propagated, and without them RLS loses its
//     index plans on the shards), every table not yet distributed distributed
//     (DistributionSQL), and the runtime role given
//     citus.propagate_set_commands = 'local', so the SET LOCAL scoping of a
//     transaction reaches the shards.
//
// CitusPlan computes the statements from the catalog; `realty migrate
// distribute --print` prints them and Migrator.Up runs them.

// CitusPlan is the SQL migrate up runs on a Citus coordinator besides the
// migrations: Before them and After them, in order, each statement on its
// own.
type CitusPlan struct {
	Before []string
	After  []string
	// Tables are how every table of realty's schemas is held on Citus,
	// those already distributed included (Distribution).
	Tables []DistributedTable
}

// HasCitus reports whether the database behind db has the citus extension.
func HasCitus(ctx context.Context, db DB) (bool, error) {
	var ok bool
	err := db.QueryRow(ctx, `SELECT EXISTS (SELECT FROM pg_extension WHERE extname = 'citus')`).Scan(&ok)
	if err != nil {
		return false, fmt.Errorf("look for citus: %w", err)
	}
	return ok, nil
}

// CitusBootstrapSQL returns the statements that prepare a Citus database for
// the migrations, given what exists: the roles are created when missing, the
// owner is allowed to log in, the database grants are made here and on every
// worker. db is an administrative (superuser) connection.
func CitusBootstrapSQL(ctx context.Context, db DB) ([]string, error) {
	var database string
	var owner, app bool
	err := db.QueryRow(ctx, `SELECT current_database(),
		EXISTS (SELECT FROM pg_roles WHERE rolname = $1), EXISTS (SELECT FROM pg_roles WHERE rolname = $2)`,
		OwnerRole, RuntimeRole).Scan(&database, &owner, &app)
	if err != nil {
		return nil, fmt.Errorf("read roles: %w", err)
	}
	return citusBootstrap(database, owner, app), nil
}

func citusBootstrap(database string, ownerExists, appExists bool) []string {
	var out []string
	if ownerExists {
		out = append(out, "ALTER ROLE "+OwnerRole+" LOGIN")
	} else {
		out = append(out, "CREATE ROLE "+OwnerRole+" LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS")
	}
	if !appExists {
		out = append(out, "CREATE ROLE "+RuntimeRole+" LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS NOINHERIT")
	}
	db := pgx.Identifier{database}.Sanitize()
	for _, grant := range []string{
		"GRANT CONNECT, CREATE, TEMPORARY ON DATABASE " + db + " TO " + OwnerRole,
		"GRANT CONNECT ON DATABASE " + db + " TO " + RuntimeRole,
	} {
		out = append(out, grant, OnWorkers(grant))
	}
	return out
}

// OnWorkers wraps stmt in Citus's run_command_on_workers, which runs it on
// every worker and returns one row per worker with whether it succeeded
// (runCitus fails on any that did not).
func OnWorkers(stmt string) string {
	return "SELECT nodename, nodeport, success, result FROM run_command_on_workers(" + quoteLiteral(stmt) + ")"
}

// quoteLiteral returns s as a SQL string literal.
func quoteLiteral(s string) string {
	return "'" + strings.ReplaceAll(s, "'", "''") + "'"
}

// leakproofMark matches an ALTER FUNCTION … LEAKPROOF statement of a
// migration's Up section.
var leakproofMark = regexp.MustCompile(`(?m)^ALTER FUNCTION [^;]+ LEAKPROOF;`)

// LeakproofMarks returns the ALTER FUNCTION … LEAKPROOF statements of every
// migration's Up section, in migration order, without the semicolon.
func LeakproofMarks() []string {
	var out []string
	for _, name := range migrations.Files() {
		b, err := migrations.FS.ReadFile(name)
		if err != nil {
			panic(err) // embedded: cannot fail
		}
		up, _, _ := strings.Cut(string(b), "-- +goose Down")
		for _, m := range leakproofMark.FindAllString(up, -1) {
			out = append(out, strings.TrimSuffix(m, ";"))
		}
	}
	return out
}

// CitusDistributeSQL returns the statements run on a Citus coordinator after
// the migrations: the LEAKPROOF marks on every worker, the distribution of
// every table of realty's schemas that Citus does not hold yet (read from
// pg_dist_partition, Citus's catalog of distributed tables; on plain
// PostgreSQL every table is listed), and the runtime role's setting.
func CitusDistributeSQL(ctx context.Context, db DB) ([]string, error) {
	tables, err := Distribution(ctx, db)
	if err != nil {
		return nil, err
	}
	return citusDistributeSQL(ctx, db, tables)
}

// citusDistributeSQL is CitusDistributeSQL for the tables Distribution
// returned.
func citusDistributeSQL(ctx context.Context, db DB, tables []DistributedTable) ([]string, error) {
	held, err := citusTables(ctx, db)
	if err != nil {
		return nil, err
	}
	var todo []DistributedTable
	for _, t := range tables {
		if !held[t.Name] {
			todo = append(todo, t)
		}
	}
	var out []string
	for _, mark := range LeakproofMarks() {
		out = append(out, OnWorkers(mark))
	}
	out = append(out, DistributionSQL(todo)...)
	var database string
	if err := db.QueryRow(ctx, `SELECT current_database()`).Scan(&database); err != nil {
		return nil, fmt.Errorf("read database name: %w", err)
	}
	out = append(out, "ALTER ROLE "+RuntimeRole+" IN DATABASE "+pgx.Identifier{database}.Sanitize()+
		" SET citus.propagate_set_commands = 'local'")
	return out, nil
}

// citusTables returns the tables Citus already holds (distributed or
// reference), by schema-qualified name; none when pg_dist_partition does not
// exist (plain PostgreSQL).
func citusTables(ctx context.Context, db DB) (map[string]bool, error) {
	var exists bool
	if err := db.QueryRow(ctx, `SELECT to_regclass('pg_dist_partition') IS NOT NULL`).Scan(&exists); err != nil {
		return nil, fmt.Errorf("look for pg_dist_partition: %w", err)
	}
	held := map[string]bool{}
	if !exists {
		return held, nil
	}
	rows, err := db.Query(ctx, `SELECT n.nspname || '.' || c.relname FROM pg_dist_partition p
		JOIN pg_class c ON c.oid = p.logicalrelid JOIN pg_namespace n ON n.oid = c.relnamespace`)
	if err != nil {
		return nil, fmt.Errorf("read pg_dist_partition: %w", err)
	}
	var name string
	_, err = pgx.ForEachRow(rows, []any{&name}, func() error {
		held[name] = true
		return nil
	})
	return held, err
}

// Citus computes the plan for the database behind db, as migrate up would
// run it now: Before as if the migrations were still to come, After for the
// schema as it stands.
func Citus(ctx context.Context, db DB) (CitusPlan, error) {
	before, err := CitusBootstrapSQL(ctx, db)
	if err != nil {
		return CitusPlan{}, err
	}
	tables, err := Distribution(ctx, db)
	if err != nil {
		return CitusPlan{}, err
	}
	after, err := citusDistributeSQL(ctx, db, tables)
	if err != nil {
		return CitusPlan{}, err
	}
	return CitusPlan{Before: before, After: after, Tables: tables}, nil
}

// runCitus runs stmts in order on conn, each in its own transaction, with
// the simple protocol (no statement is prepared). A result with a success
// column (run_command_on_workers) fails on any worker row that did not
// succeed, naming the worker and its error.
func runCitus(ctx context.Context, conn *pgx.Conn, stmts []string) error {
	for _, stmt := range stmts {
		if err := runCitusStatement(ctx, conn, stmt); err != nil {
			return fmt.Errorf("citus: %s: %w", stmt, err)
		}
	}
	return nil
}

func runCitusStatement(ctx context.Context, conn *pgx.Conn, stmt string) error {
	rows, err := conn.Query(ctx, stmt, pgx.QueryExecModeSimpleProtocol)
	if err != nil {
		return err
	}
	defer rows.Close()
	success := -1
	for i, f := range rows.FieldDescriptions() {
		if f.Name == "success" {
			success = i
		}
	}
	var failed []string
	for rows.Next() {
		if success < 0 {
			continue
		}
		vals, err := rows.Values()
		if err != nil {
			return err
		}
		if ok, _ := vals[success].(bool); !ok {
			failed = append(failed, fmt.Sprint(vals...))
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	if len(failed) > 0 {
		return fmt.Errorf("failed on workers: %s", strings.Join(failed, "; "))
	}
	return nil
}
