package crm_test

import (
	"context"
	"strings"
	"testing"

	"realty"
	"realty/internal/crm"
	"realty/internal/fixture/fixturetest"
)

// messagesOf returns the message entries of a client's timeline.
func messagesOf(t *testing.T, env fixturetest.Env, actor realty.Actor, client realty.ID) []crm.TimelineEntry {
	t.Helper()
	page, err := env.CRM.Timeline(context.Background(), actor, client, "", 100)
	if err != nil {
		t.Fatal(err)
	}
	var out []crm.TimelineEntry
	for _, e := range page.Items {
		if e.Kind == "message" {
			out = append(out, e)
		}
	}
	return out
}

// TestTimelineMessages: an instant match alert and a digest e-mailed to a
// client appear in their timeline as messages (kind, subject, channel),
// once each however often the same alert is queued; a client without
// e-mail consent gets none; a merge moves them onto the survivor.
func TestTimelineMessages(t *testing.T) {
	t.Parallel()
	env := fixturetest.New(t)
	acme := env.Organization(t, "acme")
	owner, org := acme.Personas["owner"].Actor, acme.Organization.ID
	ctx := context.Background()
	l, _, c := onePair(t, env, owner, "instant", crm.Input{FirstName: "Ada", Email: "ada@example.com", EmailConsent: true})
	_, silentPref, quiet := onePair(t, env, owner, "instant", crm.Input{FirstName: "Quiet", Email: "quiet@example.com"})
	_ = silentPref
	for range 2 {
		if _, err := env.CRM.MatchListing(ctx, org, l.id); err != nil {
			t.Fatal(err)
		}
	}
	got := messagesOf(t, env, owner, c.ID)
	if len(got) != 1 || got[0].Type != "match.alert" || got[0].Outcome == nil || *got[0].Outcome != "email" ||
		got[0].Title == nil || !strings.HasPrefix(*got[0].Title, "A listing for you: ") {
		t.Fatalf("timeline messages %+v, want one match.alert e-mail", got)
	}
	if got := messagesOf(t, env, owner, quiet.ID); len(got) != 0 {
		t.Fatalf("a client without e-mail consent has messages %+v", got)
	}
	p, err := env.CRM.CreatePreference(ctx, owner, c.ID, crm.PreferenceInput{Name: "Daily", PriceMax: price(420_000),
		Cities: []string{"Springfield"}, AlertFrequency: "daily"})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := env.CRM.RematchPreference(ctx, org, p.ID); err != nil {
		t.Fatal(err)
	}
	if n, err := env.CRM.Digest(ctx, org, p.ID); err != nil || n == 0 {
		t.Fatalf("digest: %d %v", n, err)
	}
	got = messagesOf(t, env, owner, c.ID)
	if len(got) != 2 || got[0].Type != "match.digest" || !strings.Contains(*got[0].Title, `new listings for "Daily"`) {
		t.Fatalf("after the digest: %+v", got)
	}
	survivor := mustClient(t, env, owner, crm.Input{FirstName: "Ada", LastName: "Survivor"})
	if _, err := env.CRM.Merge(ctx, owner, survivor.ID, []realty.ID{c.ID}); err != nil {
		t.Fatal(err)
	}
	if got := messagesOf(t, env, owner, survivor.ID); len(got) != 2 {
		t.Fatalf("the survivor has %d messages, want 2", len(got))
	}
}
