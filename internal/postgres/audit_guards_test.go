package postgres_test

import (
	"context"
	"errors"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"realty"
	"realty/internal/postgres"
	"realty/internal/postgres/pgtest"
)

// TestSecurityEventOrganization calls audit.record_security_event as the
// runtime role: an event of the transaction's own organization is written,
// one naming another organization is refused, and one of no organization
// goes to the account log.
func TestSecurityEventOrganization(t *testing.T) {
	t.Parallel()
	s := setup(t)
	ctx := context.Background()
	admin := adminConn(t, s.db)
	for i, id := range []realty.ID{s.orgA, s.orgB} { // the trail's policy wants the organization set
		if _, err := admin.Exec(ctx, `SELECT set_config('app.org_id', $1, false)`, id.String()); err != nil {
			t.Fatal(err)
		}
		if _, err := admin.Exec(ctx, `INSERT INTO org.organizations (id, name, slug) VALUES ($1, 'Org', $2)`,
			id, []string{"org-a", "org-b"}[i]); err != nil {
			t.Fatal(err)
		}
	}
	record := func(actor realty.Actor, org *realty.ID) error {
		return postgres.Tx(ctx, s.db.Pool, actor, func(tx pgx.Tx) error {
			_, err := tx.Exec(ctx, "SELECT audit.record_security_event('test.event', $1, $2, NULL, 'ua', NULL)", org, actor.UserID)
			return err
		})
	}
	if err := record(s.a, &s.orgA); err != nil {
		t.Fatalf("own organization: %v", err)
	}
	if err := record(s.a, nil); err != nil {
		t.Fatalf("no organization: %v", err)
	}
	for name, actor := range map[string]realty.Actor{"ErrForeign": s.a, "ErrUnscoped": {UserID: s.a.UserID}} {
		t.Run(name, func(t *testing.T) {
			err := record(actor, &s.orgB)
			if realty.KindOf(err) != realty.Forbidden {
				t.Fatalf("event for organization B from %v: %v, want Forbidden", actor.OrgID, err)
			}
		})
	}
	var inB int
	if err := admin.QueryRow(ctx, `SELECT count(*) FROM audit.security_events WHERE organization_id = $1`, s.orgB).Scan(&inB); err != nil {
		t.Fatal(err)
	}
	if inB != 0 {
		t.Fatalf("organization B's log holds %d events written from A", inB)
	}
}

// TestEnsurePartitionsBounded: the partition-making definer function takes
// 1 to 24 months and refuses anything else with invalid_parameter_value.
func TestEnsurePartitionsBounded(t *testing.T) {
	t.Parallel()
	db := pgtest.New(t)
	ctx := context.Background()
	call := func(n any) error {
		return postgres.Tx(ctx, db.Pool, realty.Actor{}, func(tx pgx.Tx) error {
			_, err := tx.Exec(ctx, "SELECT audit.ensure_partitions($1)", n)
			return err
		})
	}
	for _, n := range []any{0, -1, 25, 100000, nil} {
		err := call(n)
		var pe *pgconn.PgError
		if !errors.As(err, &pe) || pe.Code != "22023" || realty.KindOf(err) != realty.Invalid {
			t.Errorf("ensure_partitions(%v): %v, want invalid_parameter_value", n, err)
		}
	}
	for _, n := range []int{1, 24} {
		if err := call(n); err != nil {
			t.Errorf("ensure_partitions(%d): %v", n, err)
		}
	}
}

// TestAuditUserIndex: migrate up leaves audit.changes_user_idx valid with an
// index on every partition, and completes a partitioned index created ON
// ONLY the parent (as migration 0012 does) by building each partition's.
func TestAuditUserIndex(t *testing.T) {
	t.Parallel()
	db := pgtest.New(t)
	ctx := context.Background()
	conn := adminConn(t, db)
	check := func(index string) {
		t.Helper()
		var valid bool
		var parts, indexed int
		err := conn.QueryRow(ctx, `SELECT i.indisvalid,
			(SELECT count(*) FROM pg_inherits WHERE inhparent = 'audit.changes'::regclass),
			(SELECT count(*) FROM pg_inherits WHERE inhparent = i.indexrelid)
			FROM pg_index i WHERE i.indexrelid = $1::regclass`, index).Scan(&valid, &parts, &indexed)
		if err != nil {
			t.Fatal(err)
		}
		if !valid || parts < 4 || indexed != parts {
			t.Fatalf("%s: valid %v, %d of %d partitions indexed", index, valid, indexed, parts)
		}
	}
	check("audit.changes_user_idx")
	if _, err := conn.Exec(ctx, `CREATE INDEX changes_probe_idx ON ONLY audit.changes (request_id)`); err != nil {
		t.Fatal(err)
	}
	n, err := postgres.CompletePartitionIndexes(ctx, conn)
	if err != nil {
		t.Fatal(err)
	}
	if n < 4 {
		t.Fatalf("built %d partition indexes, want one per partition", n)
	}
	check("audit.changes_probe_idx")
	if n, err := postgres.CompletePartitionIndexes(ctx, conn); err != nil || n != 0 {
		t.Fatalf("second run built %d (%v), want nothing", n, err)
	}
}
