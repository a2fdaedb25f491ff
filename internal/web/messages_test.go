package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/shopspring/decimal"

	"realty"
	"realty/internal/leasing"
	"realty/internal/messaging"
	"realty/internal/property"
)

// TestMessagePages: the manager writes to a tenant from the inbox, the
// tenant's resident reads it in the portal (unread, then read) and
// replies, the manager's inbox shows it unread; an announcement to the
// property reaches the resident's announcements page. Bad input comes back
// naming the field.
func TestMessagePages(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	ctx := context.Background()
	o := h.env.Organization(t, "acme")
	pm := o.Personas["property_manager"].Actor
	p, err := h.env.Property.Create(ctx, pm, property.Input{AddressLine1: "1 Main St", City: "Denver", StateProvince: "CO"})
	if err != nil {
		t.Fatal(err)
	}
	u, err := h.env.Property.CreateUnit(ctx, pm, p.ID, property.UnitInput{UnitNumber: "101"})
	if err != nil {
		t.Fatal(err)
	}
	first, last, member := "Ada", "Tenant", o.Personas["resident"].MemberID
	ten, err := h.env.Leasing.CreateTenant(ctx, pm, leasing.TenantInput{FirstName: &first, LastName: &last, MemberID: &member})
	if err != nil {
		t.Fatal(err)
	}
	end := realty.Date{Year: 2027, Month: 12, Day: 31}
	l, err := h.env.Leasing.CreateLease(ctx, pm, leasing.LeaseInput{UnitID: u.ID, Tenants: []leasing.LeaseTenant{{TenantID: ten.ID}},
		StartDate: realty.Date{Year: 2027, Month: 1, Day: 1}, EndDate: &end, Rent: decimal.NewFromInt(900)})
	if err == nil {
		_, err = h.env.Leasing.Activate(ctx, pm, l.ID)
	}
	if err != nil {
		t.Fatal(err)
	}
	mgr, res := h.login(o.Personas["property_manager"].Email, "acme"), h.login(o.Personas["resident"].Email, "acme")

	if r := h.post("/messages", url.Values{"tenant_id": {ten.ID.String()}, "subject": {""}, "body": {"x"}}, mgr); r.StatusCode != 422 ||
		!strings.Contains(r.body, "field-error") {
		t.Errorf("empty subject: %d", r.StatusCode)
	}
	r := h.post("/messages", url.Values{"tenant_id": {ten.ID.String()}, "subject": {"Water shut-off"}, "body": {"Tuesday 9 to 11."}}, mgr)
	loc := r.Header.Get("Location")
	if r.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, "/messages/") {
		t.Fatalf("new thread: %d %q %.300s", r.StatusCode, loc, r.body)
	}
	id := strings.TrimPrefix(loc, "/messages/")
	if r := h.get("/resident/messages", res); r.StatusCode != 200 || !strings.Contains(r.body, "Water shut-off") || !strings.Contains(r.body, "1 unread") {
		t.Errorf("resident's inbox: %d %.500s", r.StatusCode, r.body)
	}
	if r := h.get("/resident/messages/"+id, res); r.StatusCode != 200 || !strings.Contains(r.body, "Tuesday 9 to 11.") {
		t.Errorf("resident's thread: %d", r.StatusCode)
	}
	if r := h.get("/resident/messages", res); strings.Contains(r.body, "unread") {
		t.Errorf("resident's inbox after reading still shows unread")
	}
	if r := h.post("/resident/messages/"+id, url.Values{"body": {"Thanks, noted."}}, res); r.StatusCode != http.StatusSeeOther {
		t.Errorf("resident's reply: %d %.300s", r.StatusCode, r.body)
	}
	if r := h.get("/messages", mgr); !strings.Contains(r.body, "1 unread") || !strings.Contains(r.body, "Ada Tenant") {
		t.Errorf("manager's inbox: %.500s", r.body)
	}
	if r := h.get("/messages/"+id, mgr); !strings.Contains(r.body, "Thanks, noted.") {
		t.Errorf("manager's thread page lacks the reply")
	}

	if r := h.get("/announcements/new?property_id="+p.ID.String(), mgr); r.StatusCode != 200 || !strings.Contains(r.body, "101") {
		t.Errorf("announcement form with the property's units: %d", r.StatusCode)
	}
	if r := h.post("/announcements", url.Values{"property_id": {p.ID.String()}, "scope": {"unit"}, "title": {"t"}, "body": {"b"}}, mgr); r.StatusCode != 422 ||
		!strings.Contains(r.body, "unit") {
		t.Errorf("unit scope without a unit: %d", r.StatusCode)
	}
	if r := h.post("/announcements", url.Values{"property_id": {p.ID.String()}, "scope": {"property"}, "title": {"Pool opens"}, "body": {"Saturday."}}, mgr); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("announcement: %d %.300s", r.StatusCode, r.body)
	}
	a, err := h.env.Messaging.Announcements(ctx, pm, messagingFilter())
	if err != nil || len(a.Items) != 1 {
		t.Fatalf("announcements: %+v %v", a, err)
	}
	if _, err := h.env.Messaging.DeliverAnnouncement(ctx, o.Organization.ID, a.Items[0].ID); err != nil {
		t.Fatal(err)
	}
	if r := h.get("/resident/announcements", res); !strings.Contains(r.body, "Pool opens") {
		t.Errorf("resident's announcements: %.500s", r.body)
	}
	if r := h.get("/announcements", mgr); !strings.Contains(r.body, "1 tenants") {
		t.Errorf("announcements list does not show the one tenant reached")
	}
}

func messagingFilter() messaging.AnnouncementFilter { return messaging.AnnouncementFilter{Limit: 10} }
