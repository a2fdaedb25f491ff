package ledger

import (
	"context"

	"github.com/jackc/pgx/v5"
	"github.com/shopspring/decimal"

	"realty"
	"realty/internal/postgres"
)

// YearBudget is the budget a year is measured against, with its name, and
// its comparison with the journal (BudgetVsActual).
type YearBudget struct {
	Name string `json:"name"`
	BudgetActual
}

// YearBudgetActual compares the year's budget with the journal: the
// organization's own budget for the year when it has one, else the first
// (by id) of its properties' budgets. An actor with a property scope sees
// only a budget of a property in scope (never the organization's own).
// Forbidden without ledger.read; NotFound when the year has no such budget.
func (s *Service) YearBudgetActual(ctx context.Context, actor realty.Actor, year int) (YearBudget, error) {
	if err := actor.Require("ledger.read"); err != nil {
		return YearBudget{}, err
	}
	var out YearBudget
	err := postgres.Tx(ctx, s.pool, actor, func(tx pgx.Tx) error {
		var id realty.ID
		err := tx.QueryRow(ctx, `SELECT id FROM ledger.budgets WHERE organization_id = $1 AND year = $2
			AND ($3::uuid[] IS NULL OR property_id = ANY($3)) ORDER BY property_id NULLS FIRST, id LIMIT 1`,
			actor.OrgID, year, actor.PropertyScope).Scan(&id)
		if err != nil {
			return notFound(err, errBudgetNotFound)
		}
		b, err := budgetTx(ctx, tx, actor, id)
		if err != nil {
			return err
		}
		actuals, err := monthlyActualsTx(ctx, tx, actor, b.Year, b.PropertyID)
		if err != nil {
			return err
		}
		out = YearBudget{Name: b.Name, BudgetActual: BudgetActual{BudgetID: b.ID, PropertyID: b.PropertyID, Year: b.Year,
			Rows: compare(b.Lines, actuals)}}
		return tx.QueryRow(ctx, `SELECT statement_timestamp()`).Scan(&out.ComputedAt)
	})
	return out, err
}

// Through is the row's budget against its actuals from January to month
// (1–12) inclusive.
func (r BudgetActualRow) Through(month int) Variance {
	var b, a decimal.Decimal
	for m := 0; m < month && m < len(r.Months); m++ {
		b, a = b.Add(r.Months[m].Budget.Decimal), a.Add(r.Months[m].Actual.Decimal)
	}
	return variance(b, a)
}
