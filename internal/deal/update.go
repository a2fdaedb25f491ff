package deal

import (
	"context"

	"github.com/jackc/pgx/v5"
	"github.com/shopspring/decimal"

	"realty"
)

// Patch changes a deal's editable fields; nil leaves a field as it is. The
// stage changes only by Move; kind and side are fixed when the deal opens.
type Patch struct {
	Title         *string          `json:"title,omitempty"`
	PropertyID    *realty.ID       `json:"property_id,omitempty"`
	ListingID     *realty.ID       `json:"listing_id,omitempty"`
	AgentID       *realty.ID       `json:"agent_id,omitempty"`
	Price         *decimal.Decimal `json:"price,omitempty"`
	ContractDate  *realty.Date     `json:"contract_date,omitempty"`
	ExpectedClose *realty.Date     `json:"expected_close,omitempty"`
	Notes         *string          `json:"notes,omitempty"`
}

// Update changes the fields set in p of a deal the actor may change.
// Errors: Forbidden without deal.write, or reassigning the agent without
// deal.manage; NotFound for a deal the actor may not see; Invalid naming
// the field for bad input or a property, listing or member not of the
// organization; Conflict naming listing_id when the deal is under
// contract or later (its listing follows it), or naming the field of a
// change to a deal that ended (closed, fell through or withdrawn: only its
// notes change). Moving the contract date or expected close recomputes
// the due dates of the deal's milestones in the same transaction; dates
// fixed on the deal (overrides) and in the template stay as they are.
func (s *Service) Update(ctx context.Context, actor realty.Actor, id realty.ID, p Patch) (Deal, error) {
	if err := actor.Require("deal.write"); err != nil {
		return Deal{}, err
	}
	var out Deal
	err := s.tx(ctx, actor, func(tx pgx.Tx) error {
		cur, err := GetTx(ctx, tx, actor, id, true)
		if err != nil {
			return err
		}
		if err := flowCheckPatch(actor, cur, p); err != nil {
			return err
		}
		rows, err := tx.Query(ctx, `UPDATE deal.deals SET title = coalesce($3, title), property_id = coalesce($4, property_id),
			listing_id = coalesce($5, listing_id), agent_id = coalesce($6, agent_id), price = coalesce($7, price),
			contract_date = coalesce($8, contract_date), expected_close = coalesce($9, expected_close),
			notes = coalesce($10, notes), updated_at = now()
			WHERE organization_id = $1 AND id = $2 RETURNING `+dealColumns,
			actor.OrgID, id, p.Title, p.PropertyID, p.ListingID, p.AgentID, p.Price, p.ContractDate, p.ExpectedClose, p.Notes)
		if err != nil {
			return err
		}
		if out, err = pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Deal]); err != nil {
			return err
		}
		if datesMoved(cur, out) {
			return recomputeTx(ctx, tx, actor, out, nil)
		}
		return nil
	})
	return out, err
}

// datesMoved reports whether an update moved a date milestones are
// computed from, so their due dates follow in the same transaction.
func datesMoved(before, after Deal) bool {
	return !sameDate(before.ContractDate, after.ContractDate) || !sameDate(before.ExpectedClose, after.ExpectedClose)
}

// flowCheckPatch refuses what a patch of cur may not change.
func flowCheckPatch(actor realty.Actor, cur Deal, p Patch) error {
	if p.AgentID != nil && (cur.AgentID == nil || *p.AgentID != *cur.AgentID) {
		if err := actor.Require("deal.manage"); err != nil {
			return &realty.Error{Kind: realty.Forbidden, Message: "only a broker may reassign a deal",
				Fields: map[string]string{"agent_id": "only a broker may reassign a deal"}}
		}
	}
	if Final(cur.Stage) {
		for field, set := range map[string]bool{"title": p.Title != nil, "property_id": p.PropertyID != nil,
			"listing_id": p.ListingID != nil, "agent_id": p.AgentID != nil, "price": p.Price != nil,
			"contract_date": p.ContractDate != nil, "expected_close": p.ExpectedClose != nil} {
			if set {
				return &realty.Error{Kind: realty.Conflict, Message: "the deal is " + cur.Stage + ": only its notes change",
					Fields: map[string]string{field: "the deal is " + cur.Stage + ": only its notes change"}}
			}
		}
	}
	if p.ListingID != nil && contracted[cur.Stage] && (cur.ListingID == nil || *p.ListingID != *cur.ListingID) {
		return &realty.Error{Kind: realty.Conflict, Message: "the deal is under contract on its listing",
			Fields: map[string]string{"listing_id": "fixed while the deal is under contract: its listing is Pending with it"}}
	}
	if p.Price != nil && p.Price.IsNegative() {
		return realty.FieldError("price", "must not be negative")
	}
	return nil
}
