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

// VendorBill is money the organization owes a vendor: a bill (paid later,
// through accounts payable) or an expense (Kind "expense": paid at once,
// its approval posts straight against operating cash). Status runs draft →
// pending_approval → approved → partial → paid, or void.
type VendorBill struct {
	ID                  realty.ID        `db:"id" json:"id"`
	Kind                string           `db:"kind" json:"kind" enum:"bill,expense"`
	VendorID            realty.ID        `db:"vendor_id" json:"vendor_id"`
	WorkOrderID         *realty.ID       `db:"work_order_id" json:"work_order_id,omitempty"`
	PropertyID          *realty.ID       `db:"property_id" json:"property_id,omitempty"`
	UnitID              *realty.ID       `db:"unit_id" json:"unit_id,omitempty"`
	Reference           *string          `db:"reference" json:"reference,omitempty" doc:"the vendor's bill number"`
	BillDate            realty.Date      `db:"bill_date" json:"bill_date"`
	DueDate             realty.Date      `db:"due_date" json:"due_date"`
	Memo                *string          `db:"memo" json:"memo,omitempty"`
	Tax                 Money            `db:"tax" json:"tax" doc:"sales tax on the bill, posted with its first line's account (part of the cost)"`
	Total               Money            `db:"total" json:"total" doc:"sum of the lines + tax"`
	Paid                Money            `db:"paid" json:"paid"`
	Balance             Money            `db:"balance" json:"balance" doc:"total - paid"`
	Status              string           `db:"status" json:"status" enum:"draft,pending_approval,approved,partial,paid,void"`
	ChargeBackTenantID  *realty.ID       `db:"charge_back_tenant_id" json:"charge_back_tenant_id,omitempty"`
	ChargeBackLeaseID   *realty.ID       `db:"charge_back_lease_id" json:"charge_back_lease_id,omitempty"`
	ChargeBackInvoiceID *realty.ID       `db:"charge_back_invoice_id" json:"charge_back_invoice_id,omitempty" doc:"the tenant invoice the charged-back lines became"`
	CreatedBy           *realty.ID       `db:"created_by" json:"created_by,omitempty"`
	SubmittedAt         *time.Time       `db:"submitted_at" json:"submitted_at,omitempty"`
	ApprovedBy          *realty.ID       `db:"approved_by" json:"approved_by,omitempty" doc:"the approver; unset when approved under the threshold"`
	ApprovedOn          *realty.Date     `db:"approved_on" json:"approved_on,omitempty" doc:"the date its posting is dated"`
	VoidedOn            *realty.Date     `db:"voided_on" json:"voided_on,omitempty"`
	CreatedAt           time.Time        `db:"created_at" json:"created_at"`
	UpdatedAt           time.Time        `db:"updated_at" json:"updated_at"`
	Lines               []VendorBillLine `db:"-" json:"lines"`
	Payments            []BillPayment    `db:"-" json:"payments"`
}

// VendorBillLine is one expense of a bill.
type VendorBillLine struct {
	LineNo      int       `db:"line_no" json:"line_no"`
	AccountID   realty.ID `db:"account_id" json:"account_id"`
	Description string    `db:"description" json:"description"`
	Amount      Money     `db:"amount" json:"amount"`
	ChargeBack  bool      `db:"charge_back" json:"charge_back"`
}

// BillPayment is a payment made on a bill.
type BillPayment struct {
	ID        realty.ID   `db:"id" json:"id"`
	BillID    realty.ID   `db:"bill_id" json:"bill_id"`
	Amount    Money       `db:"amount" json:"amount"`
	PaidOn    realty.Date `db:"paid_on" json:"paid_on"`
	Method    string      `db:"method" json:"method" enum:"check,ach,card,cash,wire,other"`
	Reference *string     `db:"reference" json:"reference,omitempty"`
}

const billColumns = `id, kind, vendor_id, work_order_id, property_id, unit_id, reference, bill_date, due_date, memo, tax, total, paid, balance,
	status, charge_back_tenant_id, charge_back_lease_id, charge_back_invoice_id, created_by, submitted_at, approved_by, approved_on, voided_on,
	created_at, updated_at`

// VendorBillInput is a bill (or expense) to record.
type VendorBillInput struct {
	Kind        string // "bill" (default) or "expense"
	VendorID    realty.ID
	WorkOrderID *realty.ID
	PropertyID  *realty.ID
	UnitID      *realty.ID
	Reference   string
	BillDate    *realty.Date // today when nil
	DueDate     *realty.Date // the bill date when nil
	Memo        string
	Tax         decimal.Decimal
	Lines       []VendorBillLineInput
	// ChargeBackTenantID names the tenant the lines marked ChargeBack are
	// invoiced to when the bill is approved (LeaseID optional).
	ChargeBackTenantID *realty.ID
	ChargeBackLeaseID  *realty.ID
	// Submit submits it at once (approved then if at or below the
	// threshold).
	Submit bool
}

// VendorBillLineInput is one expense line.
type VendorBillLineInput struct {
	AccountID   realty.ID
	Description string
	Amount      decimal.Decimal
	ChargeBack  bool
}

var errBillNotFound = &realty.Error{Kind: realty.NotFound, Message: "bill not found"}

func validateVendorBill(in VendorBillInput) error {
	switch {
	case in.Kind != "bill" && in.Kind != "expense":
		return realty.FieldError("kind", "must be bill or expense")
	case in.VendorID.IsZero():
		return realty.FieldError("vendor_id", "is required")
	case len(in.Reference) > 100:
		return realty.FieldError("reference", "must be at most 100 characters")
	case len(in.Memo) > 500:
		return realty.FieldError("memo", "must be at most 500 characters")
	case in.BillDate != nil && in.DueDate != nil && in.DueDate.Before(*in.BillDate):
		return realty.FieldError("due_date", "must not be before the bill date")
	case in.Tax.IsNegative() || !in.Tax.Equal(in.Tax.Round(2)) || in.Tax.GreaterThanOrEqual(maxAmount):
		return realty.FieldError("tax", "must be whole cents, at least 0")
	case len(in.Lines) == 0 || len(in.Lines) > 100:
		return realty.FieldError("lines", "a bill has 1 to 100 lines")
	case in.ChargeBackLeaseID != nil && in.ChargeBackTenantID == nil:
		return realty.FieldError("charge_back_tenant_id", "is required with charge_back_lease_id")
	}
	total, chargeBack := in.Tax, false
	for i, l := range in.Lines {
		f := fmt.Sprintf("lines[%d].", i)
		if l.AccountID.IsZero() {
			return realty.FieldError(f+"account_id", "is required")
		}
		if d := strings.TrimSpace(l.Description); d == "" || len(d) > 300 {
			return realty.FieldError(f+"description", "must be 1 to 300 characters")
		}
		if err := checkAmount(f+"amount", l.Amount); err != nil {
			return err
		}
		total, chargeBack = total.Add(l.Amount), chargeBack || l.ChargeBack
	}
	if chargeBack != (in.ChargeBackTenantID != nil) {
		return realty.FieldError("charge_back_tenant_id", "is given exactly when a line is charged back")
	}
	return checkAmount("lines", total)
}

// CreateBill records a vendor bill or expense as a draft (submitted at once
// with Submit). Every line's account must be an active expense account of
// the organization. Forbidden without bill.manage; Invalid names the field.
func (s *Service) CreateBill(ctx context.Context, actor realty.Actor, in VendorBillInput) (VendorBill, error) {
	return s.retryBill(ctx, actor, func(tx pgx.Tx) (VendorBill, error) { return s.CreateBillTx(ctx, tx, actor, in) })
}

// CreateBillTx is CreateBill in the caller's transaction.
func (s *Service) CreateBillTx(ctx context.Context, tx pgx.Tx, actor realty.Actor, in VendorBillInput) (VendorBill, error) {
	if err := actor.Require("bill.manage"); err != nil {
		return VendorBill{}, err
	}
	if in.Kind == "" {
		in.Kind = "bill"
	}
	in.Reference = strings.TrimSpace(in.Reference)
	if err := validateVendorBill(in); err != nil {
		return VendorBill{}, err
	}
	if err := expenseAccounts(ctx, tx, actor, in.Lines); err != nil {
		return VendorBill{}, err
	}
	billDate, err := s.entryDate(ctx, tx, actor, in.BillDate)
	if err != nil {
		return VendorBill{}, err
	}
	due := billDate
	if in.DueDate != nil {
		due = *in.DueDate
	}
	id, total := realty.NewID(), in.Tax
	for _, l := range in.Lines {
		total = total.Add(l.Amount)
	}
	_, err = tx.Exec(ctx, `INSERT INTO ledger.bills (organization_id, id, kind, vendor_id, work_order_id, property_id, unit_id, reference, bill_date,
		due_date, memo, tax, total, balance, charge_back_tenant_id, charge_back_lease_id, created_by)
		VALUES ($1, $2, $3, $4, $5, $6, $7, nullif($8, ''), $9, $10, nullif($11, ''), $12, $13, $13, $14, $15, $16)`,
		actor.OrgID, id, in.Kind, in.VendorID, in.WorkOrderID, in.PropertyID, in.UnitID, in.Reference, billDate, due, strings.TrimSpace(in.Memo),
		in.Tax, total, in.ChargeBackTenantID, in.ChargeBackLeaseID, userOf(actor))
	if err != nil {
		return VendorBill{}, err
	}
	b := &pgx.Batch{}
	for i, l := range in.Lines {
		b.Queue(`INSERT INTO ledger.bill_lines (organization_id, id, bill_id, line_no, account_id, description, amount, charge_back)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, actor.OrgID, realty.NewID(), id, i+1, l.AccountID, strings.TrimSpace(l.Description), l.Amount, l.ChargeBack)
	}
	if err := tx.SendBatch(ctx, b).Close(); err != nil {
		return VendorBill{}, err
	}
	if in.Submit {
		return s.SubmitBillTx(ctx, tx, actor, id)
	}
	return s.billTx(ctx, tx, actor, id)
}

// expenseAccounts refuses a line whose account is not an active expense
// account of the organization, naming the line.
func expenseAccounts(ctx context.Context, tx pgx.Tx, actor realty.Actor, lines []VendorBillLineInput) error {
	ids := make([]realty.ID, len(lines))
	for i, l := range lines {
		ids[i] = l.AccountID
	}
	rows, err := tx.Query(ctx, `SELECT id FROM ledger.accounts WHERE organization_id = $1 AND id = ANY($2) AND type = 'expense' AND active`, actor.OrgID, ids)
	if err != nil {
		return err
	}
	ok, err := pgx.CollectRows(rows, pgx.RowTo[realty.ID])
	if err != nil {
		return err
	}
	for i, id := range ids {
		found := false
		for _, o := range ok {
			found = found || o == id
		}
		if !found {
			return realty.FieldError(fmt.Sprintf("lines[%d].account_id", i), "must be an active expense account")
		}
	}
	return nil
}

func (s *Service) retryBill(ctx context.Context, actor realty.Actor, fn func(pgx.Tx) (VendorBill, error)) (VendorBill, error) {
	var out VendorBill
	err := postgres.Retry(ctx, func() error {
		return postgres.Tx(ctx, s.pool, actor, func(tx pgx.Tx) error {
			var err error
			out, err = fn(tx)
			return err
		})
	})
	return out, err
}

// Bill returns one bill with its lines and payments. Forbidden without
// bill.read; NotFound.
func (s *Service) Bill(ctx context.Context, actor realty.Actor, id realty.ID) (VendorBill, error) {
	if err := actor.Require("bill.read"); err != nil {
		return VendorBill{}, err
	}
	var out VendorBill
	err := postgres.Tx(ctx, s.pool, actor, func(tx pgx.Tx) error {
		var err error
		out, err = s.billTx(ctx, tx, actor, id)
		return err
	})
	return out, err
}

// billTx reads one bill with its lines and payments.
func (s *Service) billTx(ctx context.Context, tx pgx.Tx, actor realty.Actor, id realty.ID) (VendorBill, error) {
	rows, err := tx.Query(ctx, `SELECT `+billColumns+` FROM ledger.bills WHERE organization_id = $1 AND id = $2`, actor.OrgID, id)
	if err != nil {
		return VendorBill{}, err
	}
	b, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[VendorBill])
	if err != nil {
		return VendorBill{}, notFound(err, errBillNotFound)
	}
	rows, err = tx.Query(ctx, `SELECT line_no, account_id, description, amount, charge_back FROM ledger.bill_lines
		WHERE organization_id = $1 AND bill_id = $2 ORDER BY line_no`, actor.OrgID, id)
	if err != nil {
		return VendorBill{}, err
	}
	if b.Lines, err = pgx.CollectRows(rows, pgx.RowToStructByName[VendorBillLine]); err != nil {
		return VendorBill{}, err
	}
	rows, err = tx.Query(ctx, `SELECT id, bill_id, amount, paid_on, method, reference FROM ledger.bill_payments
		WHERE organization_id = $1 AND bill_id = $2 ORDER BY paid_on, id`, actor.OrgID, id)
	if err != nil {
		return VendorBill{}, err
	}
	b.Payments, err = pgx.CollectRows(rows, pgx.RowToStructByName[BillPayment])
	if b.Payments == nil {
		b.Payments = []BillPayment{}
	}
	return b, err
}

// BillFilter narrows a bill list.
type BillFilter struct {
	VendorID    *realty.ID
	PropertyID  *realty.ID
	WorkOrderID *realty.ID
	Kind        string
	// Status is one of the statuses, or "open" (approved or partial).
	Status string
	Cursor string
	Limit  int
}

// BillPage is a page of bills by due date then id (lines omitted).
type BillPage struct {
	Items      []VendorBill `json:"items"`
	NextCursor string       `json:"next_cursor,omitempty"`
}

// Bills lists bills by due date, limit (at most MaxPage) at a time after
// cursor. Forbidden without bill.read; Invalid naming status, kind or
// cursor.
func (s *Service) Bills(ctx context.Context, actor realty.Actor, f BillFilter) (BillPage, error) {
	if err := actor.Require("bill.read"); err != nil {
		return BillPage{}, err
	}
	switch f.Status {
	case "", "draft", "pending_approval", "approved", "partial", "paid", "void", "open":
	default:
		return BillPage{}, realty.FieldError("status", "must be draft, pending_approval, approved, partial, paid, void or open")
	}
	if f.Kind != "" && f.Kind != "bill" && f.Kind != "expense" {
		return BillPage{}, realty.FieldError("kind", "must be bill or expense")
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
			return BillPage{}, err
		}
	}
	items, err := postgres.ReadAll[VendorBill](ctx, s.pool, actor, `SELECT `+billColumns+` FROM ledger.bills WHERE organization_id = $1
		AND ($2::uuid IS NULL OR vendor_id = $2) AND ($3::uuid IS NULL OR property_id = $3) AND ($4::uuid IS NULL OR work_order_id = $4)
		AND ($5 = '' OR kind = $5) AND ($6 = '' OR status = $6 OR ($6 = 'open' AND status IN ('approved', 'partial')))
		AND (due_date, id) > ($7, $8) ORDER BY due_date, id LIMIT $9`,
		actor.OrgID, f.VendorID, f.PropertyID, f.WorkOrderID, f.Kind, f.Status, after.Due, after.ID, f.Limit+1)
	page := BillPage{Items: items}
	if len(page.Items) > f.Limit {
		page.Items = page.Items[:f.Limit]
		last := page.Items[f.Limit-1]
		page.NextCursor = postgres.EncodeCursor(last.DueDate, last.ID)
	}
	for i := range page.Items {
		page.Items[i].Lines, page.Items[i].Payments = []VendorBillLine{}, []BillPayment{}
	}
	if page.Items == nil {
		page.Items = []VendorBill{}
	}
	return page, err
}
