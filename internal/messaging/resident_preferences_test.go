package messaging_test

import (
	"context"
	"testing"

	"realty"
	"realty/internal/identity"
	"realty/internal/leasing"
	"realty/internal/messaging"
)

// emailed is whether each resident kind is e-mailed, by kind.
func emailed(t *testing.T, svc *messaging.Service, actor realty.Actor) map[string]bool {
	t.Helper()
	prefs, err := svc.ResidentPreferences(context.Background(), actor)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]bool{}
	for _, p := range prefs {
		if !p.InApp {
			t.Errorf("%s: in-app off for a resident", p.Kind)
		}
		out[p.Kind] = p.Email
	}
	return out
}

// TestResidentEmailPreferences: a resident who turned e-mail off for
// announcements gets the announcement in-app but no e-mail, while messages
// from the manager still come both ways (the default); a second resident
// keeps the defaults whatever the first chose and the other way round;
// only the two resident kinds may be chosen, and the staff preference
// methods stay closed to residents.
func TestResidentEmailPreferences(t *testing.T) {
	t.Parallel()
	w := newTenancies(t)
	ctx := context.Background()
	org := w.org.Organization.ID
	if got := emailed(t, w.svc, w.res); !got["announcement.published"] || !got["message.new"] || len(got) != 2 {
		t.Fatalf("defaults %v, want e-mail on for both kinds", got)
	}
	// A second resident, Eve, linked to a tenant of her own.
	u, err := w.env.Identity.CreateUser(ctx, identity.NewUser{Email: "eve@tenants.example", Password: "a long enough password 1", FirstName: "Eve", LastName: "Tenant"})
	if err != nil {
		t.Fatal(err)
	}
	m, err := w.env.Org.AddMember(ctx, realty.System(org), u.ID, "resident", "")
	if err != nil {
		t.Fatal(err)
	}
	first, last := "Eve", "Tenant"
	if _, err := w.env.Leasing.CreateTenant(ctx, w.pm, leasing.TenantInput{FirstName: &first, LastName: &last, MemberID: &m.ID}); err != nil {
		t.Fatal(err)
	}
	eve, err := w.env.Org.ActorFor(ctx, org, u.ID)
	if err != nil || !eve.Resident {
		t.Fatalf("Eve's actor %+v %v", eve, err)
	}

	if _, err := w.svc.SetResidentPreferences(ctx, w.res, map[string]bool{"announcement.published": false}); err != nil {
		t.Fatal(err)
	}
	if _, err := w.svc.SetResidentPreferences(ctx, eve, map[string]bool{"message.new": false}); err != nil {
		t.Fatal(err)
	}
	if got := emailed(t, w.svc, w.res); got["announcement.published"] || !got["message.new"] {
		t.Errorf("Ada's resident after both chose: %v, want only announcements off", got)
	}
	if got := emailed(t, w.svc, eve); !got["announcement.published"] || got["message.new"] {
		t.Errorf("Eve after both chose: %v, want only messages off", got)
	}
	if _, err := w.svc.SetResidentPreferences(ctx, w.res, map[string]bool{"deal.moved": false, "message.new": false}); realty.KindOf(err) != realty.Invalid ||
		realty.FieldsOf(err)["kind"] == "" {
		t.Errorf("a staff kind: %v, want Invalid naming kind", err)
	}
	if got := emailed(t, w.svc, w.res); !got["message.new"] {
		t.Error("a refused choice wrote the valid kind beside it")
	}
	if _, err := w.svc.SetResidentPreferences(ctx, w.pm, map[string]bool{"message.new": false}); realty.KindOf(err) != realty.Forbidden {
		t.Errorf("staff choosing as a resident: %v, want Forbidden", err)
	}
	if _, err := w.svc.SetPreference(ctx, w.res, "announcement.published", "in_app", false); realty.KindOf(err) != realty.Forbidden {
		t.Errorf("a resident turning in-app off: %v, want Forbidden", err)
	}

	// Delivery: Ada's resident gets the announcement in-app only; a staff
	// message reaches them both ways.
	a, err := w.svc.Announce(ctx, w.pm, messaging.NewAnnouncement{Title: "Boiler service", Body: "Thursday morning.",
		Scope: messaging.Scope{Kind: "property", PropertyID: w.p1}})
	if err != nil {
		t.Fatal(err)
	}
	if d, err := w.svc.DeliverAnnouncement(ctx, org, a.ID); err != nil || d.Reached != 2 {
		t.Fatalf("delivery: %+v %v", d, err)
	}
	resident := w.persona("resident")
	notices := func(kind string) int {
		return count(t, w, w.pm, `SELECT count(*) FROM messaging.notifications WHERE organization_id = $1 AND recipient_id = $2 AND kind = $3`,
			org, resident.MemberID, kind)
	}
	mails := func(to, kind string) int {
		return count(t, w, w.persona("owner").Actor, `SELECT count(*) FROM messaging.deliveries WHERE organization_id = $1 AND channel = 'email'
			AND recipient = $2 AND kind = $3`, org, to, kind)
	}
	if n := notices("announcement.published"); n != 1 {
		t.Errorf("resident's in-app announcement notices %d, want 1", n)
	}
	if n := mails(resident.Email, "announcement.published"); n != 0 {
		t.Errorf("announcement e-mails to the resident who turned them off: %d, want 0", n)
	}
	if n := mails("bea@tenants.example", "announcement.published"); n != 1 {
		t.Errorf("announcement e-mails to Bea: %d, want 1", n)
	}
	if _, err := w.svc.StartThread(ctx, w.pm, messaging.NewThread{TenantID: &w.ada, Subject: "Keys", Body: "Your new keys are at the office."}); err != nil {
		t.Fatal(err)
	}
	if n, e := notices("message.new"), mails(resident.Email, "message.new"); n != 1 || e != 1 {
		t.Errorf("a staff message to the resident who left the default: %d in-app, %d e-mail; want 1 and 1", n, e)
	}
}
