package ledger_test

import (
	"testing"

	"github.com/shopspring/decimal"

	"realty"
	"realty/internal/ledger"
)

// monthlySQL is the journal's income and expense lines of a property and
// year by account and month (1 to 12), in each account's normal direction,
// summed by the superuser past the service.
func (b books) monthlySQL(t *testing.T, p *realty.ID, year int) map[realty.ID]map[int]decimal.Decimal {
	t.Helper()
	rows, err := b.admin.Query(ctx, `SELECT l.account_id, extract(month FROM l.entry_date)::int,
			sum(CASE WHEN a.type = 'income' THEN l.credit - l.debit ELSE l.debit - l.credit END)
		FROM ledger.journal_lines l JOIN ledger.accounts a ON a.organization_id = l.organization_id AND a.id = l.account_id
		WHERE l.organization_id = $1 AND l.property_id IS NOT DISTINCT FROM coalesce($2, l.property_id)
			AND extract(year FROM l.entry_date) = $3 AND a.type IN ('income', 'expense')
		GROUP BY 1, 2`, b.org.Organization.ID, p, year)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[realty.ID]map[int]decimal.Decimal{}
	for rows.Next() {
		var id realty.ID
		var m int
		var v decimal.Decimal
		if err := rows.Scan(&id, &m, &v); err != nil {
			t.Fatal(err)
		}
		if out[id] == nil {
			out[id] = map[int]decimal.Decimal{}
		}
		out[id][m] = v
	}
	return out
}

func twelve(v string) []decimal.Decimal {
	out := make([]decimal.Decimal, 12)
	for i := range out {
		out[i] = d(v)
	}
	return out
}

// TestBudgets: budget vs actual's actual column equals the journal for
// every account and month (and accounts with actuals but no line appear);
// copying from last year's actuals gives each month's actual changed by
// the percentage; bad input is refused naming the field; another
// organization sees none of it.
func TestBudgets(t *testing.T) {
	t.Parallel()
	b := generatedBooks(t)
	p := b.props[0]
	pm := b.org.Personas["property_manager"].Actor
	budget, err := b.led.CreateBudget(ctx, pm, ledger.BudgetInput{PropertyID: &p, Year: 2026, Name: "Road 1, 2026", Lines: []ledger.BudgetLineInput{
		{AccountID: b.keys[ledger.RentalIncome], Amounts: twelve("2000")},
		{AccountID: b.keys["repairs_maintenance"], Amounts: twelve("300"), Notes: "roof"},
	}})
	if err != nil {
		t.Fatal(err)
	}
	if budget.Lines[0].Annual.StringFixed(2) != "24000.00" {
		t.Errorf("annual %s, want 24000.00", budget.Lines[0].Annual.StringFixed(2))
	}
	t.Run("vs actual", func(t *testing.T) { budgetVsActual(t, b, budget) })
	t.Run("copy from actuals", func(t *testing.T) { copyFromActuals(t, b, &b.props[1]); copyFromActuals(t, b, nil) })
	t.Run("bad input", func(t *testing.T) { budgetBadInput(t, b, budget) })
	t.Run("isolation", func(t *testing.T) { budgetIsolation(t, b, budget) })
}

func budgetVsActual(t *testing.T, b books, budget ledger.Budget) {
	bva, err := b.led.BudgetVsActual(ctx, b.acct, budget.ID)
	if err != nil {
		t.Fatal(err)
	}
	want := b.monthlySQL(t, budget.PropertyID, 2026)
	seen := map[realty.ID]bool{}
	for _, r := range bva.Rows {
		seen[r.AccountID] = true
		for m, v := range r.Months {
			if w := want[r.AccountID][m+1]; !v.Actual.Equal(w) {
				t.Errorf("%s month %d: actual %s, journal %s", r.Code, m+1, v.Actual.StringFixed(2), w.StringFixed(2))
			}
			if !v.Variance.Equal(v.Actual.Sub(v.Budget.Decimal)) {
				t.Errorf("%s month %d: variance %s of budget %s and actual %s", r.Code, m+1, v.Variance, v.Budget, v.Actual)
			}
		}
	}
	for id := range want {
		if !seen[id] {
			t.Errorf("account %s has actuals but no row", id)
		}
	}
	rent := bva.Rows[0]
	if rent.Code != "4000" || rent.Months[0].Budget.StringFixed(2) != "2000.00" || rent.Months[0].VariancePct == nil {
		t.Errorf("rental income row %+v", rent)
	}
	t.Logf("rental income, January 2026: budget %s, actual %s, variance %s (%s %%)", rent.Months[0].Budget.StringFixed(2),
		rent.Months[0].Actual.StringFixed(2), rent.Months[0].Variance.StringFixed(2), *rent.Months[0].VariancePct)
}

func copyFromActuals(t *testing.T, b books, p *realty.ID) {
	pm := b.org.Personas["accountant"].Actor
	got, err := b.led.CopyFromActuals(ctx, pm, ledger.CopyInput{PropertyID: p, Year: 2026, Name: "from 2025", ChangePct: d("5")})
	if err != nil {
		t.Fatal(err)
	}
	want := b.monthlySQL(t, p, 2025)
	if len(got.Lines) != len(want) || len(want) == 0 {
		t.Fatalf("%d lines, %d accounts with 2025 actuals", len(got.Lines), len(want))
	}
	for _, l := range got.Lines {
		sum := decimal.Zero
		for m, a := range l.Amounts {
			w := want[l.AccountID][m+1].Mul(d("1.05")).RoundBank(2)
			if !a.Equal(w) {
				t.Errorf("%s month %d: %s, want 2025's actual × 1.05 = %s", l.Code, m+1, a.StringFixed(2), w.StringFixed(2))
			}
			sum = sum.Add(a.Decimal)
		}
		if !l.Annual.Equal(sum) {
			t.Errorf("%s annual %s, months sum to %s", l.Code, l.Annual, sum)
		}
	}
}

func budgetBadInput(t *testing.T, b books, budget ledger.Budget) {
	pm := b.org.Personas["property_manager"].Actor
	rent := b.keys[ledger.RentalIncome]
	for field, in := range map[string]ledger.BudgetInput{
		"year":                {Year: 1999, Name: "x"},
		"name":                {Year: 2027, Name: ""},
		"lines[0].amounts":    {Year: 2027, Name: "x", Lines: []ledger.BudgetLineInput{{AccountID: rent, Amounts: twelve("1")[:11]}}},
		"lines[0].amounts[0]": {Year: 2027, Name: "x", Lines: []ledger.BudgetLineInput{{AccountID: rent, Amounts: twelve("1.005")}}},
		"lines[0].account_id": {Year: 2027, Name: "x", Lines: []ledger.BudgetLineInput{{AccountID: b.keys[ledger.OperatingCash], Amounts: twelve("1")}}},
		"lines[1].account_id": {Year: 2027, Name: "x", Lines: []ledger.BudgetLineInput{{AccountID: rent, Amounts: twelve("1")}, {AccountID: rent, Amounts: twelve("1")}}},
		"property_id":         {Year: 2027, Name: "x", PropertyID: &rent},
	} {
		if _, err := b.led.CreateBudget(ctx, pm, in); realty.FieldsOf(err)[field] == "" {
			t.Errorf("%s: %v, want an error naming it", field, err)
		}
	}
	_, err := b.led.CreateBudget(ctx, pm, ledger.BudgetInput{PropertyID: budget.PropertyID, Year: 2026, Name: "again"})
	if realty.KindOf(err) != realty.Conflict || realty.FieldsOf(err)["year"] == "" {
		t.Errorf("second budget for the property and year: %v, want Conflict naming year", err)
	}
	if _, err := b.led.CopyFromActuals(ctx, pm, ledger.CopyInput{Year: 2026, Name: "x", ChangePct: d("-101")}); realty.FieldsOf(err)["change_pct"] == "" {
		t.Errorf("change of -101 %%: %v, want Invalid naming change_pct", err)
	}
	if _, err := b.led.SetBudgetLines(ctx, pm, realty.NewID(), nil); realty.KindOf(err) != realty.NotFound {
		t.Errorf("lines of an unknown budget: %v, want NotFound", err)
	}
}

func budgetIsolation(t *testing.T, b books, budget ledger.Budget) {
	other := b.env.Organization(t, "other")
	acct := other.Personas["accountant"].Actor
	if _, err := b.led.Budget(ctx, acct, budget.ID); realty.KindOf(err) != realty.NotFound {
		t.Errorf("another organization's budget: %v, want NotFound", err)
	}
	if _, err := b.led.BudgetVsActual(ctx, acct, budget.ID); realty.KindOf(err) != realty.NotFound {
		t.Errorf("another organization's budget vs actual: %v, want NotFound", err)
	}
	if _, err := b.led.SetBudgetLines(ctx, acct, budget.ID, nil); realty.KindOf(err) != realty.NotFound {
		t.Errorf("setting another organization's budget: %v, want NotFound", err)
	}
	if os, err := b.led.OwnerStatement(ctx, acct, *budget.PropertyID, date("2026-01-01")); err != nil || len(os.Income) != 0 || !os.NetIncome.IsZero() {
		t.Errorf("another organization's owner statement: %+v %v, want an empty one", os, err)
	}
	if list, err := b.led.Budgets(ctx, acct); err != nil || len(list) != 0 {
		t.Errorf("another organization lists %d budgets (%v), want none", len(list), err)
	}
	if _, err := b.led.CreateBudget(ctx, b.org.Personas["broker"].Actor, ledger.BudgetInput{Year: 2027, Name: "x"}); realty.KindOf(err) != realty.Forbidden {
		t.Errorf("a broker creating a budget: %v, want Forbidden", err)
	}
	if _, err := b.led.IncomeStatement(ctx, b.org.Personas["maintenance"].Actor, date("2026-01-01"), date("2026-01-31"), nil); realty.KindOf(err) != realty.Forbidden {
		t.Errorf("maintenance reading the income statement: %v, want Forbidden", err)
	}
	if _, err := b.led.IncomeStatement(ctx, b.acct, date("2026-02-01"), date("2026-01-31"), nil); realty.FieldsOf(err)["to"] == "" {
		t.Errorf("reversed range: %v, want Invalid naming to", err)
	}
}
