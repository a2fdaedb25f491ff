package web_test

import (
	"os"
	"testing"

	"github.com/chromedp/chromedp"

	"realty/internal/fixture/fixturetest"
)

// TestBrowserListing drives Chromium through the listings pages: an agent
// signs in, searches by city, opens a listing from the results, changes its
// price in the edit form, and sees the PriceChange entry with the new price
// in the listing's history.
func TestBrowserListing(t *testing.T) {
	t.Parallel()
	if _, err := os.Stat(chromiumPath); err != nil {
		t.Fatalf("the browser test needs Chromium at %s: install it with `apt-get install -y chromium` (%v)", chromiumPath, err)
	}
	h := newHarness(t)
	acme := h.env.Organization(t, "acme")
	l := listed(t, h, acme, "agent", "12 Elm Street", "Austin", 450000)
	listed(t, h, acme, "agent", "14 Oak Avenue", "Denver", 650000)
	ctx := startBrowser(t)

	step(t, ctx, "sign in",
		chromedp.Navigate(h.url+"/login"),
		chromedp.SendKeys(chromedp.CSS(`#login input[name="email"]`), acme.Personas["agent"].Email),
		chromedp.SendKeys(chromedp.CSS(`#login input[name="password"]`), fixturetest.Password),
		chromedp.Click(chromedp.CSS(`#login button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#greeting`)))

	step(t, ctx, "search by city",
		chromedp.Click(chromedp.CSS(`nav a[href="/listings"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#listing-search`)),
		chromedp.SendKeys(chromedp.CSS(`#listing-search input[name="city"]`), "Austin"),
		chromedp.Click(chromedp.CSS(`#listing-search button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#result-count`)))
	seeText(t, ctx, `#result-count`, "1 listings match")
	seeText(t, ctx, `#results`, "12 Elm Street")

	step(t, ctx, "open the listing",
		chromedp.Click(chromedp.CSS(`.listing-card[data-id="`+l.ID.String()+`"] header a`)),
		chromedp.WaitVisible(chromedp.CSS(`#listing-title`)))
	seeText(t, ctx, `#listing-price`, "$450,000")

	step(t, ctx, "change the price",
		chromedp.Click(chromedp.CSS(`#edit-listing`)),
		chromedp.WaitVisible(chromedp.CSS(`#listing-form`)),
		chromedp.SetValue(chromedp.CSS(`#listing-form input[name="list_price"]`), "425000"),
		chromedp.Click(chromedp.CSS(`#listing-form button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#history li[data-change="PriceChange"]`)))
	seeText(t, ctx, `#listing-price`, "$425,000")
	seeText(t, ctx, `#history li[data-change="PriceChange"]`, "$425000.00")
}
