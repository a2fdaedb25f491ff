package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// TestResidentNotificationsPage: the resident sees both e-mail choices on
// by default, turns announcements off with the form (an unchecked box is
// off), and the page and the service then say so; a kind that is not a
// resident's is refused in place.
func TestResidentNotificationsPage(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	o := h.env.Organization(t, "acme")
	newRentals(t, h, o) // links the resident to a tenancy
	session := h.login(o.Personas["resident"].Email, "acme")
	page := h.get("/resident/notifications", session)
	expect(t, page, http.StatusOK, `id="resident-notifications"`, `value="announcement.published" checked`, `value="message.new" checked`,
		`href="/resident/notifications"`)
	r := h.post("/resident/notifications", url.Values{"email": {"message.new"}}, session)
	if r.StatusCode != http.StatusSeeOther {
		t.Fatalf("save: %d %.300s", r.StatusCode, r.body)
	}
	page = h.get("/resident/notifications?notice=saved", session)
	expect(t, page, http.StatusOK, `value="message.new" checked`, "Saved.")
	if strings.Contains(page.body, `value="announcement.published" checked`) {
		t.Error("announcements still e-mailed after turning them off")
	}
	prefs, err := h.env.Messaging.ResidentPreferences(context.Background(), mustActor(t, h, o, "resident"))
	if err != nil || len(prefs) != 2 || prefs[0].Email || !prefs[1].Email {
		t.Errorf("stored choices %+v %v, want announcements off, messages on", prefs, err)
	}
	expect(t, h.post("/resident/notifications", url.Values{"email": {"deal.moved"}}, session), http.StatusUnprocessableEntity, "must be one of")
}
