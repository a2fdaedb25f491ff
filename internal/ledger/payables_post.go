package ledger

import (
	"context"
	"errors"
	"slices"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/shopspring/decimal"

	"realty"
	"realty/internal/postgres"
)

// AccountsPayable is the system key of the accounts payable control
// account bills post to.
const AccountsPayable = "accounts_payable"

// DefaultBillApprovalThreshold is the approval threshold of an
// organization that has not set one.
var DefaultBillApprovalThreshold = decimal.New(100000, -2)

// chargeBackDays is how long a tenant has to pay a charge-back invoice.
const chargeBackDays = 30

// LedgerSettings are the organization's ledger settings.
type LedgerSettings struct {
	BillApprovalThreshold Money `json:"bill_approval_threshold" doc:"a bill at or below it is approved when submitted; above it needs an approver other than its creator"`
}

// GetSettings returns the organization's ledger settings (the defaults
// when it has set none). Forbidden without ledger.read.
func (s *Service) GetSettings(ctx context.Context, actor realty.Actor) (LedgerSettings, error) {
	if err := actor.Require("ledger.read"); err != nil {
		return LedgerSettings{}, err
	}
	var out LedgerSettings
	err := postgres.Tx(ctx, s.pool, actor, func(tx pgx.Tx) error {
		t, err := threshold(ctx, tx, actor)
		out.BillApprovalThreshold = M(t)
		return err
	})
	return out, err
}

// SetSettings replaces the organization's ledger settings. Forbidden
// without ledger.manage; Invalid naming bill_approval_threshold.
func (s *Service) SetSettings(ctx context.Context, actor realty.Actor, in LedgerSettings) (LedgerSettings, error) {
	if err := actor.Require("ledger.manage"); err != nil {
		return LedgerSettings{}, err
	}
	t := in.BillApprovalThreshold.Decimal
	if t.IsNegative() || !t.Equal(t.Round(2)) || t.GreaterThanOrEqual(maxAmount) {
		return LedgerSettings{}, realty.FieldError("bill_approval_threshold", "must be whole cents, at least 0")
	}
	err := postgres.Tx(ctx, s.pool, actor, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `INSERT INTO ledger.settings (organization_id, id, bill_approval_threshold) VALUES ($1, $2, $3)
			ON CONFLICT (organization_id) DO UPDATE SET bill_approval_threshold = EXCLUDED.bill_approval_threshold, updated_at = now()`,
			actor.OrgID, realty.NewID(), t)
		return err
	})
	return LedgerSettings{BillApprovalThreshold: M(t)}, err
}

func threshold(ctx context.Context, tx pgx.Tx, actor realty.Actor) (decimal.Decimal, error) {
	t := DefaultBillApprovalThreshold
	err := tx.QueryRow(ctx, `SELECT bill_approval_threshold FROM ledger.settings WHERE organization_id = $1`, actor.OrgID).Scan(&t)
	if errors.Is(err, pgx.ErrNoRows) {
		err = nil
	}
	return t, err
}

// lockBill locks a bill for the rest of tx and reads it: every change of a
// bill (submit, approve, pay, void) takes this lock first, so two payments
// of one bill run one after the other and the second sees the first's.
func (s *Service) lockBill(ctx context.Context, tx pgx.Tx, actor realty.Actor, id realty.ID) (VendorBill, error) {
	var got realty.ID
	err := tx.QueryRow(ctx, `SELECT id FROM ledger.bills WHERE organization_id = $1 AND id = $2 FOR UPDATE`, actor.OrgID, id).Scan(&got)
	if err != nil {
		return VendorBill{}, notFound(err, errBillNotFound)
	}
	return s.billTx(ctx, tx, actor, id)
}

func statusConflict(msg, status string) error {
	return &realty.Error{Kind: realty.Conflict, Message: msg, Fields: map[string]string{"status": status}}
}

// SubmitBill submits a draft for approval: at or below the organization's
// threshold it is approved at once (and posted, see ApproveBill). Forbidden
// without bill.manage; NotFound; Conflict unless a draft.
func (s *Service) SubmitBill(ctx context.Context, actor realty.Actor, id realty.ID) (VendorBill, error) {
	return s.retryBill(ctx, actor, func(tx pgx.Tx) (VendorBill, error) { return s.SubmitBillTx(ctx, tx, actor, id) })
}

// SubmitBillTx is SubmitBill in the caller's transaction.
func (s *Service) SubmitBillTx(ctx context.Context, tx pgx.Tx, actor realty.Actor, id realty.ID) (VendorBill, error) {
	if err := actor.Require("bill.manage"); err != nil {
		return VendorBill{}, err
	}
	b, err := s.lockBill(ctx, tx, actor, id)
	if err != nil {
		return VendorBill{}, err
	}
	if b.Status != "draft" {
		return VendorBill{}, statusConflict("only a draft can be submitted", b.Status)
	}
	if _, err := tx.Exec(ctx, `UPDATE ledger.bills SET status = 'pending_approval', submitted_at = now() WHERE organization_id = $1 AND id = $2`,
		actor.OrgID, id); err != nil {
		return VendorBill{}, err
	}
	limit, err := threshold(ctx, tx, actor)
	if err != nil {
		return VendorBill{}, err
	}
	if b.Total.GreaterThan(limit) {
		return s.billTx(ctx, tx, actor, id)
	}
	return s.approveTx(ctx, tx, actor, b, nil)
}

// ApproveBill approves a bill pending approval and posts it: each line's
// expense account debited (the tax with the first line's), with the bill's
// property and unit, against accounts payable — or, for an expense,
// against operating cash, which pays it. Lines charged back become a
// maintenance invoice to the tenant, issued in the same transaction.
// Forbidden without bill.approve, and for the bill's own creator (or a
// credential that is no member) when its total is above the threshold;
// NotFound; Conflict unless pending approval or when today's period is
// closed.
func (s *Service) ApproveBill(ctx context.Context, actor realty.Actor, id realty.ID) (VendorBill, error) {
	return s.retryBill(ctx, actor, func(tx pgx.Tx) (VendorBill, error) { return s.ApproveBillTx(ctx, tx, actor, id) })
}

// ApproveBillTx is ApproveBill in the caller's transaction.
func (s *Service) ApproveBillTx(ctx context.Context, tx pgx.Tx, actor realty.Actor, id realty.ID) (VendorBill, error) {
	if err := actor.Require("bill.approve"); err != nil {
		return VendorBill{}, err
	}
	b, err := s.lockBill(ctx, tx, actor, id)
	if err != nil {
		return VendorBill{}, err
	}
	if b.Status != "pending_approval" {
		return VendorBill{}, statusConflict("only a bill pending approval can be approved", b.Status)
	}
	limit, err := threshold(ctx, tx, actor)
	if err != nil {
		return VendorBill{}, err
	}
	if b.Total.GreaterThan(limit) {
		if actor.UserID.IsZero() {
			return VendorBill{}, &realty.Error{Kind: realty.Forbidden, Message: "a bill above the approval threshold is approved by a member, not a key"}
		}
		if b.CreatedBy != nil && *b.CreatedBy == actor.UserID {
			return VendorBill{}, &realty.Error{Kind: realty.Forbidden,
				Message: "a bill above the approval threshold (" + M(limit).StringFixed(2) + ") needs an approver other than its creator"}
		}
	}
	return s.approveTx(ctx, tx, actor, b, userOf(actor))
}

// approveTx posts bill b (locked) and marks it approved (a bill) or paid
// (an expense), by approver (nil: under the threshold).
func (s *Service) approveTx(ctx context.Context, tx pgx.Tx, actor realty.Actor, b VendorBill, approver *realty.ID) (VendorBill, error) {
	today, err := s.entryDate(ctx, tx, actor, nil)
	if err != nil {
		return VendorBill{}, err
	}
	e := Entry{Date: &today, Memo: billMemo(b), SourceType: "bill", SourceID: &b.ID}
	for i, l := range b.Lines {
		amt := l.Amount.Decimal
		if i == 0 {
			amt = amt.Add(b.Tax.Decimal)
		}
		e.Lines = append(e.Lines, Line{AccountID: l.AccountID, Debit: amt, PropertyID: b.PropertyID, UnitID: b.UnitID, Memo: l.Description})
	}
	credit := Line{SystemKey: AccountsPayable, Credit: b.Total.Decimal, PropertyID: b.PropertyID, UnitID: b.UnitID}
	status, paid := "approved", decimal.Zero
	if b.Kind == "expense" {
		credit.SystemKey, status, paid = OperatingCash, "paid", b.Total.Decimal
	}
	e.Lines = append(e.Lines, credit)
	if _, err := s.post(ctx, tx, actor, e); err != nil {
		return VendorBill{}, err
	}
	invoice, err := s.chargeBack(ctx, tx, actor, b, today)
	if err != nil {
		return VendorBill{}, err
	}
	_, err = tx.Exec(ctx, `UPDATE ledger.bills SET status = $3, approved_by = $4, approved_on = $5, paid = $6, balance = total - $6,
		charge_back_invoice_id = $7 WHERE organization_id = $1 AND id = $2`, actor.OrgID, b.ID, status, approver, today, paid, invoice)
	if err != nil {
		return VendorBill{}, err
	}
	return s.billTx(ctx, tx, actor, b.ID)
}

func billMemo(b VendorBill) string {
	memo := "Bill"
	if b.Kind == "expense" {
		memo = "Expense"
	}
	if b.Reference != nil {
		memo += " " + *b.Reference
	}
	return memo
}

// chargeBack invoices the bill's charged-back lines to its tenant (a
// maintenance line each, due in chargeBackDays) and issues the invoice,
// returning its id; nil when no line is charged back.
func (s *Service) chargeBack(ctx context.Context, tx pgx.Tx, actor realty.Actor, b VendorBill, today realty.Date) (*realty.ID, error) {
	if b.ChargeBackTenantID == nil {
		return nil, nil
	}
	in := InvoiceInput{TenantID: *b.ChargeBackTenantID, LeaseID: b.ChargeBackLeaseID, PropertyID: b.PropertyID, UnitID: b.UnitID,
		DueDate: today.AddDays(chargeBackDays), Memo: strings.TrimSpace("Charge-back of " + billMemo(b))}
	for _, l := range b.Lines {
		if l.ChargeBack {
			in.Lines = append(in.Lines, InvoiceLineInput{Type: "maintenance", Description: l.Description, Amount: l.Amount.Decimal})
		}
	}
	inv, err := s.createInvoiceTx(ctx, tx, actor, in)
	if err != nil {
		return nil, err
	}
	if _, err := s.issueInvoiceTx(ctx, tx, actor, inv.ID); err != nil {
		return nil, err
	}
	return &inv.ID, nil
}

// BillPaymentInput is a payment made on a bill.
type BillPaymentInput struct {
	Amount    decimal.Decimal
	PaidOn    *realty.Date // today when nil
	Method    string
	Reference string
}

var billMethods = []string{"check", "ach", "card", "cash", "wire", "other"}

// PayBill records a payment of an approved bill (all or part of its
// balance) and posts it: accounts payable debited, operating cash credited,
// with the bill's property and unit. The bill is locked first, so two
// payments never pay more than its balance. Forbidden without bill.pay;
// NotFound; Conflict unless approved or partially paid (an expense is paid
// when approved); Invalid naming amount past the balance, method or
// reference.
func (s *Service) PayBill(ctx context.Context, actor realty.Actor, id realty.ID, in BillPaymentInput) (VendorBill, error) {
	return s.retryBill(ctx, actor, func(tx pgx.Tx) (VendorBill, error) { return s.PayBillTx(ctx, tx, actor, id, in) })
}

// PayBillTx is PayBill in the caller's transaction.
func (s *Service) PayBillTx(ctx context.Context, tx pgx.Tx, actor realty.Actor, id realty.ID, in BillPaymentInput) (VendorBill, error) {
	if err := actor.Require("bill.pay"); err != nil {
		return VendorBill{}, err
	}
	in.Reference = strings.TrimSpace(in.Reference)
	if err := checkAmount("amount", in.Amount); err != nil {
		return VendorBill{}, err
	}
	if !slices.Contains(billMethods, in.Method) {
		return VendorBill{}, realty.FieldError("method", "must be one of "+strings.Join(billMethods, ", "))
	}
	if len(in.Reference) > 100 {
		return VendorBill{}, realty.FieldError("reference", "must be at most 100 characters")
	}
	b, err := s.lockBill(ctx, tx, actor, id)
	if err != nil {
		return VendorBill{}, err
	}
	if b.Kind != "bill" || (b.Status != "approved" && b.Status != "partial") {
		return VendorBill{}, statusConflict("only an approved bill with a balance can be paid", b.Status)
	}
	if in.Amount.GreaterThan(b.Balance.Decimal) {
		return VendorBill{}, realty.FieldError("amount", "exceeds the bill's balance of "+b.Balance.StringFixed(2))
	}
	date, err := s.entryDate(ctx, tx, actor, in.PaidOn)
	if err != nil {
		return VendorBill{}, err
	}
	pid := realty.NewID()
	_, err = tx.Exec(ctx, `INSERT INTO ledger.bill_payments (organization_id, id, bill_id, amount, paid_on, method, reference, created_by)
		VALUES ($1, $2, $3, $4, $5, $6, nullif($7, ''), $8)`, actor.OrgID, pid, id, in.Amount, date, in.Method, in.Reference, userOf(actor))
	if err != nil {
		return VendorBill{}, err
	}
	e := Entry{Date: &date, Memo: "Payment: " + billMemo(b), SourceType: "bill_payment", SourceID: &pid, Lines: []Line{
		{SystemKey: AccountsPayable, Debit: in.Amount, PropertyID: b.PropertyID, UnitID: b.UnitID},
		{SystemKey: OperatingCash, Credit: in.Amount, PropertyID: b.PropertyID, UnitID: b.UnitID},
	}}
	if _, err := s.post(ctx, tx, actor, e); err != nil {
		return VendorBill{}, err
	}
	_, err = tx.Exec(ctx, `UPDATE ledger.bills SET paid = paid + $3, balance = balance - $3,
		status = CASE WHEN balance - $3 = 0 THEN 'paid' ELSE 'partial' END WHERE organization_id = $1 AND id = $2`, actor.OrgID, id, in.Amount)
	if err != nil {
		return VendorBill{}, err
	}
	return s.billTx(ctx, tx, actor, id)
}

// VoidBill voids a bill. A draft or one pending approval posted nothing; an
// approved bill with nothing paid, or an expense, has its posting reversed,
// and its charge-back invoice is voided with it. Forbidden without
// bill.manage; NotFound; Conflict once a bill has payments, or when void.
func (s *Service) VoidBill(ctx context.Context, actor realty.Actor, id realty.ID) (VendorBill, error) {
	return s.retryBill(ctx, actor, func(tx pgx.Tx) (VendorBill, error) { return s.VoidBillTx(ctx, tx, actor, id) })
}

// VoidBillTx is VoidBill in the caller's transaction.
func (s *Service) VoidBillTx(ctx context.Context, tx pgx.Tx, actor realty.Actor, id realty.ID) (VendorBill, error) {
	if err := actor.Require("bill.manage"); err != nil {
		return VendorBill{}, err
	}
	b, err := s.lockBill(ctx, tx, actor, id)
	if err != nil {
		return VendorBill{}, err
	}
	switch {
	case b.Status == "void":
		return VendorBill{}, statusConflict("the bill is already void", b.Status)
	case b.Kind == "bill" && (b.Status == "partial" || b.Status == "paid"):
		return VendorBill{}, statusConflict("a bill with payments cannot be voided", b.Status)
	}
	voided, err := s.entryDate(ctx, tx, actor, nil)
	if err != nil {
		return VendorBill{}, err
	}
	if b.ApprovedOn != nil {
		if voided, err = s.unpostBill(ctx, tx, actor, b); err != nil {
			return VendorBill{}, err
		}
	}
	_, err = tx.Exec(ctx, `UPDATE ledger.bills SET status = 'void', voided_on = $3 WHERE organization_id = $1 AND id = $2`, actor.OrgID, id, voided)
	if err != nil {
		return VendorBill{}, err
	}
	return s.billTx(ctx, tx, actor, id)
}

// unpostBill reverses a posted bill's entry and voids its charge-back
// invoice, returning the reversal's date.
func (s *Service) unpostBill(ctx context.Context, tx pgx.Tx, actor realty.Actor, b VendorBill) (realty.Date, error) {
	entry, err := sourceEntry(ctx, tx, actor, "bill", b.ID)
	if err != nil {
		return realty.Date{}, err
	}
	rev, err := s.ReverseTx(ctx, tx, actor, entry, "Void of "+strings.ToLower(billMemo(b)))
	if err != nil {
		return realty.Date{}, err
	}
	if b.ChargeBackInvoiceID != nil {
		inv, err := s.invoiceTx(ctx, tx, actor, *b.ChargeBackInvoiceID)
		if err != nil || inv.Status == "void" {
			return rev.EntryDate, err
		}
		if _, err := s.voidInvoiceTx(ctx, tx, actor, *b.ChargeBackInvoiceID); err != nil {
			return realty.Date{}, err
		}
	}
	return rev.EntryDate, nil
}
