package web_test

import (
	"context"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"realty/internal/ledger"
	"realty/internal/maintenance"
)

// TestDashboardPanels: the manager dashboard shows the work orders still
// to do by priority and status (an emergency open, a normal one assigned;
// the completed one left out) and this year's budget against the journal
// to date, each figure linking to a page that opens (200): the work order
// list of the priority, which lists the emergency, and the budget's full
// report. Without a budget the panel says so and links to the budgets.
func TestDashboardPanels(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	o := h.env.Organization(t, "acme")
	p := managed(t, h, o)
	ctx := context.Background()
	pm := o.Personas["property_manager"].Actor
	session := h.login(o.Personas["property_manager"].Email, "acme")
	expect(t, h.get("/dashboard", session), http.StatusOK, `id="dash-budget-note"><a href="/budgets">No budget for`)
	tech := o.Personas["maintenance"].MemberID
	for _, in := range []struct{ title, priority, to string }{{"Burst pipe", "emergency", ""},
		{"Loose tile", "normal", "assigned"}, {"Squeaky door", "low", "completed"}} {
		w, err := h.env.Maintenance.Create(ctx, pm, maintenance.WorkOrderInput{PropertyID: &p.ID, Title: in.title, Priority: in.priority})
		if err == nil && in.to != "" {
			_, err = h.env.Maintenance.Assign(ctx, pm, w.ID, maintenance.AssignInput{AssigneeID: &tech})
		}
		if err == nil && in.to == "completed" {
			if _, err = h.env.Maintenance.Start(ctx, pm, w.ID); err == nil {
				_, err = h.env.Maintenance.Complete(ctx, pm, w.ID, nil)
			}
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	accounts, err := h.env.Ledger.Accounts(ctx, pm)
	if err != nil {
		t.Fatal(err)
	}
	var rent ledger.Account
	for _, a := range accounts {
		if a.Code == "4000" {
			rent = a
		}
	}
	amounts := make([]decimal.Decimal, 12)
	for i := range amounts {
		amounts[i] = decimal.NewFromInt(1000)
	}
	year := time.Now().UTC().Year()
	b, err := h.env.Ledger.CreateBudget(ctx, pm, ledger.BudgetInput{Year: year, Name: "Plan", Lines: []ledger.BudgetLineInput{{AccountID: rent.ID, Amounts: amounts}}})
	if err != nil {
		t.Fatal(err)
	}
	toDate := fmt.Sprintf("%d,000", time.Now().UTC().Month())
	r := h.get("/dashboard", session)
	expect(t, r, http.StatusOK, `id="dash-work-orders"`, `<th></th><th>Open</th><th>Assigned</th><th>In progress</th>`,
		`<a href="/work-orders?active=1&amp;priority=emergency">Emergency</a></th><td>1</td><td>0</td><td>0</td>`,
		`<a href="/work-orders?active=1&amp;priority=normal">Normal</a></th><td>0</td><td>1</td><td>0</td>`,
		`<a href="/work-orders?active=1&amp;priority=low">Low</a></th><td>0</td><td>0</td><td>0</td>`,
		`2 still to do`, `id="dash-budget"`,
		`<a href="/budgets/`+b.ID.String()+`/vs-actual">4000 Rental income</a></th><td>$`+toDate+`</td><td>$1,750</td>`,
		`income $12,000`)
	links := regexp.MustCompile(`href="(/(?:work-orders|budgets)[^"]*)"`).FindAllStringSubmatch(r.body, -1)
	if len(links) < 6 {
		t.Fatalf("the panels link %d figures, want at least 6", len(links))
	}
	for _, l := range links {
		path := strings.ReplaceAll(l[1], "&amp;", "&")
		if got := h.get(path, session); got.StatusCode != http.StatusOK {
			t.Errorf("the dashboard links to %s: %d", path, got.StatusCode)
		}
	}
	list := h.get("/work-orders?active=1&priority=emergency", session)
	expect(t, list, http.StatusOK, "Burst pipe")
	if strings.Contains(list.body, "Loose tile") {
		t.Error("the emergency list holds a normal work order")
	}
}
