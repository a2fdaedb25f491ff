package postgres_test

import (
	"io"
	"log/slog"
	"testing"

	"realty/internal/postgres"
	"realty/internal/postgres/pgtest"
)

// TestLedgerMigrationSeedsExistingOrganizations runs migration 0025 over a
// database holding an organization made before it: the organization gets
// every system account (0025's 22 and the two owner-statement accounts of
// 0037), row-level security is forced and the audit trigger enabled again
// afterwards, and the way down removes the ledger.
func TestLedgerMigrationSeedsExistingOrganizations(t *testing.T) {
	t.Parallel()
	db := pgtest.New(t)
	m := postgres.NewMigrator(db.AdminURL, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err := m.Down(ctx0, stepsDownTo(24)); err != nil {
		t.Fatalf("down to 0024: %v", err)
	}
	conn := adminConn(t, db)
	for _, sql := range []string{
		`SELECT set_config('app.org_id', '01900000-0000-7000-8000-000000000001', false)`, // for the audit trigger
		`INSERT INTO org.organizations (id, name, slug) VALUES ('01900000-0000-7000-8000-000000000001', 'Acme', 'acme')`,
		`SELECT set_config('app.org_id', '01900000-0000-7000-8000-000000000002', false)`,
		`INSERT INTO org.organizations (id, name, slug) VALUES ('01900000-0000-7000-8000-000000000002', 'Globex', 'globex')`,
	} {
		if _, err := conn.Exec(ctx0, sql); err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
	}
	if err := m.Up(ctx0); err != nil {
		t.Fatalf("up: %v", err)
	}
	for sql, want := range map[string]int{
		`SELECT count(*) FROM ledger.accounts WHERE organization_id = '01900000-0000-7000-8000-000000000001' AND system_key IS NOT NULL`: 24,
		`SELECT count(*) FROM ledger.accounts WHERE organization_id = '01900000-0000-7000-8000-000000000002' AND code = '1100'
			AND system_key = 'accounts_receivable' AND normal_balance = 'debit'`: 1,
		`SELECT count(*) FROM pg_class WHERE relname IN ('organizations', 'accounts') AND relforcerowsecurity
			AND relnamespace IN ('org'::regnamespace, 'ledger'::regnamespace)`: 2,
		`SELECT count(*) FROM pg_trigger WHERE tgname = 'audit_changes' AND tgrelid = 'ledger.accounts'::regclass AND tgenabled = 'O'`: 1,
	} {
		var got int
		if err := conn.QueryRow(ctx0, sql).Scan(&got); err != nil || got != want {
			t.Errorf("after up: %s = %d (%v), want %d", sql, got, err, want)
		}
	}
	if err := m.Down(ctx0, stepsDownTo(24)); err != nil {
		t.Fatalf("down again: %v", err)
	}
	var left int
	if err := conn.QueryRow(ctx0, `SELECT count(*) FROM pg_class WHERE relnamespace = 'ledger'::regnamespace`).Scan(&left); err != nil || left != 0 {
		t.Errorf("after down: %d relations left in ledger (%v)", left, err)
	}
	if err := m.Up(ctx0); err != nil {
		t.Fatalf("up again: %v", err)
	}
}
