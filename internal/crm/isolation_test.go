package crm_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"realty"
	"realty/internal/crm"
	"realty/internal/fixture/fixturetest"
)

// TestIsolation: globex's owner, holding every permission, neither sees nor
// changes acme's clients, interactions, tasks, appointments, pool, preferences,
// matches or messages, cannot point at them, and cannot open acme's calendar feed under
// its own id.
func TestIsolation(t *testing.T) {
	t.Parallel()
	env := fixturetest.New(t)
	acme, globex := env.Organization(t, "acme"), env.Organization(t, "globex")
	ctx := context.Background()
	a, g := acme.Personas["owner"].Actor, globex.Personas["owner"].Actor
	c := mustClient(t, env, a, crm.Input{FirstName: "Acme", Email: "acme-client@example.com", EmailConsent: true})
	task, err := env.CRM.CreateTask(ctx, a, crm.TaskInput{Title: "acme task", ClientID: &c.ID})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := env.CRM.LogInteraction(ctx, a, c.ID, crm.InteractionInput{Type: "call"}); err != nil {
		t.Fatal(err)
	}
	booking := slot("acme showing", time.Date(2030, 3, 4, 15, 0, 0, 0, time.UTC), time.Hour)
	booking.ClientID = &c.ID
	appt, err := env.CRM.Book(ctx, a, booking)
	if err != nil {
		t.Fatal(err)
	}
	feed, err := env.CRM.RotateFeed(ctx, a)
	if err != nil {
		t.Fatal(err)
	}
	l := tListing{listType: "sale", status: "Active", ptype: "Residential", city: "Springfield", zip: "1", price: 100_000, features: []string{}}
	createListing(t, env, a, &l)
	pref, err := env.CRM.CreatePreference(ctx, a, c.ID, crm.PreferenceInput{Cities: []string{"Springfield"}, AlertFrequency: "instant"})
	if err != nil {
		t.Fatal(err)
	}
	if n, err := env.CRM.MatchListing(ctx, acme.Organization.ID, l.id); err != nil || n != 1 {
		t.Fatalf("acme match: %d %v", n, err)
	}
	ms, _ := env.CRM.Matches(ctx, a, c.ID, crm.MatchFilter{})
	if got := messagesOf(t, env, a, c.ID); len(got) != 1 {
		t.Fatalf("acme's client has %d messages, want the match alert", len(got))
	}
	mine := mustClient(t, env, g, crm.Input{FirstName: "Globex"})
	checks := map[string]error{}
	_, checks["preference"] = env.CRM.ClientPreference(ctx, g, pref.ID)
	_, checks["preferences"] = env.CRM.Preferences(ctx, g, c.ID)
	_, checks["create preference"] = env.CRM.CreatePreference(ctx, g, c.ID, crm.PreferenceInput{})
	_, checks["update preference"] = env.CRM.UpdatePreference(ctx, g, pref.ID, crm.PreferenceInput{})
	checks["delete preference"] = env.CRM.DeletePreference(ctx, g, pref.ID)
	_, checks["matches"] = env.CRM.Matches(ctx, g, c.ID, crm.MatchFilter{})
	_, checks["match"] = env.CRM.Match(ctx, g, ms.Items[0].ID)
	_, checks["match status"] = env.CRM.SetMatchStatus(ctx, g, ms.Items[0].ID, "dismissed")
	// Globex's engine run on acme's listing finds nothing and changes nothing.
	if n, err := env.CRM.MatchListing(ctx, globex.Organization.ID, l.id); err != nil || n != 0 {
		t.Errorf("globex match of acme's listing: %d %v", n, err)
	}
	_, checks["get"] = env.CRM.Get(ctx, g, c.ID)
	_, checks["update"] = env.CRM.Update(ctx, g, c.ID, crm.Patch{Notes: ptr("x")})
	_, _, checks["stage"] = env.CRM.ChangeStage(ctx, g, c.ID, "prospect", "")
	_, checks["assign"] = env.CRM.Assign(ctx, g, c.ID, nil)
	_, checks["merge"] = env.CRM.Merge(ctx, g, mine.ID, []realty.ID{c.ID})
	_, checks["interaction"] = env.CRM.LogInteraction(ctx, g, c.ID, crm.InteractionInput{Type: "call"})
	_, checks["interactions"] = env.CRM.Interactions(ctx, g, c.ID, "", 10)
	_, checks["timeline"] = env.CRM.Timeline(ctx, g, c.ID, "", 10)
	_, checks["history"] = env.CRM.StageHistory(ctx, g, c.ID)
	_, checks["task"] = env.CRM.UpdateTask(ctx, g, task.ID, crm.TaskPatch{Title: ptr("x")})
	_, checks["complete"] = env.CRM.CompleteTask(ctx, g, task.ID)
	_, checks["appointment"] = env.CRM.Appointment(ctx, g, appt.ID)
	_, checks["reschedule"] = env.CRM.UpdateAppointment(ctx, g, appt.ID, crm.AppointmentPatch{Title: ptr("x")})
	_, checks["cancel"] = env.CRM.SetAppointmentStatus(ctx, g, appt.ID, "canceled", "x", nil)
	for name, err := range checks {
		if realty.KindOf(err) != realty.NotFound {
			t.Errorf("%s of acme's row as globex: %v, want NotFound", name, err)
		}
	}
	if _, err := env.CRM.CreateTask(ctx, g, crm.TaskInput{Title: "x", ClientID: &c.ID}); realty.FieldsOf(err)["client_id"] == "" {
		t.Errorf("globex task on acme's client: %v", err)
	}
	onAcme := booking
	acmeAgent := acme.Personas["agent"].MemberID
	onAcme.AgentID = &acmeAgent
	onAcme.ClientID = nil
	if _, err := env.CRM.Book(ctx, g, onAcme); realty.FieldsOf(err)["agent_id"] == "" {
		t.Errorf("globex books acme's agent: %v", err)
	}
	onAcme.AgentID, onAcme.ClientID = nil, &c.ID
	if _, err := env.CRM.Book(ctx, g, onAcme); realty.FieldsOf(err)["client_id"] == "" {
		t.Errorf("globex books with acme's client: %v", err)
	}
	// Globex's owner may take the same slot: clashes are per organization.
	if _, err := env.CRM.Book(ctx, g, slot("globex showing", booking.StartsAt, time.Hour)); err != nil {
		t.Errorf("globex, same slot: %v", err)
	}
	if p, _ := env.CRM.Appointments(ctx, g, crm.AppointmentFilter{}); len(p.Items) != 1 || p.Items[0].Title != "globex showing" {
		t.Errorf("globex lists %+v", p.Items)
	}
	forged := strings.Replace(feed.Token, acme.Organization.ID.String(), globex.Organization.ID.String(), 1)
	if _, err := env.CRM.Calendar(ctx, forged); realty.KindOf(err) != realty.NotFound {
		t.Errorf("acme's feed secret under globex's id: %v, want NotFound", err)
	}
	if _, err := env.CRM.SetSettings(ctx, g, crm.Settings{PoolMembers: []realty.ID{acme.Personas["agent"].MemberID}}); realty.FieldsOf(err)["member_ids"] == "" {
		t.Errorf("globex pool with acme's agent: %v", err)
	}
	if p, _ := env.CRM.List(ctx, g, crm.Filter{}); len(p.Items) != 1 || p.Items[0].ID != mine.ID {
		t.Errorf("globex lists %+v", p.Items)
	}
	if p, _ := env.CRM.Tasks(ctx, g, crm.TaskFilter{}); len(p.Items) != 0 {
		t.Errorf("globex lists %d tasks", len(p.Items))
	}
	// The same e-mail address is no duplicate across organizations.
	mustClient(t, env, g, crm.Input{FirstName: "Acme", Email: "acme-client@example.com"})
	if got := messagesOf(t, env, g, mine.ID); len(got) != 0 {
		t.Errorf("globex's client shows messages %+v", got)
	}
	if got := messagesOf(t, env, a, c.ID); len(got) != 1 {
		t.Errorf("acme's messages after globex's attempts: %+v", got)
	}
	if m, err := env.CRM.Match(ctx, a, ms.Items[0].ID); err != nil || m.Status != "notified" || !m.Active {
		t.Errorf("acme's match changed: %+v %v", m, err)
	}
	if got, err := env.CRM.Get(ctx, a, c.ID); err != nil || got.Stage != "lead" || got.AssignedAgentID != c.AssignedAgentID {
		t.Errorf("acme's client changed: %+v %v", got, err)
	}
}
