package crm_test

import (
	"context"
	"slices"
	"testing"

	"realty"
	"realty/internal/crm"
	"realty/internal/fixture/fixturetest"
	"realty/internal/messaging"
)

// TestAnnouncements: a lead dealt to an agent tells the agent (lead.assigned,
// in the app and by e-mail, as their defaults say) and the webhooks
// (lead.created, lead.assigned); a client an agent makes for themselves
// tells them nothing; a stage change goes to the webhooks; a create refused
// as a duplicate tells no one.
func TestAnnouncements(t *testing.T) {
	t.Parallel()
	env := fixturetest.New(t)
	acme := env.Organization(t, "acme")
	ctx := context.Background()
	owner, agent := acme.Personas["owner"].Actor, acme.Personas["agent"]
	if _, _, err := env.Messaging.CreateEndpoint(ctx, owner, messaging.NewEndpoint{URL: "https://93.184.216.34/hook",
		Events: []string{"lead.created", "lead.assigned", "client.stage_changed"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := env.CRM.SetSettings(ctx, owner, crm.Settings{PoolMembers: []realty.ID{agent.MemberID}}); err != nil {
		t.Fatal(err)
	}
	lead, err := env.CRM.CaptureLead(ctx, owner, crm.Input{FirstName: "Ann", LastName: "Lee", Email: "ann@example.com"})
	if err != nil {
		t.Fatal(err)
	}
	notes, err := env.Messaging.Notifications(ctx, agent.Actor, messaging.Filter{})
	if err != nil || len(notes.Items) != 1 || notes.Items[0].Kind != "lead.assigned" || notes.Items[0].Payload["name"] != "Ann Lee" ||
		notes.Items[0].Payload["client_id"] != lead.ID.String() {
		t.Fatalf("the agent's notifications: %+v %v, want one lead.assigned for Ann Lee", notes.Items, err)
	}
	mustClient(t, env, agent.Actor, crm.Input{FirstName: "Own", Email: "own@example.com"})
	if _, _, err := env.CRM.ChangeStage(ctx, owner, lead.ID, "prospect", "called back"); err != nil {
		t.Fatal(err)
	}
	if _, err := env.CRM.Create(ctx, owner, crm.Input{FirstName: "Again", Email: "ann@example.com"}); realty.KindOf(err) != realty.Conflict {
		t.Fatalf("duplicate: %v", err)
	}
	notes, _ = env.Messaging.Notifications(ctx, agent.Actor, messaging.Filter{})
	if len(notes.Items) != 1 {
		t.Errorf("the agent has %d notifications, want 1 (their own client tells them nothing)", len(notes.Items))
	}
	out, err := env.Messaging.Deliveries(ctx, owner, messaging.DeliveryFilter{Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	var hooks, mails []string
	for _, d := range out.Items {
		if d.Channel == "webhook" {
			hooks = append(hooks, d.Kind)
		} else {
			mails = append(mails, d.Kind)
		}
	}
	slices.Sort(hooks)
	if want := []string{"client.stage_changed", "lead.assigned", "lead.created", "lead.created"}; !slices.Equal(hooks, want) {
		t.Errorf("webhook deliveries %v, want %v", hooks, want)
	}
	if !slices.Equal(mails, []string{"lead.assigned"}) {
		t.Errorf("e-mails %v, want the agent's one lead.assigned", mails)
	}
}
