package ledger

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/shopspring/decimal"

	"realty"
	"realty/internal/postgres"
)

// Invoice is a charge to a tenant: draft until issued (then numbered and
// posted), open, partial or paid as payments are allocated, or void.
// Overdue is derived: an open or partial invoice past its due date.
type Invoice struct {
	ID         realty.ID     `db:"id" json:"id"`
	Number     *string       `db:"number" json:"number,omitempty" doc:"YEAR-NNNNNN, gap-free per organization and year; a draft has none"`
	TenantID   realty.ID     `db:"tenant_id" json:"tenant_id"`
	LeaseID    *realty.ID    `db:"lease_id" json:"lease_id,omitempty"`
	PropertyID *realty.ID    `db:"property_id" json:"property_id,omitempty"`
	UnitID     *realty.ID    `db:"unit_id" json:"unit_id,omitempty"`
	Status     string        `db:"status" json:"status" enum:"draft,open,partial,paid,void"`
	Overdue    bool          `db:"overdue" json:"overdue" doc:"open or partial with a balance past its due date (today in the organization's time zone)"`
	IssueDate  *realty.Date  `db:"issue_date" json:"issue_date,omitempty"`
	DueDate    realty.Date   `db:"due_date" json:"due_date"`
	Period     *realty.Date  `db:"period" json:"period,omitempty" doc:"first day of the month billed"`
	Memo       *string       `db:"memo" json:"memo,omitempty"`
	Total      Money         `db:"total" json:"total"`
	Paid       Money         `db:"paid" json:"paid" doc:"sum of the allocations to it"`
	Balance    Money         `db:"balance" json:"balance" doc:"total - paid"`
	VoidedOn   *realty.Date  `db:"voided_on" json:"voided_on,omitempty"`
	CreatedAt  time.Time     `db:"created_at" json:"created_at"`
	UpdatedAt  time.Time     `db:"updated_at" json:"updated_at"`
	Lines      []InvoiceLine `db:"-" json:"lines"`
}

// InvoiceLine is one charge of an invoice.
type InvoiceLine struct {
	InvoiceID   realty.ID        `db:"invoice_id" json:"-"`
	LineNo      int              `db:"line_no" json:"line_no"`
	Type        string           `db:"type" json:"type" enum:"rent,late_fee,utility,maintenance,deposit,other"`
	Description string           `db:"description" json:"description"`
	Quantity    *decimal.Decimal `db:"quantity" json:"quantity,omitempty"`
	Amount      Money            `db:"amount" json:"amount"`
	AccountID   realty.ID        `db:"account_id" json:"account_id"`
}

const invoiceColumns = `i.id, i.number, i.tenant_id, i.lease_id, i.property_id, i.unit_id, i.status,
	(i.status IN ('open', 'partial') AND i.balance > 0 AND i.due_date < $2::date) AS overdue,
	i.issue_date, i.due_date, i.period, i.memo, i.total, i.paid, i.balance, i.voided_on, i.created_at, i.updated_at`

// InvoiceInput is a draft invoice.
type InvoiceInput struct {
	TenantID   realty.ID
	LeaseID    *realty.ID
	PropertyID *realty.ID
	UnitID     *realty.ID
	DueDate    realty.Date
	Period     *realty.Date
	Memo       string
	Lines      []InvoiceLineInput
}

// InvoiceLineInput is one charge; AccountID defaults by type.
type InvoiceLineInput struct {
	Type        string
	Description string
	Quantity    *decimal.Decimal
	Amount      decimal.Decimal
	AccountID   *realty.ID
}

// lineAccounts are the system accounts each line type credits by default.
var lineAccounts = map[string]string{
	"rent": RentalIncome, "late_fee": LateFeeIncome, "utility": "other_tenant_income",
	"maintenance": "other_tenant_income", "deposit": SecurityDeposits, "other": "other_tenant_income",
}

var errInvoiceNotFound = &realty.Error{Kind: realty.NotFound, Message: "invoice not found"}

func validateInvoice(in InvoiceInput) error {
	if in.TenantID.IsZero() {
		return realty.FieldError("tenant_id", "is required")
	}
	if in.DueDate.IsZero() {
		return realty.FieldError("due_date", "is required")
	}
	if in.Period != nil && in.Period.Day != 1 {
		return realty.FieldError("period", "must be the first day of a month")
	}
	if len(in.Memo) > 500 {
		return realty.FieldError("memo", "must be at most 500 characters")
	}
	if len(in.Lines) == 0 || len(in.Lines) > 100 {
		return realty.FieldError("lines", "an invoice has 1 to 100 lines")
	}
	total := decimal.Zero
	for i, l := range in.Lines {
		f := fmt.Sprintf("lines[%d].", i)
		if _, ok := lineAccounts[l.Type]; !ok {
			return realty.FieldError(f+"type", "must be rent, late_fee, utility, maintenance, deposit or other")
		}
		if d := strings.TrimSpace(l.Description); d == "" || len(d) > 300 {
			return realty.FieldError(f+"description", "must be 1 to 300 characters")
		}
		if err := checkAmount(f+"amount", l.Amount); err != nil {
			return err
		}
		if l.Quantity != nil && (!l.Quantity.IsPositive() || l.Quantity.GreaterThanOrEqual(decimal.New(1, 8))) {
			return realty.FieldError(f+"quantity", "must be positive and below 100,000,000")
		}
		total = total.Add(l.Amount)
	}
	return checkAmount("lines", total)
}

// checkAmount refuses a non-positive amount, one past the cent, or one past
// numeric(14,2).
func checkAmount(field string, d decimal.Decimal) error {
	switch {
	case !d.IsPositive():
		return realty.FieldError(field, "must be positive")
	case !d.Equal(d.Round(2)):
		return realty.FieldError(field, "must be in whole cents")
	case d.GreaterThanOrEqual(maxAmount):
		return realty.FieldError(field, "must be below 1,000,000,000,000")
	}
	return nil
}

// CreateInvoice saves a draft invoice: no number, no posting. Forbidden
// without invoice.manage; Invalid names the field at fault (a line's
// account that does not exist included).
func (s *Service) CreateInvoice(ctx context.Context, actor realty.Actor, in InvoiceInput) (Invoice, error) {
	var out Invoice
	err := postgres.Tx(ctx, s.pool, actor, func(tx pgx.Tx) error {
		var err error
		out, err = s.CreateInvoiceTx(ctx, tx, actor, in)
		return err
	})
	return out, err
}

// CreateInvoiceTx is CreateInvoice in the caller's transaction.
func (s *Service) CreateInvoiceTx(ctx context.Context, tx pgx.Tx, actor realty.Actor, in InvoiceInput) (Invoice, error) {
	if err := actor.Require("invoice.manage"); err != nil {
		return Invoice{}, err
	}
	return s.createInvoiceTx(ctx, tx, actor, in)
}

// createInvoiceTx is CreateInvoiceTx without the permission check, for the
// ledger's own use cases that invoice a tenant (a bill's charge-back).
func (s *Service) createInvoiceTx(ctx context.Context, tx pgx.Tx, actor realty.Actor, in InvoiceInput) (Invoice, error) {
	if err := validateInvoice(in); err != nil {
		return Invoice{}, err
	}
	id, total := realty.NewID(), decimal.Zero
	for _, l := range in.Lines {
		total = total.Add(l.Amount)
	}
	_, err := tx.Exec(ctx, `INSERT INTO ledger.invoices (organization_id, id, tenant_id, lease_id, property_id, unit_id, due_date, period, memo,
		total, balance, created_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, nullif($9, ''), $10, $10, $11)`,
		actor.OrgID, id, in.TenantID, in.LeaseID, in.PropertyID, in.UnitID, in.DueDate, in.Period, in.Memo, total, userOf(actor))
	if err != nil {
		return Invoice{}, err
	}
	b := &pgx.Batch{}
	for i, l := range in.Lines {
		b.Queue(`INSERT INTO ledger.invoice_lines (organization_id, id, invoice_id, line_no, type, description, quantity, amount, account_id)
			SELECT $1, $2, $3, $4, $5, $6, $7, $8, coalesce($9, (SELECT id FROM ledger.accounts WHERE organization_id = $1 AND system_key = $10))`,
			actor.OrgID, realty.NewID(), id, i+1, l.Type, strings.TrimSpace(l.Description), l.Quantity, l.Amount, l.AccountID, lineAccounts[l.Type])
	}
	if err := tx.SendBatch(ctx, b).Close(); err != nil {
		return Invoice{}, err
	}
	return s.invoiceTx(ctx, tx, actor, id)
}

func userOf(actor realty.Actor) *realty.ID {
	if actor.UserID.IsZero() {
		return nil
	}
	return &actor.UserID
}

// IssueInvoice numbers a draft and posts it: AR debited for the total,
// each line's account credited, with the invoice's tenant, lease, unit and
// property on every line. The number is the next of the issue year's
// counter, taken in this transaction (gap-free). Forbidden without
// invoice.manage; NotFound; Conflict unless the invoice is a draft, or when
// the issue date's period is closed.
func (s *Service) IssueInvoice(ctx context.Context, actor realty.Actor, id realty.ID) (Invoice, error) {
	return s.retryInvoice(ctx, actor, func(tx pgx.Tx) (Invoice, error) { return s.IssueInvoiceTx(ctx, tx, actor, id) })
}

func (s *Service) retryInvoice(ctx context.Context, actor realty.Actor, fn func(pgx.Tx) (Invoice, error)) (Invoice, error) {
	var out Invoice
	err := postgres.Retry(ctx, func() error {
		return postgres.Tx(ctx, s.pool, actor, func(tx pgx.Tx) error {
			var err error
			out, err = fn(tx)
			return err
		})
	})
	return out, err
}

// IssueInvoiceTx is IssueInvoice in the caller's transaction.
func (s *Service) IssueInvoiceTx(ctx context.Context, tx pgx.Tx, actor realty.Actor, id realty.ID) (Invoice, error) {
	if err := actor.Require("invoice.manage"); err != nil {
		return Invoice{}, err
	}
	return s.issueInvoiceTx(ctx, tx, actor, id)
}

// issueInvoiceTx is IssueInvoiceTx without the permission check.
func (s *Service) issueInvoiceTx(ctx context.Context, tx pgx.Tx, actor realty.Actor, id realty.ID) (Invoice, error) {
	inv, err := s.lockInvoice(ctx, tx, actor, id)
	if err != nil {
		return Invoice{}, err
	}
	if inv.Status != "draft" {
		return Invoice{}, &realty.Error{Kind: realty.Conflict, Message: "the invoice is already issued", Fields: map[string]string{"status": inv.Status}}
	}
	today, err := s.entryDate(ctx, tx, actor, nil)
	if err != nil {
		return Invoice{}, err
	}
	var seq int
	err = tx.QueryRow(ctx, `INSERT INTO ledger.invoice_counters AS c (organization_id, year, last) VALUES ($1, $2, 1)
		ON CONFLICT (organization_id, year) DO UPDATE SET last = c.last + 1 RETURNING last`, actor.OrgID, today.Year).Scan(&seq)
	if err != nil {
		return Invoice{}, err
	}
	_, err = tx.Exec(ctx, `UPDATE ledger.invoices SET status = 'open', number_year = $3, number_seq = $4, issue_date = $5
		WHERE organization_id = $1 AND id = $2`, actor.OrgID, id, today.Year, seq, today)
	if err != nil {
		return Invoice{}, err
	}
	e := Entry{Date: &today, Memo: "Invoice", SourceType: "invoice", SourceID: &id}
	dims := Line{TenantID: &inv.TenantID, LeaseID: inv.LeaseID, UnitID: inv.UnitID, PropertyID: inv.PropertyID}
	ar := dims
	ar.SystemKey, ar.Debit = AccountsReceivable, inv.Total.Decimal
	e.Lines = append(e.Lines, ar)
	for _, l := range inv.Lines {
		c := dims
		c.AccountID, c.Credit, c.Memo = l.AccountID, l.Amount.Decimal, l.Description
		e.Lines = append(e.Lines, c)
	}
	if _, err := s.post(ctx, tx, actor, e); err != nil {
		return Invoice{}, err
	}
	return s.invoiceTx(ctx, tx, actor, id)
}

// VoidInvoice voids an issued invoice: its live allocations are un-applied
// first (each allocation's entry reversed, the money back as its payment's
// unapplied credit), then the issue entry is reversed. The number stays.
// Forbidden without invoice.manage; NotFound; Conflict for a draft (delete
// is not offered: a draft has no posting) or a void invoice.
func (s *Service) VoidInvoice(ctx context.Context, actor realty.Actor, id realty.ID) (Invoice, error) {
	return s.retryInvoice(ctx, actor, func(tx pgx.Tx) (Invoice, error) { return s.VoidInvoiceTx(ctx, tx, actor, id) })
}

// VoidInvoiceTx is VoidInvoice in the caller's transaction.
func (s *Service) VoidInvoiceTx(ctx context.Context, tx pgx.Tx, actor realty.Actor, id realty.ID) (Invoice, error) {
	if err := actor.Require("invoice.manage"); err != nil {
		return Invoice{}, err
	}
	return s.voidInvoiceTx(ctx, tx, actor, id)
}

// voidInvoiceTx is VoidInvoiceTx without the permission check.
func (s *Service) voidInvoiceTx(ctx context.Context, tx pgx.Tx, actor realty.Actor, id realty.ID) (Invoice, error) {
	allocs, err := liveAllocations(ctx, tx, actor, "invoice_id", id)
	if err != nil {
		return Invoice{}, err
	}
	var payments []realty.ID
	for _, a := range allocs {
		payments = append(payments, a.PaymentID)
	}
	if err := lockRows(ctx, tx, actor, []realty.ID{id}, payments); err != nil {
		return Invoice{}, notFound(err, errInvoiceNotFound)
	}
	inv, err := s.invoiceTx(ctx, tx, actor, id)
	if err != nil {
		return Invoice{}, err
	}
	if inv.Status == "draft" || inv.Status == "void" {
		return Invoice{}, &realty.Error{Kind: realty.Conflict, Message: "only an issued invoice can be voided", Fields: map[string]string{"status": inv.Status}}
	}
	// Re-read under the locks: an allocation may have landed meanwhile.
	if allocs, err = liveAllocations(ctx, tx, actor, "invoice_id", id); err != nil {
		return Invoice{}, err
	}
	for _, a := range allocs {
		if err := s.unapply(ctx, tx, actor, a); err != nil {
			return Invoice{}, err
		}
	}
	entry, err := sourceEntry(ctx, tx, actor, "invoice", id)
	if err != nil {
		return Invoice{}, err
	}
	rev, err := s.ReverseTx(ctx, tx, actor, entry, "Void of invoice "+deref(inv.Number))
	if err != nil {
		return Invoice{}, err
	}
	_, err = tx.Exec(ctx, `UPDATE ledger.invoices SET status = 'void', voided_on = $3 WHERE organization_id = $1 AND id = $2`,
		actor.OrgID, id, rev.EntryDate)
	if err != nil {
		return Invoice{}, err
	}
	return s.invoiceTx(ctx, tx, actor, id)
}

// sourceEntry is the id of the (unreversing) entry a subledger row posted.
func sourceEntry(ctx context.Context, tx pgx.Tx, actor realty.Actor, sourceType string, id realty.ID) (realty.ID, error) {
	var entry realty.ID
	err := tx.QueryRow(ctx, `SELECT id FROM ledger.journal_entries WHERE organization_id = $1 AND source_type = $2 AND source_id = $3
		AND reverses IS NULL`, actor.OrgID, sourceType, id).Scan(&entry)
	if err != nil {
		return realty.ID{}, fmt.Errorf("%s %s has no journal entry: %w", sourceType, id, err)
	}
	return entry, nil
}

// lockInvoice locks an invoice and returns it with its lines.
func (s *Service) lockInvoice(ctx context.Context, tx pgx.Tx, actor realty.Actor, id realty.ID) (Invoice, error) {
	if err := lockRows(ctx, tx, actor, []realty.ID{id}, nil); err != nil {
		return Invoice{}, notFound(err, errInvoiceNotFound)
	}
	return s.invoiceTx(ctx, tx, actor, id)
}

// invoiceTx reads one invoice with its lines.
func (s *Service) invoiceTx(ctx context.Context, tx pgx.Tx, actor realty.Actor, id realty.ID) (Invoice, error) {
	today, err := s.entryDate(ctx, tx, actor, nil)
	if err != nil {
		return Invoice{}, err
	}
	rows, err := tx.Query(ctx, `SELECT `+invoiceColumns+` FROM ledger.invoices i WHERE i.organization_id = $1 AND i.id = $3`, actor.OrgID, today, id)
	if err != nil {
		return Invoice{}, err
	}
	inv, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Invoice])
	if err != nil {
		return Invoice{}, notFound(err, errInvoiceNotFound)
	}
	rows, err = tx.Query(ctx, `SELECT invoice_id, line_no, type, description, quantity, amount, account_id FROM ledger.invoice_lines
		WHERE organization_id = $1 AND invoice_id = $2 ORDER BY line_no`, actor.OrgID, id)
	if err != nil {
		return Invoice{}, err
	}
	inv.Lines, err = pgx.CollectRows(rows, pgx.RowToStructByName[InvoiceLine])
	return inv, err
}
