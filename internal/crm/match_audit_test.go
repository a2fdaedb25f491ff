package crm_test

import (
	"context"
	"maps"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"realty"
	"realty/internal/crm"
	"realty/internal/fixture/fixturetest"
	"realty/internal/postgres"
)

// ownerPair is a database with organization acme, its owner, and one
// listing with a preference of client Dana that matches it.
func ownerPair(t *testing.T) (fixturetest.Env, realty.Actor, realty.ID, tListing, crm.Client) {
	t.Helper()
	env := fixturetest.New(t)
	acme := env.Organization(t, "acme")
	owner := acme.Personas["owner"].Actor
	l, _, c := onePair(t, env, owner, "never", crm.Input{FirstName: "Dana"})
	return env, owner, acme.Organization.ID, l, c
}

// TestMatchTrailIsMembersOnly: what the engine does to a match (store it,
// rescore it, mark it inactive) writes no audit row (migration 0056); what
// a member does (a status change) writes one, naming the member.
func TestMatchTrailIsMembersOnly(t *testing.T) {
	t.Parallel()
	env, owner, org, l, c := ownerPair(t)
	ctx := context.Background()
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

// TestListingRematchTouchesOnlyChanges: matching a listing again rewrites
// none of its stored matches while nothing changed, rescores all of them
// when its price changes, and leaves another listing's matches of the same
// preferences alone (the job compares against the listing's own matches).
func TestListingRematchTouchesOnlyChanges(t *testing.T) {
	t.Parallel()
	env, owner, org, l, c := ownerPair(t)
	ctx := context.Background()
	if _, err := env.CRM.CreatePreference(ctx, owner, c.ID, crm.PreferenceInput{PriceMax: price(450_000),
		Cities: []string{"Springfield"}, AlertFrequency: "never"}); err != nil {
		t.Fatal(err)
	}
	other := tListing{listType: "sale", status: "Active", ptype: "Residential", city: "Springfield", zip: "10000", price: 410_000,
		lat: 40.1, lon: -74.9}
	createListing(t, env, owner, &other)
	// stored reads each match of a listing: its price and when it was last written.
	stored := func(id realty.ID) map[string]string {
		t.Helper()
		out := map[string]string{}
		err := postgres.Tx(ctx, env.Pool, owner, func(tx pgx.Tx) error {
			rows, err := tx.Query(ctx, `SELECT preference_id::text, price::text || ' ' || updated_at::text FROM crm.property_matches
				WHERE organization_id = $1 AND listing_id = $2`, org, id)
			if err != nil {
				return err
			}
			for rows.Next() {
				var k, v string
				if err := rows.Scan(&k, &v); err != nil {
					return err
				}
				out[k] = v
			}
			return rows.Err()
		})
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	for _, id := range []realty.ID{l.id, other.id} {
		if n, err := env.CRM.MatchListing(ctx, org, id); err != nil || n != 2 {
			t.Fatalf("first match of %s: %d new, %v; want 2", id, n, err)
		}
	}
	first, otherFirst := stored(l.id), stored(other.id)
	if n, err := env.CRM.MatchListing(ctx, org, l.id); err != nil || n != 0 {
		t.Fatalf("matching again: %d new, %v; want 0", n, err)
	}
	if again := stored(l.id); !maps.Equal(again, first) {
		t.Errorf("matching again with nothing changed rewrote matches: %v, was %v", again, first)
	}
	setPrice(t, env, owner, l.id, 405_000)
	if _, err := env.CRM.MatchListing(ctx, org, l.id); err != nil {
		t.Fatal(err)
	}
	rescored := stored(l.id)
	for pref, v := range rescored {
		if v == first[pref] || !strings.HasPrefix(v, "405000.00 ") {
			t.Errorf("match of preference %s after the price change: %q, was %q", pref, v, first[pref])
		}
	}
	if len(rescored) != 2 || !maps.Equal(stored(other.id), otherFirst) {
		t.Errorf("rescored %v; the other listing's matches %v, were %v", rescored, stored(other.id), otherFirst)
	}
}
