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
// Then the property manager finds the request among the open work orders.
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
