package ledger

import (
	"context"

	"github.com/jackc/pgx/v5"

	"realty"
	"realty/internal/postgres"
)

// Collections is what was billed for a month and how much of it has been
// collected.
type Collections struct {
	Month realty.Date `db:"-" json:"month" doc:"the month's first day"`
	// Invoices counts the issued invoices due in the month (void ones
	// excluded); Billed is their total.
	Invoices int   `db:"invoices" json:"invoices"`
	Billed   Money `db:"billed" json:"billed"`
	// Collected is what has been paid on them so far (their live
	// allocations); Outstanding is Billed less Collected.
	Collected   Money `db:"collected" json:"collected"`
	Outstanding Money `db:"outstanding" json:"outstanding"`
}

// collections sums the issued, not voided invoices due in the month of
// month (any day of it) and what has been paid on them. Forbidden without
// invoice.read.
func (s *Service) collections(ctx context.Context, actor realty.Actor, month realty.Date) (Collections, error) {
	if err := actor.Require("invoice.read"); err != nil {
		return Collections{}, err
	}
	first, next := monthSpan(month)
	rows, err := postgres.ReadAll[Collections](ctx, s.pool, actor, `SELECT count(*)::int AS invoices, coalesce(sum(total), 0) AS billed,
			coalesce(sum(paid), 0) AS collected, coalesce(sum(balance), 0) AS outstanding
		FROM ledger.invoices WHERE organization_id = $1 AND due_date >= $2 AND due_date < $3 AND status IN ('open', 'partial', 'paid')`,
		actor.OrgID, first, next)
	if err != nil {
		return Collections{}, err
	}
	out := rows[0]
	out.Month = first
	return out, nil
}

// monthSpan is the first day of month's month and of the next.
func monthSpan(month realty.Date) (realty.Date, realty.Date) {
	first := realty.Date{Year: month.Year, Month: month.Month, Day: 1}
	return first, realty.DateOf(first.Time().AddDate(0, 1, 0))
}

// MonthInvoices lists the invoices Collections sums for month's month (issued,
// not voided, due in it) by due date and id, limit (at most MaxPage) at a
// time after cursor, lines omitted. Forbidden without invoice.read; Invalid
// naming cursor.
func (s *Service) MonthInvoices(ctx context.Context, actor realty.Actor, month realty.Date, cursor string, limit int) (InvoicePage, error) {
	if err := actor.Require("invoice.read"); err != nil {
		return InvoicePage{}, err
	}
	first, next := monthSpan(month)
	if limit <= 0 || limit > MaxPage {
		limit = MaxPage
	}
	afterDue, afterID := realty.Date{Year: 1, Month: 1, Day: 1}, realty.ID{}
	if cursor != "" {
		if err := postgres.DecodeCursor(cursor, &afterDue, &afterID); err != nil {
			return InvoicePage{}, err
		}
	}
	var page InvoicePage
	err := postgres.Tx(ctx, s.pool, actor, func(tx pgx.Tx) error {
		today, err := s.entryDate(ctx, tx, actor, nil)
		if err != nil {
			return err
		}
		rows, err := tx.Query(ctx, `SELECT `+invoiceColumns+` FROM ledger.invoices i WHERE i.organization_id = $1
			AND i.due_date >= $3 AND i.due_date < $4 AND i.status IN ('open', 'partial', 'paid')
			AND (i.due_date, i.id) > ($5, $6) ORDER BY i.due_date, i.id LIMIT $7`,
			actor.OrgID, today, first, next, afterDue, afterID, limit+1)
		if err == nil {
			page.Items, err = pgx.CollectRows(rows, pgx.RowToStructByName[Invoice])
		}
		return err
	})
	if len(page.Items) > limit {
		page.Items = page.Items[:limit]
		last := page.Items[limit-1]
		page.NextCursor = postgres.EncodeCursor(last.DueDate, last.ID)
	}
	for i := range page.Items {
		page.Items[i].Lines = []InvoiceLine{}
	}
	return page, err
}
