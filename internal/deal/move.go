package deal

import (
	"context"
	"errors"

	"github.com/jackc/pgx/v5"
	"github.com/shopspring/decimal"

	"realty"
)

// MoveInput is one stage transition: the stage to move to and why. Moving
// to closed takes the closing date (today in UTC when unset) and the close
// price (the deal's price when unset).
type MoveInput struct {
	To          string           `json:"to" enum:"lead,active,offer,under_contract,due_diligence,clear_to_close,closed,fell_through,withdrawn"`
	Reason      string           `json:"reason,omitempty" maxLength:"1000"`
	ActualClose *realty.Date     `json:"actual_close,omitempty"`
	ClosePrice  *decimal.Decimal `json:"close_price,omitempty"`
}

// An Effect runs inside a transition's transaction after the deal's stage
// changed (d is the deal as moved): the listing follows its deal, earnest
// money is released, commissions are posted. An error undoes the move.
type Effect func(ctx context.Context, tx pgx.Tx, actor realty.Actor, d Deal, from string) error

// effects are the consequences of every transition, registered like guards.
var effects []Effect

// registerEffect adds e to what every transition does.
func registerEffect(e Effect) { effects = append(effects, e) }

// Move moves a deal to another stage: the machine must allow it, every
// guard must pass, and the deal must still be at the stage it was read at
// (of two concurrent moves one wins). The move, its history row and its
// effects are one transaction. Errors: Forbidden without deal.write;
// NotFound for a deal the actor may not see; Invalid (field "to") for a
// move the machine does not allow or a guard refuses, saying why;
// Conflict when the deal moved meanwhile.
func (s *Service) Move(ctx context.Context, actor realty.Actor, id realty.ID, in MoveInput) (Deal, error) {
	if err := actor.Require("deal.write"); err != nil {
		return Deal{}, err
	}
	var out Deal
	err := s.tx(ctx, actor, func(tx pgx.Tx) error {
		var err error
		out, err = s.MoveTx(ctx, tx, actor, id, in)
		return err
	})
	return out, err
}

// MoveTx is Move inside tx (the caller holds deal.write).
func (s *Service) MoveTx(ctx context.Context, tx pgx.Tx, actor realty.Actor, id realty.ID, in MoveInput) (Deal, error) {
	d, err := GetTx(ctx, tx, actor, id, false)
	if err != nil {
		return Deal{}, err
	}
	if err := checkMove(d.Stage, in.To); err != nil {
		return Deal{}, err
	}
	if in.To == Closed {
		if in.ActualClose == nil {
			today := realty.DateOf(s.now().UTC())
			in.ActualClose = &today
		}
		if in.ClosePrice == nil {
			in.ClosePrice = d.Price
		}
	}
	for _, g := range guards {
		if err := g(ctx, tx, actor, d, in.To); err != nil {
			return Deal{}, err
		}
	}
	moved, err := s.updateStageTx(ctx, tx, actor, d, in)
	if err != nil {
		return Deal{}, err
	}
	if err := historyTx(ctx, tx, actor, d.ID, d.Stage, in.To, in.Reason); err != nil {
		return Deal{}, err
	}
	ctx = s.withEffectDeps(ctx)
	for _, e := range effects {
		if err := e(ctx, tx, actor, moved, d.Stage); err != nil {
			return Deal{}, err
		}
	}
	return moved, nil
}

// checkMove refuses a transition the machine does not allow, naming the
// stages it does.
func checkMove(from, to string) error {
	if Allowed(from, to) {
		return nil
	}
	if Final(from) {
		return realty.FieldError("to", "the deal is "+from+" and moves no more")
	}
	return realty.FieldError("to", "a deal at "+from+" may move only to "+joinOr(Transitions[from])+", not "+to)
}

// updateStageTx changes the stage of d only if it is still at d.Stage.
func (s *Service) updateStageTx(ctx context.Context, tx pgx.Tx, actor realty.Actor, d Deal, in MoveInput) (Deal, error) {
	var closeDate *realty.Date
	var closePrice *decimal.Decimal
	if in.To == Closed {
		closeDate, closePrice = in.ActualClose, in.ClosePrice
	}
	rows, err := tx.Query(ctx, `UPDATE deal.deals SET stage = $3, stage_changed_at = $5, actual_close = $6,
		close_price = COALESCE($7, close_price), updated_at = now()
		WHERE organization_id = $1 AND id = $2 AND stage = $4 RETURNING `+dealColumns,
		actor.OrgID, d.ID, in.To, d.Stage, s.now(), closeDate, closePrice)
	if err != nil {
		return Deal{}, err
	}
	moved, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Deal])
	if errors.Is(err, pgx.ErrNoRows) {
		return Deal{}, &realty.Error{Kind: realty.Conflict, Message: "the deal moved meanwhile: reload it and try again",
			Fields: map[string]string{"to": "the deal is no longer at " + d.Stage}}
	}
	return moved, err
}

// joinOr writes "a, b or c".
func joinOr(xs []string) string {
	switch len(xs) {
	case 0:
		return "nothing"
	case 1:
		return xs[0]
	}
	out := xs[0]
	for _, x := range xs[1 : len(xs)-1] {
		out += ", " + x
	}
	return out + " or " + xs[len(xs)-1]
}
