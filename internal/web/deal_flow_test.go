package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"realty/internal/deal"
)

// TestDealPages: an agent opens a deal on the board, a refused move is
// explained on the board with 422, an allowed one moves the card; the deal
// page adds and removes a participant, shows the history and saves an
// edit; the broker's view lists the deal expected to close this month;
// another organization's broker finds nothing.
func TestDealPages(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	acme, globex := h.env.Organization(t, "acme"), h.env.Organization(t, "globex")
	agent := acme.Personas["agent"]
	session := h.login(agent.Email, "acme")
	r := h.post("/deals", url.Values{"title": {"Board deal"}, "kind": {"purchase"}, "side": {"buyer"}, "price": {"350000"}}, session)
	if r.StatusCode != http.StatusSeeOther {
		t.Fatalf("open a deal: %d %.300s", r.StatusCode, r.body)
	}
	loc := strings.TrimSuffix(r.Header.Get("Location"), "?notice=saved")
	id := strings.TrimPrefix(loc, "/deals/")
	expect(t, h.get("/deals", session), http.StatusOK, `data-id="`+id+`" data-stage="lead"`, `src="/static/deal_board.js"`)
	expect(t, h.post("/deals", url.Values{"title": {""}, "kind": {"purchase"}, "side": {"buyer"}}, session),
		http.StatusUnprocessableEntity, "field-error")

	expect(t, h.post(loc+"/moves", url.Values{"to": {"closed"}, "next": {"/deals"}}, session), http.StatusUnprocessableEntity,
		`id="move-refused"`, "may move only to active or withdrawn")
	if r := h.post(loc+"/moves", url.Values{"to": {"active"}, "reason": {"signed buyer agreement"}, "next": {"/deals"}}, session); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("move to active: %d %.300s", r.StatusCode, r.body)
	}
	expect(t, h.get("/deals", session), http.StatusOK, `data-id="`+id+`" data-stage="active"`)

	if r := h.post(loc+"/participants", url.Values{"role": {"attorney"}, "name": {"Lou Law"}, "email": {"lou@law.example"}}, session); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("add a participant: %d %.300s", r.StatusCode, r.body)
	}
	expect(t, h.post(loc+"/participants", url.Values{"role": {"lender"}}, session), http.StatusUnprocessableEntity, "name exactly one of")
	today := time.Now().UTC().Format(time.DateOnly)
	if r := h.post(loc, url.Values{"expected_close": {today}, "notes": {"pre-approved"}}, session); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("edit: %d %.300s", r.StatusCode, r.body)
	}
	page := h.get(loc, session)
	expect(t, page, http.StatusOK, "Lou Law", "signed buyer agreement", "pre-approved", `id="deal-sections"`,
		`id="milestones"`, `id="contracts"`, `id="deal-money"`, `id="documents-section"`)
	ps, err := h.env.Deal.Participants(context.Background(), agent.Actor, mustID(t, id))
	if err != nil || len(ps) != 1 {
		t.Fatalf("participants: %v %v", ps, err)
	}
	if r := h.post("/deal-participants/"+ps[0].ID.String()+"/remove", url.Values{"next": {loc}}, session); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("remove: %d", r.StatusCode)
	}
	if ps, _ := h.env.Deal.Participants(context.Background(), agent.Actor, mustID(t, id)); len(ps) != 0 {
		t.Fatalf("after removal: %d participants", len(ps))
	}
	broker := h.login(acme.Personas["broker"].Email, "acme")
	expect(t, h.get("/deals/closing", broker), http.StatusOK, `data-id="`+id+`"`, "1 deal")
	if r := h.get(loc, h.login(globex.Personas["broker"].Email, "globex")); r.StatusCode != http.StatusNotFound {
		t.Fatalf("another organization's broker opens the deal: %d", r.StatusCode)
	}
	if d, _ := h.env.Deal.Get(context.Background(), agent.Actor, mustID(t, id)); d.Stage != deal.Active {
		t.Fatalf("deal at %s, want active", d.Stage)
	}
}

// TestDealPortal: a client member added to a deal follows it read-only —
// its stage and dates, not its price or notes; another client sees nothing.
func TestDealPortal(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	acme := h.env.Organization(t, "acme")
	agent, client := acme.Personas["agent"], acme.Personas["client"]
	ctx := context.Background()
	d := h.env.OpenDeal(t, acme, "Portal deal")
	notes := "seller is motivated"
	if _, err := h.env.Deal.Update(ctx, agent.Actor, d.ID, deal.Patch{Notes: &notes}); err != nil {
		t.Fatal(err)
	}
	if _, err := h.env.Deal.Move(ctx, agent.Actor, d.ID, deal.MoveInput{To: deal.Active, Reason: "internal reason"}); err != nil {
		t.Fatal(err)
	}
	session := h.login(client.Email, "acme")
	page := h.get("/my-deals", session)
	expect(t, page, http.StatusOK, "take part in no deal")
	if _, err := h.env.Deal.AddParticipant(ctx, agent.Actor, d.ID, deal.ParticipantInput{Role: "buyer", MemberID: &client.MemberID}); err != nil {
		t.Fatal(err)
	}
	page = h.get("/my-deals", session)
	expect(t, page, http.StatusOK, `data-id="`+d.ID.String()+`"`, `data-stage="active"`, "you are the Buyer")
	if strings.Contains(page.body, notes) || strings.Contains(page.body, "internal reason") {
		t.Fatalf("the portal shows the deal's notes or reasons: %.500s", page.body)
	}
	if r := h.get("/deals/"+d.ID.String(), session); r.StatusCode != http.StatusForbidden {
		t.Fatalf("the client opens the staff deal page: %d, want 403", r.StatusCode)
	}
}
