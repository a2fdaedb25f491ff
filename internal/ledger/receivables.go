package ledger

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/shopspring/decimal"

	"realty"
	"realty/internal/postgres"
)

// Invoice returns one invoice with its lines. Forbidden without
// invoice.read; NotFound for another organization's.
func (s *Service) Invoice(ctx context.Context, actor realty.Actor, id realty.ID) (Invoice, error) {
	if err := actor.Require("invoice.read"); err != nil {
		return Invoice{}, err
	}
	var out Invoice
	err := postgres.Tx(ctx, s.pool, actor, func(tx pgx.Tx) error {
		var err error
		out, err = s.invoiceTx(ctx, tx, actor, id)
		return err
	})
	return out, err
}

// Payment returns one payment. Forbidden without invoice.read; NotFound.
func (s *Service) Payment(ctx context.Context, actor realty.Actor, id realty.ID) (Payment, error) {
	if err := actor.Require("invoice.read"); err != nil {
		return Payment{}, err
	}
	var out Payment
	err := postgres.Tx(ctx, s.pool, actor, func(tx pgx.Tx) error {
		var err error
		out, err = paymentTx(ctx, tx, actor, id)
		return err
	})
	return out, err
}

// InvoiceFilter narrows an invoice list; Status may be "overdue".
type InvoiceFilter struct {
	TenantID *realty.ID
	LeaseID  *realty.ID
	Status   string
	Cursor   string
	Limit    int
}

// InvoicePage is a page of invoices, by due date then id (lines omitted).
type InvoicePage struct {
	Items      []Invoice `json:"items"`
	NextCursor string    `json:"next_cursor,omitempty"`
}

// Invoices lists invoices by due date, limit (at most MaxPage) at a time
// after cursor. Forbidden without invoice.read; Invalid naming status or
// cursor.
func (s *Service) Invoices(ctx context.Context, actor realty.Actor, f InvoiceFilter) (InvoicePage, error) {
	if err := actor.Require("invoice.read"); err != nil {
		return InvoicePage{}, err
	}
	switch f.Status {
	case "", "draft", "open", "partial", "paid", "void", "overdue":
	default:
		return InvoicePage{}, realty.FieldError("status", "must be draft, open, partial, paid, void or overdue")
	}
	if f.Limit <= 0 || f.Limit > MaxPage {
		f.Limit = MaxPage
	}
	after := struct {
		Due realty.Date
		ID  realty.ID
	}{Due: realty.Date{Year: 1, Month: 1, Day: 1}}
	if f.Cursor != "" {
		if err := postgres.DecodeCursor(f.Cursor, &after.Due, &after.ID); err != nil {
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
			AND ($3::uuid IS NULL OR i.tenant_id = $3) AND ($4::uuid IS NULL OR i.lease_id = $4)
			AND ($5 = '' OR i.status = $5 OR ($5 = 'overdue' AND i.status IN ('open', 'partial') AND i.balance > 0 AND i.due_date < $2::date))
			AND (i.due_date, i.id) > ($6, $7) ORDER BY i.due_date, i.id LIMIT $8`,
			actor.OrgID, today, f.TenantID, f.LeaseID, f.Status, after.Due, after.ID, f.Limit+1)
		if err != nil {
			return err
		}
		page.Items, err = pgx.CollectRows(rows, pgx.RowToStructByName[Invoice])
		return err
	})
	if len(page.Items) > f.Limit {
		page.Items = page.Items[:f.Limit]
		last := page.Items[f.Limit-1]
		page.NextCursor = postgres.EncodeCursor(last.DueDate, last.ID)
	}
	for i := range page.Items {
		page.Items[i].Lines = []InvoiceLine{}
	}
	if page.Items == nil {
		page.Items = []Invoice{}
	}
	return page, err
}

// TenantLedgerRow is one event of a tenant's account: a charge (an invoice
// issued), a payment, a refund, or a reversal of one, with its effect on
// what the tenant owes and the balance after it. Allocations move money
// between the tenant's credit and their charges and change nothing owed,
// so they do not appear.
type TenantLedgerRow struct {
	EntryID    realty.ID   `db:"entry_id" json:"entry_id"`
	EntryDate  realty.Date `db:"entry_date" json:"entry_date"`
	SourceType string      `db:"source_type" json:"source_type" doc:"invoice, payment, refund or manual"`
	SourceID   *realty.ID  `db:"source_id" json:"source_id,omitempty"`
	Reversal   bool        `db:"reversal" json:"reversal" doc:"a void or a failed payment"`
	Memo       *string     `db:"memo" json:"memo,omitempty"`
	Amount     Money       `db:"amount" json:"amount" doc:"positive: owed more (a charge); negative: a payment or credit"`
	Balance    Money       `db:"-" json:"balance" doc:"owed after this row; negative is credit"`
}

// TenantLedgerPage is a page of a tenant's ledger.
type TenantLedgerPage struct {
	Opening    Money             `json:"opening" doc:"the balance before the page's first row"`
	Items      []TenantLedgerRow `json:"items"`
	NextCursor string            `json:"next_cursor,omitempty"`
}

// TenantLedger returns a tenant's charges, payments and credits by date
// with a running balance, limit at a time after cursor (keyset). Forbidden
// without invoice.read; NotFound for a tenant without invoices or
// payments; Invalid naming cursor.
func (s *Service) TenantLedger(ctx context.Context, actor realty.Actor, tenant realty.ID, cursor string, limit int) (TenantLedgerPage, error) {
	if err := actor.Require("invoice.read"); err != nil {
		return TenantLedgerPage{}, err
	}
	if limit <= 0 || limit > MaxPage {
		limit = MaxPage
	}
	after := struct {
		Date  realty.Date
		Entry realty.ID
	}{Date: realty.Date{Year: 1, Month: 1, Day: 1}}
	if cursor != "" {
		if err := postgres.DecodeCursor(cursor, &after.Date, &after.Entry); err != nil {
			return TenantLedgerPage{}, err
		}
	}
	effect := `SELECT l.entry_id, l.entry_date, sum(l.debit - l.credit) AS amount
		FROM ledger.journal_lines l JOIN ledger.accounts a ON a.organization_id = l.organization_id AND a.id = l.account_id
			AND a.system_key IN ('accounts_receivable', 'tenant_credit')
		WHERE l.organization_id = $1 AND l.tenant_id = $2 GROUP BY l.entry_id, l.entry_date HAVING sum(l.debit - l.credit) <> 0`
	var page TenantLedgerPage
	err := postgres.Tx(ctx, s.pool, actor, func(tx pgx.Tx) error {
		if err := knownParty(ctx, tx, actor, "tenant_id", tenant); err != nil {
			return err
		}
		var opening decimal.Decimal
		err := tx.QueryRow(ctx, `SELECT coalesce(sum(amount), 0) FROM (`+effect+`) x WHERE (entry_date, entry_id) <= ($3, $4)`,
			actor.OrgID, tenant, after.Date, after.Entry).Scan(&opening)
		if err != nil {
			return err
		}
		rows, err := tx.Query(ctx, `SELECT x.entry_id, x.entry_date, e.source_type, e.source_id, e.reverses IS NOT NULL AS reversal, e.memo, x.amount
			FROM (`+effect+`) x JOIN ledger.journal_entries e ON e.organization_id = $1 AND e.id = x.entry_id
			WHERE (x.entry_date, x.entry_id) > ($3, $4) ORDER BY x.entry_date, x.entry_id LIMIT $5`,
			actor.OrgID, tenant, after.Date, after.Entry, limit+1)
		if err != nil {
			return err
		}
		if page.Items, err = pgx.CollectRows(rows, pgx.RowToStructByName[TenantLedgerRow]); err != nil {
			return err
		}
		page.Opening = M(opening)
		return nil
	})
	if len(page.Items) > limit {
		page.Items = page.Items[:limit]
		last := page.Items[limit-1]
		page.NextCursor = postgres.EncodeCursor(last.EntryDate, last.EntryID)
	}
	bal := page.Opening.Decimal
	for i := range page.Items {
		bal = bal.Add(page.Items[i].Amount.Decimal)
		page.Items[i].Balance = M(bal)
	}
	if page.Items == nil {
		page.Items = []TenantLedgerRow{}
	}
	return page, err
}

// LeaseBalance is what a lease owes, from the journal's lease dimension.
type LeaseBalance struct {
	LeaseID    realty.ID `db:"-" json:"lease_id"`
	Receivable Money     `db:"receivable" json:"receivable" doc:"AR on the lease: open invoice balances"`
	Credit     Money     `db:"credit" json:"credit" doc:"unapplied payments made for the lease"`
	Balance    Money     `db:"balance" json:"balance" doc:"receivable - credit"`
}

// knownParty is NotFound unless a tenant (column tenant_id) or lease
// (lease_id) has an invoice or a payment in the organization: the
// receivables know no other tenants or leases.
func knownParty(ctx context.Context, tx pgx.Tx, actor realty.Actor, column string, id realty.ID) error {
	var known bool
	err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT FROM ledger.invoices WHERE organization_id = $1 AND `+column+` = $2)
		OR EXISTS (SELECT FROM ledger.payments WHERE organization_id = $1 AND `+column+` = $2)`, actor.OrgID, id).Scan(&known)
	if err == nil && !known {
		what := "tenant"
		if column == "lease_id" {
			what = "lease"
		}
		return &realty.Error{Kind: realty.NotFound, Message: what + " not found"}
	}
	return err
}

// LeaseBalance sums the lease's AR and tenant-credit lines. Forbidden
// without invoice.read; NotFound for a lease without invoices or payments.
func (s *Service) LeaseBalance(ctx context.Context, actor realty.Actor, lease realty.ID) (LeaseBalance, error) {
	if err := actor.Require("invoice.read"); err != nil {
		return LeaseBalance{}, err
	}
	var out LeaseBalance
	err := postgres.Tx(ctx, s.pool, actor, func(tx pgx.Tx) error {
		if err := knownParty(ctx, tx, actor, "lease_id", lease); err != nil {
			return err
		}
		rows, err := tx.Query(ctx, `SELECT
			coalesce(sum(l.debit - l.credit) FILTER (WHERE a.system_key = 'accounts_receivable'), 0) AS receivable,
			coalesce(sum(l.credit - l.debit) FILTER (WHERE a.system_key = 'tenant_credit'), 0) AS credit,
			coalesce(sum(l.debit - l.credit), 0) AS balance
		FROM ledger.journal_lines l JOIN ledger.accounts a ON a.organization_id = l.organization_id AND a.id = l.account_id
			AND a.system_key IN ('accounts_receivable', 'tenant_credit')
		WHERE l.organization_id = $1 AND l.lease_id = $2`, actor.OrgID, lease)
		if err != nil {
			return err
		}
		out, err = pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[LeaseBalance])
		return err
	})
	out.LeaseID = lease
	return out, err
}

// AgingRow is one tenant's open balances by days past due.
type AgingRow struct {
	TenantID *realty.ID `db:"tenant_id" json:"tenant_id,omitempty" doc:"absent on the total row"`
	Current  Money      `db:"current" json:"current" doc:"not yet due"`
	Days1    Money      `db:"d1_30" json:"days_1_30"`
	Days31   Money      `db:"d31_60" json:"days_31_60"`
	Days61   Money      `db:"d61_90" json:"days_61_90"`
	Days90   Money      `db:"d90" json:"days_over_90"`
	Total    Money      `db:"total" json:"total"`
}

// Aging is AR aging as of a day: per tenant and the total.
type Aging struct {
	AsOf    realty.Date `json:"as_of"`
	Tenants []AgingRow  `json:"tenants"`
	Total   AgingRow    `json:"total"`
}

// agingOpenSQL is the open balances as of $2 in organization $1 (open: per
// invoice its tenant, days late and balance) and agingSumsSQL buckets them. An invoice's balance as of the
// day is its balance now unless something touched it after the day (an
// allocation made or undone later, a void later): only those are summed
// again from their allocations, so as of today it reads the open invoices'
// index alone. The ledger check holds balance = total - live allocations.
const agingOpenSQL = `WITH changed AS (
		SELECT invoice_id FROM ledger.payment_allocations WHERE organization_id = $1 AND allocated_on > $2
		UNION SELECT invoice_id FROM ledger.payment_allocations WHERE organization_id = $1 AND reversed_on > $2
		UNION SELECT id FROM ledger.invoices WHERE organization_id = $1 AND voided_on > $2),
	open AS (
		SELECT i.tenant_id, $2::date - i.due_date AS late, i.balance AS bal FROM ledger.invoices i
		WHERE i.organization_id = $1 AND i.status IN ('open', 'partial') AND i.issue_date <= $2
		  AND NOT EXISTS (SELECT FROM changed c WHERE c.invoice_id = i.id)
		UNION ALL
		SELECT i.tenant_id, $2::date - i.due_date, i.total - coalesce((SELECT sum(al.amount) FROM ledger.payment_allocations al
			WHERE al.organization_id = $1 AND al.invoice_id = i.id AND al.allocated_on <= $2 AND (al.reversed_on IS NULL OR al.reversed_on > $2)), 0)
		FROM ledger.invoices i JOIN changed c ON c.invoice_id = i.id
		WHERE i.organization_id = $1 AND i.issue_date <= $2 AND (i.voided_on IS NULL OR i.voided_on > $2)) `

const agingSumsSQL = `coalesce(sum(bal) FILTER (WHERE late <= 0), 0) AS current, coalesce(sum(bal) FILTER (WHERE late BETWEEN 1 AND 30), 0) AS d1_30,
		coalesce(sum(bal) FILTER (WHERE late BETWEEN 31 AND 60), 0) AS d31_60, coalesce(sum(bal) FILTER (WHERE late BETWEEN 61 AND 90), 0) AS d61_90,
		coalesce(sum(bal) FILTER (WHERE late > 90), 0) AS d90, coalesce(sum(bal), 0) AS total
	FROM open WHERE bal > 0 `

// AgingSQL is AR aging as of $2 for organization $1: a row per tenant and,
// last, the total (no tenant).
const AgingSQL = agingOpenSQL + `SELECT tenant_id, ` + agingSumsSQL + `GROUP BY GROUPING SETS ((tenant_id), ()) ORDER BY tenant_id NULLS LAST`

// AgingTotalSQL is AR aging's total row alone, what the dashboard shows.
const AgingTotalSQL = agingOpenSQL + `SELECT NULL::uuid AS tenant_id, ` + agingSumsSQL

// aging buckets each invoice's balance as of asOf (issued by then, not
// voided by then, less the allocations made by then and not undone by
// then) by days past its due date. Forbidden without invoice.read.
func (s *Service) aging(ctx context.Context, actor realty.Actor, asOf realty.Date) (Aging, error) {
	if err := actor.Require("invoice.read"); err != nil {
		return Aging{}, err
	}
	rows, err := postgres.ReadAll[AgingRow](ctx, s.pool, actor, AgingSQL, actor.OrgID, asOf)
	if err != nil {
		return Aging{}, err
	}
	out := Aging{AsOf: asOf, Tenants: []AgingRow{}}
	for _, r := range rows {
		if r.TenantID == nil {
			out.Total = r
			continue
		}
		out.Tenants = append(out.Tenants, r)
	}
	return out, nil
}

// agingTotal is AR aging's total as of asOf (Aging's total row without the
// per-tenant rows), what the dashboard shows. Forbidden without
// invoice.read.
func (s *Service) agingTotal(ctx context.Context, actor realty.Actor, asOf realty.Date) (AgingRow, error) {
	if err := actor.Require("invoice.read"); err != nil {
		return AgingRow{}, err
	}
	rows, err := postgres.ReadAll[AgingRow](ctx, s.pool, actor, AgingTotalSQL, actor.OrgID, asOf)
	if err != nil {
		return AgingRow{}, err
	}
	if len(rows) != 1 {
		return AgingRow{}, fmt.Errorf("aging total: %d rows", len(rows))
	}
	return rows[0], nil
}
