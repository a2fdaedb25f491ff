package ledger

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/shopspring/decimal"

	"realty"
	"realty/internal/postgres"
)

// Variance is a budget against the journal for one account and month (or
// the year): the variance is actual − budget in the account's normal
// direction (above zero: more income, or more expense, than planned), its
// percentage of the budget (absent when the budget is zero).
type Variance struct {
	Budget      Money   `json:"budget"`
	Actual      Money   `json:"actual"`
	Variance    Money   `json:"variance"`
	VariancePct *string `json:"variance_pct,omitempty" doc:"variance / budget × 100, one decimal"`
}

func variance(budget, actual decimal.Decimal) Variance {
	v := Variance{Budget: M(budget), Actual: M(actual), Variance: M(actual.Sub(budget))}
	if !budget.IsZero() {
		pct := actual.Sub(budget).Mul(decimal.NewFromInt(100)).Div(budget).RoundBank(1).StringFixed(1)
		v.VariancePct = &pct
	}
	return v
}

// BudgetActualRow is one account's twelve months and its year.
type BudgetActualRow struct {
	AccountID realty.ID  `json:"account_id"`
	Code      string     `json:"code"`
	Name      string     `json:"name"`
	Type      string     `json:"type"`
	Months    []Variance `json:"months" doc:"January to December"`
	Year      Variance   `json:"year"`
}

// BudgetActual is a budget against the journal's income and expense lines
// of its year (and property, if it has one): every account of the budget
// and every income or expense account with lines, by code.
type BudgetActual struct {
	BudgetID   realty.ID         `json:"budget_id"`
	PropertyID *realty.ID        `json:"property_id,omitempty"`
	Year       int               `json:"year"`
	Rows       []BudgetActualRow `json:"rows"`
	ComputedAt time.Time         `json:"computed_at"`
}

// BudgetVsActual compares a budget with its year's actuals. Forbidden
// without ledger.read; NotFound for an unknown budget.
func (s *Service) BudgetVsActual(ctx context.Context, actor realty.Actor, budgetID realty.ID) (BudgetActual, error) {
	if err := actor.Require("ledger.read"); err != nil {
		return BudgetActual{}, err
	}
	var out BudgetActual
	err := postgres.Tx(ctx, s.pool, actor, func(tx pgx.Tx) error {
		b, err := budgetTx(ctx, tx, actor, budgetID)
		if err != nil {
			return err
		}
		actuals, err := monthlyActualsTx(ctx, tx, actor, b.Year, b.PropertyID)
		if err != nil {
			return err
		}
		out = BudgetActual{BudgetID: b.ID, PropertyID: b.PropertyID, Year: b.Year, Rows: compare(b.Lines, actuals)}
		return tx.QueryRow(ctx, `SELECT statement_timestamp()`).Scan(&out.ComputedAt)
	})
	return out, err
}

// compare merges the budget's lines and the actuals by account code.
func compare(lines []BudgetLine, actuals monthly) []BudgetActualRow {
	rows := []BudgetActualRow{}
	planned := map[realty.ID]bool{}
	add := func(id realty.ID, code, name, typ string, budget []Money) {
		r := BudgetActualRow{AccountID: id, Code: code, Name: name, Type: typ, Months: make([]Variance, 12)}
		var bt, at decimal.Decimal
		for m := range 12 {
			var b, a decimal.Decimal
			if budget != nil {
				b = budget[m].Decimal
			}
			if act := actuals.by[id]; act != nil {
				a = act[m]
			}
			r.Months[m] = variance(b, a)
			bt, at = bt.Add(b), at.Add(a)
		}
		r.Year = variance(bt, at)
		rows = append(rows, r)
	}
	for _, l := range lines {
		planned[l.AccountID] = true
		add(l.AccountID, l.Code, l.Name, l.Type, l.Amounts)
	}
	for _, id := range actuals.order {
		if a := actuals.types[id]; !planned[id] {
			add(id, a.Code, a.Name, a.Type, nil)
		}
	}
	slices.SortFunc(rows, func(a, b BudgetActualRow) int { return strings.Compare(a.Code, b.Code) })
	return rows
}
