package api_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"realty"
	"realty/internal/deal"
)

// globexDealIDs adds to foreign a globex deal with a participant.
func globexDealIDs(t *testing.T, h *harness, foreign map[string]realty.ID) {
	t.Helper()
	d := h.env.OpenDeal(t, h.b, "Globex deal")
	name := "Globex Law"
	p, err := h.env.Deal.AddParticipant(context.Background(), h.b.Personas["agent"].Actor, d.ID,
		deal.ParticipantInput{Role: "attorney", Name: &name})
	if err != nil {
		t.Fatal(err)
	}
	for _, op := range []string{"get-deal", "update-deal", "move-deal", "deal-history", "list-deal-participants", "add-deal-participant"} {
		foreign[op] = d.ID
	}
	foreign["remove-deal-participant"] = p.ID
}

// TestDealFlowAPI opens a deal, refuses a move the machine does not allow
// with a 422 naming to, moves it, adds and removes a participant and reads
// the history; the move operation documents the whole transition table.
func TestDealFlowAPI(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	agent := h.tokens["acme:agent"]
	status, body := h.do("POST", "/api/v1/deals", agent, map[string]any{"title": "API deal", "kind": "sale", "side": "seller", "price": "410000.00"})
	if status != 201 {
		t.Fatalf("create: %d %s", status, body)
	}
	var d deal.Deal
	if err := json.Unmarshal(body, &d); err != nil {
		t.Fatal(err)
	}
	path := "/api/v1/deals/" + d.ID.String()
	status, body = h.do("POST", path+"/moves", agent, map[string]any{"to": "closed"})
	if status != 422 || !strings.Contains(string(body), `"location":"to"`) || !strings.Contains(string(body), "may move only to active or withdrawn") {
		t.Fatalf("lead → closed: %d %s, want 422 naming to with the allowed stages", status, body)
	}
	if status, body = h.do("POST", path+"/moves", agent, map[string]any{"to": "active", "reason": "listed"}); status != 200 {
		t.Fatalf("lead → active: %d %s", status, body)
	}
	status, body = h.do("POST", path+"/participants", agent, map[string]any{"role": "lender", "name": "Big Bank", "email": "loans@bank.example"})
	if status != 201 {
		t.Fatalf("add participant: %d %s", status, body)
	}
	var p deal.Participant
	_ = json.Unmarshal(body, &p)
	if status, body = h.do("POST", path+"/participants", agent, map[string]any{"role": "lender"}); status != 422 || !strings.Contains(string(body), "client_id") {
		t.Fatalf("a participant naming no one: %d %s, want 422 naming client_id", status, body)
	}
	if status, _ = h.do("DELETE", "/api/v1/deal-participants/"+p.ID.String(), agent, nil); status != 204 {
		t.Fatalf("remove participant: %d", status)
	}
	status, body = h.do("GET", path+"/history", agent, nil)
	if status != 200 || !strings.Contains(string(body), `"reason":"listed"`) {
		t.Fatalf("history: %d %s", status, body)
	}
	if status, body = h.do("PATCH", path, agent, map[string]any{"agent_id": h.a.Personas["broker"].MemberID}); status != 403 {
		t.Fatalf("an agent reassigns: %d %s, want 403", status, body)
	}
	for _, op := range h.operations() {
		if op.OperationID != "move-deal" {
			continue
		}
		for from, tos := range deal.Transitions {
			row := "| " + from + " | " + strings.Join(tos, ", ") + " |"
			if len(tos) == 0 {
				row = "| " + from + " | — (final) |"
			}
			if !strings.Contains(op.Description, row) {
				t.Errorf("move-deal's description lacks the row %q", row)
			}
		}
	}
}
