package web_test

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"realty/internal/fixture/fixturetest"
	"realty/internal/server"
	"realty/internal/web"
)

// pageAccess says who may use each page or form, written out by hand like
// the API's access matrix (the system roles allowed), independently of the
// permission declarations it checks. Every other persona must get 403. A
// form posted empty reaches the domain's validation (422) only when the
// permission is held.
var pageAccess = []struct {
	method, path string
	form         url.Values
	ok           int
	allowed      string
}{
	{"GET", "/admin/members", nil, 200, "owner admin broker agent property_manager accountant maintenance read_only"},
	{"GET", "/admin/invitations", nil, 200, "owner admin broker agent property_manager accountant maintenance read_only"},
	{"GET", "/admin/roles", nil, 200, "owner admin broker property_manager read_only"},
	{"GET", "/admin/api-keys", nil, 200, "owner admin read_only"},
	{"GET", "/admin/audit", nil, 200, "owner admin read_only"},
	{"GET", "/admin/audit?tab=events", nil, 200, "owner admin read_only"},
	{"GET", "/admin/audit?user=bad", nil, 422, "owner admin read_only"},
	{"GET", "/account", nil, 200, "owner admin broker agent property_manager accountant maintenance resident client read_only"},
	{"POST", "/admin/invitations", url.Values{}, 422, "owner admin broker property_manager"},
	{"POST", "/admin/roles", url.Values{}, 422, "owner admin"},
	{"POST", "/admin/role-assignments", url.Values{}, 422, "owner admin broker property_manager"},
	{"POST", "/admin/api-keys", url.Values{}, 422, "owner admin"},
	{"POST", "/admin/members/{client}", url.Values{"title": {strings.Repeat("x", 101)}}, 422, "owner admin"},
	{"POST", "/admin/members/{client}/remove", url.Values{}, 404, "owner admin"},
	{"GET", "/listings", nil, 200, "owner admin broker agent property_manager accountant read_only"},
	{"GET", "/listings?min_price=x", nil, 422, "owner admin broker agent property_manager accountant read_only"},
	{"GET", "/listings/new", nil, 200, "owner admin broker agent property_manager"},
	{"POST", "/listings", url.Values{}, 422, "owner admin broker agent property_manager"},
	{"GET", "/properties", nil, 200, "owner admin broker agent property_manager accountant maintenance read_only"},
	{"GET", "/clients", nil, 200, "owner admin broker agent read_only"},
	{"GET", "/clients?view=board", nil, 200, "owner admin broker agent read_only"},
	{"GET", "/clients?agent=bad", nil, 422, "owner admin broker agent read_only"},
	{"GET", "/clients/{client}", nil, 404, "owner admin broker agent read_only"},
	{"GET", "/clients/new", nil, 200, "owner admin broker agent"},
	{"POST", "/clients", url.Values{}, 422, "owner admin broker agent"},
	{"GET", "/clients/{client}/edit", nil, 404, "owner admin broker agent"},
	{"POST", "/clients/{client}/stage", url.Values{}, 404, "owner admin broker agent"},
	{"POST", "/clients/{client}/interactions", url.Values{}, 404, "owner admin broker agent"},
	{"POST", "/clients/{client}/tasks", url.Values{}, 404, "owner admin broker agent"},
	{"POST", "/clients/{client}/assign", url.Values{}, 404, "owner admin broker"},
	{"GET", "/tasks", nil, 200, "owner admin broker agent read_only"},
	{"POST", "/tasks/{client}/complete", url.Values{}, 404, "owner admin broker agent"},
	{"GET", "/day", nil, 200, "owner admin broker agent read_only"},
	{"GET", "/calendar", nil, 200, "owner admin broker agent read_only"},
	{"GET", "/calendar?week=2026-W49", nil, 200, "owner admin broker agent read_only"},
	{"GET", "/calendar?start=bad", nil, 422, "owner admin broker agent read_only"},
	{"GET", "/clients?sort=score", nil, 200, "owner admin broker agent read_only"},
	{"POST", "/appointments", url.Values{}, 422, "owner admin broker agent"},
	{"POST", "/appointments/{client}/status", url.Values{"status": {"completed"}}, 404, "owner admin broker agent"},
	{"POST", "/clients/{client}/appointments", url.Values{}, 404, "owner admin broker agent"},
	{"POST", "/clients/{client}/preferences", url.Values{}, 404, "owner admin broker agent"},
	{"POST", "/clients/{client}/preferences/{client}", url.Values{}, 404, "owner admin broker agent"},
	{"POST", "/clients/{client}/preferences/{client}/delete", url.Values{}, 404, "owner admin broker agent"},
	{"POST", "/matches/{client}/status", url.Values{"status": {"viewed"}}, 404, "owner admin broker agent"},
	{"POST", "/account/calendar-feed", url.Values{}, 200, "owner admin broker agent read_only"},
	{"POST", "/account/calendar-feed/revoke", url.Values{}, 303, "owner admin broker agent read_only"},
	{"GET", "/notifications", nil, 200, "owner admin broker agent property_manager accountant maintenance read_only"},
	{"POST", "/notifications/read-all", url.Values{}, 303, "owner admin broker agent property_manager accountant maintenance read_only"},
	{"POST", "/notifications/{client}/read", url.Values{}, 404, "owner admin broker agent property_manager accountant maintenance read_only"},
	{"GET", "/tenants", nil, 200, "owner admin property_manager accountant read_only"},
	{"GET", "/tenants/new", nil, 200, "owner admin property_manager"},
	{"POST", "/tenants", url.Values{}, 422, "owner admin property_manager"},
	{"GET", "/tenants/{client}", nil, 404, "owner admin property_manager accountant read_only"},
	{"POST", "/tenants/{client}/payments", url.Values{}, 404, "owner admin property_manager accountant"},
	{"POST", "/tenants/{client}/invoices", url.Values{}, 404, "owner admin property_manager accountant"},
	{"POST", "/invoices/{client}/issue", url.Values{}, 404, "owner admin property_manager accountant"},
	{"POST", "/invoices/{client}/void", url.Values{}, 404, "owner admin property_manager accountant"},
	{"GET", "/leases", nil, 200, "owner admin property_manager accountant read_only"},
	{"GET", "/leases/new", nil, 200, "owner admin property_manager"},
	{"POST", "/leases", url.Values{}, 422, "owner admin property_manager"},
	{"GET", "/leases/{client}", nil, 404, "owner admin property_manager accountant read_only"},
	{"POST", "/leases/{client}/activate", url.Values{}, 404, "owner admin property_manager"},
	{"POST", "/leases/{client}/renew", url.Values{}, 404, "owner admin property_manager"},
	{"POST", "/leases/{client}/terminate", url.Values{}, 404, "owner admin property_manager"},
	{"POST", "/leases/{client}/move-in", url.Values{}, 404, "owner admin property_manager"},
	{"POST", "/leases/{client}/move-out", url.Values{"date": {"2026-05-01"}}, 404, "owner admin property_manager"},
	{"GET", "/leases/{client}/deposit", nil, 404, "owner admin property_manager accountant read_only"},
	{"GET", "/leases/{client}/deposit?cite=x", nil, 422, "owner admin property_manager accountant read_only"},
	{"POST", "/leases/{client}/deposit", url.Values{}, 404, "owner admin property_manager accountant"},
	{"GET", "/rent-roll", nil, 200, "owner admin property_manager accountant read_only"},
	{"GET", "/aging", nil, 200, "owner admin broker property_manager accountant read_only"},
	{"GET", "/dashboard", nil, 200, "owner admin property_manager accountant read_only"},
	{"GET", "/reports/occupancy", nil, 200, "owner admin property_manager accountant read_only"},
	{"GET", "/reports/occupancy?status=vacant", nil, 200, "owner admin property_manager accountant read_only"},
	{"GET", "/reports/occupancy?status=gone", nil, 422, "owner admin property_manager accountant read_only"},
	{"GET", "/reports/occupancy.csv", nil, 200, "owner admin property_manager accountant read_only"},
	{"GET", "/reports/collections", nil, 200, "owner admin broker property_manager accountant read_only"},
	{"GET", "/reports/collections?month=2026-13", nil, 422, "owner admin broker property_manager accountant read_only"},
	{"GET", "/aging?as_of=bad", nil, 422, "owner admin broker property_manager accountant read_only"},
	{"GET", "/billing", nil, 200, "owner admin broker property_manager accountant read_only"},
	{"GET", "/billing?period=2026-13", nil, 422, "owner admin broker property_manager accountant read_only"},
	{"POST", "/billing", url.Values{}, 422, "owner admin property_manager accountant"},
	{"GET", "/bills", nil, 200, "owner admin broker property_manager accountant read_only"},
	{"GET", "/bills?status=bad", nil, 422, "owner admin broker property_manager accountant read_only"},
	{"GET", "/bills/new", nil, 200, "owner admin property_manager accountant"},
	{"POST", "/bills", url.Values{}, 422, "owner admin property_manager accountant"},
	{"GET", "/bills/{client}", nil, 404, "owner admin broker property_manager accountant read_only"},
	{"POST", "/bills/{client}/submit", url.Values{}, 404, "owner admin property_manager accountant"},
	{"POST", "/bills/{client}/approve", url.Values{}, 404, "owner admin broker accountant"},
	{"POST", "/bills/{client}/void", url.Values{}, 404, "owner admin property_manager accountant"},
	{"POST", "/bills/{client}/payments", url.Values{}, 404, "owner admin property_manager accountant"},
	{"GET", "/reports/income-statement", nil, 200, "owner admin broker property_manager accountant read_only"},
	{"GET", "/reports/income-statement?from=bad", nil, 422, "owner admin broker property_manager accountant read_only"},
	{"GET", "/reports/income-statement/csv", nil, 200, "owner admin broker property_manager accountant read_only"},
	{"GET", "/reports/balance-sheet", nil, 200, "owner admin broker property_manager accountant read_only"},
	{"GET", "/reports/balance-sheet/csv?as_of=2026-13-01", nil, 422, "owner admin broker property_manager accountant read_only"},
	{"GET", "/reports/owner-statement", nil, 200, "owner admin broker property_manager accountant read_only"},
	{"GET", "/reports/owner-statement?month=May", nil, 422, "owner admin broker property_manager accountant read_only"},
	{"GET", "/reports/owner-statement?property={client}", nil, 200, "owner admin broker property_manager accountant read_only"},
	{"GET", "/reports/general-ledger", nil, 200, "owner admin broker property_manager accountant read_only"},
	{"GET", "/reports/general-ledger?account={client}", nil, 404, "owner admin broker property_manager accountant read_only"},
	{"GET", "/rent-roll/csv", nil, 422, "owner admin property_manager accountant read_only"},
	{"GET", "/aging/csv", nil, 200, "owner admin broker property_manager accountant read_only"},
	{"GET", "/budgets", nil, 200, "owner admin broker property_manager accountant read_only"},
	{"POST", "/budgets", url.Values{}, 422, "owner admin property_manager accountant"},
	{"POST", "/budgets/copy", url.Values{"year": {"2030"}, "name": {"x"}, "change_pct": {"-500"}}, 422, "owner admin property_manager accountant"},
	{"GET", "/budgets/{client}", nil, 404, "owner admin broker property_manager accountant read_only"},
	{"POST", "/budgets/{client}/lines", url.Values{"account": {"0190a0b0-0000-7000-8000-000000000000"}}, 404, "owner admin property_manager accountant"},
	{"GET", "/budgets/{client}/vs-actual", nil, 404, "owner admin broker property_manager accountant read_only"},
	{"GET", "/budgets/{client}/vs-actual/csv", nil, 404, "owner admin broker property_manager accountant read_only"},
	{"GET", "/reports/saved", nil, 200, "owner admin broker property_manager accountant read_only"},
	{"POST", "/reports/saved", url.Values{}, 422, "owner admin property_manager accountant"},
	{"POST", "/reports/saved/{client}/delete", url.Values{}, 404, "owner admin property_manager accountant"},
	{"GET", "/reports/saved/{client}/csv", nil, 404, "owner admin broker property_manager accountant read_only"},
	{"GET", "/resident", nil, 200, "owner admin resident"},
	{"GET", "/resident/leases/{client}", nil, 404, "owner admin resident"},
	{"GET", "/work-orders", nil, 200, "owner admin property_manager maintenance accountant read_only"},
	{"GET", "/work-orders?status=done", nil, 422, "owner admin property_manager maintenance accountant read_only"},
	{"GET", "/work-orders/new", nil, 200, "owner admin property_manager maintenance"},
	{"POST", "/work-orders", url.Values{}, 422, "owner admin property_manager maintenance"},
	{"GET", "/work-orders/{client}", nil, 404, "owner admin property_manager maintenance accountant read_only"},
	{"POST", "/work-orders/{client}/assign", url.Values{"assignee": {"member:0190a0b0-0000-7000-8000-000000000000"}}, 404, "owner admin property_manager"},
	{"POST", "/work-orders/{client}/start", url.Values{}, 404, "owner admin property_manager maintenance"},
	{"POST", "/work-orders/{client}/complete", url.Values{}, 404, "owner admin property_manager maintenance"},
	{"POST", "/work-orders/{client}/cancel", url.Values{}, 404, "owner admin property_manager"},
	{"POST", "/work-orders/{client}/comments", url.Values{"body": {"x"}}, 404, "owner admin property_manager maintenance"},
	{"GET", "/work-order-photos/{client}/content", nil, 404, "owner admin property_manager maintenance accountant resident read_only"},
	{"GET", "/vendors", nil, 200, "owner admin property_manager maintenance accountant read_only"},
	{"POST", "/vendors", url.Values{}, 422, "owner admin property_manager"},
	{"GET", "/resident/maintenance", nil, 200, "owner admin resident"},
	{"POST", "/resident/maintenance", url.Values{}, 422, "owner admin resident"},
	{"GET", "/resident/maintenance/{client}", nil, 404, "owner admin property_manager maintenance accountant resident read_only"},
	{"POST", "/resident/maintenance/{client}/comments", url.Values{"body": {"x"}}, 404, "owner admin property_manager maintenance resident"},
	{"GET", "/resident/messages", nil, 200, "owner admin resident"},
	{"POST", "/resident/messages", url.Values{}, 422, "owner admin resident"},
	{"GET", "/resident/messages/{client}", nil, 404, "owner admin resident"},
	{"POST", "/resident/messages/{client}", url.Values{}, 404, "owner admin resident"},
	{"GET", "/resident/announcements", nil, 200, "owner admin resident"},
	{"GET", "/resident/notifications", nil, 200, "owner admin resident"},
	{"POST", "/resident/notifications", url.Values{"email": {"deal.moved"}}, 422, "owner admin resident"},
	{"GET", "/messages", nil, 200, "owner admin property_manager maintenance read_only"},
	{"GET", "/messages/new", nil, 200, "owner admin property_manager maintenance"},
	{"POST", "/messages", url.Values{}, 422, "owner admin property_manager maintenance"},
	{"GET", "/messages/{client}", nil, 404, "owner admin property_manager maintenance read_only"},
	{"POST", "/messages/{client}", url.Values{"body": {"hi"}}, 404, "owner admin property_manager maintenance"},
	{"GET", "/announcements", nil, 200, "owner admin property_manager read_only"},
	{"GET", "/announcements/new", nil, 200, "owner admin property_manager"},
	{"POST", "/announcements", url.Values{}, 422, "owner admin property_manager"},
	{"GET", "/inspections", nil, 200, "owner admin property_manager maintenance accountant read_only"},
	{"GET", "/inspections?unit=bad", nil, 422, "owner admin property_manager maintenance accountant read_only"},
	{"POST", "/inspections", url.Values{}, 422, "owner admin property_manager maintenance"},
	{"GET", "/inspections/{client}", nil, 404, "owner admin property_manager maintenance accountant read_only"},
	{"GET", "/inspections/{client}/comparison", nil, 404, "owner admin property_manager maintenance accountant read_only"},
	{"POST", "/inspections/{client}/items", url.Values{}, 404, "owner admin property_manager maintenance"},
	{"POST", "/inspections/{client}/start", url.Values{}, 404, "owner admin property_manager maintenance"},
	{"POST", "/inspections/{client}/complete", url.Values{}, 404, "owner admin property_manager maintenance"},
	{"GET", "/deals", nil, 200, "owner admin broker agent read_only"},
	{"POST", "/deals", url.Values{}, 422, "owner admin broker agent"},
	{"GET", "/deals/closing", nil, 200, "owner admin broker agent read_only"},
	{"GET", "/deals/{client}", nil, 404, "owner admin broker agent read_only"},
	{"POST", "/deals/{client}", url.Values{}, 404, "owner admin broker agent"},
	{"POST", "/deals/{client}/moves", url.Values{"to": {"active"}}, 404, "owner admin broker agent"},
	{"POST", "/deals/{client}/participants", url.Values{"role": {"attorney"}, "name": {"Matrix Law"}}, 404, "owner admin broker agent"},
	{"POST", "/deal-participants/{client}/remove", url.Values{}, 404, "owner admin broker agent"},
	{"GET", "/my-deals", nil, 200, "owner admin broker agent property_manager accountant maintenance resident client read_only"},
	{"GET", "/deal-workflow", nil, 200, "owner admin broker agent read_only"},
	{"GET", "/deal-workflow?year=x", nil, 422, "owner admin broker agent read_only"},
	{"POST", "/deal-workflow/holidays", url.Values{}, 422, "owner admin broker"},
	{"POST", "/deal-workflow/holidays/2031-02-03/remove", url.Values{}, 404, "owner admin broker"},
	{"POST", "/deal-workflow/templates", url.Values{}, 422, "owner admin broker"},
	{"POST", "/deal-workflow/templates/{client}", url.Values{}, 404, "owner admin broker"},
	{"POST", "/deal-workflow/templates/{client}/delete", url.Values{}, 404, "owner admin broker"},
	{"GET", "/deals/{client}/milestones", nil, 404, "owner admin broker agent read_only"},
	{"POST", "/deals/{client}/milestones", url.Values{}, 404, "owner admin broker agent"},
	{"POST", "/milestones/{client}/complete", url.Values{}, 404, "owner admin broker agent"},
	{"POST", "/milestones/{client}/uncomplete", url.Values{}, 404, "owner admin broker agent"},
	{"POST", "/milestones/{client}/due", url.Values{}, 404, "owner admin broker agent"},
	{"GET", "/deals/{client}/contracts", nil, 404, "owner admin broker agent read_only"},
	{"POST", "/deals/{client}/contracts", url.Values{}, 404, "owner admin broker agent"},
	{"POST", "/contracts/{client}/send", url.Values{}, 404, "owner admin broker agent"},
	{"POST", "/contracts/{client}/void", url.Values{}, 404, "owner admin broker agent"},
	{"POST", "/deals/{client}/contracts/{client}/signers", url.Values{"name": {"M"}, "email": {"m@example.com"}, "role": {"other"}}, 404, "owner admin broker agent"},
	{"POST", "/deals/{client}/contract-signers/{client}/remove", url.Values{}, 404, "owner admin broker agent"},
	{"GET", "/contract-versions/{client}/pdf", nil, 404, "owner admin broker agent read_only"},
	{"GET", "/sign?token=x", nil, 404, "owner admin broker agent property_manager accountant maintenance resident client read_only"},
	{"GET", "/properties/{client}/cma", nil, 404, "owner admin broker agent read_only"},
	{"POST", "/properties/{client}/cma", url.Values{}, 404, "owner admin broker agent"},
	{"GET", "/cma/{client}", nil, 404, "owner admin broker agent read_only"},
	{"GET", "/documents", nil, 200, "owner admin broker agent property_manager accountant read_only"},
	{"GET", "/documents?q=lease", nil, 200, "owner admin broker agent property_manager accountant read_only"},
	{"GET", "/documents?entity_id=bad", nil, 422, "owner admin broker agent property_manager accountant read_only"},
	{"POST", "/documents", url.Values{}, 422, "owner admin broker agent property_manager"},
	{"GET", "/documents/{client}", nil, 404, "owner admin broker agent property_manager accountant read_only"},
	{"GET", "/documents/{client}/content", nil, 404, "owner admin broker agent property_manager accountant read_only"},
	{"POST", "/documents/{client}", url.Values{}, 404, "owner admin broker agent property_manager"},
	{"POST", "/documents/{client}/versions", url.Values{}, 404, "owner admin broker agent property_manager"},
	{"POST", "/documents/{client}/shares", url.Values{}, 404, "owner admin broker agent property_manager"},
	{"POST", "/documents/{client}/delete", url.Values{}, 404, "owner admin broker property_manager"},
	{"POST", "/document-shares/{client}/revoke", url.Values{}, 404, "owner admin broker agent property_manager"},
	{"GET", "/shared/dsh_nope", nil, 404, "owner admin broker agent property_manager accountant maintenance resident client read_only"},
	{"GET", "/forgot-password", nil, 200, "owner admin broker agent property_manager accountant maintenance resident client read_only"},
	{"GET", "/reset-password?token=x", nil, 200, "owner admin broker agent property_manager accountant maintenance resident client read_only"},
	{"GET", "/verify-email?token=x", nil, 200, "owner admin broker agent property_manager accountant maintenance resident client read_only"},
	{"GET", "/deal-money/{client}", nil, 404, "owner admin broker agent read_only"},
	{"POST", "/deal-money/{client}/deposits", url.Values{"amount": {"1"}, "holder": {"brokerage"}}, 404, "owner admin broker agent"},
	{"POST", "/deal-money/{client}/deposits/{client}/receive", url.Values{}, 404, "owner admin broker agent"},
	{"POST", "/deal-money/{client}/commission", url.Values{"gross": {"3"}}, 404, "owner admin broker agent"},
	{"POST", "/deal-money/{client}/splits/{client}/pay", url.Values{}, 404, "owner admin broker"},
	{"GET", "/deal-money/{client}/authorization", nil, 404, "owner admin broker agent read_only"},
	{"GET", "/deal-money/gci", nil, 200, "owner admin broker agent read_only"},
	{"GET", "/deal-money/gci?year=1999", nil, 422, "owner admin broker agent read_only"},
}

// TestPageAccess signs in every persona and checks every page and form
// against pageAccess: the dashboard enforces the same permissions as the
// API because it calls the same domain methods.
func TestPageAccess(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	o := h.env.Organization(t, "acme")
	other := h.env.Organization(t, "globex") // its member id is not found in acme
	sessions := map[string]*http.Cookie{}
	for _, role := range fixturetest.AllRoles() {
		sessions[role] = h.login(o.Personas[role].Email, "acme")
	}
	for _, c := range pageAccess {
		path := strings.ReplaceAll(c.path, "{client}", other.Personas["client"].MemberID.String())
		if !strings.HasSuffix(c.path, "/remove") {
			path = strings.ReplaceAll(c.path, "{client}", o.Personas["client"].MemberID.String())
		}
		for _, role := range fixturetest.AllRoles() {
			want := http.StatusForbidden
			if slices.Contains(strings.Fields(c.allowed), role) {
				want = c.ok
			}
			r := h.do(c.method, path, c.form, cookies(sessions[role]))
			if r.StatusCode != want {
				t.Errorf("%s %s as %s = %d, want %d: %.300s", c.method, c.path, role, r.StatusCode, want, r.body)
			}
		}
	}
}

// TestNavHidesWhatTheActorLacks shows each persona only the admin links it
// may use (the pages refuse the others regardless: TestPageAccess).
func TestNavHidesWhatTheActorLacks(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	o := h.env.Organization(t, "acme")
	links := []string{`href="/admin/members"`, `href="/admin/invitations"`, `href="/admin/roles"`, `href="/admin/api-keys"`, `href="/admin/audit"`}
	for role, shown := range map[string]int{"owner": 5, "read_only": 5, "broker": 3, "agent": 2, "resident": 0} {
		body := h.get("/account", h.login(o.Personas[role].Email, "")).body
		n := 0
		for _, l := range links {
			if strings.Contains(body, l) {
				n++
			}
		}
		if n != shown {
			t.Errorf("%s sees %d admin links, want %d", role, n, shown)
		}
	}
}

// TestAnonymousGoesToLogin sends a visitor without session to the sign-in
// page, coming back afterwards; a form post goes there too, without next.
func TestAnonymousGoesToLogin(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	for path, want := range map[string]string{
		"/admin/members":              "/login?next=%2Fadmin%2Fmembers",
		"/admin/audit?tab=events":     "/login?next=%2Fadmin%2Faudit%3Ftab%3Devents",
		"/account":                    "/login?next=%2Faccount",
		"/invitations/accept?token=x": "",
	} {
		r := h.get(path, nil)
		if want == "" {
			expect(t, r, http.StatusOK, "Accept invitation")
			continue
		}
		if r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != want {
			t.Errorf("GET %s = %d to %q, want %q", path, r.StatusCode, r.Header.Get("Location"), want)
		}
	}
	r := h.post("/admin/api-keys", url.Values{"name": {"x"}}, nil)
	if r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != "/login" {
		t.Errorf("anonymous POST = %d to %q", r.StatusCode, r.Header.Get("Location"))
	}
	r = h.post("/admin/api-keys/"+"0190a0b0-0000-7000-8000-000000000000"+"/revoke", nil, nil, "HX-Request", "true")
	if r.Header.Get("HX-Redirect") != "/login" {
		t.Errorf("anonymous htmx POST: HX-Redirect %q", r.Header.Get("HX-Redirect"))
	}
}

// TestEveryPageCarriesCSP opens every GET page of the route table as the
// owner and as a visitor: each answer carries the Content-Security-Policy.
func TestEveryPageCarriesCSP(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	acme := h.env.Organization(t, "acme")
	ids := pageData(t, h, acme)
	owner := h.login(acme.Personas["owner"].Email, "acme")
	for _, pattern := range web.PagePaths() {
		path, ok := pagePath(t, pattern, ids)
		if !ok {
			continue
		}
		for _, session := range []*http.Cookie{owner, nil} {
			r := h.get(path, session)
			if got := r.Header.Get("Content-Security-Policy"); got != server.ContentSecurityPolicy {
				t.Errorf("GET %s (%d, signed in %v): Content-Security-Policy %q", path, r.StatusCode, session != nil, got)
			}
		}
	}
}

// TestNavLeasingLinks shows the leasing and accounting pages to those whose
// permissions open them, and the resident the way to their portal.
func TestNavLeasingLinks(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	o := h.env.Organization(t, "acme")
	links := []string{`href="/tenants"`, `href="/tenants/new"`, `href="/leases"`, `href="/rent-roll"`, `href="/aging"`, `href="/resident"`, `href="/billing"`}
	for role, want := range map[string][]bool{
		"property_manager": {true, true, true, true, true, false, true},
		"accountant":       {true, false, true, true, true, false, true},
		"broker":           {false, false, false, false, true, false, true},
		"agent":            {false, false, false, false, false, false, false},
		"resident":         {false, false, false, false, false, true, false},
	} {
		body := h.get("/", h.login(o.Personas[role].Email, "")).body
		for i, l := range links {
			if strings.Contains(body, l) != want[i] {
				t.Errorf("%s's start page holds %s: %v, want %v", role, l, !want[i], want[i])
			}
		}
	}
}
