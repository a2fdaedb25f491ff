package deal_test

import (
	"context"
	"testing"
	"time"

	"realty"
	"realty/internal/deal"
	"realty/internal/fixture"
	"realty/internal/fixture/fixturetest"
)

// lateDeal opens a deal for actor contracted 40 days before the
// organization's today and closing 30 days after, and walks it under
// contract: its contract-date milestones are late, its closing ones are
// not. It returns the deal and today.
func lateDeal(t *testing.T, env fixturetest.Env, o fixture.Org, actor realty.Actor, title string) (deal.Deal, realty.Date) {
	t.Helper()
	ctx := context.Background()
	org, err := env.Org.Organization(ctx, actor)
	if err != nil {
		t.Fatal(err)
	}
	loc, err := time.LoadLocation(org.TimeZone)
	if err != nil {
		t.Fatal(err)
	}
	today := realty.DateOf(time.Now().In(loc))
	c, e := today.AddDays(-40), today.AddDays(30)
	d, err := env.Deal.Create(ctx, actor, deal.Input{Title: title, Kind: "purchase", Side: "buyer", ContractDate: &c, ExpectedClose: &e})
	if err != nil {
		t.Fatal(err)
	}
	env.ExecuteContract(t, o.Organization.ID, d.ID)
	return env.WalkDeal(t, actor, d.ID, deal.Active, deal.Offer, deal.UnderContract), today
}

// TestLateMilestones: the broker sees every agent's open milestones past
// due, oldest first, with the days late and the agent; a completed one
// and a future one never appear; an agent sees only their own deals'; no
// organization sees another's.
func TestLateMilestones(t *testing.T) {
	t.Parallel()
	env := fixturetest.New(t)
	acme, globex := env.Organization(t, "acme"), env.Organization(t, "globex")
	agent, broker := acme.Personas["agent"], acme.Personas["broker"].Actor
	ctx := context.Background()
	mine, today := lateDeal(t, env, acme, agent.Actor, "9 Late Lane")
	theirs, _ := lateDeal(t, env, acme, broker, "11 Late Lane")
	foreign, _ := lateDeal(t, env, globex, globex.Personas["agent"].Actor, "13 Late Lane")

	late, err := env.Deal.LateMilestones(ctx, broker)
	if err != nil || len(late) == 0 {
		t.Fatalf("broker's late milestones: %d (%v), want some", len(late), err)
	}
	first := late[0]
	if first.Name != "Offer accepted" || first.DueDate != today.AddDays(-40) || first.DaysLate != 40 {
		t.Fatalf("oldest late: %+v, want Offer accepted due %s, 40 days late", first, today.AddDays(-40))
	}
	byDeal := map[realty.ID]map[string]deal.LateMilestone{}
	for i, m := range late {
		if i > 0 && m.DueDate.Before(late[i-1].DueDate) {
			t.Errorf("late milestones out of order at %d: %s after %s", i, m.DueDate, late[i-1].DueDate)
		}
		if byDeal[m.DealID] == nil {
			byDeal[m.DealID] = map[string]deal.LateMilestone{}
		}
		byDeal[m.DealID][m.Name] = m
	}
	if byDeal[foreign.ID] != nil {
		t.Errorf("broker of acme sees globex's late milestones: %v", byDeal[foreign.ID])
	}
	m, ok := byDeal[mine.ID]["Earnest money due"]
	if !ok || m.DealTitle != "9 Late Lane" || m.AgentID == nil || *m.AgentID != agent.MemberID || m.DaysLate != today.DaysSince(m.DueDate) {
		t.Errorf("agent's late earnest money: %+v (listed %v), want it with its deal, agent and days late", m, ok)
	}
	if _, ok := byDeal[theirs.ID]["Offer accepted"]; !ok {
		t.Errorf("broker's own deal's late milestone missing")
	}
	for _, name := range []string{"Closing", "Title commitment", "Final walkthrough"} {
		if _, ok := byDeal[mine.ID][name]; ok {
			t.Errorf("%s is due in the future, yet listed late", name)
		}
	}

	ms, err := env.Deal.Milestones(ctx, agent.Actor, mine.ID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := env.Deal.CompleteMilestone(ctx, agent.Actor, ms[0].ID); err != nil {
		t.Fatal(err)
	}
	late, err = env.Deal.LateMilestones(ctx, agent.Actor)
	if err != nil || len(late) == 0 {
		t.Fatalf("agent's late milestones: %d (%v), want some", len(late), err)
	}
	for _, m := range late {
		if m.DealID != mine.ID {
			t.Errorf("agent sees a late milestone of another's deal: %+v", m)
		}
		if m.ID == ms[0].ID {
			t.Errorf("completed %s still listed late", m.Name)
		}
	}
	if _, err := env.Deal.LateMilestones(ctx, acme.Personas["resident"].Actor); realty.KindOf(err) != realty.Forbidden {
		t.Errorf("resident: err = %v, want Forbidden", err)
	}
}
