package api_test

import (
	"encoding/json"
	"strings"
	"testing"

	"realty/internal/ledger"
)

// TestReportsHTTP: the statements as JSON and CSV, a budget and its budget
// vs actual, a saved report run as CSV; bad input is a 4xx naming the
// field; another organization's budget is 404.
func TestReportsHTTP(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	tok := h.tokens["acme:accountant"]
	accounts, err := h.env.Ledger.Accounts(t.Context(), h.a.Personas["accountant"].Actor)
	if err != nil {
		t.Fatal(err)
	}
	ids := map[string]string{}
	for _, a := range accounts {
		if a.SystemKey != nil {
			ids[*a.SystemKey] = a.ID.String()
		}
	}
	status, body := h.do("POST", "/api/v1/budgets", tok, map[string]any{"year": 2026, "name": "2026", "lines": []map[string]any{
		{"account_id": ids[ledger.RentalIncome], "amounts": strings.Split("100,100,100,100,100,100,100,100,100,100,100,100.50", ",")}}})
	if status != 201 || !strings.Contains(string(body), `"annual":"1200.50"`) {
		t.Fatalf("create budget: %d %s", status, body)
	}
	var b ledger.Budget
	if err := json.Unmarshal(body, &b); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ path, want string }{
		{"/api/v1/reports/income-statement?from=2026-01-01&to=2026-12-31", `"net_income":"0.00"`},
		{"/api/v1/reports/balance-sheet?as_of=2026-06-30", `"balanced":true`},
		{"/api/v1/reports/income-statement.csv?from=2026-01-01&to=2026-01-31", "Income statement 2026-01-01 to 2026-01-31\r\ncomputed_at,"},
		{"/api/v1/reports/balance-sheet.csv?as_of=2026-06-30", "total,,Total liabilities and equity,0.00"},
		{"/api/v1/reports/trial-balance.csv?as_of=2026-06-30", "code,account,type,debit,credit,balance"},
		{"/api/v1/reports/general-ledger/" + ids[ledger.OperatingCash] + "/csv", ",,,Opening balance,,,0.00"},
		{"/api/v1/reports/ar-aging.csv?as_of=2026-06-30", ",Total,0.00"},
		{"/api/v1/budgets/" + b.ID.String() + "/vs-actual", `"variance_pct":"-100.0"`},
		{"/api/v1/budgets/" + b.ID.String() + "/vs-actual.csv", "4000,Rental income,income,2026,1200.50,0.00,-1200.50,-100.0"},
	} {
		if status, body := h.do("GET", c.path, tok, nil); status != 200 || !strings.Contains(string(body), c.want) {
			t.Errorf("GET %s: %d %.400s, want %q", c.path, status, body, c.want)
		}
	}
	for _, c := range []struct {
		method, path string
		body         any
		field        string
	}{
		{"GET", "/api/v1/reports/income-statement?from=2026-13-01", nil, "from"},
		{"GET", "/api/v1/reports/income-statement?from=2026-02-01&to=2026-01-01", nil, "to"},
		{"GET", "/api/v1/reports/income-statement?property_id=nope", nil, "property_id"},
		{"GET", "/api/v1/reports/balance-sheet?as_of=yesterday", nil, "as_of"},
		{"GET", "/api/v1/reports/owner-statement?property_id=" + b.ID.String() + "&month=2026-1", nil, "month"},
		{"POST", "/api/v1/budgets", map[string]any{"year": 2027, "name": "x", "lines": []map[string]any{{"account_id": ids[ledger.RentalIncome], "amounts": []string{"1"}}}}, "amounts"},
		{"POST", "/api/v1/budgets", map[string]any{"year": 2027, "name": "x", "lines": []map[string]any{{"account_id": ids[ledger.OperatingCash], "amounts": strings.Split("1,1,1,1,1,1,1,1,1,1,1,1", ",")}}}, "lines[0].account_id"},
		{"POST", "/api/v1/budgets/copy", map[string]any{"year": 2027, "name": "x", "change_pct": "-150"}, "change_pct"},
		{"POST", "/api/v1/saved-reports", map[string]any{"name": "x", "kind": "owner_statement"}, "parameters.property_id"},
		{"POST", "/api/v1/saved-reports", map[string]any{"name": "x", "kind": "balance_sheet", "schedule_day": 3, "recipients": []string{"nope"}}, "recipients"},
	} {
		status, body := h.do(c.method, c.path, tok, c.body)
		if status < 400 || status >= 500 || !strings.Contains(string(body), c.field) {
			t.Errorf("%s %s: %d %.300s, want a 4xx naming %s", c.method, c.path, status, body, c.field)
		}
	}
	status, body = h.do("POST", "/api/v1/saved-reports", tok, map[string]any{"name": "Budget", "kind": "budget_vs_actual",
		"parameters": map[string]any{"budget_id": b.ID}})
	if status != 201 {
		t.Fatalf("save report: %d %s", status, body)
	}
	var saved ledger.SavedReport
	if err := json.Unmarshal(body, &saved); err != nil {
		t.Fatal(err)
	}
	if status, body := h.do("GET", "/api/v1/saved-reports/"+saved.ID.String()+"/csv?on=2026-07-01", tok, nil); status != 200 || !strings.Contains(string(body), "Budget vs actual 2026") {
		t.Errorf("run saved report: %d %.300s", status, body)
	}
	other := h.tokens["globex:accountant"]
	if status, _ := h.do("GET", "/api/v1/budgets/"+b.ID.String()+"/vs-actual", other, nil); status != 404 {
		t.Errorf("another organization's budget vs actual: %d, want 404", status)
	}
	if status, _ := h.do("GET", "/api/v1/saved-reports/"+saved.ID.String()+"/csv", other, nil); status != 404 {
		t.Errorf("another organization's saved report: %d, want 404", status)
	}
}
