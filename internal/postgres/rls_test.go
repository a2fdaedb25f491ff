package postgres_test

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5"

	"realty"
	"realty/internal/postgres"
	"realty/internal/postgres/pgtest"
)

// probe is a kit-equipped organization-owned table made for these tests.
const probeDDL = `
SET ROLE realty_owner;
CREATE TABLE app.probe (
    organization_id uuid NOT NULL,
    id uuid NOT NULL DEFAULT app.uuid_v7(),
    name text NOT NULL UNIQUE,
    qty int NOT NULL DEFAULT 0 CONSTRAINT probe_qty_positive CHECK (qty >= 0),
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (organization_id, id)
);
SELECT app.apply_org_kit('app.probe');
RESET ROLE;`

type setupResult struct {
	db         *pgtest.DB
	orgA, orgB realty.ID
	a, b       realty.Actor
}

// setup makes a database with the probe table holding two rows of
// organization A and one of organization B.
func setup(t testing.TB) setupResult {
	t.Helper()
	db := pgtest.New(t)
	adminExec(t, db, probeDDL)
	s := setupResult{db: db, orgA: realty.NewID(), orgB: realty.NewID()}
	s.a = realty.Actor{OrgID: s.orgA, UserID: realty.NewID()}
	s.b = realty.Actor{OrgID: s.orgB, UserID: realty.NewID()}
	insert := func(actor realty.Actor, names ...string) {
		err := postgres.Tx(context.Background(), db.Pool, actor, func(tx pgx.Tx) error {
			for _, n := range names {
				if _, err := tx.Exec(context.Background(),
					`INSERT INTO app.probe (organization_id, name) VALUES (app.current_org_id(), $1)`, n); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatalf("insert %v: %v", names, err)
		}
	}
	insert(s.a, "a1", "a2")
	insert(s.b, "b1")
	return s
}

func adminExec(t testing.TB, db *pgtest.DB, sql string) {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, db.AdminURL)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, sql); err != nil {
		t.Fatalf("admin: %v", err)
	}
}

func count(t *testing.T, conn *pgx.Conn, sql string, args ...any) int {
	t.Helper()
	var n int
	if err := conn.QueryRow(context.Background(), sql, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return n
}

// TestRuntimeRoleCannotEscapeRLS connects as realty_app and tries every way a
// missing or broken organization context could leak rows.
func TestRuntimeRoleCannotEscapeRLS(t *testing.T) {
	t.Parallel()
	s := setup(t)
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, s.db.AppURL)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)

	// The settings a transaction can be left with; realty's own scoping
	// writes only canonical ids or '' (see FuzzScopeSQL and TestScopeInjection), but
	// the SQL function must fail closed whatever the setting holds, however
	// it was set.
	contexts := map[string]string{
		"Unset":              "",
		"Empty":              "SET LOCAL app.org_id = ''",
		"Garbage":            "SET LOCAL app.org_id = 'x'' OR true --'",
		"NilUUID":            "SET LOCAL app.org_id = '00000000-0000-0000-0000-000000000000'",
		"GarbageSetConfig":   "SELECT set_config('app.org_id', 'x'' OR true --', true)",
		"EmptySessionConfig": "SELECT set_config('app.org_id', '', false)",
	}
	for name, set := range contexts {
		t.Run("ErrNoRows/"+name, func(t *testing.T) {
			tx, err := conn.Begin(ctx)
			if err != nil {
				t.Fatal(err)
			}
			defer tx.Rollback(ctx)
			if set != "" {
				if _, err := tx.Exec(ctx, set); err != nil {
					t.Fatal(err)
				}
			}
			if n := count(t, tx.Conn(), "SELECT count(*) FROM app.probe"); n != 0 {
				t.Fatalf("%d rows visible", n)
			}
			tag, err := tx.Exec(ctx, "UPDATE app.probe SET qty = qty + 1")
			if err != nil || tag.RowsAffected() != 0 {
				t.Fatalf("update changed %d rows, err %v", tag.RowsAffected(), err)
			}
			if tag, err := tx.Exec(ctx, "DELETE FROM app.probe"); err != nil || tag.RowsAffected() != 0 {
				t.Fatalf("delete removed %d rows, err %v", tag.RowsAffected(), err)
			}
		})
	}

	t.Run("ErrNoRows/Stale", func(t *testing.T) {
		// A transaction-local setting from a previous transaction on the same
		// connection must not carry over.
		tx, err := conn.Begin(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := tx.Exec(ctx, "SET LOCAL app.org_id = '"+s.orgA.String()+"'"); err != nil {
			t.Fatal(err)
		}
		if n := count(t, tx.Conn(), "SELECT count(*) FROM app.probe"); n != 2 {
			t.Fatalf("inside the scoped transaction %d rows, want 2", n)
		}
		if err := tx.Commit(ctx); err != nil {
			t.Fatal(err)
		}
		if n := count(t, conn, "SELECT count(*) FROM app.probe"); n != 0 {
			t.Fatalf("after commit %d rows still visible", n)
		}
	})

	t.Run("ErrNoRows/NoOrganization", func(t *testing.T) {
		// An actor without organization: realty's scoping sets '' .
		noOrg := realty.Actor{UserID: s.a.UserID}
		err := postgres.Tx(ctx, s.db.Pool, noOrg, func(tx pgx.Tx) error {
			if n := count(t, tx.Conn(), "SELECT count(*) FROM app.probe"); n != 0 {
				t.Errorf("%d rows visible", n)
			}
			var org *string
			if err := tx.QueryRow(ctx, "SELECT current_setting('app.org_id', true)").Scan(&org); err != nil {
				return err
			}
			if org == nil || *org != "" {
				t.Errorf("app.org_id = %v, want ''", org)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		err = postgres.Tx(ctx, s.db.Pool, noOrg, func(tx pgx.Tx) error {
			_, err := tx.Exec(ctx, "INSERT INTO app.probe (organization_id, name) VALUES ($1, 'planted')", s.orgA)
			return err
		})
		if realty.KindOf(err) != realty.Forbidden {
			t.Fatalf("insert without organization: kind %q (%v), want forbidden", realty.KindOf(err), err)
		}
		rows, err := postgres.ReadAll[struct {
			Name string `db:"name"`
		}](ctx, s.db.Pool, noOrg, "SELECT name FROM app.probe")
		if err != nil || len(rows) != 0 {
			t.Fatalf("read without organization: %v, %v", rows, err)
		}
	})

	t.Run("ErrOtherOrganization", func(t *testing.T) {
		err := postgres.Tx(ctx, s.db.Pool, s.a, func(tx pgx.Tx) error {
			if n := count(t, tx.Conn(), "SELECT count(*) FROM app.probe WHERE name = 'b1'"); n != 0 {
				t.Errorf("organization B's row visible to A")
			}
			tag, err := tx.Exec(ctx, "UPDATE app.probe SET qty = 9 WHERE name = 'b1'")
			if err != nil || tag.RowsAffected() != 0 {
				t.Errorf("A updated B's row: %d, %v", tag.RowsAffected(), err)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		err = postgres.Tx(ctx, s.db.Pool, s.a, func(tx pgx.Tx) error {
			_, err := tx.Exec(ctx, "INSERT INTO app.probe (organization_id, name) VALUES ($1, 'planted')", s.orgB)
			return err
		})
		if realty.KindOf(err) != realty.Forbidden {
			t.Fatalf("insert into another organization: kind %q (%v), want forbidden", realty.KindOf(err), err)
		}
		err = postgres.Tx(ctx, s.db.Pool, s.a, func(tx pgx.Tx) error {
			_, err := tx.Exec(ctx, "UPDATE app.probe SET organization_id = $1 WHERE name = 'a1'", s.orgB)
			return err
		})
		if realty.KindOf(err) != realty.Forbidden {
			t.Fatalf("moving a row to another organization: kind %q (%v), want forbidden", realty.KindOf(err), err)
		}
	})

	t.Run("ErrRoleCannotDisableRLS", func(t *testing.T) {
		for _, sql := range []string{
			"ALTER TABLE app.probe DISABLE ROW LEVEL SECURITY",
			"SET row_security = off; SELECT count(*) FROM app.probe",
			"SET ROLE realty_owner",
		} {
			if _, err := conn.Exec(ctx, sql); err == nil {
				t.Errorf("%q succeeded for the runtime role", sql)
			}
		}
	})
}

// TestReadScopesOneRoundTrip checks Read's pipelined scoping really applies
// to the query it carries, and leaves nothing behind on the connection.
func TestReadScopesOneRoundTrip(t *testing.T) {
	t.Parallel()
	s := setup(t)
	ctx := realty.WithRequestID(context.Background(), "req-1")
	type row struct {
		Name string `db:"name"`
		Org  string `db:"org"`
		Req  string `db:"req"`
	}
	for _, c := range []struct {
		actor realty.Actor
		want  []string
	}{{s.a, []string{"a1", "a2"}}, {s.b, []string{"b1"}}, {realty.Actor{}, nil}} {
		rows, err := postgres.ReadAll[row](ctx, s.db.Pool, c.actor,
			`SELECT name, app.current_org_id()::text AS org, app.current_request_id() AS req FROM app.probe ORDER BY name`)
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, r := range rows {
			names = append(names, r.Name)
			if r.Org != c.actor.OrgID.String() || r.Req != "req-1" {
				t.Errorf("row %+v scoped wrongly", r)
			}
		}
		if len(names) != len(c.want) || (len(names) > 0 && names[0] != c.want[0]) {
			t.Errorf("actor %s saw %v, want %v", c.actor.OrgID, names, c.want)
		}
	}
	var leftover string
	if err := s.db.Pool.QueryRow(ctx, "SELECT coalesce(current_setting('app.org_id', true), '')").Scan(&leftover); err != nil {
		t.Fatal(err)
	}
	if leftover != "" {
		t.Fatalf("organization %q left on a pooled connection", leftover)
	}
}
