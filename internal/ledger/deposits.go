package ledger

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/shopspring/decimal"

	"realty"
)

// Disposition is what became of a lease's security deposit at move-out:
// the deductions, each with its reason, and the rest refunded.
type Disposition struct {
	ID         realty.ID   `db:"id" json:"id"`
	LeaseID    realty.ID   `db:"lease_id" json:"lease_id"`
	TenantID   realty.ID   `db:"tenant_id" json:"tenant_id"`
	DisposedOn realty.Date `db:"disposed_on" json:"disposed_on"`
	Held       Money       `db:"held" json:"held" doc:"the deposit held for the lease when it was disposed of"`
	Deducted   Money       `db:"deducted" json:"deducted"`
	Refunded   Money       `db:"refunded" json:"refunded"`
	Deductions []Deduction `db:"deductions" json:"deductions"`
	EntryID    realty.ID   `db:"entry_id" json:"entry_id" doc:"the journal entry that posted it"`
	CreatedAt  time.Time   `db:"created_at" json:"created_at"`
}

// Deduction is one charge kept from a deposit.
type Deduction struct {
	Reason    string    `json:"reason"`
	Amount    Money     `json:"amount"`
	AccountID realty.ID `json:"account_id" doc:"the account credited"`
}

// DispositionInput is a move-out disposition of a lease's deposit. The
// lease's parties come from the caller (leasing), which owns them.
type DispositionInput struct {
	LeaseID    realty.ID
	TenantID   realty.ID
	PropertyID realty.ID
	UnitID     realty.ID
	Date       *realty.Date
	Deductions []DeductionInput
}

// DeductionInput is one deduction; a nil AccountID is other tenant
// charges.
type DeductionInput struct {
	Reason    string
	Amount    decimal.Decimal
	AccountID *realty.ID
}

// DepositHeldTx is the security deposit held for a lease: the balance of
// security deposits held over the journal lines naming the lease.
func (s *Service) DepositHeldTx(ctx context.Context, tx pgx.Tx, actor realty.Actor, lease realty.ID) (decimal.Decimal, error) {
	var held decimal.Decimal
	err := tx.QueryRow(ctx, `SELECT coalesce(sum(l.credit - l.debit), 0) FROM ledger.journal_lines l
		JOIN ledger.accounts a ON a.organization_id = l.organization_id AND a.id = l.account_id AND a.system_key = 'security_deposits'
		WHERE l.organization_id = $1 AND l.lease_id = $2`, actor.OrgID, lease).Scan(&held)
	return held, err
}

func validateDisposition(in DispositionInput) error {
	if len(in.Deductions) > 50 {
		return realty.FieldError("deductions", "at most 50 deductions")
	}
	for i, d := range in.Deductions {
		if r := strings.TrimSpace(d.Reason); r == "" || len(r) > 300 {
			return realty.FieldError(fmt.Sprintf("deductions[%d].reason", i), "must be 1 to 300 characters")
		}
		if err := checkAmount(fmt.Sprintf("deductions[%d].amount", i), d.Amount); err != nil {
			return err
		}
	}
	return nil
}

// DisposeDepositTx disposes of a lease's security deposit in the caller's
// transaction, in one posting: security deposits held debited for all that
// is held; for each deduction, AR debited (the charge, citing its reason)
// and its account credited, and AR credited by the deposit applied to it;
// operating cash credited by the refund (held − deductions). A lease's
// deposit is disposed of once. It checks no permission (the calling use
// case has). Invalid names the field at fault (deductions above what is
// held, nothing held); Conflict when the deposit was already disposed of,
// or the date's period is closed.
func (s *Service) DisposeDepositTx(ctx context.Context, tx pgx.Tx, actor realty.Actor, in DispositionInput) (Disposition, error) {
	if err := validateDisposition(in); err != nil {
		return Disposition{}, err
	}
	date, err := s.entryDate(ctx, tx, actor, in.Date)
	if err != nil {
		return Disposition{}, err
	}
	// The lease's deposit lines are serialized by the disposition's unique
	// key; a concurrent second disposition fails on it.
	held, err := s.DepositHeldTx(ctx, tx, actor, in.LeaseID)
	if err != nil {
		return Disposition{}, err
	}
	if !held.IsPositive() {
		return Disposition{}, realty.FieldError("deductions", "no security deposit is held for the lease")
	}
	deducted := decimal.Zero
	for _, d := range in.Deductions {
		deducted = deducted.Add(d.Amount)
	}
	if deducted.GreaterThan(held) {
		return Disposition{}, realty.FieldError("deductions", fmt.Sprintf("deductions %s exceed the deposit held %s", deducted.StringFixed(2), held.StringFixed(2)))
	}
	id := realty.NewID()
	_, err = tx.Exec(ctx, `INSERT INTO ledger.deposit_dispositions (organization_id, id, lease_id, tenant_id, property_id, unit_id, disposed_on,
		held, deducted, refunded, created_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
		actor.OrgID, id, in.LeaseID, in.TenantID, in.PropertyID, in.UnitID, date, held, deducted, held.Sub(deducted), userOf(actor))
	if err != nil {
		return Disposition{}, err
	}
	e := Entry{Date: &date, Memo: "Security deposit disposition", SourceType: "deposit_disposition", SourceID: &id}
	dims := Line{TenantID: &in.TenantID, LeaseID: &in.LeaseID, UnitID: &in.UnitID, PropertyID: &in.PropertyID}
	e.Lines = append(e.Lines, with(dims, SecurityDeposits, held, decimal.Zero, "Security deposit held"))
	b := &pgx.Batch{}
	for i, d := range in.Deductions {
		reason := strings.TrimSpace(d.Reason)
		charge := with(dims, "other_tenant_income", decimal.Zero, d.Amount, reason)
		if d.AccountID != nil {
			charge.SystemKey, charge.AccountID = "", *d.AccountID
		}
		e.Lines = append(e.Lines, with(dims, AccountsReceivable, d.Amount, decimal.Zero, reason), charge,
			with(dims, AccountsReceivable, decimal.Zero, d.Amount, "Deposit applied: "+reason))
		b.Queue(`INSERT INTO ledger.deposit_deductions (organization_id, id, disposition_id, line_no, reason, amount, account_id)
			SELECT $1, $7, $2, $3, $4, $5, coalesce($6, (SELECT id FROM ledger.accounts WHERE organization_id = $1 AND system_key = 'other_tenant_income'))`,
			actor.OrgID, id, i+1, reason, d.Amount, d.AccountID, realty.NewID())
	}
	if refund := held.Sub(deducted); refund.IsPositive() {
		e.Lines = append(e.Lines, with(dims, OperatingCash, decimal.Zero, refund, "Security deposit refund"))
	}
	if err := tx.SendBatch(ctx, b).Close(); err != nil {
		return Disposition{}, err
	}
	if _, err := s.post(ctx, tx, actor, e); err != nil {
		return Disposition{}, err
	}
	out, err := s.DispositionTx(ctx, tx, actor, in.LeaseID)
	if err != nil {
		return Disposition{}, err
	}
	return *out, nil
}

func with(l Line, key string, debit, credit decimal.Decimal, memo string) Line {
	l.SystemKey, l.Debit, l.Credit, l.Memo = key, debit, credit, memo
	return l
}

// DispositionTx is the disposition of a lease's deposit, nil when none was
// made.
func (s *Service) DispositionTx(ctx context.Context, tx pgx.Tx, actor realty.Actor, lease realty.ID) (*Disposition, error) {
	rows, err := tx.Query(ctx, `SELECT d.id, d.lease_id, d.tenant_id, d.disposed_on, d.held, d.deducted, d.refunded, d.created_at,
			coalesce((SELECT jsonb_agg(jsonb_build_object('reason', x.reason, 'amount', x.amount, 'account_id', x.account_id) ORDER BY x.line_no)
				FROM ledger.deposit_deductions x WHERE x.organization_id = d.organization_id AND x.disposition_id = d.id), '[]') AS deductions,
			(SELECT e.id FROM ledger.journal_entries e WHERE e.organization_id = d.organization_id AND e.source_type = 'deposit_disposition'
				AND e.source_id = d.id AND e.reverses IS NULL) AS entry_id
		FROM ledger.deposit_dispositions d WHERE d.organization_id = $1 AND d.lease_id = $2`, actor.OrgID, lease)
	if err != nil {
		return nil, err
	}
	d, err := pgx.CollectRows(rows, pgx.RowToStructByName[Disposition])
	if err != nil || len(d) == 0 {
		return nil, err
	}
	return &d[0], nil
}
