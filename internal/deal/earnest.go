package deal

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/shopspring/decimal"

	"realty"
	"realty/internal/ledger"
	"realty/internal/org"
	"realty/internal/postgres"
)

func init() {
	postgres.RegisterConstraints(map[string]postgres.Constraint{
		"deal.escrow_deposits_holder_check":      {Kind: realty.Invalid, Field: "holder", Message: "must be brokerage, title, escrow, attorney or other"},
		"deal.escrow_deposits_holder_name_check": {Kind: realty.Invalid, Field: "holder_name", Message: "must be 1 to 200 characters"},
		"deal.escrow_deposits_amount_check":      {Kind: realty.Invalid, Field: "amount", Message: "must be between 0.01 and 999,999,999,999.99"},
		"deal.escrow_deposits_status_check":      {Kind: realty.Invalid, Field: "status", Message: "must be due, received, released or refunded"},
		"deal.escrow_deposits_deal_fkey":         {Kind: realty.NotFound, Message: "deal not found"},
		"deal.escrow_deposits_created_by_fkey":   {Kind: realty.Invalid, Field: "created_by", Message: "no such member"},
		"deal.escrow_deposits_received_check":    {Kind: realty.Invalid, Field: "received_on", Message: "a deposit is received when it has its receipt date"},
		"deal.escrow_deposits_settled_check": {Kind: realty.Invalid, Field: "received_on",
			Message: "a released or refunded deposit has its date, not before it was received"},
	})
}

// Source types of the earnest money's journal entries: receipt, release at
// closing, refund on termination.
const (
	escrowReceiptSource = "escrow_deposit"
	escrowReleaseSource = "escrow_release"
	escrowRefundSource  = "escrow_refund"
)

// EscrowDeposit is an earnest money deposit of a deal: due, then received,
// then released at closing or refunded when the deal ends without
// closing. Money the brokerage holds (holder "brokerage") is in its trust
// account and books; a title company, escrow agent or attorney holds it
// outside them, and realty only tracks it.
type EscrowDeposit struct {
	ID         realty.ID       `db:"id" json:"id"`
	DealID     realty.ID       `db:"deal_id" json:"deal_id"`
	Holder     string          `db:"holder" json:"holder" enum:"brokerage,title,escrow,attorney,other"`
	HolderName *string         `db:"holder_name" json:"holder_name,omitempty"`
	Amount     decimal.Decimal `db:"amount" json:"amount"`
	DueDate    *realty.Date    `db:"due_date" json:"due_date,omitempty"`
	ReceivedOn *realty.Date    `db:"received_on" json:"received_on,omitempty"`
	Status     string          `db:"status" json:"status" enum:"due,received,released,refunded"`
	SettledOn  *realty.Date    `db:"settled_on" json:"settled_on,omitempty" doc:"the day it was released or refunded"`
	CreatedAt  time.Time       `db:"created_at" json:"created_at"`
	UpdatedAt  time.Time       `db:"updated_at" json:"updated_at"`
}

const escrowColumns = `id, deal_id, holder, holder_name, amount, due_date, received_on, status, settled_on, created_at, updated_at`

// EscrowDepositInput records a deposit due.
type EscrowDepositInput struct {
	Holder     string          `json:"holder" enum:"brokerage,title,escrow,attorney,other"`
	HolderName *string         `json:"holder_name,omitempty" maxLength:"200"`
	Amount     decimal.Decimal `json:"amount"`
	DueDate    *realty.Date    `json:"due_date,omitempty"`
}

// AddEscrowDeposit records an earnest money deposit due on a deal.
// Errors: Forbidden without deal.write; NotFound for a deal the actor may
// not see; Invalid naming the field; Conflict when the deal has ended.
func (s *Service) AddEscrowDeposit(ctx context.Context, actor realty.Actor, dealID realty.ID, in EscrowDepositInput) (EscrowDeposit, error) {
	if err := actor.Require("deal.write"); err != nil {
		return EscrowDeposit{}, err
	}
	if !in.Amount.Equal(in.Amount.Round(2)) {
		return EscrowDeposit{}, realty.FieldError("amount", "must be in whole cents")
	}
	var out EscrowDeposit
	err := s.tx(ctx, actor, func(tx pgx.Tx) error {
		d, err := GetTx(ctx, tx, actor, dealID, false)
		if err != nil {
			return err
		}
		if Final(d.Stage) {
			return &realty.Error{Kind: realty.Conflict, Message: "the deal is " + d.Stage + ": it takes no more deposits"}
		}
		rows, err := tx.Query(ctx, `INSERT INTO deal.escrow_deposits (organization_id, id, deal_id, holder, holder_name, amount, due_date, created_by)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING `+escrowColumns,
			actor.OrgID, realty.NewID(), d.ID, in.Holder, in.HolderName, in.Amount, in.DueDate, memberOrNil(actor))
		if err != nil {
			return err
		}
		out, err = pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[EscrowDeposit])
		return err
	})
	return out, err
}

// EscrowDeposits lists a deal's deposits, oldest first. Errors: Forbidden
// without deal.read; NotFound for a deal the actor may not see.
func (s *Service) EscrowDeposits(ctx context.Context, actor realty.Actor, dealID realty.ID) ([]EscrowDeposit, error) {
	if err := actor.Require("deal.read"); err != nil {
		return nil, err
	}
	var out []EscrowDeposit
	err := s.tx(ctx, actor, func(tx pgx.Tx) error {
		if _, err := GetTx(ctx, tx, actor, dealID, false); err != nil {
			return err
		}
		rows, err := tx.Query(ctx, `SELECT `+escrowColumns+` FROM deal.escrow_deposits WHERE organization_id = $1 AND deal_id = $2
			ORDER BY created_at, id`, actor.OrgID, dealID)
		if err != nil {
			return err
		}
		out, err = pgx.CollectRows(rows, pgx.RowToStructByName[EscrowDeposit])
		return err
	})
	return out, err
}

// ReceiveEscrowDeposit records a due deposit as received on the given day
// (today in the organization's time zone when nil); a deposit the
// brokerage holds posts trust cash (debit) against escrow held for clients
// (credit) in the same transaction. Errors: Forbidden without deal.write;
// NotFound for a deposit of a deal the actor may not see; Conflict when it
// is not due or its deal has ended, or the day's period is closed.
func (s *Service) ReceiveEscrowDeposit(ctx context.Context, actor realty.Actor, id realty.ID, on *realty.Date) (EscrowDeposit, error) {
	var out EscrowDeposit
	err := s.tx(ctx, actor, func(tx pgx.Tx) error {
		var err error
		out, err = s.ReceiveEscrowDepositTx(ctx, tx, actor, id, on)
		return err
	})
	return out, err
}

// ReceiveEscrowDepositTx is ReceiveEscrowDeposit inside the caller's
// transaction (an idempotent request's); same errors.
func (s *Service) ReceiveEscrowDepositTx(ctx context.Context, tx pgx.Tx, actor realty.Actor, id realty.ID, on *realty.Date) (EscrowDeposit, error) {
	if err := actor.Require("deal.write"); err != nil {
		return EscrowDeposit{}, err
	}
	dep, d, err := escrowDepositTx(ctx, tx, actor, id)
	if err != nil {
		return EscrowDeposit{}, err
	}
	if dep.Status != "due" || Final(d.Stage) {
		return EscrowDeposit{}, &realty.Error{Kind: realty.Conflict, Message: "the deposit is " + dep.Status + " and its deal " + d.Stage +
			": only a due deposit of an open deal is received", Fields: map[string]string{"status": "is " + dep.Status}}
	}
	if on == nil {
		day, err := escrowToday(ctx, tx, actor, s.now())
		if err != nil {
			return EscrowDeposit{}, err
		}
		on = &day
	}
	rows, err := tx.Query(ctx, `UPDATE deal.escrow_deposits SET status = 'received', received_on = $3
		WHERE organization_id = $1 AND id = $2 RETURNING `+escrowColumns, actor.OrgID, id, on)
	if err != nil {
		return EscrowDeposit{}, err
	}
	out, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[EscrowDeposit])
	if err != nil {
		return EscrowDeposit{}, err
	}
	return out, escrowPostTx(ctx, tx, actor, d, out, escrowReceiptSource, *on)
}

// escrowDepositTx reads a deposit and its deal FOR UPDATE; the actor must see the deal.
// NotFound otherwise.
func escrowDepositTx(ctx context.Context, tx pgx.Tx, actor realty.Actor, id realty.ID) (EscrowDeposit, Deal, error) {
	rows, err := tx.Query(ctx, `SELECT `+escrowColumns+` FROM deal.escrow_deposits WHERE organization_id = $1 AND id = $2 FOR UPDATE`, actor.OrgID, id)
	if err != nil {
		return EscrowDeposit{}, Deal{}, err
	}
	dep, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[EscrowDeposit])
	if err != nil {
		return EscrowDeposit{}, Deal{}, notFound(err, "escrow deposit")
	}
	// The deal is locked so that it cannot close or end between this read
	// and the caller's change of the deposit.
	d, err := GetTx(ctx, tx, actor, dep.DealID, true)
	if realty.KindOf(err) == realty.NotFound {
		err = &realty.Error{Kind: realty.NotFound, Message: "escrow deposit not found"}
	}
	return dep, d, err
}

// escrowToday is the day instant now falls on in the organization's time
// zone.
func escrowToday(ctx context.Context, tx pgx.Tx, actor realty.Actor, now time.Time) (realty.Date, error) {
	o, err := org.OrganizationTx(ctx, tx, actor)
	if err != nil {
		return realty.Date{}, err
	}
	return ledger.AccountingDate(now, o.TimeZone)
}

// escrowPostTx posts one movement of a deposit the brokerage holds (others
// are outside its books): its receipt into trust (trust cash debited,
// escrow held credited), or its release or refund out of trust (the
// reverse), dated on.
func escrowPostTx(ctx context.Context, tx pgx.Tx, actor realty.Actor, d Deal, dep EscrowDeposit, source string, on realty.Date) error {
	if dep.Holder != "brokerage" {
		return nil
	}
	memo := map[string]string{
		escrowReceiptSource: "Earnest money received into trust: ",
		escrowReleaseSource: "Earnest money released to the seller side at closing: ",
		escrowRefundSource:  "Earnest money refunded to the buyer: ",
	}[source] + d.Title
	in, out := dep.Amount, decimal.Zero
	if source != escrowReceiptSource {
		in, out = out, in
	}
	e := ledger.Entry{Date: &on, Memo: commissionMemo(memo, ""), SourceType: source, SourceID: &dep.ID, Lines: []ledger.Line{
		{SystemKey: ledger.TrustCash, Debit: in, Credit: out, PropertyID: d.PropertyID, Memo: "Earnest money"},
		{SystemKey: "escrow_held", Debit: out, Credit: in, PropertyID: d.PropertyID, Memo: "Earnest money"},
	}}
	_, err := ledger.PostDatedTx(ctx, tx, actor, e)
	return err
}
