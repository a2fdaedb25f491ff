package web_test

import (
	"context"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
	"github.com/shopspring/decimal"

	"realty/internal/crm"
)

// TestBrowserDay drives Chromium as an agent: with scripts disabled, an
// appointment is booked on the week calendar and an overlapping one is
// refused with the clash named beside its start; the agent's day (opened
// from the navigation) shows the appointment; on the client page a match
// is marked interested. No page logs an error or breaks the
// Content-Security-Policy.
func TestBrowserDay(t *testing.T) {
	// Not parallel, like TestBrowserCRM: two more Chromiums beside the
	// other browser tests on two cores would eat into their limits.
	needChromium(t)
	h := newHarness(t)
	acme := h.env.Organization(t, "acme")
	agent := acme.Personas["agent"]
	ctx := context.Background()
	ann := mustCreate(t, h, agent.Actor, "Ann")
	max := decimal.NewFromInt(500000)
	if _, err := h.env.CRM.CreatePreference(ctx, agent.Actor, ann.ID, crm.PreferenceInput{Name: "Austin", PriceMax: &max,
		Cities: []string{"Austin"}, AlertFrequency: "never"}); err != nil {
		t.Fatal(err)
	}
	l := listed(t, h, acme, "agent", "12 Elm Street", "Austin", 450000)
	if _, err := h.env.CRM.MatchListing(ctx, acme.Organization.ID, l.ID); err != nil {
		t.Fatal(err)
	}
	loc, err := time.LoadLocation(acme.Organization.TimeZone)
	if err != nil {
		loc = time.UTC
	}
	now := time.Now().In(loc)
	at := time.Date(now.Year(), now.Month(), now.Day(), 22, 0, 0, 0, loc)
	local := func(d time.Duration) string { return at.Add(d).Format("2006-01-02T15:04") }

	b := startBrowserFor(t, 60*time.Second)
	csp := watchCSP(t, b)
	signIn(t, b, h.url, agent.Email)
	if _, err := chromedp.Call(b, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true}); err != nil {
		t.Fatal(err)
	}
	csp.at("calendar")
	book := func(title string, from, to time.Duration) {
		step(t, b, "book "+title,
			chromedp.SetValue(chromedp.CSS(`#book-form select[name="kind"]`), "showing"),
			chromedp.SetValue(chromedp.CSS(`#book-form input[name="title"]`), title),
			chromedp.SetValue(chromedp.CSS(`#book-form select[name="client_id"]`), ann.ID.String()),
			chromedp.SetValue(chromedp.CSS(`#book-form input[name="starts_at"]`), local(from)),
			chromedp.SetValue(chromedp.CSS(`#book-form input[name="ends_at"]`), local(to)),
			chromedp.Click(chromedp.CSS(`#book-submit`)))
	}
	step(t, b, "open the calendar", chromedp.Navigate(h.url+"/"), chromedp.Click(chromedp.CSS(`nav a[href="/calendar"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#book-form`)))
	book("Show Elm St", 0, 30*time.Minute)
	step(t, b, "see it booked", chromedp.WaitVisible(chromedp.CSS(`#flash .notice`)))
	seeText(t, b, `section[data-date="`+at.Format("2006-01-02")+`"]`, "Show Elm St")
	book("Overlap", 15*time.Minute, 45*time.Minute)
	step(t, b, "see the clash", chromedp.WaitVisible(chromedp.CSS(`#starts-error`)))
	seeText(t, b, `#starts-error`, "clashes with appointment")
	if _, err := chromedp.Call(b, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: false}); err != nil {
		t.Fatal(err)
	}

	csp.at("day")
	step(t, b, "open the day", chromedp.Navigate(h.url+"/"), chromedp.Click(chromedp.CSS(`nav a[href="/day"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#day-appointments`)))
	seeText(t, b, `#day-appointments`, "Show Elm St")
	seeText(t, b, `#day-matches`, "Ann")

	csp.at("client page")
	step(t, b, "open the client's matches", chromedp.Click(chromedp.CSS(`#day-matches a[href^="/clients/"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#matches article.match`)),
		chromedp.Click(chromedp.CSS(`#matches article.match button[value="interested"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#flash .notice`)),
		chromedp.WaitVisible(chromedp.CSS(`#matches article.match[data-status="interested"]`)))
	ms, err := h.env.CRM.Matches(ctx, agent.Actor, ann.ID, crm.MatchFilter{})
	if err != nil || len(ms.Items) != 1 || ms.Items[0].Status != "interested" {
		t.Errorf("match after the click: %+v %v", ms.Items, err)
	}
	csp.check(t)
}
