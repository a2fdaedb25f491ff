package postgres_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"slices"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"realty"
	"realty/internal/postgres"
	"realty/internal/postgres/migrations"
	"realty/internal/postgres/pgtest"
)

func TestAuditTrail(t *testing.T) {
	t.Parallel()
	s := setup(t)
	ctx := realty.WithRequestID(context.Background(), "req-audit")
	err := postgres.Tx(ctx, s.db.Pool, s.a, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, "UPDATE app.probe SET qty = 5 WHERE name = 'a1'"); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, "UPDATE app.probe SET qty = qty WHERE name = 'a2'"); err != nil { // no change
			return err
		}
		_, err := tx.Exec(ctx, "DELETE FROM app.probe WHERE name = 'a2'")
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	type change struct {
		Action    string          `db:"action"`
		TableName string          `db:"table_name"`
		UserID    *string         `db:"user_id"`
		RequestID *string         `db:"request_id"`
		NewData   json.RawMessage `db:"new_data"`
	}
	changes, err := postgres.ReadAll[change](ctx, s.db.Pool, s.a,
		`SELECT action, table_name, user_id::text, request_id, new_data FROM audit.changes
		WHERE organization_id = $1 ORDER BY changed_at, id`, s.a.OrgID)
	if err != nil {
		t.Fatal(err)
	}
	var actions []string
	for _, c := range changes {
		actions = append(actions, c.Action)
		if c.TableName != "app.probe" {
			t.Errorf("table_name = %q", c.TableName)
		}
	}
	if want := []string{"INSERT", "INSERT", "UPDATE", "DELETE"}; len(actions) != len(want) ||
		actions[2] != "UPDATE" || actions[3] != "DELETE" {
		t.Fatalf("organization A's trail = %v, want %v (a no-op update leaves no entry)", actions, want)
	}
	upd := changes[2]
	if upd.UserID == nil || *upd.UserID != s.a.UserID.String() || upd.RequestID == nil || *upd.RequestID != "req-audit" {
		t.Errorf("update entry user %v request %v", upd.UserID, upd.RequestID)
	}
	if string(upd.NewData) != `{"qty": 5}` {
		t.Errorf("update new_data = %s, want only the changed column", upd.NewData)
	}

	t.Run("ErrRuntimeRoleCannotForge", func(t *testing.T) {
		err := postgres.Tx(ctx, s.db.Pool, s.a, func(tx pgx.Tx) error {
			_, err := tx.Exec(ctx, `INSERT INTO audit.changes (organization_id, table_name, action) VALUES (app.current_org_id(), 'x', 'INSERT')`)
			return err
		})
		if realty.KindOf(err) != realty.Forbidden {
			t.Fatalf("forged audit insert: %v", err)
		}
		err = postgres.Tx(ctx, s.db.Pool, s.a, func(tx pgx.Tx) error {
			_, err := tx.Exec(ctx, `DELETE FROM audit.changes`)
			return err
		})
		if realty.KindOf(err) != realty.Forbidden {
			t.Fatalf("audit delete: %v", err)
		}
	})
	t.Run("OKPartitions", func(t *testing.T) {
		var created, parts int
		err := postgres.Tx(ctx, s.db.Pool, s.a, func(tx pgx.Tx) error {
			if err := tx.QueryRow(ctx, "SELECT audit.ensure_partitions(3)").Scan(&created); err != nil {
				return err
			}
			return tx.QueryRow(ctx, `SELECT count(*) FROM pg_inherits WHERE inhparent = 'audit.changes'::regclass`).Scan(&parts)
		})
		if err != nil {
			t.Fatal(err)
		}
		// The migration made this month and two ahead, plus the default.
		if created != 1 || parts != 5 {
			t.Fatalf("ensure_partitions(3) created %d, partitions %d; want 1 and 5", created, parts)
		}
	})
}

// The probe table's check, registered once per test binary as a domain
// registers its own from init.
func init() {
	postgres.RegisterConstraints(map[string]postgres.Constraint{
		"app.probe_qty_positive": {Kind: realty.Invalid, Field: "qty", Message: "must not be negative"},
	})
}

func TestMapError(t *testing.T) {
	t.Parallel()
	s := setup(t)
	ctx := context.Background()
	run := func(sql string) error {
		return postgres.Tx(ctx, s.db.Pool, s.a, func(tx pgx.Tx) error {
			_, err := tx.Exec(ctx, sql)
			return err
		})
	}
	cases := []struct {
		name, sql string
		kind      realty.Kind
		field     string
	}{
		{"Unique", "INSERT INTO app.probe (organization_id, name) VALUES (app.current_org_id(), 'a1')", realty.Conflict, ""},
		{"RegisteredCheck", "UPDATE app.probe SET qty = -1", realty.Invalid, "qty"},
		{"NotNull", "INSERT INTO app.probe (organization_id) VALUES (app.current_org_id())", realty.Invalid, "name"},
		{"BadText", "SELECT 'nope'::uuid", realty.Invalid, ""},
		{"Unknown", "SELECT * FROM no_such_table", realty.Internal, ""},
	}
	for _, c := range cases {
		t.Run("Err"+c.name, func(t *testing.T) {
			err := run(c.sql)
			if realty.KindOf(err) != c.kind {
				t.Fatalf("kind = %q (%v), want %q", realty.KindOf(err), err, c.kind)
			}
			if c.field != "" && realty.FieldsOf(err)[c.field] == "" {
				t.Fatalf("fields = %v, want %q named", realty.FieldsOf(err), c.field)
			}
		})
	}
	t.Run("ErrNoRowsIsNotFound", func(t *testing.T) {
		err := postgres.Tx(ctx, s.db.Pool, s.a, func(tx pgx.Tx) error {
			var n string
			return tx.QueryRow(ctx, "SELECT name FROM app.probe WHERE name = 'b1'").Scan(&n)
		})
		if realty.KindOf(err) != realty.NotFound {
			t.Fatalf("kind = %q, want not_found", realty.KindOf(err))
		}
	})
	t.Run("OKRollsBack", func(t *testing.T) {
		_ = postgres.Tx(ctx, s.db.Pool, s.a, func(tx pgx.Tx) error {
			if _, err := tx.Exec(ctx, "UPDATE app.probe SET qty = 7 WHERE name = 'a1'"); err != nil {
				return err
			}
			return realty.Errorf(realty.Invalid, "refused later")
		})
		rows, err := postgres.ReadAll[struct {
			Qty int `db:"qty"`
		}](ctx, s.db.Pool, s.a, "SELECT qty FROM app.probe WHERE name = 'a1'")
		if err != nil || len(rows) != 1 || rows[0].Qty != 0 {
			t.Fatalf("partial write kept: %+v %v", rows, err)
		}
	})
}

func TestRuntimeRole(t *testing.T) {
	t.Parallel()
	db := pgtest.New(t)
	ctx := context.Background()
	if err := postgres.CheckRuntimeRole(ctx, db.Pool); err != nil {
		t.Fatalf("realty_app refused: %v", err)
	}
	admin, err := postgres.OpenPool(ctx, db.AdminURL, 1)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	if err := postgres.CheckRuntimeRole(ctx, admin); err == nil {
		t.Fatal("a superuser runtime connection was accepted")
	}
	var owned int
	err = admin.QueryRow(ctx, `
		SELECT (SELECT count(*) FROM pg_class c JOIN pg_roles r ON r.oid = c.relowner WHERE r.rolname = 'realty_app')
		     + (SELECT count(*) FROM pg_proc p JOIN pg_roles r ON r.oid = p.proowner WHERE r.rolname = 'realty_app')
		     + (SELECT count(*) FROM pg_namespace n JOIN pg_roles r ON r.oid = n.nspowner WHERE r.rolname = 'realty_app')`).Scan(&owned)
	if err != nil || owned != 0 {
		t.Fatalf("realty_app owns %d objects (%v)", owned, err)
	}
}

// TestRoundTrip runs every migration down and up again on a migrated
// database.
func TestRoundTrip(t *testing.T) {
	t.Parallel()
	db := pgtest.New(t)
	ctx := context.Background()
	m := postgres.NewMigrator(db.AdminURL, slog.New(slog.NewTextHandler(io.Discard, nil)))
	current := func() bool {
		ok, err := postgres.SchemaCurrent(ctx, db.Pool)
		if err != nil {
			t.Fatal(err)
		}
		return ok
	}
	if !current() {
		t.Fatal("fresh test database not current")
	}
	if err := m.Reset(ctx); err != nil {
		t.Fatalf("down all: %v", err)
	}
	var schemas int
	if err := db.Pool.QueryRow(ctx, `SELECT count(*) FROM pg_namespace WHERE nspname IN ('app', 'audit', 'river')`).Scan(&schemas); err != nil {
		t.Fatal(err)
	}
	if schemas != 0 || current() {
		t.Fatalf("after down all: %d schemas left, current=%v", schemas, current())
	}
	if err := m.Up(ctx); err != nil {
		t.Fatalf("up all again: %v", err)
	}
	// Without Citus, Up gives the runtime role no Citus setting; with
	// pg_stat_statements loaded (the test cluster preloads it), it stops
	// tracking the role's utility statements.
	var settings []string
	var pgss bool
	if err := db.Pool.QueryRow(ctx, `SELECT coalesce((SELECT s.setconfig FROM pg_db_role_setting s JOIN pg_roles r ON r.oid = s.setrole
			WHERE r.rolname = $1 AND s.setdatabase = 0), '{}'),
			current_setting('pg_stat_statements.track_utility', true) IS NOT NULL`, postgres.RuntimeRole).Scan(&settings, &pgss); err != nil {
		t.Fatal(err)
	}
	for _, s := range settings {
		if strings.HasPrefix(s, "citus.") {
			t.Errorf("%s has %q without citus", postgres.RuntimeRole, s)
		}
	}
	if pgss && !slices.Contains(settings, "pg_stat_statements.track_utility=off") {
		t.Errorf("%s settings %q lack pg_stat_statements.track_utility=off", postgres.RuntimeRole, settings)
	}
	if !current() {
		t.Fatal("not current after up all")
	}
	st, err := m.Status(ctx)
	if err != nil {
		t.Fatal(err)
	}
	realtyApplied := 0
	for _, s := range st {
		if s.Line == "realty" && s.Applied {
			realtyApplied++
		}
		if !s.Applied {
			t.Errorf("migration %s %d %s not applied", s.Line, s.Version, s.Name)
		}
	}
	if realtyApplied != len(migrations.Files()) {
		t.Fatalf("%d realty migrations applied, want %d", realtyApplied, len(migrations.Files()))
	}
	if err := m.Redo(ctx); err != nil || !current() {
		t.Fatalf("redo: %v", err)
	}
}
