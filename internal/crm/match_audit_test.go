package crm_test

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5"

	"realty/internal/crm"
	"realty/internal/fixture/fixturetest"
	"realty/internal/postgres"
)

// TestMatchTrailIsMembersOnly: what the engine does to a match (store it,
// rescore it, mark it inactive) writes no audit row (migration 0056); what
// a member does (a status change) writes one, naming the member.
func TestMatchTrailIsMembersOnly(t *testing.T) {
	t.Parallel()
	env := fixturetest.New(t)
	acme := env.Organization(t, "acme")
	owner, org := acme.Personas["owner"].Actor, acme.Organization.ID
	ctx := context.Background()
	l, _, c := onePair(t, env, owner, "never", crm.Input{FirstName: "Dana"})
	trail := func() (n int, byOwner int) {
		t.Helper()
		err := postgres.Tx(ctx, env.Pool, owner, func(tx pgx.Tx) error {
			return tx.QueryRow(ctx, `SELECT count(*), count(*) FILTER (WHERE user_id = $2) FROM audit.changes
				WHERE organization_id = $1 AND table_name = 'crm.property_matches'`, org, owner.UserID).Scan(&n, &byOwner)
		})
		if err != nil {
			t.Fatal(err)
		}
		return n, byOwner
	}
	if _, err := env.CRM.MatchListing(ctx, org, l.id); err != nil {
		t.Fatal(err)
	}
	setPrice(t, env, owner, l.id, 405_000)
	if _, err := env.CRM.MatchListing(ctx, org, l.id); err != nil {
		t.Fatal(err)
	}
	pg, err := env.CRM.Matches(ctx, owner, c.ID, crm.MatchFilter{})
	if err != nil || len(pg.Items) != 1 || !pg.Items[0].Price.Equal(*price(405_000)) {
		t.Fatalf("matches after the rescore: %+v %v", pg.Items, err)
	}
	if n, _ := trail(); n != 0 {
		t.Errorf("the engine's writes left %d trail rows, want 0", n)
	}
	if _, err := env.CRM.SetMatchStatus(ctx, owner, pg.Items[0].ID, "interested"); err != nil {
		t.Fatal(err)
	}
	if n, byOwner := trail(); n != 1 || byOwner != 1 {
		t.Errorf("after the owner's status change: %d trail rows, %d by the owner; want 1 and 1", n, byOwner)
	}
	setPrice(t, env, owner, l.id, 500_000) // over the band: the engine marks it inactive
	if _, err := env.CRM.MatchListing(ctx, org, l.id); err != nil {
		t.Fatal(err)
	}
	if n, _ := trail(); n != 1 {
		t.Errorf("after the engine marked the match inactive: %d trail rows, want 1", n)
	}
}
