package ledger_test

import (
	"testing"

	"github.com/shopspring/decimal"

	"realty"
	"realty/internal/ledger"
)

// TestYearBudgetActual: the year's budget is the organization's own, or
// for a manager scoped to a property that property's (and none for one
// scoped to a property without a budget); its rows are BudgetVsActual's,
// and Through(4) sums January to April of the journal's actuals and of the
// budget.
func TestYearBudgetActual(t *testing.T) {
	t.Parallel()
	b := generatedBooks(t)
	pm := b.org.Personas["property_manager"].Actor
	lines := []ledger.BudgetLineInput{{AccountID: b.keys[ledger.RentalIncome], Amounts: twelve("2000")},
		{AccountID: b.keys["repairs_maintenance"], Amounts: twelve("300")}}
	own, err := b.led.CreateBudget(ctx, pm, ledger.BudgetInput{Year: 2026, Name: "Whole, 2026", Lines: lines})
	if err != nil {
		t.Fatal(err)
	}
	p := b.props[0]
	prop, err := b.led.CreateBudget(ctx, pm, ledger.BudgetInput{PropertyID: &p, Year: 2026, Name: "Road 1, 2026", Lines: lines})
	if err != nil {
		t.Fatal(err)
	}
	scoped := func(id realty.ID) realty.Actor { a := pm; a.PropertyScope = []realty.ID{id}; return a }
	for name, tc := range map[string]struct {
		actor realty.Actor
		year  int
		want  realty.ID
	}{
		"OKOrganization":       {pm, 2026, own.ID},
		"OKPropertyScope":      {scoped(p), 2026, prop.ID},
		"ErrScopeWithout":      {scoped(b.props[1]), 2026, realty.ID{}},
		"ErrYearWithoutBudget": {pm, 2030, realty.ID{}},
	} {
		t.Run(name, func(t *testing.T) {
			yb, err := b.led.YearBudgetActual(ctx, tc.actor, tc.year)
			if tc.want.IsZero() {
				if realty.KindOf(err) != realty.NotFound {
					t.Fatalf("%+v %v, want NotFound", yb, err)
				}
				return
			}
			if err != nil || yb.BudgetID != tc.want {
				t.Fatalf("budget %s (%v), want %s", yb.BudgetID, err, tc.want)
			}
			full, err := b.led.BudgetVsActual(ctx, pm, tc.want)
			if err != nil || len(full.Rows) != len(yb.Rows) {
				t.Fatalf("%d rows, the report has %d (%v)", len(yb.Rows), len(full.Rows), err)
			}
			journal := b.monthlySQL(t, yb.PropertyID, 2026)
			for _, r := range yb.Rows {
				var actual decimal.Decimal
				for m := 1; m <= 4; m++ {
					actual = actual.Add(journal[r.AccountID][m])
				}
				v := r.Through(4)
				budget := decimal.Zero
				if r.AccountID == b.keys[ledger.RentalIncome] || r.AccountID == b.keys["repairs_maintenance"] {
					budget = decimal.NewFromInt(1200)
					if r.AccountID == b.keys[ledger.RentalIncome] {
						budget = decimal.NewFromInt(8000)
					}
				}
				if !v.Actual.Equal(actual) || !v.Budget.Equal(budget) {
					t.Errorf("%s through April: budget %s actual %s, want %s and %s", r.Code, v.Budget, v.Actual, budget, actual)
				}
			}
		})
	}
}
