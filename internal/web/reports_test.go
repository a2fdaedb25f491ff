package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/shopspring/decimal"

	"realty"
	"realty/internal/fixture"
	"realty/internal/ledger"
	"realty/internal/property"
)

// TestReportPages: the statements, a budget's pages and the saved reports
// render the journal's figures, their CSV downloads carry them, and the
// forms create what they say; a bad month is refused naming it.
func TestReportPages(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	o := h.env.Organization(t, "acme")
	ctx := context.Background()
	acct := o.Personas["accountant"].Actor
	p, err := h.env.Property.Create(ctx, o.Personas["property_manager"].Actor, property.Input{AddressLine1: "3 Report Row", City: "Austin"})
	if err != nil {
		t.Fatal(err)
	}
	d := realty.Date{Year: 2026, Month: 5, Day: 12}
	amount := decimal.RequireFromString("1234.50")
	if _, err := h.env.Ledger.Post(ctx, acct, ledger.Entry{Date: &d, Memo: "May rent", Lines: []ledger.Line{
		{SystemKey: ledger.OperatingCash, Debit: amount, PropertyID: &p.ID}, {SystemKey: ledger.RentalIncome, Credit: amount, PropertyID: &p.ID}}}); err != nil {
		t.Fatal(err)
	}
	s := h.login(o.Personas["accountant"].Email, "acme")
	expect(t, h.get("/reports/income-statement?from=2026-05-01&to=2026-05-31", s), http.StatusOK, "1,234.50", `id="net-income"`)
	expect(t, h.get("/reports/balance-sheet?as_of=2026-05-31", s), http.StatusOK, "Current-year earnings", "1,234.50", "balanced")
	expect(t, h.get("/reports/owner-statement?property="+p.ID.String()+"&month=2026-05", s), http.StatusOK, "Rental income", "1,234.50")
	expect(t, h.get("/reports/owner-statement?property="+p.ID.String()+"&month=May", s), http.StatusUnprocessableEntity, "month")
	csv := h.get("/reports/owner-statement/csv?property="+p.ID.String()+"&month=2026-05", s)
	expect(t, csv, http.StatusOK, "total,,Net income,1234.50")
	if ct := csv.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/csv") {
		t.Errorf("CSV Content-Type %q", ct)
	}
	r := h.post("/budgets/copy", url.Values{"year": {"2027"}, "name": {"Report Row 2027"}, "property": {p.ID.String()}, "change_pct": {"10"}}, s)
	if r.StatusCode != http.StatusSeeOther {
		t.Fatalf("copy budget: %d %.300s", r.StatusCode, r.body)
	}
	budget := strings.TrimSuffix(r.Header.Get("Location"), "?notice=saved")
	expect(t, h.get(budget, s), http.StatusOK, "Report Row 2027", "4000 Rental income", "1,357.95")
	r = h.post(budget+"/lines", url.Values{"account": {h.accountID(t, o, "utilities")}, "m1": {"100"}, "m2": {"1,000.25"}}, s)
	if r.StatusCode != http.StatusSeeOther {
		t.Fatalf("set a line: %d %.300s", r.StatusCode, r.body)
	}
	expect(t, h.get(budget, s), http.StatusOK, "5100 Utilities", "1,100.25")
	expect(t, h.get(budget+"/vs-actual", s), http.StatusOK, "Budget vs actual 2027", "1,357.95", "-100.0")
	expect(t, h.get(budget+"/vs-actual/csv", s), http.StatusOK, "5100,Utilities,expense,2027-02,1000.25,0.00,-1000.25,-100.0")
	r = h.post("/reports/saved", url.Values{"name": {"Owner monthly"}, "kind": {"owner_statement"}, "period": {"last_month"},
		"property_id": {p.ID.String()}, "schedule_day": {"2"}, "schedule_hour": {"7"}, "recipients": {"owner@example.com, cfo@example.com"}}, s)
	if r.StatusCode != http.StatusSeeOther {
		t.Fatalf("save report: %d %.300s", r.StatusCode, r.body)
	}
	expect(t, h.get("/reports/saved", s), http.StatusOK, "Owner monthly", "owner@example.com, cfo@example.com", "day 2, 7:00")
	list, err := h.env.Ledger.SavedReports(ctx, acct)
	if err != nil || len(list) != 1 {
		t.Fatalf("saved reports %v %v", list, err)
	}
	expect(t, h.get("/reports/saved/"+list[0].ID.String()+"/csv?on=2026-06-02", s), http.StatusOK, "Owner statement", "May 2026", "total,,Net income,1234.50")
	r = h.post("/reports/saved", url.Values{"name": {"x"}, "kind": {"balance_sheet"}, "schedule_day": {"40"}, "recipients": {"a@example.com"}}, s)
	expect(t, r, http.StatusUnprocessableEntity, "schedule_day")
}

// accountID is the id of a system account of o.
func (h *harness) accountID(t *testing.T, o fixture.Org, key string) string {
	t.Helper()
	list, err := h.env.Ledger.Accounts(context.Background(), o.Personas["accountant"].Actor)
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range list {
		if a.SystemKey != nil && *a.SystemKey == key {
			return a.ID.String()
		}
	}
	t.Fatalf("no account %s", key)
	return ""
}
