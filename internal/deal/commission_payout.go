package deal

import (
	"context"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/shopspring/decimal"

	"realty"
	"realty/internal/ledger"
)

// payoutSource is the source type of a split's payment entry; its source
// id is the split.
const payoutSource = "commission_payout"

// PayoutInput pays a split: the day it was paid (today in the
// organization's time zone when unset) and the payment's reference.
type PayoutInput struct {
	PaidOn    *realty.Date `json:"paid_on,omitempty" doc:"default today in the organization's time zone"`
	Reference *string      `json:"reference,omitempty" maxLength:"100" doc:"e.g. a check number or a transfer id"`
}

// PayoutInput's reference is trimmed and at most 100 characters.
func (in *PayoutInput) validate() error {
	if in.Reference == nil {
		return nil
	}
	r := strings.TrimSpace(*in.Reference)
	if r == "" || len([]rune(r)) > 100 {
		return realty.FieldError("reference", "must be 1 to 100 characters")
	}
	in.Reference = &r
	return nil
}

// PayCommissionSplit records that an agent (or the referral party) was
// paid their split of a posted commission, in full: partial payments are
// not supported, a split is paid once. It posts commissions payable ↔
// operating cash by the split's amount, dated the day paid, and returns
// the split. Errors: Forbidden without deal.manage; NotFound for a split
// not of the organization; Invalid naming reference; Conflict when the
// commission is not posted yet (the deal has not closed), the split is
// the brokerage's own or of no amount, or it was paid already.
func (s *Service) PayCommissionSplit(ctx context.Context, actor realty.Actor, splitID realty.ID, in PayoutInput) (Split, error) {
	var out Split
	err := s.tx(ctx, actor, func(tx pgx.Tx) error {
		var err error
		out, err = s.PayCommissionSplitTx(ctx, tx, actor, splitID, in)
		return err
	})
	return out, err
}

// PayCommissionSplitTx is PayCommissionSplit inside the caller's
// transaction (an idempotent request's); same errors.
func (s *Service) PayCommissionSplitTx(ctx context.Context, tx pgx.Tx, actor realty.Actor, splitID realty.ID, in PayoutInput) (Split, error) {
	if err := actor.Require("deal.manage"); err != nil {
		return Split{}, err
	}
	if err := in.validate(); err != nil {
		return Split{}, err
	}
	sp, d, err := splitForPayTx(ctx, tx, actor, splitID)
	if err != nil {
		return Split{}, err
	}
	if in.PaidOn == nil {
		day, err := escrowToday(ctx, tx, actor, s.now())
		if err != nil {
			return Split{}, err
		}
		in.PaidOn = &day
	}
	rows, err := tx.Query(ctx, `UPDATE deal.commission_splits SET paid_on = $3, paid_reference = $4, paid_at = now(), paid_by = $5
		WHERE organization_id = $1 AND id = $2 AND paid_on IS NULL RETURNING `+splitColumns,
		actor.OrgID, splitID, in.PaidOn, in.Reference, memberOrNil(actor))
	if err != nil {
		return Split{}, err
	}
	if sp, err = pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Split]); err != nil {
		return Split{}, err
	}
	_, err = ledger.PostDatedTx(ctx, tx, actor, payoutEntry(d, sp))
	return sp, err
}

// splitForPayTx reads a split FOR UPDATE with its deal and refuses one
// that cannot be paid (see PayCommissionSplit).
func splitForPayTx(ctx context.Context, tx pgx.Tx, actor realty.Actor, splitID realty.ID) (Split, Deal, error) {
	var dealID realty.ID
	var posted bool
	err := tx.QueryRow(ctx, `SELECT c.deal_id, c.posted_at IS NOT NULL FROM deal.commission_splits s
		JOIN deal.commissions c ON c.organization_id = s.organization_id AND c.id = s.commission_id
		WHERE s.organization_id = $1 AND s.id = $2 FOR UPDATE OF s`, actor.OrgID, splitID).Scan(&dealID, &posted)
	if err != nil {
		return Split{}, Deal{}, notFound(err, "commission split")
	}
	d, err := GetTx(ctx, tx, actor, dealID, false)
	if err != nil {
		return Split{}, Deal{}, err
	}
	rows, err := tx.Query(ctx, `SELECT `+splitColumns+` FROM deal.commission_splits WHERE organization_id = $1 AND id = $2`, actor.OrgID, splitID)
	if err != nil {
		return Split{}, Deal{}, err
	}
	sp, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Split])
	if err != nil {
		return Split{}, Deal{}, err
	}
	refuse := func(why string) (Split, Deal, error) {
		return Split{}, Deal{}, &realty.Error{Kind: realty.Conflict, Message: why, Fields: map[string]string{"id": why}}
	}
	switch {
	case !posted:
		return refuse("the commission is paid out once the deal closed and it was posted")
	case sp.Payee == "brokerage":
		return refuse("the brokerage's own split is not paid out")
	case !sp.Amount.IsPositive():
		return refuse("the split is of no amount")
	case sp.PaidOn != nil:
		return refuse("the split was paid on " + sp.PaidOn.String())
	}
	return sp, d, nil
}

// payoutEntry is the payment of split sp of deal d: commissions payable
// debited, operating cash credited, by the split's amount.
func payoutEntry(d Deal, sp Split) ledger.Entry {
	memo := commissionMemo("Commission paid to ", sp.PayeeName)
	if sp.PaidReference != nil {
		memo = commissionMemo("Commission paid to "+sp.PayeeName+", ref. ", *sp.PaidReference)
	}
	line := func(key string, debit, credit decimal.Decimal) ledger.Line {
		return ledger.Line{PropertyID: d.PropertyID, SystemKey: key, Debit: debit, Credit: credit, Memo: memo}
	}
	return ledger.Entry{Date: sp.PaidOn, Memo: commissionMemo("Commission paid: ", d.Title), SourceType: payoutSource, SourceID: &sp.ID,
		Lines: []ledger.Line{line("commissions_payable", sp.Amount, decimal.Zero), line("operating_cash", decimal.Zero, sp.Amount)}}
}
