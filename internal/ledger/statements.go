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

// incomeStatement sums the income and expense accounts' lines dated from
// from to to (both included), of one property when propertyID is set.
// Forbidden without ledger.read; Invalid naming to for a reversed or
// over-long range. A property not the organization's has no lines: its
// statement is empty.
func (s *Service) incomeStatement(ctx context.Context, actor realty.Actor, from, to realty.Date, propertyID *realty.ID) (IncomeStatement, error) {
	if err := actor.Require("ledger.read"); err != nil {
		return IncomeStatement{}, err
	}
	if err := checkRange(from, to); err != nil {
		return IncomeStatement{}, err
	}
	out := IncomeStatement{From: from, To: to, PropertyID: propertyID}
	sums, at, err := s.readSums(ctx, actor, from, to, from, propertyID, incomeAccounts)
	out.fill(sums)
	out.ComputedAt = at
	return out, err
}

// readSums is periodSums in one round trip (postgres.ReadBatch), with the
// time the sums were read.
func (s *Service) readSums(ctx context.Context, actor realty.Actor, from, to, before realty.Date, propertyID *realty.ID, accounts string) ([]accountSums, time.Time, error) {
	args := []any{actor.OrgID, from, to, before}
	if propertyID != nil {
		args = append(args, *propertyID)
	}
	var sums []accountSums
	var at time.Time
	err := postgres.ReadBatch(ctx, s.pool, actor, func(b *pgx.Batch) {
		b.Queue(sumsSQL(propertyID != nil, accounts), args...)
		b.Queue(`SELECT statement_timestamp()`)
	}, func(br pgx.BatchResults) error {
		rows, err := br.Query()
		if err == nil {
			sums, err = pgx.CollectRows(rows, pgx.RowToStructByName[accountSums])
		}
		if err == nil {
			err = br.QueryRow().Scan(&at)
		}
		return err
	})
	return sums, at, err
}

func incomeStatementTx(ctx context.Context, tx pgx.Tx, actor realty.Actor, from, to realty.Date, propertyID *realty.ID) (IncomeStatement, error) {
	out := IncomeStatement{From: from, To: to, PropertyID: propertyID}
	sums, err := periodSums(ctx, tx, actor, from, to, from, propertyID, incomeAccounts)
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
// condition on a (ledger.accounts) admits; Before is debit − credit of the
// lines dated before before. Accounts without lines are left out. See
// sumsSQL for where the sums come from.
func periodSums(ctx context.Context, tx pgx.Tx, actor realty.Actor, from, to, before realty.Date, propertyID *realty.ID, accounts string) ([]accountSums, error) {
	args := []any{actor.OrgID, from, to, before}
	if propertyID != nil {
		args = append(args, *propertyID)
	}
	rows, err := tx.Query(ctx, sumsSQL(propertyID != nil, accounts), args...)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, pgx.RowToStructByName[accountSums])
}

// IncomeStatementSQL is the organization's income statement query as
// IncomeStatement sends it ($1 the organization, $2 and $3 the first and
// last day, $4 the first day again), for the benchmark's raw side.
var IncomeStatementSQL = sumsSQL(false, incomeAccounts)

const incomeAccounts = `a.type IN ('income', 'expense')`

// sumsSQL sums each account's lines from $2 to $3 ($1 the organization; $4
// the cut-off of before; $5 the property when byProperty) in one statement,
// so in one snapshot: the whole months of the range that the monthly
// summary holds clean ("covered") from ledger.month_balances, the days
// between and around them ("spans": usually the partial first and last
// months and the current month) from the journal lines. Each account reads
// its own rows (a lateral subquery) down journal_lines_account_idx, or
// journal_lines_property_idx for a property, as index-only range scans.
func sumsSQL(byProperty bool, accounts string) string {
	lineProperty, summaryProperty := "", ""
	if byProperty {
		lineProperty, summaryProperty = ` AND l.property_id = $5`, ` AND b.property_id = $5`
	}
	return `WITH covered AS (
			SELECT b.month FROM ledger.balance_months b WHERE b.organization_id = $1 AND NOT b.dirty
				AND b.month >= (date_trunc('month', $2::date - 1) + interval '1 month')::date
				AND b.month + interval '1 month' <= $3::date + 1),
		spans AS (
			SELECT g.lo, g.hi FROM (
				SELECT coalesce(lag((c.month + interval '1 month')::date) OVER (ORDER BY c.month), $2::date) AS lo, c.month - 1 AS hi FROM covered c
				UNION ALL
				SELECT coalesce(((SELECT max(c.month) FROM covered c) + interval '1 month')::date, $2::date), $3::date) g
			WHERE g.lo <= g.hi)
		SELECT a.id, a.code, a.name, a.type, a.normal_balance, a.system_key, t.debit, t.credit, t.before
		FROM ledger.accounts a CROSS JOIN LATERAL (
			SELECT coalesce(sum(x.n), 0) AS n, coalesce(sum(x.debit), 0) AS debit, coalesce(sum(x.credit), 0) AS credit,
				coalesce(sum(x.before), 0) AS before
			FROM (
				SELECT count(*) AS n, sum(l.debit) AS debit, sum(l.credit) AS credit,
					sum(l.debit - l.credit) FILTER (WHERE l.entry_date < $4) AS before
				FROM spans r JOIN ledger.journal_lines l ON l.organization_id = $1 AND l.account_id = a.id
					AND l.entry_date BETWEEN r.lo AND r.hi` + lineProperty + `
				UNION ALL
				SELECT sum(b.lines), sum(b.debit), sum(b.credit), sum(b.debit - b.credit) FILTER (WHERE b.month < $4)
				FROM ledger.month_balances b WHERE b.organization_id = $1 AND b.account_id = a.id
					AND b.month IN (SELECT c.month FROM covered c)` + summaryProperty + `) x) t
		WHERE a.organization_id = $1 AND t.n > 0 AND ` + accounts + ` ORDER BY a.code`
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

// beginning is before any journal line: a balance sheet sums from it.
var beginning = realty.Date{Year: 1, Month: time.January, Day: 1}

// BalanceSheet reads every account's balance from the lines dated on or
// before asOf. Forbidden without ledger.read.
func (s *Service) BalanceSheet(ctx context.Context, actor realty.Actor, asOf realty.Date) (BalanceSheet, error) {
	if err := actor.Require("ledger.read"); err != nil {
		return BalanceSheet{}, err
	}
	out := BalanceSheet{AsOf: asOf}
	yearStart := realty.Date{Year: asOf.Year, Month: time.January, Day: 1}
	sums, at, err := s.readSums(ctx, actor, beginning, asOf, yearStart, nil, "true")
	out.fill(sums)
	out.ComputedAt = at
	return out, err
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
