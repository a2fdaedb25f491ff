package ledger

import (
	"context"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/shopspring/decimal"

	"realty"
)

// Refund is money given back from a payment's unapplied credit.
type Refund struct {
	ID         realty.ID   `db:"id" json:"id"`
	PaymentID  realty.ID   `db:"payment_id" json:"payment_id"`
	Amount     Money       `db:"amount" json:"amount"`
	RefundedOn realty.Date `db:"refunded_on" json:"refunded_on"`
	Reference  *string     `db:"reference" json:"reference,omitempty"`
}

// RefundResult is a refund and its payment after it.
type RefundResult struct {
	Refund  Refund  `json:"refund"`
	Payment Payment `json:"payment"`
}

// RefundPayment gives back amount of payment id's unapplied credit: tenant
// credit debited, operating cash credited. A payment refunded whole is
// "refunded". Retried on serialization failures. Forbidden without
// payment.record; NotFound; Conflict for a failed payment; Invalid naming
// amount past the unapplied credit.
func (s *Service) RefundPayment(ctx context.Context, actor realty.Actor, id realty.ID, amount decimal.Decimal, reference string) (RefundResult, error) {
	var out RefundResult
	_, err := s.retryPayment(ctx, actor, func(tx pgx.Tx) (PaymentResult, error) {
		var err error
		out, err = s.RefundPaymentTx(ctx, tx, actor, id, amount, reference)
		return PaymentResult{}, err
	})
	return out, err
}

// RefundPaymentTx is RefundPayment in the caller's transaction.
func (s *Service) RefundPaymentTx(ctx context.Context, tx pgx.Tx, actor realty.Actor, id realty.ID, amount decimal.Decimal, reference string) (RefundResult, error) {
	if err := actor.Require("payment.record"); err != nil {
		return RefundResult{}, err
	}
	reference = strings.TrimSpace(reference)
	if err := checkAmount("amount", amount); err != nil {
		return RefundResult{}, err
	}
	if len(reference) > 100 {
		return RefundResult{}, realty.FieldError("reference", "must be at most 100 characters")
	}
	if err := lockRows(ctx, tx, actor, nil, []realty.ID{id}); err != nil {
		return RefundResult{}, err
	}
	p, err := paymentTx(ctx, tx, actor, id)
	if err != nil {
		return RefundResult{}, err
	}
	if p.Status == "failed" {
		return RefundResult{}, &realty.Error{Kind: realty.Conflict, Message: "a failed payment cannot be refunded", Fields: map[string]string{"status": p.Status}}
	}
	if amount.GreaterThan(p.Unapplied.Decimal) {
		return RefundResult{}, realty.FieldError("amount", "exceeds the payment's unapplied credit "+p.Unapplied.StringFixed(2))
	}
	date, err := s.entryDate(ctx, tx, actor, nil)
	if err != nil {
		return RefundResult{}, err
	}
	rid := realty.NewID()
	rows, err := tx.Query(ctx, `INSERT INTO ledger.refunds (organization_id, id, payment_id, amount, refunded_on, reference, created_by)
		VALUES ($1, $2, $3, $4, $5, nullif($6, ''), $7) RETURNING id, payment_id, amount, refunded_on, reference`,
		actor.OrgID, rid, id, amount, date, reference, userOf(actor))
	if err != nil {
		return RefundResult{}, err
	}
	r, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Refund])
	if err != nil {
		return RefundResult{}, err
	}
	e := Entry{Date: &date, Memo: "Refund", SourceType: "refund", SourceID: &rid, Lines: []Line{
		{SystemKey: TenantCredit, Debit: amount, TenantID: &p.TenantID, LeaseID: p.LeaseID},
		{SystemKey: OperatingCash, Credit: amount, TenantID: &p.TenantID, LeaseID: p.LeaseID},
	}}
	if _, err := s.post(ctx, tx, actor, e); err != nil {
		return RefundResult{}, err
	}
	_, err = tx.Exec(ctx, `UPDATE ledger.payments SET refunded = refunded + $3,
		status = CASE WHEN refunded + $3 = amount THEN 'refunded' ELSE status END WHERE organization_id = $1 AND id = $2`, actor.OrgID, id, amount)
	if err != nil {
		return RefundResult{}, err
	}
	p, err = paymentTx(ctx, tx, actor, id)
	return RefundResult{Refund: r, Payment: p}, err
}

// FailPayment marks a payment failed (returned, NSF): its live allocations
// are undone (entries reversed, invoices' balances restored) and its own
// entry reversed. Retried on serialization failures. Forbidden without
// payment.record; NotFound; Conflict for a payment already failed or with
// refunds.
func (s *Service) FailPayment(ctx context.Context, actor realty.Actor, id realty.ID) (PaymentResult, error) {
	return s.retryPayment(ctx, actor, func(tx pgx.Tx) (PaymentResult, error) { return s.FailPaymentTx(ctx, tx, actor, id) })
}

// FailPaymentTx is FailPayment in the caller's transaction.
func (s *Service) FailPaymentTx(ctx context.Context, tx pgx.Tx, actor realty.Actor, id realty.ID) (PaymentResult, error) {
	if err := actor.Require("payment.record"); err != nil {
		return PaymentResult{}, err
	}
	allocs, err := liveAllocations(ctx, tx, actor, "payment_id", id)
	if err != nil {
		return PaymentResult{}, err
	}
	invoices := make([]realty.ID, len(allocs))
	for i, a := range allocs {
		invoices[i] = a.InvoiceID
	}
	if err := lockRows(ctx, tx, actor, invoices, []realty.ID{id}); err != nil {
		return PaymentResult{}, err
	}
	p, err := paymentTx(ctx, tx, actor, id)
	if err != nil {
		return PaymentResult{}, err
	}
	if p.Status == "failed" || p.Refunded.IsPositive() {
		return PaymentResult{}, &realty.Error{Kind: realty.Conflict, Message: "only a pending or cleared payment without refunds can fail", Fields: map[string]string{"status": p.Status}}
	}
	// Allocations cannot be added meanwhile: the payment is locked.
	if allocs, err = liveAllocations(ctx, tx, actor, "payment_id", id); err != nil {
		return PaymentResult{}, err
	}
	res := PaymentResult{Allocations: []Allocation{}}
	for _, a := range allocs {
		if err := s.unapply(ctx, tx, actor, a); err != nil {
			return PaymentResult{}, err
		}
	}
	entry, err := sourceEntry(ctx, tx, actor, "payment", id)
	if err != nil {
		return PaymentResult{}, err
	}
	if _, err := s.ReverseTx(ctx, tx, actor, entry, "Payment failed"); err != nil {
		return PaymentResult{}, err
	}
	if _, err := tx.Exec(ctx, `UPDATE ledger.payments SET status = 'failed' WHERE organization_id = $1 AND id = $2`, actor.OrgID, id); err != nil {
		return PaymentResult{}, err
	}
	res.Payment, err = paymentTx(ctx, tx, actor, id)
	return res, err
}

// ClearPayment marks a pending payment cleared (the bank has it); nothing
// is posted. Forbidden without payment.record; NotFound; Conflict unless
// pending.
func (s *Service) ClearPayment(ctx context.Context, actor realty.Actor, id realty.ID) (PaymentResult, error) {
	return s.retryPayment(ctx, actor, func(tx pgx.Tx) (PaymentResult, error) {
		if err := actor.Require("payment.record"); err != nil {
			return PaymentResult{}, err
		}
		tag, err := tx.Exec(ctx, `UPDATE ledger.payments SET status = 'cleared' WHERE organization_id = $1 AND id = $2 AND status = 'pending'`, actor.OrgID, id)
		if err != nil {
			return PaymentResult{}, err
		}
		p, err := paymentTx(ctx, tx, actor, id)
		if err == nil && tag.RowsAffected() == 0 {
			err = &realty.Error{Kind: realty.Conflict, Message: "only a pending payment clears", Fields: map[string]string{"status": p.Status}}
		}
		return PaymentResult{Payment: p, Allocations: []Allocation{}}, err
	})
}

// ApplyCredit applies a tenant's unapplied credit to their open invoices:
// each payment with credit, oldest received first, allocated
// automatically. Forbidden without payment.record.
func (s *Service) ApplyCredit(ctx context.Context, actor realty.Actor, tenant realty.ID) ([]Allocation, error) {
	var out []Allocation
	_, err := s.retryPayment(ctx, actor, func(tx pgx.Tx) (PaymentResult, error) {
		var err error
		out, err = s.ApplyCreditTx(ctx, tx, actor, tenant)
		return PaymentResult{}, err
	})
	return out, err
}

// ApplyCreditTx is ApplyCredit in the caller's transaction. NotFound for
// a tenant without invoices or payments.
func (s *Service) ApplyCreditTx(ctx context.Context, tx pgx.Tx, actor realty.Actor, tenant realty.ID) ([]Allocation, error) {
	if err := actor.Require("payment.record"); err != nil {
		return nil, err
	}
	if err := knownParty(ctx, tx, actor, "tenant_id", tenant); err != nil {
		return nil, err
	}
	rows, err := tx.Query(ctx, `SELECT id FROM ledger.payments WHERE organization_id = $1 AND tenant_id = $2 AND unapplied > 0
		AND status IN ('pending', 'cleared') ORDER BY received_on, id LIMIT 100`, actor.OrgID, tenant)
	if err != nil {
		return nil, err
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[realty.ID])
	if err != nil {
		return nil, err
	}
	out := []Allocation{}
	for _, id := range ids {
		res, err := s.allocateTx(ctx, tx, actor, id, nil)
		if err != nil {
			return nil, err
		}
		out = append(out, res.Allocations...)
	}
	return out, nil
}
