package messaging_test

import (
	"context"
	"testing"

	"realty"
	"realty/internal/messaging"
	"realty/internal/org"
)

// TestResidentThreadTellsPropertyStaff: a thread the resident starts tells
// the staff of the property they lease in — the members holding
// message.send organization-wide (the property manager, the maintenance
// technician) and one holding it only for that property — and no one
// without it there (the accountant; the agent, who holds it only for the
// other property). Once the manager has answered, the resident's next
// message tells the manager alone.
func TestResidentThreadTellsPropertyStaff(t *testing.T) {
	t.Parallel()
	w := newTenancies(t)
	ctx := context.Background()
	owner := w.persona("owner").Actor
	role, err := w.env.Org.CreateRole(ctx, owner, org.RoleInput{Key: "messenger", Name: "Messenger", Permissions: []string{"message.send"}})
	if err != nil {
		t.Fatal(err)
	}
	for who, p := range map[string]realty.ID{"broker": w.p1, "agent": w.p2} {
		if _, err := w.env.Org.Assign(ctx, owner, org.NewAssignment{MemberID: w.persona(who).MemberID, RoleID: role.ID, PropertyID: &p}); err != nil {
			t.Fatal(err)
		}
	}
	told := func(who string) int {
		return count(t, w, w.pm, `SELECT count(*) FROM messaging.notifications WHERE organization_id = $1 AND recipient_id = $2 AND kind = 'message.new'`,
			w.org.Organization.ID, w.persona(who).MemberID)
	}
	th, err := w.svc.StartThread(ctx, w.res, messaging.NewThread{Subject: "Dripping tap", Body: "The kitchen tap drips all night."})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]int{"property_manager": 1, "maintenance": 1, "broker": 1, "accountant": 0, "agent": 0}
	for who, n := range want {
		if got := told(who); got != n {
			t.Errorf("%s told %d times of the resident's new thread, want %d", who, got, n)
		}
	}
	if _, err := w.svc.Reply(ctx, w.pm, th.ID, "A plumber comes on Monday."); err != nil {
		t.Fatal(err)
	}
	if _, err := w.svc.Reply(ctx, w.res, th.ID, "Thank you."); err != nil {
		t.Fatal(err)
	}
	want["property_manager"] = 2
	for who, n := range want {
		if got := told(who); got != n {
			t.Errorf("%s told %d times after the manager answered, want %d", who, got, n)
		}
	}
}
