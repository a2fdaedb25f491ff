package ledger

import (
	"context"
	"fmt"
	"slices"

	"github.com/jackc/pgx/v5"
	"github.com/shopspring/decimal"

	"realty"
	"realty/internal/org"
)

// Recording a payment takes two round trips whatever it allocates (a
// payment's posting was about a dozen, one statement at a time):
//
//  1. what the plan needs, read together: today in the organization's time
//     zone, the system accounts the entries post to, and the invoices to
//     allocate to, locked in id order (the order lockRows keeps, so this
//     cannot deadlock against an allocation or a void);
//  2. everything written, pipelined: the payment, its entry, and per
//     allocation the allocation, its entry and its invoice's amounts, then
//     the payment's allocated amount once, read back as it ends.
//
// The payment is this transaction's own, invisible to every other until
// commit: only the invoices need locking.

// paymentAccounts are the system accounts a payment and its allocations
// post to.
var paymentAccounts = []string{UndepositedFunds, TenantCredit, "bank_fees", AccountsReceivable}

// systemAccount is a system account's id and whether it is active.
type systemAccount struct {
	Key    string    `db:"system_key"`
	ID     realty.ID `db:"id"`
	Active bool      `db:"active"`
}

// lockedInvoiceColumns are what an allocation needs of an invoice.
const lockedInvoiceColumns = `i.id, i.number, i.tenant_id, i.lease_id, i.property_id, i.unit_id, i.status, i.due_date, i.total, i.paid, i.balance`

// recordPayment is RecordPaymentTx once the input is checked.
func (s *Service) recordPayment(ctx context.Context, tx pgx.Tx, actor realty.Actor, in PaymentInput) (PaymentResult, error) {
	allocating := in.Auto || len(in.Allocations) > 0
	needToday := in.ReceivedOn == nil || allocating // the payment's date, or the allocations'
	var o org.Organization
	accounts := map[string]systemAccount{}
	var locked []Invoice
	b := &pgx.Batch{}
	if needToday {
		org.QueueOrganization(b, actor, &o)
	}
	b.Queue(`SELECT system_key, id, active FROM ledger.accounts WHERE organization_id = $1 AND system_key = ANY($2)`,
		actor.OrgID, paymentAccounts).Query(func(rows pgx.Rows) error {
		list, err := pgx.CollectRows(rows, pgx.RowToStructByName[systemAccount])
		for _, a := range list {
			accounts[a.Key] = a
		}
		return err
	})
	if allocating {
		queueLockInvoices(b, actor, in).Query(func(rows pgx.Rows) (err error) {
			locked, err = pgx.CollectRows(rows, pgx.RowToStructByNameLax[Invoice])
			return err
		})
	}
	if err := tx.SendBatch(ctx, b).Close(); err != nil {
		return PaymentResult{}, err
	}
	var today realty.Date
	if needToday {
		var err error
		if today, err = AccountingDate(s.now(), o.TimeZone); err != nil {
			return PaymentResult{}, err
		}
	}
	date := today
	if in.ReceivedOn != nil {
		date = *in.ReceivedOn
	}
	invs, err := lockedTargets(in, locked)
	if err != nil {
		return PaymentResult{}, err
	}
	id := realty.NewID()
	p := Payment{ID: id, TenantID: in.TenantID, LeaseID: in.LeaseID, Unapplied: M(in.Amount)}
	var plan []AllocationInput
	if allocating {
		if plan, err = planAllocations(p, invs, in.Allocations); err != nil {
			return PaymentResult{}, err
		}
	}
	return s.writePayment(ctx, tx, actor, in, id, date, today, accounts, invs, plan)
}

// queueLockInvoices queues the lock of the invoices a payment may go to:
// those listed, or the tenant's 100 open ones due first; in id order.
func queueLockInvoices(b *pgx.Batch, actor realty.Actor, in PaymentInput) *pgx.QueuedQuery {
	if in.Auto {
		return b.Queue(`SELECT `+lockedInvoiceColumns+` FROM ledger.invoices i WHERE i.organization_id = $1 AND i.id = ANY(ARRAY(
				SELECT o.id FROM ledger.invoices o WHERE o.organization_id = $1 AND o.tenant_id = $2 AND o.status IN ('open', 'partial')
				ORDER BY o.due_date, o.id LIMIT 100))
			ORDER BY i.id FOR UPDATE`, actor.OrgID, in.TenantID)
	}
	ids := make([]realty.ID, len(in.Allocations))
	for i, a := range in.Allocations {
		ids[i] = a.InvoiceID
	}
	return b.Queue(`SELECT `+lockedInvoiceColumns+` FROM ledger.invoices i WHERE i.organization_id = $1 AND i.id = ANY($2)
		ORDER BY i.id FOR UPDATE`, actor.OrgID, ids)
}

// lockedTargets are the open or partial invoices among those locked;
// NotFound when a listed invoice is missing.
func lockedTargets(in PaymentInput, locked []Invoice) (map[realty.ID]Invoice, error) {
	out := map[realty.ID]Invoice{}
	for _, inv := range locked {
		if inv.Status == "open" || inv.Status == "partial" {
			out[inv.ID] = inv
		}
	}
	for _, a := range in.Allocations {
		if !slices.ContainsFunc(locked, func(inv Invoice) bool { return inv.ID == a.InvoiceID }) {
			return nil, errInvoiceNotFound
		}
	}
	return out, nil
}

// writePayment writes the payment, its entry and the planned allocations
// in one pipelined round trip, and returns the payment as it ends.
func (s *Service) writePayment(ctx context.Context, tx pgx.Tx, actor realty.Actor, in PaymentInput, id realty.ID, date, today realty.Date,
	accounts map[string]systemAccount, invs map[realty.ID]Invoice, plan []AllocationInput) (PaymentResult, error) {
	e := Entry{Date: &date, Memo: "Payment received", SourceType: "payment", SourceID: &id, Lines: []Line{
		{SystemKey: UndepositedFunds, Debit: in.Amount.Sub(in.Fee), TenantID: &in.TenantID, LeaseID: in.LeaseID},
		{SystemKey: TenantCredit, Credit: in.Amount, TenantID: &in.TenantID, LeaseID: in.LeaseID},
	}}
	if in.Fee.IsPositive() {
		e.Lines = append(e.Lines, Line{SystemKey: "bank_fees", Debit: in.Fee, TenantID: &in.TenantID, LeaseID: in.LeaseID})
	}
	if err := systemLines(e, accounts); err != nil {
		return PaymentResult{}, err
	}
	res := PaymentResult{Allocations: make([]Allocation, len(plan))}
	b := &pgx.Batch{}
	b.Queue(`INSERT INTO ledger.payments (organization_id, id, tenant_id, lease_id, method, amount, fee, received_on, reference, created_by)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, nullif($9, ''), $10) RETURNING `+paymentColumns,
		actor.OrgID, id, in.TenantID, in.LeaseID, in.Method, in.Amount, in.Fee, date, in.Reference, userOf(actor)).Query(scanPayment(&res.Payment))
	queueEntry(ctx, b, actor, e, date, nil)
	total := decimal.Zero
	for i, a := range plan {
		if err := queueAllocation(ctx, b, actor, in, id, invs[a.InvoiceID], a.Amount, today, accounts, &res.Allocations[i]); err != nil {
			return PaymentResult{}, err
		}
		total = total.Add(a.Amount)
	}
	if len(plan) > 0 {
		b.Queue(`UPDATE ledger.payments SET allocated = allocated + $3 WHERE organization_id = $1 AND id = $2 RETURNING `+paymentColumns,
			actor.OrgID, id, total).Query(scanPayment(&res.Payment))
	}
	return res, tx.SendBatch(ctx, b).Close()
}

// queueAllocation queues one allocation of payment id to inv, its entry
// (tenant credit debited, AR credited) and its invoice's amounts; out is
// filled as the batch is read.
func queueAllocation(ctx context.Context, b *pgx.Batch, actor realty.Actor, in PaymentInput, id realty.ID, inv Invoice, amt decimal.Decimal,
	today realty.Date, accounts map[string]systemAccount, out *Allocation) error {
	aid := realty.NewID()
	e := allocationEntry(aid, in.TenantID, in.LeaseID, inv, amt, today)
	if err := systemLines(e, accounts); err != nil {
		return err
	}
	b.Queue(insertAllocationSQL, actor.OrgID, aid, id, inv.ID, amt, today).Query(func(rows pgx.Rows) (err error) {
		*out, err = pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Allocation])
		return err
	})
	queueEntry(ctx, b, actor, e, today, nil)
	b.Queue(applyInvoiceSQL, actor.OrgID, inv.ID, amt)
	return nil
}

// systemLines checks e and fills its lines' accounts from their system
// keys, as resolveAccounts does from the database: Invalid naming the line
// whose account is missing or inactive.
func systemLines(e Entry, accounts map[string]systemAccount) error {
	if err := validate(e); err != nil {
		return err
	}
	for i := range e.Lines {
		a, ok := accounts[e.Lines[i].SystemKey]
		field := fmt.Sprintf("lines[%d].account_id", i)
		if !ok {
			return realty.FieldError(field, "no such account")
		}
		if !a.Active {
			return realty.FieldError(field, "the account is inactive")
		}
		e.Lines[i].AccountID = a.ID
	}
	return nil
}

// scanPayment reads one payment row into out.
func scanPayment(out *Payment) func(pgx.Rows) error {
	return func(rows pgx.Rows) (err error) {
		*out, err = pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Payment])
		return err
	}
}
