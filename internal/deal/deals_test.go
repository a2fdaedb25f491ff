package deal_test

import (
	"context"
	"testing"

	"realty"
	"realty/internal/deal"
	"realty/internal/fixture/fixturetest"
	"realty/internal/postgres/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

func TestCreateRecordsFirstStageAndFencesAgents(t *testing.T) {
	t.Parallel()
	env := fixturetest.New(t)
	acme, globex := env.Organization(t, "acme"), env.Organization(t, "globex")
	ctx := context.Background()
	d := env.OpenDeal(t, acme, "12 Elm purchase")
	if d.Stage != deal.Lead || d.AgentID == nil || *d.AgentID != acme.Personas["agent"].Actor.MemberID {
		t.Fatalf("opened deal = %+v, want a lead owned by the agent", d)
	}
	if _, err := env.Deal.Get(ctx, acme.Personas["broker"].Actor, d.ID); err != nil {
		t.Fatalf("broker reads the agent's deal: %v", err)
	}
	if _, err := env.Deal.Get(ctx, globex.Personas["broker"].Actor, d.ID); realty.KindOf(err) != realty.NotFound {
		t.Fatalf("another organization's broker reads the deal: err = %v, want NotFound", err)
	}
	if _, err := env.Deal.Create(ctx, acme.Personas["agent"].Actor, deal.Input{Title: "x", Kind: "barter", Side: "buyer"}); realty.FieldsOf(err)["kind"] == "" {
		t.Fatalf("a bad kind: err = %v, want a field error on kind", err)
	}
}
