package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"realty/internal/crm"
)

// TestCalendarAndDay: an agent books on the week calendar (in the
// organization's zone), a clash is 409 naming the appointment in the way,
// back-to-back is fine; the day shows today's appointments and a quick
// status change; another agent neither sees it on their calendar nor may
// change it (404); a broker picks the agent.
func TestCalendarAndDay(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	acme := h.env.Organization(t, "acme")
	agent := h.login(acme.Personas["agent"].Email, "acme")
	ann := mustCreate(t, h, acme.Personas["agent"].Actor, "Ann")
	loc, _ := time.LoadLocation(acme.Organization.TimeZone)
	if loc == nil {
		loc = time.UTC
	}
	now := time.Now().In(loc)
	// Late enough today that it cannot be tomorrow in the zone by the end of the test.
	at := time.Date(now.Year(), now.Month(), now.Day(), 23, 0, 0, 0, loc)
	book := url.Values{"kind": {"showing"}, "title": {"Show Elm St"}, "client_id": {ann.ID.String()},
		"starts_at": {at.Format("2006-01-02T15:04")}, "ends_at": {at.Add(30 * time.Minute).Format("2006-01-02T15:04")}}
	r := h.post("/appointments", book, agent)
	if r.StatusCode != http.StatusSeeOther || !strings.Contains(r.Header.Get("Location"), "week=") {
		t.Fatalf("book: %d %q %.300s", r.StatusCode, r.Header.Get("Location"), r.body)
	}
	week := h.get(r.Header.Get("Location"), agent)
	expect(t, week, 200, "Show Elm St", "Ann", `data-date="`+at.Format("2006-01-02")+`"`, "23:00–23:30")

	clash := url.Values{"kind": {"meeting"}, "title": {"Overlap"}, "starts_at": {at.Add(15 * time.Minute).Format("2006-01-02T15:04")},
		"ends_at": {at.Add(45 * time.Minute).Format("2006-01-02T15:04")}}
	page, err := h.env.CRM.Appointments(context.Background(), acme.Personas["agent"].Actor, crm.AppointmentFilter{ClientID: &ann.ID})
	if err != nil || len(page.Items) != 1 {
		t.Fatalf("appointments: %v %v", page, err)
	}
	first := page.Items[0]
	expect(t, h.post("/appointments", clash, agent), http.StatusConflict, "clashes with appointment "+first.ID.String(), `id="starts-error"`, `value="Overlap"`)
	clash.Set("starts_at", at.Add(30*time.Minute).Format("2006-01-02T15:04"))
	if r := h.post("/appointments", clash, agent); r.StatusCode != http.StatusSeeOther {
		t.Errorf("back-to-back: %d %.300s", r.StatusCode, r.body)
	}
	expect(t, h.post("/appointments", url.Values{"title": {"x"}, "kind": {"call"}}, agent), http.StatusUnprocessableEntity, "starts_at", "is required")
	expect(t, h.get("/calendar?week=2026-W99", agent), http.StatusUnprocessableEntity, "week")

	day := h.get("/day", agent)
	expect(t, day, 200, "Show Elm St", `action="/appointments/`+first.ID.String()+`/status"`, "Overlap")

	other, _ := secondAgent(t, h, acme)
	if r := h.get("/calendar?week="+isoWeekOf(at), other); r.StatusCode != 200 || strings.Contains(r.body, "Show Elm St") {
		t.Errorf("another agent's calendar shows the appointment: %d", r.StatusCode)
	}
	if r := h.get("/day", other); strings.Contains(r.body, "Show Elm St") {
		t.Error("another agent's day shows the appointment")
	}
	expect(t, h.post("/appointments/"+first.ID.String()+"/status", url.Values{"status": {"completed"}}, other), http.StatusNotFound)
	broker := h.login(acme.Personas["broker"].Email, "acme")
	expect(t, h.get("/calendar?week="+isoWeekOf(at)+"&agent="+acme.Personas["agent"].MemberID.String(), broker), 200, "Show Elm St", `id="agent-pick"`)
	if r := h.get("/day", broker); strings.Contains(r.body, "Show Elm St") {
		t.Error("the broker's own day shows the agent's appointment")
	}

	r = h.post("/appointments/"+first.ID.String()+"/status", url.Values{"status": {"no_show"}, "next": {"/day"}}, agent)
	if r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != "/day?notice=saved" {
		t.Fatalf("no-show: %d %q", r.StatusCode, r.Header.Get("Location"))
	}
	expect(t, h.get("/day", agent), 200, `data-id="`+first.ID.String()+`" data-status="no_show"`)
	expect(t, h.post("/appointments/"+first.ID.String()+"/status", url.Values{"status": {"canceled"}}, agent), http.StatusUnprocessableEntity, "cancellation_reason")
	expect(t, h.post("/appointments/"+first.ID.String()+"/status", url.Values{"status": {"canceled"}, "cancellation_reason": {"rain"}}, agent), http.StatusConflict)
}

func isoWeekOf(t time.Time) string {
	y, w := t.ISOWeek()
	return fmt.Sprintf("%04d-W%02d", y, w)
}

// TestClientPageMatches: preferences are added on the client page (a bad
// field comes back beside it), a matching listing shows with its
// breakdown, on the agent's day too; marking it interested moves it; an
// edit and a delete work; another agent can neither change the match nor
// the preference (404); the account page makes, shows once and revokes the
// calendar feed.
func TestClientPageMatches(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	acme := h.env.Organization(t, "acme")
	agent := h.login(acme.Personas["agent"].Email, "acme")
	ann := mustCreate(t, h, acme.Personas["agent"].Actor, "Ann")
	page := "/clients/" + ann.ID.String()
	expect(t, h.post(page+"/preferences", url.Values{"name": {"Austin homes"}, "price_min": {"600000"}, "price_max": {"500000"}, "active": {"on"}}, agent),
		http.StatusUnprocessableEntity, `id="pref-new"`, "must not exceed price_max", `value="Austin homes"`)
	expect(t, h.post(page+"/preferences", url.Values{"name": {"x"}, "bedrooms_min": {"two"}}, agent), http.StatusUnprocessableEntity, "is not a whole number")
	r := h.post(page+"/preferences", url.Values{"name": {"Austin homes"}, "price_max": {"500000"}, "cities": {"Austin"},
		"list_type": {"sale"}, "alert_frequency": {"never"}, "active": {"on"}}, agent)
	if r.StatusCode != http.StatusSeeOther {
		t.Fatalf("add preference: %d %.400s", r.StatusCode, r.body)
	}
	l := listed(t, h, acme, "agent", "12 Elm Street", "Austin", 450000)
	if _, err := h.env.CRM.MatchListing(context.Background(), acme.Organization.ID, l.ID); err != nil {
		t.Fatal(err)
	}
	ms, err := h.env.CRM.Matches(context.Background(), acme.Personas["agent"].Actor, ann.ID, crm.MatchFilter{})
	if err != nil || len(ms.Items) != 1 {
		t.Fatalf("matches: %+v %v", ms, err)
	}
	m := ms.Items[0]
	expect(t, h.get(page, agent), 200, "Austin homes", `data-id="`+m.ID.String()+`" data-status="new"`, `data-outcome="full"`, "Price", `action="/matches/`+m.ID.String()+`/status"`)
	expect(t, h.get("/day", agent), 200, `href="/clients/`+ann.ID.String()+`#matches">Ann`)

	other, _ := secondAgent(t, h, acme)
	expect(t, h.post("/matches/"+m.ID.String()+"/status", url.Values{"status": {"interested"}}, other), http.StatusNotFound)
	if r := h.get("/day", other); strings.Contains(r.body, m.ID.String()) {
		t.Error("another agent's day lists the match")
	}
	r = h.post("/matches/"+m.ID.String()+"/status", url.Values{"status": {"interested"}, "next": {page + "#matches"}}, agent)
	if r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != page+"?notice=saved#matches" {
		t.Fatalf("interested: %d %q", r.StatusCode, r.Header.Get("Location"))
	}
	expect(t, h.get(page, agent), 200, `data-id="`+m.ID.String()+`" data-status="interested"`)
	if r := h.get("/day", agent); strings.Contains(r.body, m.ID.String()) {
		t.Error("the day still lists a match marked interested")
	}

	prefs, err := h.env.CRM.Preferences(context.Background(), acme.Personas["agent"].Actor, ann.ID)
	if err != nil || len(prefs) != 1 {
		t.Fatalf("preferences: %v %v", prefs, err)
	}
	pref := page + "/preferences/" + prefs[0].ID.String()
	expect(t, h.post(pref, url.Values{"name": {"Austin"}, "radius_km": {"5"}}, agent), http.StatusUnprocessableEntity, `id="pref-`+prefs[0].ID.String()+`"`, "radius")
	edit := url.Values{"name": {"Austin, bigger"}, "price_max": {"700000"}, "cities": {"Austin"}, "bedrooms_min": {"3"}, "property_types": {"Residential"}, "active": {"on"}}
	if r := h.post(pref, edit, agent); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("edit preference: %d %.400s", r.StatusCode, r.body)
	}
	expect(t, h.get(page, agent), 200, "Austin, bigger", "up to $700,000", `value="Residential" checked`)
	expect(t, h.post(pref, edit, other), http.StatusNotFound)
	expect(t, h.post(pref+"/delete", nil, other), http.StatusNotFound)
	if r := h.post(pref+"/delete", nil, agent); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("delete preference: %d", r.StatusCode)
	}
	if r := h.get(page, agent); strings.Contains(r.body, "Austin, bigger") {
		t.Error("a deleted preference is still shown")
	}

	expect(t, h.get("/account", agent), 200, "You publish no calendar feed.")
	r = h.post("/account/calendar-feed", nil, agent)
	expect(t, r, 200, `id="feed-url"`, "/calendar/cal_")
	expect(t, h.get("/account", agent), 200, "A feed is published")
	if r := h.get("/account", agent); strings.Contains(r.body, "/calendar/cal_") {
		t.Error("the feed address is shown again")
	}
	if r := h.post("/account/calendar-feed/revoke", nil, agent); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("revoke: %d", r.StatusCode)
	}
	expect(t, h.get("/account", agent), 200, "You publish no calendar feed.")
}

// TestScoreOnPages: the client page shows the lead score with its reasons
// largest first, adding up to the score; the agent's day lists their open
// scored clients hottest first (a lost one is left out, another agent's is
// not theirs); the client list sorts by score.
func TestScoreOnPages(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	acme := h.env.Organization(t, "acme")
	ctx := context.Background()
	agentActor := acme.Personas["agent"].Actor
	agent := h.login(acme.Personas["agent"].Email, "acme")
	hot, err := h.env.CRM.Create(ctx, agentActor, crm.Input{FirstName: "Hot", Email: "hot@x.example", Phone: "+14155550101",
		NurtureStatus: "hot", Source: "referral"})
	if err != nil {
		t.Fatal(err)
	}
	cold := mustCreate(t, h, agentActor, "Cold")
	lost := mustCreate(t, h, agentActor, "Gone")
	if _, err := h.env.CRM.LogInteraction(ctx, agentActor, hot.ID, crm.InteractionInput{Type: "call", Outcome: "keen"}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := h.env.CRM.ChangeStage(ctx, agentActor, lost.ID, "lost", "moved away"); err != nil {
		t.Fatal(err)
	}
	_, otherActor := secondAgent(t, h, acme)
	foreign := mustCreate(t, h, otherActor, "Foreign")
	for _, c := range []crm.Client{hot, cold, lost, foreign} {
		if err := h.env.CRM.Rescore(ctx, acme.Organization.ID, c.ID); err != nil {
			t.Fatal(err)
		}
	}
	sc, err := h.env.CRM.ClientScore(ctx, agentActor, hot.ID)
	if err != nil || sc.Score == nil || len(sc.Reasons) < 2 {
		t.Fatalf("score: %+v %v", sc, err)
	}
	page := h.get("/clients/"+hot.ID.String(), agent)
	expect(t, page, 200, `<strong id="score-value">`+fmt.Sprint(*sc.Score)+`</strong>`, sc.Reasons[0].Explanation)
	first := strings.Index(page.body, `data-code="`+sc.Reasons[0].Code+`"`)
	last := strings.Index(page.body, `data-code="`+sc.Reasons[len(sc.Reasons)-1].Code+`"`)
	if first < 0 || last < first {
		t.Errorf("reasons not shown largest first: %d %d", first, last)
	}

	day := h.get("/day", agent)
	expect(t, day, 200, `class="lead" data-id="`+hot.ID.String()+`"`, `class="lead" data-id="`+cold.ID.String()+`"`)
	if strings.Index(day.body, hot.ID.String()+`"`) > strings.Index(day.body, `class="lead" data-id="`+cold.ID.String()) {
		t.Error("the hotter lead is not first")
	}
	for _, c := range []crm.Client{lost, foreign} {
		if strings.Contains(day.body, `class="lead" data-id="`+c.ID.String()) {
			t.Errorf("the day lists %s among the hottest leads", c.FirstName)
		}
	}
	list := h.get("/clients?sort=score", agent)
	expect(t, list, 200, `<option value="score" selected>`)
	if strings.Index(list.body, `href="/clients/`+hot.ID.String()) > strings.Index(list.body, `href="/clients/`+cold.ID.String()) {
		t.Error("sort=score does not put the hotter client first")
	}
	expect(t, h.get("/clients?sort=best", agent), http.StatusUnprocessableEntity, "sort")
}
