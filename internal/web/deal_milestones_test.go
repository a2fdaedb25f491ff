package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"realty"
	"realty/internal/deal"
	"realty/internal/fixture"
)

// dealWithMilestones opens a deal of o with a contract date long past, so
// its milestones are late, and returns its id.
func dealWithMilestones(t *testing.T, h *harness, o fixture.Org) realty.ID {
	t.Helper()
	ctx := context.Background()
	c, e := realty.Date{Year: 2024, Month: 3, Day: 1}, realty.Date{Year: 2024, Month: 4, Day: 30}
	d, err := h.env.Deal.Create(ctx, o.Personas["agent"].Actor, deal.Input{Title: "14 Late Lane with a long name", Kind: "purchase", Side: "buyer",
		ContractDate: &c, ExpectedClose: &e})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := h.env.Deal.ApplyTemplate(ctx, o.Personas["agent"].Actor, d.ID); err != nil {
		t.Fatal(err)
	}
	return d.ID
}

// TestDealMilestonesPages: the milestones section shows due dates and who
// is late, completes and re-dates a milestone; the workflow page adds and
// removes a holiday and saves a template from its form rows.
func TestDealMilestonesPages(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	o := h.env.Organization(t, "acme")
	agent, broker := h.login(o.Personas["agent"].Email, "acme"), h.login(o.Personas["broker"].Email, "acme")
	id := dealWithMilestones(t, h, o)
	page := "/deals/" + id.String() + "/milestones"
	r := h.get(page, agent)
	if r.StatusCode != http.StatusOK || !strings.Contains(r.body, "8 late") || !strings.Contains(r.body, "2024-03-06") ||
		!strings.Contains(r.body, "3 business days after the contract date") {
		t.Fatalf("milestones page: %d %.600s", r.StatusCode, r.body)
	}
	ms, err := h.env.Deal.Milestones(context.Background(), o.Personas["agent"].Actor, id)
	if err != nil {
		t.Fatal(err)
	}
	if r := h.post("/milestones/"+ms[0].ID.String()+"/complete", url.Values{"next": {page}}, agent); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("complete: %d %.300s", r.StatusCode, r.body)
	}
	if r := h.post("/milestones/"+ms[7].ID.String()+"/due", url.Values{"next": {page}, "due_override": {"2099-01-02"}}, agent); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("re-date: %d %.300s", r.StatusCode, r.body)
	}
	if r = h.get(page, agent); !strings.Contains(r.body, "4 late") || !strings.Contains(r.body, "2099-01-02") || !strings.Contains(r.body, "Reopen") ||
		!strings.Contains(r.body, "5 business days before Closing") {
		t.Errorf("after completing one and moving the closing (and the two milestones before it): %.3000s", r.body[strings.Index(r.body, "<section"):])
	}

	if r := h.post("/deal-workflow/holidays", url.Values{"day": {"2031-03-17"}, "name": {"Office closed"}}, broker); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("add holiday: %d %.300s", r.StatusCode, r.body)
	}
	if r = h.get("/deal-workflow?year=2031", broker); !strings.Contains(r.body, "Office closed") || !strings.Contains(r.body, "Standard transaction") {
		t.Errorf("workflow page: %.600s", r.body)
	}
	if r := h.post("/deal-workflow/holidays/2031-03-17/remove", url.Values{}, broker); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("remove holiday: %d %.300s", r.StatusCode, r.body)
	}
	form := url.Values{"name": {"Leases"}, "kind": {"lease"}, "side": {"any"}, "checklist": {"closed: lease_agreement"},
		"m0.key": {"signed"}, "m0.name": {"Lease signed"}, "m0.required": {"on"}, "m0.rule": {"contract_date"},
		"m1.key": {"keys"}, "m1.name": {"Keys handed over"}, "m1.rule": {"milestone"}, "m1.anchor_key": {"signed"}, "m1.days": {"2"}, "m1.business": {"on"},
		"m2.key": {""}, "m2.name": {""}}
	if r := h.post("/deal-workflow/templates", form, broker); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("save template: %d %.300s", r.StatusCode, r.body)
	}
	ts, _ := h.env.Deal.Templates(context.Background(), o.Personas["broker"].Actor)
	var lease *deal.WorkflowTemplate
	for i := range ts {
		if ts[i].Kind == "lease" {
			lease = &ts[i]
		}
	}
	if lease == nil || len(lease.Milestones) != 2 || lease.Milestones[1].AnchorKey != "signed" || !lease.Milestones[1].BusinessDays ||
		lease.Milestones[1].Days != 2 || len(lease.RequiredDocuments) != 1 || lease.RequiredDocuments[0].Categories[0] != "lease_agreement" {
		t.Errorf("the saved template: %+v", lease)
	}
	form.Set("m1.anchor_key", "nowhere")
	if r := h.post("/deal-workflow/templates", form, broker); r.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(r.body, "another milestone") {
		t.Errorf("a bad anchor: %d %.300s", r.StatusCode, r.body)
	}
}
