package maintenance

import (
	"context"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/shopspring/decimal"

	"realty"
)

// next are the statuses each status may move to: open → assigned →
// in_progress → completed, canceled from any but completed, and a
// reassignment keeps an assigned or started order where it is.
var next = map[string][]string{
	"open":        {"assigned", "canceled"},
	"assigned":    {"assigned", "in_progress", "canceled"},
	"in_progress": {"in_progress", "completed", "canceled"},
	"completed":   {},
	"canceled":    {},
}

// CanMove reports whether a work order in status from may move to to.
func CanMove(from, to string) bool { return slices.Contains(next[from], to) }

// refused is the Conflict of a transition the status does not allow.
func refused(w WorkOrder, action string) error {
	return &realty.Error{Kind: realty.Conflict, Message: "work order is " + w.Status + ": cannot " + action,
		Fields: map[string]string{"status": "is " + w.Status}}
}

// AssignInput names who does the work: a member or a vendor, never both;
// when to, and the estimate.
type AssignInput struct {
	AssigneeID    *realty.ID
	VendorID      *realty.ID
	ScheduledAt   *time.Time
	EstimatedCost *decimal.Decimal
}

// Assign gives an open work order to a member or a vendor (it becomes
// assigned) or reassigns an assigned or started one. Forbidden without
// maintenance.manage; NotFound; Invalid naming assignee_id or vendor_id;
// Conflict naming status for a completed or canceled order.
func (s *Service) Assign(ctx context.Context, actor realty.Actor, id realty.ID, in AssignInput) (WorkOrder, error) {
	if err := actor.Require("maintenance.manage"); err != nil {
		return WorkOrder{}, err
	}
	if in.AssigneeID == nil && in.VendorID == nil {
		return WorkOrder{}, realty.FieldError("assignee_id", "name a member or a vendor")
	}
	if in.AssigneeID != nil && in.VendorID != nil {
		return WorkOrder{}, realty.FieldError("vendor_id", "assign a member or a vendor, not both")
	}
	return s.move(ctx, actor, id, "assign", func(w WorkOrder) string {
		if w.Status == "open" {
			return "assigned"
		}
		return w.Status
	}, `assignee_id = $4, vendor_id = $5, scheduled_at = coalesce($6, scheduled_at), estimated_cost = coalesce($7, estimated_cost)`,
		in.AssigneeID, in.VendorID, in.ScheduledAt, in.EstimatedCost)
}

// Start marks an assigned work order in progress. Forbidden without
// maintenance.write; NotFound; Conflict naming status from another status.
func (s *Service) Start(ctx context.Context, actor realty.Actor, id realty.ID) (WorkOrder, error) {
	if err := actor.Require("maintenance.write"); err != nil {
		return WorkOrder{}, err
	}
	return s.move(ctx, actor, id, "start", func(WorkOrder) string { return "in_progress" }, "")
}

// Complete marks a work order in progress completed now, with its actual
// cost when known. Forbidden without maintenance.write; NotFound; Invalid
// naming actual_cost; Conflict naming status from another status.
func (s *Service) Complete(ctx context.Context, actor realty.Actor, id realty.ID, actualCost *decimal.Decimal) (WorkOrder, error) {
	if err := actor.Require("maintenance.write"); err != nil {
		return WorkOrder{}, err
	}
	return s.move(ctx, actor, id, "complete", func(WorkOrder) string { return "completed" },
		`completed_at = $4, actual_cost = coalesce($5, actual_cost)`, s.now(), actualCost)
}

// Cancel cancels a work order not yet completed, with a reason. Forbidden
// without maintenance.manage; NotFound; Invalid naming reason; Conflict
// naming status for a completed or canceled order.
func (s *Service) Cancel(ctx context.Context, actor realty.Actor, id realty.ID, reason string) (WorkOrder, error) {
	if err := actor.Require("maintenance.manage"); err != nil {
		return WorkOrder{}, err
	}
	return s.move(ctx, actor, id, "cancel", func(WorkOrder) string { return "canceled" }, `canceled_reason = nullif(btrim($4), '')`, reason)
}

// move locks the work order, checks that it may go to the status to(w)
// and writes the status with set (columns bound from $4 on, args).
func (s *Service) move(ctx context.Context, actor realty.Actor, id realty.ID, action string, to func(WorkOrder) string,
	set string, args ...any) (WorkOrder, error) {
	f, err := fenceOf(actor)
	if err != nil {
		return WorkOrder{}, err
	}
	var out WorkOrder
	err = s.tx(ctx, actor, func(tx pgx.Tx) error {
		w, err := s.workOrderTx(ctx, tx, actor, f, id, true)
		if err != nil {
			return err
		}
		status := to(w)
		if !CanMove(w.Status, status) {
			return refused(w, action)
		}
		if set != "" {
			set = ", " + set
		}
		rows, err := tx.Query(ctx, `UPDATE maintenance.work_orders AS w SET status = $3`+set+`
			WHERE w.organization_id = $1 AND w.id = $2 RETURNING `+workOrderColumns("now()"),
			append([]any{actor.OrgID, id, status}, args...)...)
		if err != nil {
			return err
		}
		out, err = pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[WorkOrder])
		return err
	})
	return out, err
}
