package deal_test

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5"

	"realty"
	"realty/internal/deal"
	"realty/internal/fixture/fixturetest"
	"realty/internal/postgres"
)

// statusJobs are the from→to of the listing.changed jobs queued for a
// listing that changed its status.
func statusJobs(t *testing.T, env fixturetest.Env, org, id realty.ID) []string {
	t.Helper()
	var out []string
	err := postgres.Read(context.Background(), env.Pool, realty.System(org), func(rows pgx.Rows) error {
		for rows.Next() {
			var from, to string
			if err := rows.Scan(&from, &to); err != nil {
				return err
			}
			out = append(out, from+"→"+to)
		}
		return rows.Err()
	}, `SELECT args->>'status_from', args->>'status_to' FROM river.river_job
		WHERE kind = 'listing.changed' AND args->>'organization_id' = $1::text AND args->>'listing_id' = $2::text
		AND args ? 'status_to' ORDER BY id`, org, id)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestDealMoveAnnouncesListingChange: a deal going under contract queues
// exactly one listing.changed job for its listing (Active→Pending), so
// saved searches are rematched and listing.status_changed is sent; falling
// through queues Pending→Active.
func TestDealMoveAnnouncesListingChange(t *testing.T) {
	t.Parallel()
	env := fixturetest.New(t)
	acme := env.Organization(t, "acme")
	agent := acme.Personas["agent"].Actor
	ctx := context.Background()
	l := listed(t, env, acme, "5 Announce Street", 410000)
	d := env.OpenDeal(t, acme, "Announce")
	if _, err := env.Deal.Update(ctx, agent, d.ID, deal.Patch{ListingID: &l.ID}); err != nil {
		t.Fatal(err)
	}
	walk(t, env, agent, d.ID, deal.Active, deal.Offer, deal.UnderContract)
	if got := statusJobs(t, env, acme.Organization.ID, l.ID); len(got) != 1 || got[0] != "Active→Pending" {
		t.Fatalf("status jobs after under contract = %v, want exactly [Active→Pending]", got)
	}
	walk(t, env, agent, d.ID, deal.DueDiligence)
	if got := statusJobs(t, env, acme.Organization.ID, l.ID); len(got) != 1 {
		t.Fatalf("status jobs after due diligence = %v, want still one", got)
	}
	walk(t, env, agent, d.ID, deal.FellThrough)
	if got := statusJobs(t, env, acme.Organization.ID, l.ID); len(got) != 2 || got[1] != "Pending→Active" {
		t.Fatalf("status jobs after falling through = %v, want [Active→Pending Pending→Active]", got)
	}
}

// TestDealMoveSetsOffMarketDate: the listing of a deal under contract is off
// the market from the day of the move; back at Active it has no off-market
// date.
func TestDealMoveSetsOffMarketDate(t *testing.T) {
	t.Parallel()
	env := fixturetest.New(t)
	acme := env.Organization(t, "acme")
	agent, broker := acme.Personas["agent"].Actor, acme.Personas["broker"].Actor
	ctx := context.Background()
	l := listed(t, env, acme, "6 Announce Street", 320000)
	if l.OffMarketDate != nil {
		t.Fatalf("new listing off market on %v", *l.OffMarketDate)
	}
	d := env.OpenDeal(t, acme, "Off market")
	if _, err := env.Deal.Update(ctx, agent, d.ID, deal.Patch{ListingID: &l.ID}); err != nil {
		t.Fatal(err)
	}
	var today realty.Date
	if err := env.Pool.QueryRow(ctx, `SELECT current_date`).Scan(&today); err != nil {
		t.Fatal(err)
	}
	walk(t, env, agent, d.ID, deal.Active, deal.Offer, deal.UnderContract)
	got, err := env.Listing.Get(ctx, broker, l.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.StandardStatus != "Pending" || got.OffMarketDate == nil || *got.OffMarketDate != today {
		t.Fatalf("under contract: %s off market %v, want Pending off market %s", got.StandardStatus, got.OffMarketDate, today)
	}
	walk(t, env, agent, d.ID, deal.FellThrough)
	if got, err = env.Listing.Get(ctx, broker, l.ID); err != nil {
		t.Fatal(err)
	}
	if got.StandardStatus != "Active" || got.OffMarketDate != nil {
		t.Fatalf("fell through: %s off market %v, want Active with none", got.StandardStatus, got.OffMarketDate)
	}
}
