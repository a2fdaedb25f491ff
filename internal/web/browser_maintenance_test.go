package web_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"realty/internal/maintenance"
)

// TestBrowserMaintenance drives Chromium on a 390-pixel-wide phone as the
// resident: from their start page to Maintenance, a request with a photo
// sent from the form, its page with the photo; no page scrolls sideways.
// Then the property manager signs in, in the same browser, and finds the
// request on their dashboard (an open high-priority work order) and in
// the list that figure links to.
func TestBrowserMaintenance(t *testing.T) {
	needChromium(t)
	h := newHarness(t)
	acme := h.env.Organization(t, "acme")
	newRentals(t, h, acme)
	b := startBrowserFor(t, 90*time.Second)
	csp := watchCSP(t, b)
	photo := filepath.Join(t.TempDir(), "leak.png")
	if err := os.WriteFile(photo, pngOf(t), 0o600); err != nil {
		t.Fatal(err)
	}
	step(t, b, "phone viewport", chromedp.EmulateViewport(390, 844))
	csp.at("resident maintenance")
	signIn(t, b, h.url, acme.Personas["resident"].Email)
	step(t, b, "open Maintenance", chromedp.Click(chromedp.CSS(`#your-maintenance`)), chromedp.WaitVisible(chromedp.CSS(`#request-form`)))
	noSideways(t, b, "the request form")
	step(t, b, "send a request with a photo",
		chromedp.SendKeys(chromedp.CSS(`#request-form input[name="title"]`), "Bathroom tap drips"),
		chromedp.SetValue(chromedp.CSS(`#request-form select[name="priority"]`), "high"),
		chromedp.SendKeys(chromedp.CSS(`#request-form textarea[name="description"]`), "Since Monday, all night."),
		chromedp.SetUploadFiles(chromedp.CSS(`#request-form input[name="file"]`), []string{photo}),
		chromedp.Click(chromedp.CSS(`#request-form input[name="permission_to_enter"]`)),
		chromedp.Click(chromedp.CSS(`#submit-request`)),
		chromedp.WaitVisible(chromedp.CSS(`#request-status`)))
	seeText(t, b, `h1`, "Bathroom tap drips")
	seeText(t, b, `#request-status`, "Open")
	step(t, b, "the photo is shown", chromedp.WaitVisible(chromedp.CSS(`#request-photos img`)))
	noSideways(t, b, "the request's page")
	step(t, b, "back to the list", chromedp.Click(chromedp.CSS(`a[href="/resident/maintenance"]`)), chromedp.WaitVisible(chromedp.CSS(`#my-requests`)))
	seeText(t, b, `#my-requests`, "Bathroom tap drips")
	noSideways(t, b, "the request list")
	managerSees(t, b, h.url, acme.Personas["property_manager"].Email, "Bathroom tap drips")
	csp.check(t)

	page, err := h.env.Maintenance.List(context.Background(), acme.Personas["property_manager"].Actor, maintenance.Filter{Status: "open"})
	if err != nil || len(page.Items) != 1 || page.Items[0].Source != "resident" || page.Items[0].Priority != "high" ||
		!page.Items[0].PermissionToEnter {
		t.Fatalf("open work orders: %+v (%v)", page.Items, err)
	}
	pm := h.login(acme.Personas["property_manager"].Email, "acme")
	list := h.get("/work-orders?status=open", pm)
	if !strings.Contains(list.body, "Bathroom tap drips") {
		t.Errorf("the manager's work order list lacks the request: %.400s", list.body)
	}
}

// noSideways fails when the page is wider than the window.
func noSideways(t *testing.T, ctx context.Context, what string) {
	t.Helper()
	widths, err := chromedp.Run(ctx, chromedp.Evaluate[[]int]("[document.documentElement.scrollWidth, window.innerWidth]"))
	if err != nil {
		t.Fatal(err)
	}
	if widths[0] > widths[1] {
		t.Errorf("%s scrolls sideways: scrollWidth %d > innerWidth %d", what, widths[0], widths[1])
	}
}

// managerSees signs out, signs in as the manager and finds one open
// high-priority work order on the dashboard's work order panel, then the
// request titled title in the list its figure opens.
func managerSees(t *testing.T, b context.Context, base, email, title string) {
	t.Helper()
	step(t, b, "sign out", chromedp.Evaluate[chromedp.Void](`document.querySelector('form[action="/logout"]').submit()`),
		chromedp.WaitVisible(chromedp.CSS(`#login`)))
	signIn(t, b, base, email)
	high := `#dash-work-orders a[href="/work-orders?active=1&priority=high"]`
	step(t, b, "open the dashboard", chromedp.Click(chromedp.CSS(`#to-dashboard a`)), chromedp.WaitVisible(chromedp.CSS(high)))
	row, err := chromedp.Run(b, chromedp.Evaluate[[]string](`[...document.querySelector('`+high+`').closest('tr').cells].map(c => c.textContent.trim())`))
	if err != nil || strings.Join(row, "|") != "High|1|0|0" {
		t.Fatalf("the dashboard's high-priority work orders: %q (%v), want High|1|0|0 (open, assigned, in progress)", row, err)
	}
	seeText(t, b, `#dash-work-orders-note`, "1 still to do")
	noSideways(t, b, "the manager's dashboard")
	step(t, b, "open the high-priority work orders", chromedp.Click(chromedp.CSS(high)), chromedp.WaitVisible(chromedp.CSS(`#work-order-filter`)))
	seeText(t, b, `main`, title)
}
