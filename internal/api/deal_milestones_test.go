package api_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"realty"
	"realty/internal/deal"
)

// globexDealMilestoneIDs adds globex's deal, milestone and workflow
// template to TestBOLA's foreign ids.
func globexDealMilestoneIDs(t *testing.T, h *harness, foreign map[string]realty.ID) {
	t.Helper()
	ctx := context.Background()
	d := h.env.OpenDeal(t, h.b, "Foreign deal")
	ms, err := h.env.Deal.ApplyTemplate(ctx, h.b.Personas["agent"].Actor, d.ID)
	if err != nil {
		t.Fatal(err)
	}
	tpls, err := h.env.Deal.Templates(ctx, h.b.Personas["broker"].Actor)
	if err != nil {
		t.Fatal(err)
	}
	foreign["list-deal-milestones"], foreign["apply-deal-template"] = d.ID, d.ID
	for _, op := range []string{"complete-milestone", "uncomplete-milestone", "set-milestone-due"} {
		foreign[op] = ms[0].ID
	}
	for _, op := range []string{"get-workflow-template", "replace-workflow-template", "delete-workflow-template"} {
		foreign[op] = tpls[0].ID
	}
}

// TestDealMilestonesAPI: a deal's milestones through the API — applied,
// listed with due dates, completed, overridden; holidays added and
// removed; a bad template named by field.
func TestDealMilestonesAPI(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	agent, broker := h.tokens["acme:agent"], h.tokens["acme:broker"]
	ctx := context.Background()
	c, e := realty.Date{Year: 2031, Month: 3, Day: 3}, realty.Date{Year: 2031, Month: 4, Day: 30}
	d, err := h.env.Deal.Create(ctx, h.a.Personas["agent"].Actor, deal.Input{Title: "API", Kind: "sale", Side: "seller", ContractDate: &c, ExpectedClose: &e})
	if err != nil {
		t.Fatal(err)
	}
	status, body := h.do("POST", "/api/v1/deals/"+d.ID.String()+"/milestones", agent, nil)
	if status != 201 {
		t.Fatalf("apply: %d %s", status, body)
	}
	var list struct{ Items []deal.Milestone }
	if err := json.Unmarshal(body, &list); err != nil || len(list.Items) != 8 || list.Items[1].DueDate == nil || list.Items[1].DueDate.String() != "2031-03-06" {
		t.Fatalf("applied: %s (%v)", body, err)
	}
	if status, body = h.do("POST", "/api/v1/deals/"+d.ID.String()+"/milestones", agent, nil); status != 409 {
		t.Errorf("apply twice: %d %s", status, body)
	}
	earnest := list.Items[1].ID.String()
	if status, body = h.do("POST", "/api/v1/holidays", broker, map[string]any{"day": "2031-03-05", "name": "Office closed"}); status != 201 {
		t.Fatalf("add holiday: %d %s", status, body)
	}
	status, body = h.do("GET", "/api/v1/deals/"+d.ID.String()+"/milestones", agent, nil)
	if status != 200 || !strings.Contains(string(body), `"due_date":"2031-03-07"`) {
		t.Errorf("after 5 March went off: %d %s", status, body)
	}
	if status, body = h.do("GET", "/api/v1/holidays?year=2031", agent, nil); status != 200 || !strings.Contains(string(body), "Office closed") {
		t.Errorf("list holidays: %d %s", status, body)
	}
	if status, body = h.do("DELETE", "/api/v1/holidays/2031-03-05", broker, nil); status != 204 {
		t.Errorf("remove holiday: %d %s", status, body)
	}
	if status, body = h.do("DELETE", "/api/v1/holidays/2031-03-05", broker, nil); status != 404 {
		t.Errorf("remove it again: %d %s", status, body)
	}
	if status, body = h.do("PUT", "/api/v1/milestones/"+earnest+"/due", agent, map[string]any{"due_override": "2031-03-20"}); status != 200 ||
		!strings.Contains(string(body), `"due_date":"2031-03-20"`) {
		t.Errorf("override: %d %s", status, body)
	}
	if status, body = h.do("POST", "/api/v1/milestones/"+earnest+"/complete", agent, nil); status != 200 || !strings.Contains(string(body), `"completed_at"`) {
		t.Errorf("complete: %d %s", status, body)
	}
	status, body = h.do("POST", "/api/v1/workflow-templates", broker, map[string]any{"name": "Bad", "kind": "lease",
		"milestones": []map[string]any{{"key": "a", "name": "A", "anchor": "milestone", "anchor_key": "nope"}}})
	if status != 422 || !strings.Contains(string(body), "milestones[0].anchor_key") {
		t.Errorf("a bad template: %d %s", status, body)
	}
}
