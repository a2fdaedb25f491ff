package identity_test

import (
	"context"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"realty/internal/identity"
	"realty/internal/postgres"
)

// TestAPIKeyUseNotAudited: using a key touches its last_used_at (at most
// once a minute) without writing the audit trail; renaming it writes one
// audit row.
func TestAPIKeyUseNotAudited(t *testing.T) {
	t.Parallel()
	s := setup(t)
	ctx := context.Background()
	owner := s.acme.Personas["owner"].Actor
	k, key, err := s.id.CreateAPIKey(ctx, owner, identity.NewAPIKey{Name: "feed", Permissions: []string{"member.read"}}, s.ip)
	if err != nil {
		t.Fatal(err)
	}
	trail := func() int {
		t.Helper()
		var n int
		err := postgres.Tx(ctx, s.env.Pool, owner, func(tx pgx.Tx) error {
			return tx.QueryRow(ctx, `SELECT count(*) FROM audit.changes
				WHERE organization_id = $1 AND table_name = 'identity.api_keys' AND record_id = $2`, owner.OrgID, k.ID).Scan(&n)
		})
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	before := trail()
	for range 3 {
		s.clock.advance(2 * time.Minute)
		if _, _, err := s.id.AuthenticateAPIKey(ctx, key, s.ip); err != nil {
			t.Fatal(err)
		}
	}
	keys, err := s.id.APIKeys(ctx, owner)
	if err != nil {
		t.Fatal(err)
	}
	if len(keys) != 1 || keys[0].LastUsedAt == nil || !keys[0].LastUsedAt.Equal(s.clock.Now().Truncate(time.Microsecond)) {
		t.Fatalf("last_used_at not touched by use: %+v", keys)
	}
	if got := trail(); got != before {
		t.Fatalf("3 uses wrote %d audit rows, want none", got-before)
	}
	err = postgres.Tx(ctx, s.env.Pool, owner, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `UPDATE identity.api_keys SET name = 'renamed' WHERE organization_id = $1 AND id = $2`, owner.OrgID, k.ID)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := trail(); got != before+1 {
		t.Fatalf("a rename wrote %d audit rows, want 1", got-before)
	}
}
