package ledger

import (
	"context"

	"github.com/jackc/pgx/v5"
	"github.com/shopspring/decimal"

	"realty"
	"realty/internal/postgres"
)

// BalanceRow is one account's totals in the trial balance.
type BalanceRow struct {
	AccountID     realty.ID `db:"id" json:"account_id"`
	Code          string    `db:"code" json:"code"`
	Name          string    `db:"name" json:"name"`
	Type          string    `db:"type" json:"type"`
	NormalBalance string    `db:"normal_balance" json:"normal_balance"`
	Debit         Money     `db:"debit" json:"debit" doc:"sum of debits"`
	Credit        Money     `db:"credit" json:"credit" doc:"sum of credits"`
	Balance       Money     `db:"-" json:"balance" doc:"in the account's normal direction"`
}

// TrialBalance is every account's totals as of a day, and their sums.
type TrialBalance struct {
	AsOf     realty.Date  `json:"as_of"`
	Accounts []BalanceRow `json:"accounts"`
	Debit    Money        `json:"debit"`
	Credit   Money        `json:"credit"`
}

// TrialBalance sums every account's lines dated on or before asOf. Forbidden
// without ledger.read.
func (s *Service) TrialBalance(ctx context.Context, actor realty.Actor, asOf realty.Date) (TrialBalance, error) {
	if err := actor.Require("ledger.read"); err != nil {
		return TrialBalance{}, err
	}
	rows, err := postgres.ReadAll[BalanceRow](ctx, s.pool, actor, `SELECT a.id, a.code, a.name, a.type, a.normal_balance,
			coalesce(t.debit, 0) AS debit, coalesce(t.credit, 0) AS credit
		FROM ledger.accounts a
		LEFT JOIN (SELECT account_id, sum(debit) AS debit, sum(credit) AS credit FROM ledger.journal_lines
			WHERE organization_id = $1 AND entry_date <= $2 GROUP BY account_id) t ON t.account_id = a.id
		WHERE a.organization_id = $1 ORDER BY a.code`, actor.OrgID, asOf)
	if err != nil {
		return TrialBalance{}, err
	}
	tb := TrialBalance{AsOf: asOf, Accounts: rows}
	for i := range tb.Accounts {
		r := &tb.Accounts[i]
		r.Balance = M(signed(r.NormalBalance, r.Debit.Decimal, r.Credit.Decimal))
		tb.Debit, tb.Credit = M(tb.Debit.Add(r.Debit.Decimal)), M(tb.Credit.Add(r.Credit.Decimal))
	}
	return tb, nil
}

// signed is debit − credit for a debit-normal account, the reverse
// otherwise.
func signed(normal string, dr, cr decimal.Decimal) decimal.Decimal {
	if normal == "debit" {
		return dr.Sub(cr)
	}
	return cr.Sub(dr)
}

// AccountLine is one line of an account's history with the balance after it.
type AccountLine struct {
	EntryID   realty.ID   `db:"entry_id" json:"entry_id"`
	LineNo    int         `db:"line_no" json:"line_no"`
	EntryDate realty.Date `db:"entry_date" json:"entry_date"`
	Memo      *string     `db:"memo" json:"memo,omitempty"`
	Debit     Money       `db:"debit" json:"debit"`
	Credit    Money       `db:"credit" json:"credit"`
	Balance   Money       `db:"-" json:"balance" doc:"the account's balance after this line, in its normal direction"`
}

// LinesPage is a page of an account's lines.
type LinesPage struct {
	Opening    Money         `json:"opening" doc:"the balance before the page's first line"`
	Items      []AccountLine `json:"items"`
	NextCursor string        `json:"next_cursor,omitempty"`
}

// MaxPage is the largest page AccountLines returns.
const MaxPage = 200

// AccountLines returns an account's lines in date order (date, entry, line)
// with the running balance, limit at a time after cursor. Forbidden without
// ledger.read; NotFound for an unknown account; Invalid naming cursor for
// one it did not return.
func (s *Service) AccountLines(ctx context.Context, actor realty.Actor, accountID realty.ID, cursor string, limit int) (LinesPage, error) {
	if err := actor.Require("ledger.read"); err != nil {
		return LinesPage{}, err
	}
	if limit <= 0 || limit > MaxPage {
		limit = MaxPage
	}
	var after struct {
		Date  realty.Date
		Entry realty.ID
		Line  int
	}
	after.Date = realty.Date{Year: 1, Month: 1, Day: 1}
	if cursor != "" {
		if err := postgres.DecodeCursor(cursor, &after.Date, &after.Entry, &after.Line); err != nil {
			return LinesPage{}, err
		}
	}
	var page LinesPage
	err := postgres.Tx(ctx, s.pool, actor, func(tx pgx.Tx) error {
		var normal string
		var opening decimal.Decimal
		err := tx.QueryRow(ctx, `SELECT a.normal_balance, coalesce((SELECT sum(l.debit - l.credit) FROM ledger.journal_lines l
			WHERE l.organization_id = a.organization_id AND l.account_id = a.id AND (l.entry_date, l.entry_id, l.line_no) <= ($3, $4, $5)), 0)
			FROM ledger.accounts a WHERE a.organization_id = $1 AND a.id = $2`, actor.OrgID, accountID, after.Date, after.Entry, after.Line).Scan(&normal, &opening)
		if err != nil {
			return notFound(err, errAccountNotFound)
		}
		rows, err := tx.Query(ctx, `SELECT l.entry_id, l.line_no, l.entry_date, coalesce(l.memo, e.memo) AS memo, l.debit, l.credit
			FROM ledger.journal_lines l JOIN ledger.journal_entries e ON e.organization_id = l.organization_id AND e.id = l.entry_id
			WHERE l.organization_id = $1 AND l.account_id = $2 AND (l.entry_date, l.entry_id, l.line_no) > ($3, $4, $5)
			ORDER BY l.entry_date, l.entry_id, l.line_no LIMIT $6`, actor.OrgID, accountID, after.Date, after.Entry, after.Line, limit+1)
		if err != nil {
			return err
		}
		if page.Items, err = pgx.CollectRows(rows, pgx.RowToStructByName[AccountLine]); err != nil {
			return err
		}
		page.running(normal, opening, limit)
		return nil
	})
	return page, err
}

// running fills the balances from the opening (debit − credit) and trims
// the page to limit, setting the cursor when more lines follow.
func (p *LinesPage) running(normal string, opening decimal.Decimal, limit int) {
	if normal != "debit" {
		opening = opening.Neg()
	}
	p.Opening = M(opening)
	if len(p.Items) > limit {
		p.Items = p.Items[:limit]
		last := p.Items[limit-1]
		p.NextCursor = postgres.EncodeCursor(last.EntryDate, last.EntryID, last.LineNo)
	}
	bal := opening
	for i := range p.Items {
		bal = bal.Add(signed(normal, p.Items[i].Debit.Decimal, p.Items[i].Credit.Decimal))
		p.Items[i].Balance = M(bal)
	}
	if p.Items == nil {
		p.Items = []AccountLine{}
	}
}
