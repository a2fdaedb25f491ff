package deal_test

import (
	"context"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"realty"
	"realty/internal/deal"
	"realty/internal/fixture/fixturetest"
)

// TestUpdate changes the editable fields, refuses an agent's reassignment,
// a new listing under contract and any change but notes to an ended deal.
func TestUpdate(t *testing.T) {
	t.Parallel()
	env := fixturetest.New(t)
	acme := env.Organization(t, "acme")
	agent, broker := acme.Personas["agent"].Actor, acme.Personas["broker"].Actor
	ctx := context.Background()
	d := env.OpenDeal(t, acme, "Edit me")
	contract, closing := realty.Date{Year: 2030, Month: 3, Day: 1}, realty.Date{Year: 2030, Month: 4, Day: 1}
	got, err := env.Deal.Update(ctx, agent, d.ID, deal.Patch{Title: ptr("Edited"), Price: ptr(decimal.NewFromInt(500000)),
		ContractDate: &contract, ExpectedClose: &closing, Notes: ptr("cash buyer")})
	if err != nil {
		t.Fatal(err)
	}
	if got.Title != "Edited" || !got.Price.Equal(decimal.NewFromInt(500000)) || *got.ExpectedClose != closing || *got.Notes != "cash buyer" {
		t.Fatalf("updated deal = %+v", got)
	}
	early := realty.Date{Year: 2030, Month: 2, Day: 1}
	if _, err := env.Deal.Update(ctx, agent, d.ID, deal.Patch{ExpectedClose: &early}); realty.FieldsOf(err)["expected_close"] == "" {
		t.Fatalf("closing before the contract: err = %v, want a field error on expected_close", err)
	}
	if _, err := env.Deal.Update(ctx, agent, d.ID, deal.Patch{AgentID: &broker.MemberID}); realty.KindOf(err) != realty.Forbidden {
		t.Fatalf("an agent reassigns: err = %v, want Forbidden", err)
	}
	if got, err := env.Deal.Update(ctx, broker, d.ID, deal.Patch{AgentID: &broker.MemberID}); err != nil || *got.AgentID != broker.MemberID {
		t.Fatalf("the broker reassigns: %v", err)
	}
	if _, err := env.Deal.Get(ctx, agent, d.ID); realty.KindOf(err) != realty.NotFound {
		t.Fatalf("the former agent reads the reassigned deal: err = %v, want NotFound", err)
	}
	l := listed(t, env, acme, "4 Edit Street", 200000)
	walk(t, env, broker, d.ID, deal.Active, deal.Offer, deal.UnderContract)
	if _, err := env.Deal.Update(ctx, broker, d.ID, deal.Patch{ListingID: &l.ID}); realty.FieldsOf(err)["listing_id"] == "" {
		t.Fatalf("a new listing under contract: err = %v, want refused on listing_id", err)
	}
	walk(t, env, broker, d.ID, deal.FellThrough)
	if _, err := env.Deal.Update(ctx, broker, d.ID, deal.Patch{Price: ptr(decimal.NewFromInt(1))}); realty.KindOf(err) != realty.Conflict {
		t.Fatalf("a price change of an ended deal: err = %v, want Conflict", err)
	}
	if _, err := env.Deal.Update(ctx, broker, d.ID, deal.Patch{Notes: ptr("buyer lost financing")}); err != nil {
		t.Fatalf("notes of an ended deal: %v", err)
	}
}

// TestListBoardAndHistory pages through deals, filters them by stage, keeps
// an agent to their own, builds the board and the month's closings, and
// reads a deal's stage history.
func TestListBoardAndHistory(t *testing.T) {
	t.Parallel()
	env := fixturetest.New(t)
	acme := env.Organization(t, "acme")
	agent, broker := acme.Personas["agent"].Actor, acme.Personas["broker"].Actor
	ctx := context.Background()
	var ids []realty.ID
	for range 5 {
		ids = append(ids, env.OpenDeal(t, acme, "Listed").ID)
	}
	mine, err := env.Deal.Create(ctx, broker, deal.Input{Title: "Broker's own", Kind: "sale", Side: "seller"})
	if err != nil {
		t.Fatal(err)
	}
	walk(t, env, agent, ids[0], deal.Active)
	seen := map[realty.ID]bool{}
	f := deal.Filter{Limit: 2}
	for pages := 0; ; pages++ {
		p, err := env.Deal.List(ctx, agent, f)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range p.Items {
			seen[d.ID] = true
		}
		if p.NextCursor == "" {
			break
		}
		f.Cursor = p.NextCursor
	}
	if len(seen) != 5 || seen[mine.ID] {
		t.Fatalf("the agent pages through %d deals (broker's seen: %v), want their 5", len(seen), seen[mine.ID])
	}
	p, err := env.Deal.List(ctx, broker, deal.Filter{Stage: deal.Active})
	if err != nil || len(p.Items) != 1 || p.Items[0].ID != ids[0] {
		t.Fatalf("active deals = %v %v, want the one moved", p.Items, err)
	}
	if _, err := env.Deal.List(ctx, broker, deal.Filter{Stage: "dreaming"}); realty.FieldsOf(err)["stage"] == "" {
		t.Fatalf("a bad stage: err = %v, want a field error on stage", err)
	}
	cols, err := env.Deal.Board(ctx, broker, 3)
	if err != nil {
		t.Fatal(err)
	}
	if cols[0].Stage != deal.Lead || cols[0].Count != 5 || len(cols[0].Deals) != 3 || cols[1].Count != 1 || len(cols) != len(deal.Stages) {
		t.Fatalf("board lead %d (%d shown), active %d; want 5 (3 shown), 1", cols[0].Count, len(cols[0].Deals), cols[1].Count)
	}
	today := realty.DateOf(time.Now().UTC())
	if _, err := env.Deal.Update(ctx, agent, ids[1], deal.Patch{ExpectedClose: &today}); err != nil {
		t.Fatal(err)
	}
	closing, err := env.Deal.Closing(ctx, broker, today.AddDays(-1), today.AddDays(1))
	if err != nil || len(closing) != 1 || closing[0].ID != ids[1] {
		t.Fatalf("closing around today = %v %v, want the one expected today", closing, err)
	}
	h, err := env.Deal.History(ctx, broker, ids[0])
	if err != nil || len(h) != 2 || h[0].FromStage != nil || h[1].ToStage != deal.Active || *h[1].ChangedBy != agent.MemberID {
		t.Fatalf("history = %+v %v, want opened then moved to active by the agent", h, err)
	}
}
