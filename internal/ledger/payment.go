package ledger

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/shopspring/decimal"

	"realty"
	"realty/internal/postgres"
)

// Payment is money received from a tenant. Receiving it credits the
// tenant's unapplied credit; allocations move that credit onto invoices.
type Payment struct {
	ID         realty.ID   `db:"id" json:"id"`
	TenantID   realty.ID   `db:"tenant_id" json:"tenant_id"`
	LeaseID    *realty.ID  `db:"lease_id" json:"lease_id,omitempty"`
	Method     string      `db:"method" json:"method" enum:"cash,check,ach,card,money_order,other"`
	Amount     Money       `db:"amount" json:"amount"`
	Fee        Money       `db:"fee" json:"fee" doc:"processing fee kept by the processor (bank fees)"`
	Net        Money       `db:"net" json:"net" doc:"amount - fee: what reaches the bank"`
	ReceivedOn realty.Date `db:"received_on" json:"received_on"`
	Reference  *string     `db:"reference" json:"reference,omitempty"`
	Status     string      `db:"status" json:"status" enum:"pending,cleared,failed,refunded"`
	Allocated  Money       `db:"allocated" json:"allocated" doc:"sum of its live allocations"`
	Refunded   Money       `db:"refunded" json:"refunded"`
	Unapplied  Money       `db:"unapplied" json:"unapplied" doc:"amount - allocated - refunded: the tenant's credit from it"`
	CreatedAt  time.Time   `db:"created_at" json:"created_at"`
	UpdatedAt  time.Time   `db:"updated_at" json:"updated_at"`
}

const paymentColumns = `id, tenant_id, lease_id, method, amount, fee, net, received_on, reference, status, allocated, refunded, unapplied, created_at, updated_at`

// Allocation applies part of a payment to an invoice.
type Allocation struct {
	ID          realty.ID    `db:"id" json:"id"`
	PaymentID   realty.ID    `db:"payment_id" json:"payment_id"`
	InvoiceID   realty.ID    `db:"invoice_id" json:"invoice_id"`
	Amount      Money        `db:"amount" json:"amount"`
	AllocatedOn realty.Date  `db:"allocated_on" json:"allocated_on"`
	ReversedOn  *realty.Date `db:"reversed_on" json:"reversed_on,omitempty" doc:"set when undone (payment failed, invoice voided)"`
}

const allocationColumns = `id, payment_id, invoice_id, amount, allocated_on, reversed_on`

// PaymentInput is a payment received.
type PaymentInput struct {
	TenantID   realty.ID
	LeaseID    *realty.ID
	Method     string
	Amount     decimal.Decimal
	Fee        decimal.Decimal
	ReceivedOn *realty.Date
	Reference  string
	// Allocations apply the payment to these invoices; with Auto, it goes
	// to the tenant's open invoices oldest due first. Neither leaves it
	// unapplied.
	Allocations []AllocationInput
	Auto        bool
}

// AllocationInput is an amount of a payment for one invoice.
type AllocationInput struct {
	InvoiceID realty.ID
	Amount    decimal.Decimal
}

// PaymentResult is a payment with the allocations a request made.
type PaymentResult struct {
	Payment     Payment      `json:"payment"`
	Allocations []Allocation `json:"allocations"`
}

var (
	errPaymentNotFound = &realty.Error{Kind: realty.NotFound, Message: "payment not found"}
	methods            = []string{"cash", "check", "ach", "card", "money_order", "other"}
)

func validatePayment(in PaymentInput) error {
	if in.TenantID.IsZero() {
		return realty.FieldError("tenant_id", "is required")
	}
	if !slices.Contains(methods, in.Method) {
		return realty.FieldError("method", "must be one of "+strings.Join(methods, ", "))
	}
	if err := checkAmount("amount", in.Amount); err != nil {
		return err
	}
	if in.Fee.IsNegative() || !in.Fee.Equal(in.Fee.Round(2)) || in.Fee.GreaterThanOrEqual(in.Amount) {
		return realty.FieldError("fee", "must be whole cents, at least 0 and below the amount")
	}
	if len(in.Reference) > 100 {
		return realty.FieldError("reference", "must be at most 100 characters")
	}
	if in.Auto && len(in.Allocations) > 0 {
		return realty.FieldError("allocations", "give allocations or ask for automatic allocation, not both")
	}
	return validateAllocations(in.Allocations)
}

func validateAllocations(list []AllocationInput) error {
	if len(list) > 100 {
		return realty.FieldError("allocations", "at most 100")
	}
	seen := map[realty.ID]bool{}
	for i, a := range list {
		if seen[a.InvoiceID] {
			return realty.FieldError(fmt.Sprintf("allocations[%d].invoice_id", i), "appears twice")
		}
		seen[a.InvoiceID] = true
		if err := checkAmount(fmt.Sprintf("allocations[%d].amount", i), a.Amount); err != nil {
			return err
		}
	}
	return nil
}

// RecordPayment records a payment received (status pending) and posts it:
// undeposited funds debited the net, bank fees the fee, the tenant's credit
// credited the amount; then allocates it as asked (AllocateTx). Retried on
// serialization failures and deadlocks. Forbidden without payment.record;
// Invalid names the field.
func (s *Service) RecordPayment(ctx context.Context, actor realty.Actor, in PaymentInput) (PaymentResult, error) {
	return s.retryPayment(ctx, actor, func(tx pgx.Tx) (PaymentResult, error) { return s.RecordPaymentTx(ctx, tx, actor, in) })
}

func (s *Service) retryPayment(ctx context.Context, actor realty.Actor, fn func(pgx.Tx) (PaymentResult, error)) (PaymentResult, error) {
	var out PaymentResult
	err := postgres.Retry(ctx, func() error {
		return postgres.Tx(ctx, s.pool, actor, func(tx pgx.Tx) error {
			var err error
			out, err = fn(tx)
			return err
		})
	})
	return out, err
}

// RecordPaymentTx is RecordPayment in the caller's transaction (no retry:
// the caller retries the transaction).
func (s *Service) RecordPaymentTx(ctx context.Context, tx pgx.Tx, actor realty.Actor, in PaymentInput) (PaymentResult, error) {
	if err := actor.Require("payment.record"); err != nil {
		return PaymentResult{}, err
	}
	in.Reference = strings.TrimSpace(in.Reference)
	if err := validatePayment(in); err != nil {
		return PaymentResult{}, err
	}
	return s.recordPayment(ctx, tx, actor, in)
}

// Allocate applies payment id to invoices: the list given, or (list empty)
// the tenant's open invoices oldest due first until the payment's unapplied
// amount is used. Each allocation posts tenant credit debited, AR credited,
// and updates its invoice's paid, balance and status. The payment and the
// invoices are locked in id order; retried on serialization failures and
// deadlocks. Forbidden without payment.record; NotFound; Conflict for a
// failed or refunded payment; Invalid naming allocations[i] for an invoice
// that is not the tenant's open one or an amount past its balance, or
// allocations when the sum passes the unapplied amount.
func (s *Service) Allocate(ctx context.Context, actor realty.Actor, id realty.ID, list []AllocationInput) (PaymentResult, error) {
	return s.retryPayment(ctx, actor, func(tx pgx.Tx) (PaymentResult, error) { return s.AllocateTx(ctx, tx, actor, id, list) })
}

// AllocateTx is Allocate in the caller's transaction.
func (s *Service) AllocateTx(ctx context.Context, tx pgx.Tx, actor realty.Actor, id realty.ID, list []AllocationInput) (PaymentResult, error) {
	if err := actor.Require("payment.record"); err != nil {
		return PaymentResult{}, err
	}
	if err := validateAllocations(list); err != nil {
		return PaymentResult{}, err
	}
	return s.allocateTx(ctx, tx, actor, id, list)
}

// allocateTx is AllocateTx without its checks: the invoices and the
// payment locked in one order, then applyTx.
func (s *Service) allocateTx(ctx context.Context, tx pgx.Tx, actor realty.Actor, id realty.ID, list []AllocationInput) (PaymentResult, error) {
	day, err := s.entryDate(ctx, tx, actor, nil)
	if err != nil {
		return PaymentResult{}, err
	}
	p, err := paymentTx(ctx, tx, actor, id)
	if err != nil {
		return PaymentResult{}, err
	}
	targets, err := allocationTargets(ctx, tx, actor, p, list)
	if err != nil {
		return PaymentResult{}, err
	}
	if err := lockRows(ctx, tx, actor, targets, []realty.ID{id}); err != nil {
		return PaymentResult{}, err
	}
	if p, err = paymentTx(ctx, tx, actor, id); err != nil {
		return PaymentResult{}, err
	}
	if p.Status == "failed" || p.Status == "refunded" {
		return PaymentResult{}, &realty.Error{Kind: realty.Conflict, Message: "a " + p.Status + " payment cannot be allocated", Fields: map[string]string{"status": p.Status}}
	}
	return s.applyTx(ctx, tx, actor, p, list, targets, day)
}

// allocationTargets are the invoices of list, or (list empty) the tenant's
// open invoices oldest due first.
func allocationTargets(ctx context.Context, tx pgx.Tx, actor realty.Actor, p Payment, list []AllocationInput) ([]realty.ID, error) {
	if len(list) == 0 {
		return openInvoiceIDs(ctx, tx, actor, p.TenantID)
	}
	targets := make([]realty.ID, len(list))
	for i, a := range list {
		targets[i] = a.InvoiceID
	}
	return targets, nil
}

// applyTx allocates payment p (current and locked, or this transaction's
// own) to the locked targets as list says, dated today, and returns the
// payment as it ends with the allocations written.
func (s *Service) applyTx(ctx context.Context, tx pgx.Tx, actor realty.Actor, p Payment, list []AllocationInput, targets []realty.ID, today realty.Date) (PaymentResult, error) {
	invs, err := lockedOpenInvoices(ctx, tx, actor, targets, today)
	if err != nil {
		return PaymentResult{}, err
	}
	plan, err := planAllocations(p, invs, list)
	if err != nil {
		return PaymentResult{}, err
	}
	res := PaymentResult{Allocations: []Allocation{}}
	for _, a := range plan {
		al, err := s.insertAllocation(ctx, tx, actor, p, invs[a.InvoiceID], a.Amount, today)
		if err != nil {
			return PaymentResult{}, err
		}
		res.Allocations = append(res.Allocations, al)
	}
	res.Payment, err = paymentTx(ctx, tx, actor, p.ID)
	return res, err
}

// planAllocations checks an explicit list against the locked rows, or
// builds the automatic one: oldest due first while money is left.
func planAllocations(p Payment, invs map[realty.ID]Invoice, list []AllocationInput) ([]AllocationInput, error) {
	left := p.Unapplied.Decimal
	if len(list) == 0 {
		var auto []AllocationInput
		ordered := make([]Invoice, 0, len(invs))
		for _, inv := range invs {
			if inv.TenantID == p.TenantID && inv.Balance.IsPositive() {
				ordered = append(ordered, inv)
			}
		}
		slices.SortFunc(ordered, func(a, b Invoice) int {
			if c := a.DueDate.Time().Compare(b.DueDate.Time()); c != 0 {
				return c
			}
			return strings.Compare(a.ID.String(), b.ID.String())
		})
		for _, inv := range ordered {
			if !left.IsPositive() {
				break
			}
			amt := decimal.Min(left, inv.Balance.Decimal)
			auto = append(auto, AllocationInput{InvoiceID: inv.ID, Amount: amt})
			left = left.Sub(amt)
		}
		return auto, nil
	}
	for i, a := range list {
		inv, ok := invs[a.InvoiceID]
		switch {
		case !ok || inv.TenantID != p.TenantID:
			return nil, realty.FieldError(fmt.Sprintf("allocations[%d].invoice_id", i), "is not an open invoice of the payment's tenant")
		case a.Amount.GreaterThan(inv.Balance.Decimal):
			return nil, realty.FieldError(fmt.Sprintf("allocations[%d].amount", i), "exceeds the invoice's balance "+inv.Balance.StringFixed(2))
		}
		left = left.Sub(a.Amount)
	}
	if left.IsNegative() {
		return nil, realty.FieldError("allocations", "exceed the payment's unapplied amount "+p.Unapplied.StringFixed(2))
	}
	return list, nil
}

// insertAllocation writes one allocation, posts it and updates its
// invoice and payment; the rows are locked.
func (s *Service) insertAllocation(ctx context.Context, tx pgx.Tx, actor realty.Actor, p Payment, inv Invoice, amt decimal.Decimal, date realty.Date) (Allocation, error) {
	id := realty.NewID()
	rows, err := tx.Query(ctx, insertAllocationSQL, actor.OrgID, id, p.ID, inv.ID, amt, date)
	if err != nil {
		return Allocation{}, err
	}
	al, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Allocation])
	if err != nil {
		return Allocation{}, err
	}
	if _, err := s.post(ctx, tx, actor, allocationEntry(id, p.TenantID, p.LeaseID, inv, amt, date)); err != nil {
		return Allocation{}, err
	}
	return al, applyAmounts(ctx, tx, actor, p.ID, inv.ID, amt)
}

// insertAllocationSQL writes allocation $2 of payment $3 to invoice $4:
// amount $5 on day $6.
const insertAllocationSQL = `INSERT INTO ledger.payment_allocations (organization_id, id, payment_id, invoice_id, amount, allocated_on)
	VALUES ($1, $2, $3, $4, $5, $6) RETURNING ` + allocationColumns

// allocationEntry is allocation id's posting: the payment's tenant credit
// (tenant, lease) debited, the invoice's AR credited with its dimensions.
func allocationEntry(id, tenant realty.ID, lease *realty.ID, inv Invoice, amt decimal.Decimal, date realty.Date) Entry {
	return Entry{Date: &date, Memo: "Payment applied to invoice " + deref(inv.Number), SourceType: "allocation", SourceID: &id, Lines: []Line{
		{SystemKey: TenantCredit, Debit: amt, TenantID: &tenant, LeaseID: lease},
		{SystemKey: AccountsReceivable, Credit: amt, TenantID: &inv.TenantID, LeaseID: inv.LeaseID, UnitID: inv.UnitID, PropertyID: inv.PropertyID},
	}}
}

// applyInvoiceSQL adds $3 (negative to undo) to invoice $2's paid and sets
// its status from its balance.
const applyInvoiceSQL = `UPDATE ledger.invoices SET paid = paid + $3, balance = balance - $3,
		status = CASE WHEN status = 'void' THEN status WHEN balance - $3 = 0 THEN 'paid' WHEN paid + $3 > 0 THEN 'partial' ELSE 'open' END
	WHERE organization_id = $1 AND id = $2`

// applyAmounts adds amt (negative to undo) to an invoice's paid and a
// payment's allocated, and sets the invoice's status from its balance:
// both updates in one round trip.
func applyAmounts(ctx context.Context, tx pgx.Tx, actor realty.Actor, paymentID, invoiceID realty.ID, amt decimal.Decimal) error {
	b := &pgx.Batch{}
	b.Queue(applyInvoiceSQL, actor.OrgID, invoiceID, amt)
	b.Queue(`UPDATE ledger.payments SET allocated = allocated + $3 WHERE organization_id = $1 AND id = $2`, actor.OrgID, paymentID, amt)
	return tx.SendBatch(ctx, b).Close()
}

// unapply undoes a live allocation: its entry reversed, its amounts taken
// back. The payment and invoice are locked.
func (s *Service) unapply(ctx context.Context, tx pgx.Tx, actor realty.Actor, a Allocation) error {
	entry, err := sourceEntry(ctx, tx, actor, "allocation", a.ID)
	if err != nil {
		return err
	}
	rev, err := s.ReverseTx(ctx, tx, actor, entry, "Allocation undone")
	if err != nil {
		return err
	}
	_, err = tx.Exec(ctx, `UPDATE ledger.payment_allocations SET reversed_on = $3 WHERE organization_id = $1 AND id = $2`, actor.OrgID, a.ID, rev.EntryDate)
	if err != nil {
		return err
	}
	return applyAmounts(ctx, tx, actor, a.PaymentID, a.InvoiceID, a.Amount.Neg())
}

// lockRows locks invoices and payments FOR UPDATE in one order, by id
// across both tables, so that two transactions locking overlapping sets
// cannot deadlock. NotFound (no rows) when one is missing.
func lockRows(ctx context.Context, tx pgx.Tx, actor realty.Actor, invoices, payments []realty.ID) error {
	type row struct {
		id      realty.ID
		payment bool
	}
	var all []row
	for _, id := range invoices {
		all = append(all, row{id, false})
	}
	for _, id := range payments {
		all = append(all, row{id, true})
	}
	slices.SortFunc(all, func(a, b row) int { return strings.Compare(a.id.String(), b.id.String()) })
	all = slices.CompactFunc(all, func(a, b row) bool { return a == b })
	for _, r := range all {
		table, nf := "ledger.invoices", error(errInvoiceNotFound)
		if r.payment {
			table, nf = "ledger.payments", errPaymentNotFound
		}
		var one int
		err := tx.QueryRow(ctx, `SELECT 1 FROM `+table+` WHERE organization_id = $1 AND id = $2 FOR UPDATE`, actor.OrgID, r.id).Scan(&one)
		if err != nil {
			return notFound(err, nf)
		}
	}
	return nil
}

// openInvoiceIDs are a tenant's invoices with a balance, oldest due first.
func openInvoiceIDs(ctx context.Context, tx pgx.Tx, actor realty.Actor, tenant realty.ID) ([]realty.ID, error) {
	rows, err := tx.Query(ctx, `SELECT id FROM ledger.invoices WHERE organization_id = $1 AND tenant_id = $2 AND status IN ('open', 'partial')
		ORDER BY due_date, id LIMIT 100`, actor.OrgID, tenant)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, pgx.RowTo[realty.ID])
}

// lockedOpenInvoices reads the open or partial invoices among ids (overdue
// as of today).
func lockedOpenInvoices(ctx context.Context, tx pgx.Tx, actor realty.Actor, ids []realty.ID, today realty.Date) (map[realty.ID]Invoice, error) {
	rows, err := tx.Query(ctx, `SELECT `+invoiceColumns+` FROM ledger.invoices i WHERE i.organization_id = $1 AND i.id = ANY($3)
		AND i.status IN ('open', 'partial')`, actor.OrgID, today, ids)
	if err != nil {
		return nil, err
	}
	list, err := pgx.CollectRows(rows, pgx.RowToStructByName[Invoice])
	out := map[realty.ID]Invoice{}
	for _, inv := range list {
		out[inv.ID] = inv
	}
	return out, err
}

func paymentTx(ctx context.Context, tx pgx.Tx, actor realty.Actor, id realty.ID) (Payment, error) {
	rows, err := tx.Query(ctx, `SELECT `+paymentColumns+` FROM ledger.payments WHERE organization_id = $1 AND id = $2`, actor.OrgID, id)
	if err != nil {
		return Payment{}, err
	}
	p, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Payment])
	return p, notFound(err, errPaymentNotFound)
}

// liveAllocations are the allocations not undone whose column (payment_id
// or invoice_id) is id.
func liveAllocations(ctx context.Context, tx pgx.Tx, actor realty.Actor, column string, id realty.ID) ([]Allocation, error) {
	rows, err := tx.Query(ctx, `SELECT `+allocationColumns+` FROM ledger.payment_allocations WHERE organization_id = $1 AND `+column+` = $2
		AND reversed_on IS NULL ORDER BY id`, actor.OrgID, id)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, pgx.RowToStructByName[Allocation])
}
