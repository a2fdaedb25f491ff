package web_test

import (
	"os"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestBrowserResidentPhone: the resident, on a 390 px wide phone, opens
// their start page, their home, their lease and their account: each shows
// the portal's navigation bar, and neither the page nor any box in it
// scrolls sideways, nor does a table or a link of the navigation reach past
// the window (the invoice and payment tables become one card per row, the
// navigation wraps).
func TestBrowserResidentPhone(t *testing.T) {
	t.Parallel()
	if _, err := os.Stat(chromiumPath); err != nil {
		t.Fatalf("the browser test needs Chromium at %s: install it with `apt-get install -y chromium` (%v)", chromiumPath, err)
	}
	h := newHarness(t)
	acme := h.env.Organization(t, "acme")
	r := newRentals(t, h, acme)
	ctx := startBrowserFor(t, 120*time.Second) // four pages, on a busy machine
	csp := watchCSP(t, ctx)
	step(t, ctx, "phone viewport", chromedp.EmulateViewport(390, 844))
	signIn(t, ctx, h.url, acme.Personas["resident"].Email)
	const widths = `[document.documentElement.scrollWidth, window.innerWidth,
		[...document.querySelectorAll("main *")].filter(e => e.scrollWidth > e.clientWidth + 1 && getComputedStyle(e).overflowX !== "visible").length,
		[...document.querySelectorAll("main table, #resident-nav a")].filter(e => e.getBoundingClientRect().right > window.innerWidth).length]`
	for _, path := range []string{"/", "/resident", "/resident/leases/" + r.ownLease.String(), "/account"} {
		csp.at("resident " + path)
		step(t, ctx, "open "+path, chromedp.Navigate(h.url+path), chromedp.WaitVisible(chromedp.CSS(`#resident-nav a[href="/resident"]`)))
		w, err := chromedp.Run(ctx, chromedp.Evaluate[[]int](widths))
		if err != nil {
			t.Fatal(err)
		}
		if w[0] > w[1] || w[2] > 0 || w[3] > 0 {
			t.Errorf("%s at 390 px: page %d wide in a window of %d, %d boxes scroll sideways, %d tables or portal links reach past the window", path, w[0], w[1], w[2], w[3])
		}
	}
	seeText(t, ctx, `#resident-nav`, "Payments")
	csp.check(t)
}
