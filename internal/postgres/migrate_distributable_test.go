package postgres_test

import (
	"io"
	"log/slog"
	"testing"

	"realty/internal/postgres"
	"realty/internal/postgres/migrations"
	"realty/internal/postgres/pgtest"
)

// stepsDownTo is how many migrations run down from the latest to version,
// so the test holds as later migrations are added.
func stepsDownTo(version int) int { return migrations.After(int64(version)) }

// TestDistributableMigrationKeepsRows runs migrations 0010 and 0011 over a
// database holding rows of the schema before them, and back down: the slug
// and key-prefix lookups are filled from the existing rows, security events
// without an organization move to audit.account_events, and the way down
// puts every row back where it was.
func TestDistributableMigrationKeepsRows(t *testing.T) {
	t.Parallel()
	db := pgtest.New(t)
	m := postgres.NewMigrator(db.AdminURL, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err := m.Down(ctx0, stepsDownTo(9)); err != nil {
		t.Fatalf("down to 0009: %v", err)
	}
	conn := adminConn(t, db)
	exec := func(sql string) {
		t.Helper()
		if _, err := conn.Exec(ctx0, sql); err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
	}
	count := func(sql string) int {
		t.Helper()
		var n int
		if err := conn.QueryRow(ctx0, sql).Scan(&n); err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
		return n
	}
	exec(`SELECT set_config('app.org_id', '01900000-0000-7000-8000-000000000001', false)`) // for the audit trigger
	exec(`INSERT INTO org.organizations (id, name, slug) VALUES ('01900000-0000-7000-8000-000000000001', 'Acme', 'acme')`)
	exec(`INSERT INTO identity.api_keys (organization_id, name, prefix, key_hash, permissions)
		VALUES ('01900000-0000-7000-8000-000000000001', 'feed', 'abcdef012345', '\x00', '{listing.read}')`)
	exec(`INSERT INTO identity.api_key_prefixes (prefix, organization_id) VALUES ('abcdef012345', '01900000-0000-7000-8000-000000000001')`)
	exec(`SELECT audit.record_security_event('login.failed', NULL, NULL, '10.0.0.1', 'curl', '{}')`)
	exec(`SELECT audit.record_security_event('apikey.created', '01900000-0000-7000-8000-000000000001', NULL, NULL, NULL, '{}')`)

	if err := m.Up(ctx0); err != nil {
		t.Fatalf("up: %v", err)
	}
	for sql, want := range map[string]int{
		`SELECT count(*) FROM org.organization_slugs WHERE slug = 'acme' AND org_id = '01900000-0000-7000-8000-000000000001'`:              1,
		`SELECT count(*) FROM identity.api_key_prefixes WHERE prefix = 'abcdef012345' AND org_id = '01900000-0000-7000-8000-000000000001'`: 1,
		`SELECT count(*) FROM audit.account_events WHERE kind = 'login.failed' AND ip = '10.0.0.1'`:                                        1,
		`SELECT count(*) FROM audit.security_events WHERE kind = 'apikey.created'`:                                                         1,
		`SELECT count(*) FROM audit.security_events`:                                                                                       1,
		`SELECT count(*) FROM pg_class WHERE relname = 'organizations' AND relforcerowsecurity`:                                            1,
		`SELECT count(*) FROM pg_class WHERE relname = 'security_events' AND relforcerowsecurity`:                                          1,
	} {
		if got := count(sql); got != want {
			t.Errorf("after up: %s = %d, want %d", sql, got, want)
		}
	}

	if err := m.Down(ctx0, stepsDownTo(9)); err != nil {
		t.Fatalf("down again: %v", err)
	}
	for sql, want := range map[string]int{
		`SELECT count(*) FROM audit.security_events WHERE organization_id IS NULL AND kind = 'login.failed'`:                                  1,
		`SELECT count(*) FROM audit.security_events`:                                                                                          2,
		`SELECT count(*) FROM identity.api_key_prefixes WHERE organization_id = '01900000-0000-7000-8000-000000000001'`:                       1,
		`SELECT count(*) FROM pg_constraint WHERE conname IN ('organizations_slug_key', 'api_keys_prefix_key', 'invitations_token_key')`:      3,
		`SELECT count(*) FROM pg_class WHERE relname IN ('organization_slugs', 'account_events', 'security_events_org_id_key')`:               0,
		`SELECT count(*) FROM pg_class WHERE relname IN ('organizations', 'security_events', 'api_key_prefixes') AND relforcerowsecurity`:     3,
		`SELECT count(*) FROM pg_trigger WHERE tgname IN ('announce_auth_change', 'set_updated_at') AND tgrelid = 'identity.users'::regclass`: 2,
	} {
		if got := count(sql); got != want {
			t.Errorf("after down: %s = %d, want %d", sql, got, want)
		}
	}
	if err := m.Up(ctx0); err != nil {
		t.Fatalf("up again: %v", err)
	}
}
