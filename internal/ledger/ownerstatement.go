package ledger

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/shopspring/decimal"

	"realty"
	"realty/internal/postgres"
)

// OwnerStatement is one property's month for its owner, from the journal
// lines carrying the property's dimension: income and expenses by account,
// the net, what was kept back in reserve (the owner reserves account,
// credit − debit) and what was paid out (the owner distributions account,
// debit − credit). Undistributed is the net less both.
type OwnerStatement struct {
	PropertyID     realty.ID      `json:"property_id"`
	Month          realty.Date    `json:"month" doc:"the first day of the month"`
	Income         []StatementRow `json:"income"`
	Expenses       []StatementRow `json:"expenses"`
	TotalIncome    Money          `json:"total_income"`
	TotalExpenses  Money          `json:"total_expenses"`
	NetIncome      Money          `json:"net_income"`
	Reserves       Money          `json:"reserves" doc:"set aside in the owner reserves account this month"`
	ReserveBalance Money          `json:"reserve_balance" doc:"the property's reserves held at the month's end"`
	Distributions  Money          `json:"distributions" doc:"paid to the owner this month"`
	Undistributed  Money          `json:"undistributed" doc:"net income less reserves and distributions"`
	ComputedAt     time.Time      `json:"computed_at"`
}

// OwnerStatement reads a property's statement for the month holding month.
// Forbidden without ledger.read; a property not the organization's has no
// lines, and its statement is empty.
func (s *Service) OwnerStatement(ctx context.Context, actor realty.Actor, propertyID realty.ID, month realty.Date) (OwnerStatement, error) {
	if err := actor.Require("ledger.read"); err != nil {
		return OwnerStatement{}, err
	}
	first := realty.Date{Year: month.Year, Month: month.Month, Day: 1}
	last := realty.DateOf(first.Time().AddDate(0, 1, -1))
	out := OwnerStatement{PropertyID: propertyID, Month: first}
	err := postgres.Tx(ctx, s.pool, actor, func(tx pgx.Tx) error {
		is, err := incomeStatementTx(ctx, tx, actor, first, last, &propertyID)
		if err != nil {
			return err
		}
		out.Income, out.Expenses, out.ComputedAt = is.Income, is.Expenses, is.ComputedAt
		out.TotalIncome, out.TotalExpenses, out.NetIncome = is.TotalIncome, is.TotalExpenses, is.NetIncome
		return out.ownerFlows(ctx, tx, actor, last)
	})
	return out, err
}

// ownerFlows reads the reserve and distribution lines of the property.
func (o *OwnerStatement) ownerFlows(ctx context.Context, tx pgx.Tx, actor realty.Actor, last realty.Date) error {
	var reserves, held, distributions decimal.Decimal
	err := tx.QueryRow(ctx, `SELECT
			coalesce(sum(t.credit - t.debit) FILTER (WHERE a.system_key = $5), 0),
			coalesce(sum(t.held) FILTER (WHERE a.system_key = $5), 0),
			coalesce(sum(t.debit - t.credit) FILTER (WHERE a.system_key = $6), 0)
		FROM ledger.accounts a CROSS JOIN LATERAL (SELECT
				coalesce(sum(l.debit) FILTER (WHERE l.entry_date >= $3), 0) AS debit,
				coalesce(sum(l.credit) FILTER (WHERE l.entry_date >= $3), 0) AS credit,
				coalesce(sum(l.credit - l.debit), 0) AS held
			FROM ledger.journal_lines l WHERE l.organization_id = $1 AND l.account_id = a.id AND l.property_id = $2 AND l.entry_date <= $4) t
		WHERE a.organization_id = $1 AND a.system_key IN ($5, $6)`,
		actor.OrgID, o.PropertyID, o.Month, last, OwnerReserves, OwnerDistributions).Scan(&reserves, &held, &distributions)
	if err != nil {
		return err
	}
	o.Reserves, o.ReserveBalance, o.Distributions = M(reserves), M(held), M(distributions)
	o.Undistributed = M(o.NetIncome.Sub(reserves).Sub(distributions))
	return nil
}
