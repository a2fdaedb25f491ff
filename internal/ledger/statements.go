package ledger

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/shopspring/decimal"

	"realty"
	"realty/internal/postgres"
)

// StatementRow is one account's amount on a statement, in the account's
// normal direction (income and liabilities as credits, expenses and assets
// as debits).
type StatementRow struct {
	AccountID realty.ID `db:"id" json:"account_id"`
	Code      string    `db:"code" json:"code"`
	Name      string    `db:"name" json:"name"`
	Type      string    `db:"type" json:"type"`
	Amount    Money     `db:"-" json:"amount"`
}

// accountSums is one account's debits and credits over a statement's lines.
type accountSums struct {
	ID            realty.ID       `db:"id"`
	Code          string          `db:"code"`
	Name          string          `db:"name"`
	Type          string          `db:"type"`
	NormalBalance string          `db:"normal_balance"`
	SystemKey     *string         `db:"system_key"`
	Debit         decimal.Decimal `db:"debit"`
	Credit        decimal.Decimal `db:"credit"`
	// Before is debit − credit of the lines dated before a cut-off (the
	// balance sheet's start of the year); zero elsewhere.
	Before decimal.Decimal `db:"before"`
}

func (a accountSums) row(amount decimal.Decimal) StatementRow {
	return StatementRow{AccountID: a.ID, Code: a.Code, Name: a.Name, Type: a.Type, Amount: M(amount)}
}

// IncomeStatement is income and expenses over a range of days, for the
// organization or one property (the lines' property dimension).
type IncomeStatement struct {
	From          realty.Date    `json:"from"`
	To            realty.Date    `json:"to"`
	PropertyID    *realty.ID     `json:"property_id,omitempty"`
	Income        []StatementRow `json:"income"`
	Expenses      []StatementRow `json:"expenses"`
	TotalIncome   Money          `json:"total_income"`
	TotalExpenses Money          `json:"total_expenses"`
	NetIncome     Money          `json:"net_income" doc:"total income less total expenses"`
	ComputedAt    time.Time      `json:"computed_at" doc:"when these figures were read from the journal"`
}

// MaxRangeDays bounds a statement's range of days (ten years).
const MaxRangeDays = 3660

// checkRange returns Invalid naming to when the range is reversed or too
// long.
func checkRange(from, to realty.Date) error {
	days := to.Time().Sub(from.Time()).Hours() / 24
	if days < 0 {
		return realty.FieldError("to", "must not be before from")
	}
	if days > MaxRangeDays {
		return realty.FieldError("to", "the range is at most ten years")
	}
	return nil
}

// IncomeStatement sums the income and expense accounts' lines dated from
// from to to (both included), of one property when propertyID is set.
// Forbidden without ledger.read; Invalid naming to for a reversed or
// over-long range. A property not the organization's has no lines: its
// statement is empty.
func (s *Service) IncomeStatement(ctx context.Context, actor realty.Actor, from, to realty.Date, propertyID *realty.ID) (IncomeStatement, error) {
	if err := actor.Require("ledger.read"); err != nil {
		return IncomeStatement{}, err
	}
	if err := checkRange(from, to); err != nil {
		return IncomeStatement{}, err
	}
	var out IncomeStatement
	err := postgres.Tx(ctx, s.pool, actor, func(tx pgx.Tx) error {
		var err error
		out, err = incomeStatementTx(ctx, tx, actor, from, to, propertyID)
		return err
	})
	return out, err
}

func incomeStatementTx(ctx context.Context, tx pgx.Tx, actor realty.Actor, from, to realty.Date, propertyID *realty.ID) (IncomeStatement, error) {
	out := IncomeStatement{From: from, To: to, PropertyID: propertyID}
	sums, err := periodSums(ctx, tx, actor, from, to, propertyID, `a.type IN ('income', 'expense')`)
	if err != nil {
		return out, err
	}
	out.fill(sums)
	return out, tx.QueryRow(ctx, `SELECT statement_timestamp()`).Scan(&out.ComputedAt)
}

// fill sorts the accounts into income and expenses and totals them.
func (st *IncomeStatement) fill(sums []accountSums) {
	st.Income, st.Expenses = []StatementRow{}, []StatementRow{}
	var inc, exp decimal.Decimal
	for _, a := range sums {
		amount := signed(a.NormalBalance, a.Debit, a.Credit)
		if a.Type == "income" {
			st.Income = append(st.Income, a.row(amount))
			inc = inc.Add(amount)
		} else {
			st.Expenses = append(st.Expenses, a.row(amount))
			exp = exp.Add(amount)
		}
	}
	st.TotalIncome, st.TotalExpenses, st.NetIncome = M(inc), M(exp), M(inc.Sub(exp))
}

// periodSums is each account's debits and credits over the lines dated from
// from to to, of one property when propertyID is set, for the accounts the
// condition on a (ledger.accounts) admits. Accounts without lines are left
// out. The sums are taken account by account (a lateral subquery), so each
// reads its lines from journal_lines_account_idx in date order rather than
// the whole journal (docs/ledger.md, "Statements": the measurement).
func periodSums(ctx context.Context, tx pgx.Tx, actor realty.Actor, from, to realty.Date, propertyID *realty.ID, accounts string) ([]accountSums, error) {
	byProperty := ""
	args := []any{actor.OrgID, from, to}
	if propertyID != nil {
		byProperty = ` AND l.property_id = $4`
		args = append(args, *propertyID)
	}
	rows, err := tx.Query(ctx, `SELECT a.id, a.code, a.name, a.type, a.normal_balance, a.system_key,
			t.debit, t.credit, 0::numeric AS before
		FROM ledger.accounts a CROSS JOIN LATERAL (SELECT count(*) AS n, coalesce(sum(l.debit), 0) AS debit, coalesce(sum(l.credit), 0) AS credit
			FROM ledger.journal_lines l WHERE l.organization_id = $1 AND l.account_id = a.id AND l.entry_date BETWEEN $2 AND $3`+byProperty+`) t
		WHERE a.organization_id = $1 AND t.n > 0 AND `+accounts+` ORDER BY a.code`, args...)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, pgx.RowToStructByName[accountSums])
}

// BalanceSheet is the organization's assets, liabilities and equity as of a
// day. Income and expenses are never closed into retained earnings by an
// entry, so the sheet folds them into equity itself: the net income of the
// years before as_of's year into RetainedEarnings (with the retained
// earnings account's own balance), that of the year to as_of into
// CurrentEarnings. The fiscal year is the calendar year.
type BalanceSheet struct {
	AsOf             realty.Date    `json:"as_of"`
	Assets           []StatementRow `json:"assets"`
	Liabilities      []StatementRow `json:"liabilities"`
	Equity           []StatementRow `json:"equity" doc:"the equity accounts but retained earnings"`
	RetainedEarnings Money          `json:"retained_earnings" doc:"the retained earnings account plus the net income of earlier years"`
	CurrentEarnings  Money          `json:"current_earnings" doc:"the net income from 1 January of as_of's year to as_of"`
	TotalAssets      Money          `json:"total_assets"`
	TotalLiabilities Money          `json:"total_liabilities"`
	TotalEquity      Money          `json:"total_equity" doc:"equity accounts, retained and current earnings"`
	Balanced         bool           `json:"balanced" doc:"total assets = total liabilities + total equity"`
	ComputedAt       time.Time      `json:"computed_at"`
}

// BalanceSheet reads every account's balance from the lines dated on or
// before asOf. Forbidden without ledger.read.
func (s *Service) BalanceSheet(ctx context.Context, actor realty.Actor, asOf realty.Date) (BalanceSheet, error) {
	if err := actor.Require("ledger.read"); err != nil {
		return BalanceSheet{}, err
	}
	var out BalanceSheet
	err := postgres.Tx(ctx, s.pool, actor, func(tx pgx.Tx) error {
		var err error
		out, err = balanceSheetTx(ctx, tx, actor, asOf)
		return err
	})
	return out, err
}

func balanceSheetTx(ctx context.Context, tx pgx.Tx, actor realty.Actor, asOf realty.Date) (BalanceSheet, error) {
	out := BalanceSheet{AsOf: asOf}
	yearStart := realty.Date{Year: asOf.Year, Month: time.January, Day: 1}
	rows, err := tx.Query(ctx, `SELECT a.id, a.code, a.name, a.type, a.normal_balance, a.system_key, t.debit, t.credit, t.before
		FROM ledger.accounts a CROSS JOIN LATERAL (SELECT count(*) AS n, coalesce(sum(l.debit), 0) AS debit, coalesce(sum(l.credit), 0) AS credit,
				coalesce(sum(l.debit - l.credit) FILTER (WHERE l.entry_date < $3), 0) AS before
			FROM ledger.journal_lines l WHERE l.organization_id = $1 AND l.account_id = a.id AND l.entry_date <= $2) t
		WHERE a.organization_id = $1 AND t.n > 0 ORDER BY a.code`, actor.OrgID, asOf, yearStart)
	if err != nil {
		return out, err
	}
	sums, err := pgx.CollectRows(rows, pgx.RowToStructByName[accountSums])
	if err != nil {
		return out, err
	}
	out.fill(sums)
	return out, tx.QueryRow(ctx, `SELECT statement_timestamp()`).Scan(&out.ComputedAt)
}

// fill sorts the accounts into the sheet's sections and totals them.
func (b *BalanceSheet) fill(sums []accountSums) {
	b.Assets, b.Liabilities, b.Equity = []StatementRow{}, []StatementRow{}, []StatementRow{}
	var assets, liabilities, equity, retained, current decimal.Decimal
	for _, a := range sums {
		balance := signed(a.NormalBalance, a.Debit, a.Credit)
		switch {
		case a.Type == "asset":
			b.Assets, assets = append(b.Assets, a.row(balance)), assets.Add(balance)
		case a.Type == "liability":
			b.Liabilities, liabilities = append(b.Liabilities, a.row(balance)), liabilities.Add(balance)
		case a.SystemKey != nil && *a.SystemKey == RetainedEarnings:
			retained = retained.Add(balance)
		case a.Type == "equity":
			b.Equity, equity = append(b.Equity, a.row(balance)), equity.Add(balance)
		default: // income and expense: net income is credit − debit
			total := a.Debit.Sub(a.Credit)
			retained = retained.Sub(a.Before)
			current = current.Sub(total.Sub(a.Before))
		}
	}
	b.RetainedEarnings, b.CurrentEarnings = M(retained), M(current)
	b.TotalAssets, b.TotalLiabilities = M(assets), M(liabilities)
	b.TotalEquity = M(equity.Add(retained).Add(current))
	b.Balanced = assets.Equal(liabilities.Add(b.TotalEquity.Decimal))
}
