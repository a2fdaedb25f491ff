package crm_test

import (
	"context"
	"testing"

	"realty"
	"realty/internal/crm"
	"realty/internal/fixture/fixturetest"
)

// TestChangeStageFrom: a move made from a stale view of the client (the
// stage board shown before someone else moved the card) is a Conflict
// naming stage and changes nothing; from the current stage it moves.
func TestChangeStageFrom(t *testing.T) {
	t.Parallel()
	env := fixturetest.New(t)
	agent := env.Organization(t, "acme").Personas["agent"].Actor
	ctx := context.Background()
	c := mustClient(t, env, agent, crm.Input{FirstName: "Dora"})
	if _, _, err := env.CRM.ChangeStageFrom(ctx, agent, c.ID, "lead", "prospect", ""); err != nil {
		t.Fatal(err)
	}
	_, _, err := env.CRM.ChangeStageFrom(ctx, agent, c.ID, "lead", "active", "")
	if realty.KindOf(err) != realty.Conflict || realty.FieldsOf(err)["stage"] == "" {
		t.Fatalf("stale move: %v, want Conflict naming stage", err)
	}
	if got, _ := env.CRM.Get(ctx, agent, c.ID); got.Stage != "prospect" {
		t.Errorf("stage after the refused move: %s, want prospect", got.Stage)
	}
}

// TestListBySourceAndDuplicateOf: the list filters by source; a duplicate's
// Conflict names the existing client for DuplicateOf.
func TestListBySourceAndDuplicateOf(t *testing.T) {
	t.Parallel()
	env := fixturetest.New(t)
	agent := env.Organization(t, "acme").Personas["agent"].Actor
	ctx := context.Background()
	web := mustClient(t, env, agent, crm.Input{FirstName: "Web", Source: "website", Email: "web@x.example"})
	mustClient(t, env, agent, crm.Input{FirstName: "Walk", Source: "walk_in"})
	p, err := env.CRM.List(ctx, agent, crm.Filter{Source: "website"})
	if err != nil || len(p.Items) != 1 || p.Items[0].ID != web.ID {
		t.Fatalf("list by source: %+v %v", p.Items, err)
	}
	_, err = env.CRM.Create(ctx, agent, crm.Input{FirstName: "Again", Email: "WEB@x.example"})
	if id, ok := crm.DuplicateOf(err); !ok || id != web.ID {
		t.Errorf("DuplicateOf(%v) = %s %v, want %s", err, id, ok, web.ID)
	}
	if _, ok := crm.DuplicateOf(realty.FieldError("email", "client nope")); ok {
		t.Error("DuplicateOf took an Invalid error")
	}
}
