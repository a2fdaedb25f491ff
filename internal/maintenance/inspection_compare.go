package maintenance

import (
	"context"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"

	"realty"
	"realty/internal/leasing"
)

// Condition is an item's rating and notes in one inspection.
type Condition struct {
	Rating *string `json:"rating,omitempty" enum:"new,good,fair,poor,damaged"`
	Notes  *string `json:"notes,omitempty"`
}

// ComparedItem is one room and item as the move-in and the move-out
// inspections found it (either nil when that inspection lacks the item).
// Worse is set when both rated it and the move-out rating is worse.
type ComparedItem struct {
	Room    string     `json:"room"`
	Item    string     `json:"item"`
	MoveIn  *Condition `json:"move_in,omitempty"`
	MoveOut *Condition `json:"move_out,omitempty"`
	Worse   bool       `json:"worse"`
}

// ProposedDeduction is a worsened item offered to a deposit disposition:
// the reason cites the item and both conditions; the manager enters the
// amount.
type ProposedDeduction struct {
	Reason string `json:"reason"`
}

// Comparison is a move-out inspection set against the move-in inspection
// of the same lease (or, lacking one, the unit's latest completed move-in
// before it): every item of either, in the move-out's order, and a
// proposed deduction per worsened item. MoveIn is nil when there is
// nothing to compare with (then nothing is flagged).
type Comparison struct {
	MoveOut    Inspection          `json:"move_out"`
	MoveIn     *Inspection         `json:"move_in,omitempty"`
	Items      []ComparedItem      `json:"items"`
	Worsened   int                 `json:"worsened" doc:"how many items are worse at move-out"`
	Deductions []ProposedDeduction `json:"proposed_deductions"`
}

// Compare compares a move-out inspection with its move-in inspection.
// Forbidden without maintenance.read; NotFound; Conflict naming kind for
// an inspection that is not a move-out.
func (s *Service) Compare(ctx context.Context, actor realty.Actor, id realty.ID) (Comparison, error) {
	if err := actor.Require("maintenance.read"); err != nil {
		return Comparison{}, err
	}
	var out Comparison
	err := s.tx(ctx, actor, func(tx pgx.Tx) error {
		mo, err := inspectionTx(ctx, tx, actor, id, false)
		if err != nil {
			return err
		}
		if mo.Kind != "move_out" {
			return &realty.Error{Kind: realty.Conflict, Message: "only a move-out inspection is compared with its move-in",
				Fields: map[string]string{"kind": "is " + mo.Kind}}
		}
		out, err = compareTx(ctx, tx, actor, mo)
		return err
	})
	return out, err
}

// LeaseComparison compares the latest move-out inspection of a lease with
// its move-in: what its deposit disposition may cite. Forbidden without
// maintenance.read; NotFound for a lease the actor may not see or one
// without a move-out inspection.
func (s *Service) LeaseComparison(ctx context.Context, actor realty.Actor, lease realty.ID) (Comparison, error) {
	if err := actor.Require("maintenance.read"); err != nil {
		return Comparison{}, err
	}
	var out Comparison
	err := s.tx(ctx, actor, func(tx pgx.Tx) error {
		if _, err := leasing.LeaseTx(ctx, tx, actor, lease); err != nil {
			return err
		}
		rows, err := tx.Query(ctx, `SELECT `+inspectionColumns+` FROM maintenance.inspections
			WHERE organization_id = $1 AND lease_id = $2 AND kind = 'move_out' AND ($3::uuid[] IS NULL OR property_id = ANY($3))
			ORDER BY scheduled_on DESC, created_at DESC, id DESC LIMIT 1`, actor.OrgID, lease, actor.PropertyScope)
		if err != nil {
			return err
		}
		mo, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Inspection])
		if err != nil {
			return notFound(err, "move-out inspection")
		}
		out, err = compareTx(ctx, tx, actor, mo)
		return err
	})
	return out, err
}

// baselineTx is the move-in inspection a move-out is compared with: the
// same lease's latest completed one, else the unit's latest completed one
// scheduled no later than the move-out.
func baselineTx(ctx context.Context, tx pgx.Tx, actor realty.Actor, mo Inspection) (*Inspection, error) {
	rows, err := tx.Query(ctx, `SELECT `+inspectionColumns+` FROM maintenance.inspections
		WHERE organization_id = $1 AND unit_id = $2 AND kind = 'move_in' AND status = 'completed'
		  AND ((lease_id = $3) IS TRUE OR scheduled_on <= $4)
		ORDER BY (lease_id = $3) IS TRUE DESC, completed_at DESC, id DESC LIMIT 1`, actor.OrgID, mo.UnitID, mo.LeaseID, mo.ScheduledOn)
	if err != nil {
		return nil, err
	}
	ins, err := pgx.CollectRows(rows, pgx.RowToStructByName[Inspection])
	if err != nil || len(ins) == 0 {
		return nil, err
	}
	return &ins[0], nil
}

func compareTx(ctx context.Context, tx pgx.Tx, actor realty.Actor, mo Inspection) (Comparison, error) {
	out := Comparison{MoveOut: mo, Items: []ComparedItem{}, Deductions: []ProposedDeduction{}}
	after, err := itemsTx(ctx, tx, actor, mo.ID)
	if err != nil {
		return out, err
	}
	var before []InspectionItem
	if out.MoveIn, err = baselineTx(ctx, tx, actor, mo); err != nil {
		return out, err
	}
	if out.MoveIn != nil {
		if before, err = itemsTx(ctx, tx, actor, out.MoveIn.ID); err != nil {
			return out, err
		}
	}
	out.Items = compareItems(before, after)
	for _, c := range out.Items {
		if c.Worse {
			out.Worsened++
			out.Deductions = append(out.Deductions, ProposedDeduction{Reason: deductionReason(c)})
		}
	}
	return out, nil
}

// compareItems pairs items by room and item (ignoring case and spaces
// around), in the move-out's order, then the move-in's items the move-out
// lacks.
func compareItems(before, after []InspectionItem) []ComparedItem {
	key := func(i InspectionItem) string {
		return strings.ToLower(strings.TrimSpace(i.Room)) + "\x00" + strings.ToLower(strings.TrimSpace(i.Item))
	}
	in := map[string]InspectionItem{}
	for _, i := range before {
		in[key(i)] = i
	}
	out := make([]ComparedItem, 0, len(after))
	for _, a := range after {
		c := ComparedItem{Room: a.Room, Item: a.Item, MoveOut: &Condition{Rating: a.Rating, Notes: a.Notes}}
		if b, ok := in[key(a)]; ok {
			c.MoveIn = &Condition{Rating: b.Rating, Notes: b.Notes}
			delete(in, key(a))
			c.Worse = ratingRank(b.Rating) >= 0 && ratingRank(a.Rating) > ratingRank(b.Rating)
		}
		out = append(out, c)
	}
	for _, b := range before {
		if _, ok := in[key(b)]; ok {
			out = append(out, ComparedItem{Room: b.Room, Item: b.Item, MoveIn: &Condition{Rating: b.Rating, Notes: b.Notes}})
		}
	}
	return out
}

// deductionReason cites a worsened item and both its conditions, within the
// 300 characters a deduction's reason may hold.
func deductionReason(c ComparedItem) string {
	r := fmt.Sprintf("%s — %s: %s at move-in, %s at move-out", c.Room, c.Item, *c.MoveIn.Rating, *c.MoveOut.Rating)
	if c.MoveOut.Notes != nil && strings.TrimSpace(*c.MoveOut.Notes) != "" {
		r += " (" + strings.TrimSpace(*c.MoveOut.Notes) + ")"
	}
	if len([]rune(r)) > 300 {
		r = string([]rune(r)[:299]) + "…"
	}
	return r
}
