package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
	"github.com/shopspring/decimal"

	"realty/internal/crm"
	"realty/internal/document"
	"realty/internal/fixture"
	"realty/internal/fixture/fixturetest"
	"realty/internal/ledger"
	"realty/internal/listing"
	"realty/internal/maintenance"
	"realty/internal/messaging"
	"realty/internal/property"
	"realty/internal/web"
)

// TestBrowserPhoneWidth visits, as a visitor, the owner, an agent and a resident, every
// GET page of the route table the persona may open (real ids in place of
// {id}) in a 375 px wide window: no page may scroll sideways (tables scroll
// inside their own box), and no page may break the Content-Security-Policy.
// The side navigation folds into the Menu button and opens with it.
func TestBrowserPhoneWidth(t *testing.T) {
	t.Parallel()
	if _, err := os.Stat(chromiumPath); err != nil {
		t.Fatalf("the browser test needs Chromium at %s: install it with `apt-get install -y chromium` (%v)", chromiumPath, err)
	}
	h := newHarness(t)
	acme := h.env.Organization(t, "acme")
	ids := pageData(t, h, acme)
	ctx := startBrowserFor(t, 240*time.Second) // every page of four personas, on a busy machine
	csp := watchCSP(t, ctx)
	step(t, ctx, "phone viewport", chromedp.EmulateViewport(375, 800))

	for _, persona := range []string{"visitor", "owner", "agent", "resident"} {
		var session *http.Cookie
		if persona != "visitor" {
			session = h.login(acme.Personas[persona].Email, "acme")
			signIn(t, ctx, h.url, acme.Personas[persona].Email)
		}
		walkPages(t, ctx, h, persona, session, ids, csp)
		if persona == "visitor" || persona == "resident" {
			continue // the resident has no page but the start page: no menu
		}
		step(t, ctx, persona+" opens the menu",
			chromedp.Navigate(h.url+"/"),
			chromedp.Click(chromedp.CSS(`label.menu-button`)),
			chromedp.WaitVisible(chromedp.CSS(`aside.side a[href="/"][aria-current="page"]`)))
		if _, err := chromedp.Call(ctx, network.ClearBrowserCookies, cdp.Empty{}); err != nil {
			t.Fatal(err)
		}
	}
	csp.at("/api/docs")
	step(t, ctx, "open the API docs", chromedp.Navigate(h.url+"/api/docs"),
		chromedp.WaitVisible(chromedp.CSS(`#swagger-ui .info .title`)))
	seeText(t, ctx, `#swagger-ui .info .title`, "realty")
	csp.check(t)

	proveWatch(t, ctx, h.url, csp)
}

// proveWatch breaks the policy on purpose: an inline style attribute must
// reach the console watch, or the watch proves nothing.
func proveWatch(t *testing.T, ctx context.Context, base string, csp *cspWatch) {
	t.Helper()
	csp.at("the watch's own check")
	step(t, ctx, "break the policy on purpose", chromedp.Navigate(base+"/login"),
		chromedp.Evaluate[chromedp.Void](`document.body.setAttribute("style", "color: red")`))
	if n := csp.drain(); n == 0 {
		t.Error("the console watch missed a Content-Security-Policy violation")
	}
}

// walkPages opens, at the current window size, every GET page of the route
// table the persona's session may open, failing for a page wider than the
// window.
func walkPages(t *testing.T, ctx context.Context, h *harness, persona string, session *http.Cookie, ids map[string]string, csp *cspWatch) {
	t.Helper()
	visited := 0
	for _, pattern := range web.PagePaths() {
		path, ok := pagePath(t, pattern, ids)
		if !ok || h.get(path, session).StatusCode != http.StatusOK {
			continue // a file, or a page this persona may not open
		}
		visited++
		csp.at(persona + " " + path)
		step(t, ctx, persona+" opens "+path, chromedp.Navigate(h.url+path))
		widths, err := chromedp.Run(ctx, chromedp.Evaluate[[]int]("[document.documentElement.scrollWidth, window.innerWidth]"))
		if err != nil {
			t.Fatalf("%s %s: %v", persona, path, err)
		}
		if widths[0] > widths[1] {
			t.Errorf("%s %s scrolls sideways at 375 px: scrollWidth %d > innerWidth %d", persona, path, widths[0], widths[1])
		}
	}
	if visited < 3 {
		t.Errorf("%s visited only %d pages", persona, visited)
	}
}

// pageData makes what the pages show: a listing with a price change, a
// property with a building, a unit and a photo, an invitation, an API
// key, a client with an interaction, and rentals (tenants, leases,
// invoices, a payment, the resident's tenancy). It returns the ids that stand for {id}, by the path's first part.
func pageData(t *testing.T, h *harness, o fixture.Org) map[string]string {
	t.Helper()
	ctx := context.Background()
	l := listed(t, h, o, "agent", "12 Elm Street with a rather long name", "Austin", 450000)
	if _, err := h.env.Listing.Update(ctx, o.Personas["agent"].Actor, l.ID, listing.Fields{ListPrice: price(t, "425000")}); err != nil {
		t.Fatal(err)
	}
	pm := o.Personas["property_manager"].Actor
	p, err := h.env.Property.Create(ctx, pm, property.Input{AddressLine1: "1 Tower Road", City: "Austin"})
	if err != nil {
		t.Fatal(err)
	}
	u, err := h.env.Property.CreateUnit(ctx, pm, p.ID, property.UnitInput{UnitNumber: "1A", Status: "vacant"})
	if err != nil {
		t.Fatal(err)
	}
	ins, err := h.env.Maintenance.CreateInspection(ctx, pm, maintenance.InspectionInput{Kind: "move_out", UnitID: &u.ID})
	if err != nil {
		t.Fatal(err)
	}
	owner := h.login(o.Personas["owner"].Email, "acme")
	h.upload("/properties/"+p.ID.String()+"/media", h.login(o.Personas["property_manager"].Email, "acme"), "photo", pngOf(t))
	h.post("/admin/invitations", url.Values{"email": {"new.agent@example.com"}, "role_id": {h.roleID(o.Organization.ID, "agent").String()}}, owner)
	h.post("/admin/api-keys", url.Values{"name": {"Website feed"}, "permissions": {"listing.read"}}, owner)
	c, err := h.env.CRM.Create(ctx, o.Personas["agent"].Actor, crm.Input{FirstName: "Maximiliana", LastName: "Featherstonehaugh-Worthington",
		Email: "maximiliana.featherstonehaugh@example.com", Tags: []string{"first-time-buyer", "pre-approved"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := h.env.CRM.LogInteraction(ctx, o.Personas["agent"].Actor, c.ID, crm.InteractionInput{Type: "call", Notes: "wants a garden"}); err != nil {
		t.Fatal(err)
	}
	r := newRentals(t, h, o)
	wo := residentRequest(t, h, o, r)
	b := pendingBill(t, h, o, &p.ID)
	budget, err := h.env.Ledger.CopyFromActuals(ctx, pm, ledger.CopyInput{PropertyID: &p.ID, Year: 2027, Name: "Tower Road 2027", ChangePct: decimal.NewFromInt(3)})
	if err != nil {
		t.Fatal(err)
	}
	th, err := h.env.Messaging.StartThread(ctx, pm, messaging.NewThread{TenantID: &r.ownTenant, Subject: "Water shut-off on Tuesday morning",
		Body: "The water will be off from 9 to 11 while the riser valves are replaced."})
	if err != nil {
		t.Fatal(err)
	}
	doc, err := h.env.Document.Create(ctx, pm, document.Input{Title: "Tower Road survey", Category: "survey", EntityType: "property",
		EntityID: p.ID, Visibility: "participants"}, document.File{Name: "survey.txt", Body: strings.NewReader("Boundary survey of Tower Road")})
	if err != nil {
		t.Fatal(err)
	}
	return map[string]string{"documents": doc.ID.String(), "listings": l.ID.String(), "properties": p.ID.String(), "clients": c.ID.String(),
		"tenants": r.ownTenant.String(), "leases": r.ownLease.String(), "resident": r.ownLease.String(),
		"work-orders": wo.String(), "resident/maintenance": wo.String(), "bills": b.String(), "budgets": budget.ID.String(),
		"messages": th.ID.String(), "/resident/messages/{id}": th.ID.String(), "inspections": ins.Inspection.ID.String(),
		"deals": dealWithMilestones(t, h, o).String(), "cma": h.env.Valuation(t, o).ID.String(),
		"deal-money": h.env.OpenDeal(t, o, "A deal with a rather long title for its money page").ID.String()}
}

// pagePath turns a route pattern into a path to visit; false for a route
// that sends a file rather than a page.
func pagePath(t *testing.T, pattern string, ids map[string]string) (string, bool) {
	t.Helper()
	if strings.HasSuffix(pattern, "/photo") || strings.HasSuffix(pattern, "/content") || strings.HasSuffix(pattern, "/csv") ||
		strings.HasSuffix(pattern, "/pdf") ||
		strings.HasSuffix(pattern, ".csv") {
		return "", false
	}
	path := strings.TrimSuffix(pattern, "{$}")
	if strings.Contains(path, "{id}") {
		first, rest, _ := strings.Cut(strings.TrimPrefix(path, "/"), "/")
		second, _, _ := strings.Cut(rest, "/")
		id, ok := ids[path] // a route of its own, else by its first two segments, else its first
		if !ok {
			id, ok = ids[first+"/"+second] // "resident/maintenance" before "resident"
		}
		if !ok {
			id, ok = ids[first]
		}
		if !ok {
			t.Fatalf("no id for the route %s: add one to pageData", pattern)
		}
		path = strings.ReplaceAll(path, "{id}", id)
	}
	return path, true
}

// signIn signs in through the sign-in form.
func signIn(t *testing.T, ctx context.Context, base, email string) {
	t.Helper()
	step(t, ctx, "sign in as "+email,
		chromedp.Navigate(base+"/login"),
		chromedp.SendKeys(chromedp.CSS(`#login input[name="email"]`), email),
		chromedp.SendKeys(chromedp.CSS(`#login input[name="password"]`), fixturetest.Password),
		chromedp.Click(chromedp.CSS(`#login button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#greeting`)))
}

// cspWatch collects what the browser logs about the Content-Security-Policy
// and uncaught exceptions, with the page open at the time.
type cspWatch struct {
	mu     sync.Mutex
	page   string
	broken []string
}

func (w *cspWatch) at(page string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.page = page
}

// check fails the test for every violation seen, after the browser had a
// moment to report the last page's.
func (w *cspWatch) check(t *testing.T) {
	t.Helper()
	time.Sleep(300 * time.Millisecond)
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, b := range w.broken {
		t.Error(b)
	}
}

// drain returns how many violations were seen, after the browser had a
// moment to report them, and forgets them.
func (w *cspWatch) drain() int {
	time.Sleep(300 * time.Millisecond)
	w.mu.Lock()
	defer w.mu.Unlock()
	n := len(w.broken)
	w.broken = nil
	return n
}

// watchCSP listens to the console of the browser of ctx.
func watchCSP(t *testing.T, ctx context.Context) *cspWatch {
	t.Helper()
	w := &cspWatch{}
	messages := chromedp.Console(ctx)
	go func() {
		for m, err := range messages {
			if err != nil {
				return
			}
			if m.IsException() || strings.Contains(m.Text, "Content Security Policy") || strings.Contains(m.Text, "Content-Security-Policy") {
				w.mu.Lock()
				w.broken = append(w.broken, fmt.Sprintf("%s: %s (%s)", w.page, m.Text, m.URL))
				w.mu.Unlock()
			}
		}
	}()
	return w
}

func price(t *testing.T, s string) *decimal.Decimal {
	t.Helper()
	d, err := decimal.NewFromString(s)
	if err != nil {
		t.Fatal(err)
	}
	return &d
}
