package web_test

import (
	"context"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"realty/internal/listing"
	"realty/internal/property"
)

// tile finds the count shown in the start page's tile for a listing status
// ("all" for the total) or a unit status.
func tile(t *testing.T, body, attr, value string) string {
	t.Helper()
	m := regexp.MustCompile(attr + `="` + value + `">(?:<a [^>]*>)?<strong>(\d+)</strong>`).FindStringSubmatch(body)
	if m == nil {
		return ""
	}
	return m[1]
}

// TestHomeListingWork: an agent's start page counts their own listings by
// status — never another agent's or another organization's — and lists
// what is new this week; a broker's counts the whole organization's.
func TestHomeListingWork(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	acme, globex := h.env.Organization(t, "acme"), h.env.Organization(t, "globex")
	ctx := context.Background()
	listed(t, h, acme, "agent", "12 Elm Street", "Austin", 450000)
	pending := listed(t, h, acme, "agent", "14 Oak Avenue", "Denver", 650000)
	st := "Pending"
	if _, err := h.env.Listing.Update(ctx, acme.Personas["agent"].Actor, pending.ID, listing.Fields{StandardStatus: &st}); err != nil {
		t.Fatal(err)
	}
	listed(t, h, acme, "broker", "7 Broker Lane", "Austin", 900000)
	listed(t, h, globex, "agent", "99 Foreign Road", "Austin", 300000)

	agent := h.get("/", h.login(acme.Personas["agent"].Email, "acme"))
	expect(t, agent, http.StatusOK, `id="greeting"`, "you act in <strong>Org acme</strong>", "Your listings", "12 Elm Street",
		`/listings?status=Pending&amp;agent=`+acme.Personas["agent"].MemberID.String())
	for status, want := range map[string]string{"all": "2", "Active": "1", "Pending": "1"} {
		if got := tile(t, agent.body, "data-status", status); got != want {
			t.Errorf("agent's %s tile = %q, want %q", status, got, want)
		}
	}
	if strings.Contains(agent.body, "7 Broker Lane") || strings.Contains(agent.body, "99 Foreign Road") {
		t.Error("the agent's start page shows another agent's or organization's listing")
	}

	broker := h.get("/", h.login(acme.Personas["broker"].Email, "acme"))
	expect(t, broker, http.StatusOK, "The organization's listings", "7 Broker Lane", "12 Elm Street")
	for status, want := range map[string]string{"all": "3", "Active": "2", "Pending": "1"} {
		if got := tile(t, broker.body, "data-status", status); got != want {
			t.Errorf("broker's %s tile = %q, want %q", status, got, want)
		}
	}
	if strings.Contains(broker.body, "99 Foreign Road") {
		t.Error("the broker's start page shows another organization's listing")
	}
}

// TestHomePropertyManager: the property manager starts with the portfolio
// (units by status, vacant units, the note on leasing), before their own
// listings, of which they have none.
func TestHomePropertyManager(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	acme := h.env.Organization(t, "acme")
	ctx := context.Background()
	pm := acme.Personas["property_manager"].Actor
	p, err := h.env.Property.Create(ctx, pm, property.Input{AddressLine1: "1 Tower Road", City: "Austin"})
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range []property.UnitInput{{UnitNumber: "1A", Status: "vacant"}, {UnitNumber: "1B", Status: "occupied"}, {UnitNumber: "1C", Status: "occupied"}} {
		if _, err := h.env.Property.CreateUnit(ctx, pm, p.ID, u); err != nil {
			t.Fatal(err)
		}
	}
	r := h.get("/", h.login(acme.Personas["property_manager"].Email, "acme"))
	expect(t, r, http.StatusOK, "Portfolio", "Occupancy, rent roll and arrears arrive with leasing", "unit 1A", "You are the list agent of no listing yet")
	for status, want := range map[string]string{"vacant": "1", "occupied": "2", "maintenance": "0"} {
		if got := tile(t, r.body, "data-unit-status", status); got != want {
			t.Errorf("%s units tile = %q, want %q", status, got, want)
		}
	}
	if strings.Index(r.body, `id="property-overview"`) > strings.Index(r.body, `id="listing-overview"`) {
		t.Error("the portfolio does not lead the property manager's start page")
	}
}

// TestHomeOtherStaff: the accountant, maintenance and read-only members
// get the portfolio and links to the pages they may use, no listing panel.
func TestHomeOtherStaff(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	acme := h.env.Organization(t, "acme")
	for role, links := range map[string][]string{
		"accountant":  {`href="/listings"`, `href="/properties"`, `href="/admin/members"`},
		"maintenance": {`href="/properties"`, `href="/admin/members"`},
		"read_only":   {`href="/listings"`, `href="/properties"`, `href="/admin/audit"`, `href="/admin/api-keys"`},
	} {
		r := h.get("/", h.login(acme.Personas[role].Email, "acme"))
		expect(t, r, http.StatusOK, append(links, "What you can do here", `id="property-overview"`, `id="greeting"`)...)
		if strings.Contains(r.body, `id="listing-overview"`) || strings.Contains(r.body, "missing permission") {
			t.Errorf("%s's start page shows the listing panel or a refusal", role)
		}
	}
}

// TestHomePortal: residents and clients see the page meant for them — a
// welcome naming the organization, their account and security links —
// never a refusal; a visitor sees what realty is and where to sign in.
func TestHomePortal(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	acme := h.env.Organization(t, "acme")
	for _, role := range []string{"resident", "client"} {
		r := h.get("/", h.login(acme.Personas[role].Email, "acme"))
		expect(t, r, http.StatusOK, `id="greeting"`, "This is your portal at Org acme", `href="/account#mfa"`, `href="/account#sessions"`)
		for _, bad := range []string{"missing permission", `id="listing-overview"`, `id="property-overview"`, `href="/listings"`, `class="menu-button"`} {
			if strings.Contains(r.body, bad) {
				t.Errorf("%s's start page holds %q", role, bad)
			}
		}
	}
	r := h.get("/", nil)
	expect(t, r, http.StatusOK, `id="sign-in"`, `href="/login"`, "Brokerage CRM")
	if strings.Contains(r.body, "PostgreSQL") || strings.Contains(r.body, `id="greeting"`) {
		t.Error("the visitor's page shows the database or a greeting")
	}
}
