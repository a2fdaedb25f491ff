package deal_test

import (
	"context"
	"testing"
	"time"

	"realty"
	"realty/internal/deal"
	"realty/internal/fixture/fixturetest"
)

// TestCapThenGCI closes two deals of an agent on a 70 % plan whose cap lets
// the brokerage keep 1,000.00 a year: the first keeps 900.00, the second
// only the 100.00 left, and GCI year to date shows both deals.
func TestCapThenGCI(t *testing.T) {
	t.Parallel()
	env := fixturetest.New(t)
	acme, globex := env.Organization(t, "acme"), env.Organization(t, "globex")
	agent, broker := acme.Personas["agent"], acme.Personas["broker"].Actor
	ctx := context.Background()
	capAmt := dec("1000")
	if _, err := env.Deal.SetAgentPlan(ctx, broker, agent.MemberID, deal.AgentPlanInput{AgentSplit: dec("70"), AnnualCap: &capAmt}); err != nil {
		t.Fatal(err)
	}
	if _, err := env.Deal.SetAgentPlan(ctx, agent.Actor, agent.MemberID, deal.AgentPlanInput{AgentSplit: dec("100")}); realty.KindOf(err) != realty.Forbidden {
		t.Fatalf("an agent sets their own plan: err = %v, want Forbidden", err)
	}
	gross := dec("3000")
	var kept []string
	for _, title := range []string{"First", "Second"} {
		d := moneyDeal(t, env, acme, title, "seller", "100000")
		if _, err := env.Deal.SetCommission(ctx, agent.Actor, d.ID, deal.CommissionInput{GrossAmount: &gross}); err != nil {
			t.Fatal(err)
		}
		walk(t, env, agent.Actor, d.ID, deal.Active, deal.Offer, deal.UnderContract, deal.ClearToClose, deal.Closed)
		c, err := env.Deal.Commission(ctx, agent.Actor, d.ID)
		if err != nil {
			t.Fatal(err)
		}
		kept = append(kept, c.Splits[0].Amount.StringFixed(2)+"/"+c.Splits[1].Amount.StringFixed(2))
	}
	if kept[0] != "900.00/2100.00" || kept[1] != "100.00/2900.00" {
		t.Fatalf("brokerage/agent per closing = %v, want [900.00/2100.00 100.00/2900.00]", kept)
	}
	year := time.Now().UTC().Year()
	for _, who := range []realty.Actor{broker, agent.Actor} {
		rows, err := env.Deal.GCI(ctx, who, year)
		if err != nil || len(rows) != 1 {
			t.Fatalf("GCI = %+v, %v", rows, err)
		}
		r := rows[0]
		if r.Deals != 2 || !r.GCI.Equal(dec("6000")) || !r.AgentNet.Equal(dec("5000")) || r.CapUsed == nil || !r.CapUsed.Equal(capAmt) {
			t.Fatalf("GCI row = %+v", r)
		}
	}
	if rows, err := env.Deal.GCI(ctx, globex.Personas["broker"].Actor, year); err != nil || len(rows) != 0 {
		t.Fatalf("another organization's GCI = %+v, %v, want none", rows, err)
	}
	booksOK(t, env, acme)
}
