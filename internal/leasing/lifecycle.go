package leasing

import (
	"context"

	"github.com/jackc/pgx/v5"
	"github.com/shopspring/decimal"

	"realty"
	"realty/internal/postgres"
	"realty/internal/property"
)

// conflictStatus is the Conflict for a lease not in the status an action
// needs.
func conflictStatus(l Lease, action string) error {
	return &realty.Error{Kind: realty.Conflict, Message: "cannot " + action + " a " + l.Status + " lease",
		Fields: map[string]string{"status": "is " + l.Status}}
}

// Activate makes a draft lease active and its unit occupied, in one
// transaction. Forbidden without lease.manage; NotFound; Conflict naming
// status for a lease that is not a draft, or naming start_date and the
// clashing lease when another active lease of the unit overlaps (a failed
// activation leaves the unit as it was).
func (s *Service) Activate(ctx context.Context, actor realty.Actor, id realty.ID) (Lease, error) {
	if err := actor.Require("lease.manage"); err != nil {
		return Lease{}, err
	}
	var out, l Lease
	err := s.tx(ctx, actor, func(tx pgx.Tx) error {
		var err error
		if l, err = leaseTx(ctx, tx, actor, id, true); err != nil {
			return err
		}
		out, err = activateTx(ctx, tx, actor, l)
		return err
	})
	return out, s.clash(ctx, actor, l.ID, l.UnitID, l.StartDate, l.EndDate, err)
}

func activateTx(ctx context.Context, tx pgx.Tx, actor realty.Actor, l Lease) (Lease, error) {
	if l.Status != "draft" {
		return Lease{}, conflictStatus(l, "activate")
	}
	if _, err := tx.Exec(ctx, `UPDATE leasing.leases SET status = 'active' WHERE organization_id = $1 AND id = $2`,
		actor.OrgID, l.ID); err != nil {
		return Lease{}, err
	}
	if _, err := property.SetUnitStatusTx(ctx, tx, actor, l.UnitID, "occupied"); err != nil {
		return Lease{}, err
	}
	return leaseTx(ctx, tx, actor, l.ID, false)
}

// clash turns a violation of leases_no_overlap by lease id of unit over
// [start, end] into a Conflict naming the active lease in the way; other
// errors pass through. The constraint decided (and the transaction that
// tried is over); this read only names the winner.
func (s *Service) clash(ctx context.Context, actor realty.Actor, id, unit realty.ID, start realty.Date, end *realty.Date, err error) error {
	if postgres.ConstraintOf(err) != "leases_no_overlap" {
		return err
	}
	type other struct {
		ID        realty.ID    `db:"id"`
		StartDate realty.Date  `db:"start_date"`
		EndDate   *realty.Date `db:"end_date"`
	}
	found, rerr := postgres.ReadAll[other](ctx, s.pool, actor, `SELECT o.id, o.start_date, o.end_date FROM leasing.leases o
		WHERE o.organization_id = $1 AND o.unit_id = $2 AND o.status = 'active' AND o.id <> $3
		  AND daterange(o.start_date, coalesce(o.end_date, 'infinity'), '[]') && daterange($4, coalesce($5, 'infinity'::date), '[]')
		ORDER BY o.start_date LIMIT 1`, actor.OrgID, unit, id, start, end)
	msg := "another active lease of the unit overlaps these dates"
	if rerr == nil && len(found) == 1 {
		o := found[0]
		end := "open-ended"
		if o.EndDate != nil {
			end = "to " + o.EndDate.String()
		}
		msg = "overlaps active lease " + o.ID.String() + " from " + o.StartDate.String() + " " + end
	}
	return &realty.Error{Kind: realty.Conflict, Message: msg, Fields: map[string]string{"start_date": msg}, Err: err}
}

// Terminate ends an active lease early on date for reason and frees its
// unit (unless another active lease of the unit remains), in one
// transaction. Forbidden without lease.manage; NotFound; Conflict naming
// status for a lease that is not active; Invalid naming date.
func (s *Service) Terminate(ctx context.Context, actor realty.Actor, id realty.ID, date realty.Date, reason string) (Lease, error) {
	if err := actor.Require("lease.manage"); err != nil {
		return Lease{}, err
	}
	if date.IsZero() {
		return Lease{}, realty.FieldError("date", "is required")
	}
	var out Lease
	err := s.tx(ctx, actor, func(tx pgx.Tx) error {
		l, err := leaseTx(ctx, tx, actor, id, true)
		if err != nil {
			return err
		}
		if l.Status != "active" {
			return conflictStatus(l, "terminate")
		}
		if date.Before(l.StartDate) {
			return realty.FieldError("date", "is before the lease starts")
		}
		if _, err := tx.Exec(ctx, `UPDATE leasing.leases SET status = 'terminated', terminated_on = $3, termination_reason = nullif($4, ''),
			end_date = CASE WHEN end_date IS NULL OR end_date > $3 THEN $3 ELSE end_date END
			WHERE organization_id = $1 AND id = $2`, actor.OrgID, id, date, reason); err != nil {
			return err
		}
		if err := freeUnitTx(ctx, tx, actor, l.UnitID); err != nil {
			return err
		}
		out, err = leaseTx(ctx, tx, actor, id, false)
		return err
	})
	return out, err
}

// freeUnitTx sets a unit vacant unless an active lease of it remains.
func freeUnitTx(ctx context.Context, tx pgx.Tx, actor realty.Actor, unitID realty.ID) error {
	var active bool
	if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT FROM leasing.leases WHERE organization_id = $1 AND unit_id = $2
		AND status = 'active')`, actor.OrgID, unitID).Scan(&active); err != nil || active {
		return err
	}
	_, err := property.SetUnitStatusTx(ctx, tx, actor, unitID, "vacant")
	return err
}

// RenewInput is what a renewal takes: the successor's dates (start the
// day after the old end by default, end required for a fixed lease), its
// type (the old one's by default), an increase (the old lease's
// increase_pct by default) and whether to activate it at once.
type RenewInput struct {
	StartDate   *realty.Date
	EndDate     *realty.Date
	LeaseType   string
	IncreasePct *decimal.Decimal
	Activate    bool
}

// Renew creates the successor of an active lease, with the rent raised by
// the increase (half-even at the cent), and marks the old one renewed; the
// successor is a draft, or active when in.Activate (the unit stays
// occupied). Forbidden without lease.manage; NotFound; Conflict naming
// status for a lease that is not active or already renewed; Invalid naming
// the field.
func (s *Service) Renew(ctx context.Context, actor realty.Actor, id realty.ID, in RenewInput) (Lease, error) {
	if err := actor.Require("lease.manage"); err != nil {
		return Lease{}, err
	}
	var out Lease
	var next LeaseInput
	newID := realty.NewID()
	err := s.tx(ctx, actor, func(tx pgx.Tx) error {
		old, err := leaseTx(ctx, tx, actor, id, true)
		if err != nil {
			return err
		}
		if old.Status != "active" {
			return conflictStatus(old, "renew")
		}
		if next, err = successor(old, in); err != nil {
			return err
		}
		// The old lease leaves the active set first, so the successor's
		// activation does not clash with it.
		if _, err := tx.Exec(ctx, `UPDATE leasing.leases SET status = 'renewed' WHERE organization_id = $1 AND id = $2`,
			actor.OrgID, id); err != nil {
			return err
		}
		if out, err = createLeaseTx(ctx, tx, actor, newID, &old.ID, next); err != nil {
			return err
		}
		if in.Activate {
			out, err = activateTx(ctx, tx, actor, out)
		} else {
			err = freeUnitTx(ctx, tx, actor, old.UnitID)
		}
		return err
	})
	return out, s.clash(ctx, actor, newID, next.UnitID, next.StartDate, next.EndDate, err)
}

// successor is the LeaseInput of old's renewal by in.
func successor(old Lease, in RenewInput) (LeaseInput, error) {
	pct := old.IncreasePct
	if in.IncreasePct != nil {
		pct = *in.IncreasePct
	}
	next := LeaseInput{UnitID: old.UnitID, Tenants: old.Tenants, LeaseType: old.LeaseType, EndDate: in.EndDate,
		Rent: ApplyIncrease(old.Rent, pct), RentDueDay: old.RentDueDay, Deposit: old.Deposit, LateFeeKind: old.LateFeeKind,
		LateFeeAmount: old.LateFeeAmount, LateFeePercent: old.LateFeePercent, LateFeeGraceDays: &old.LateFeeGraceDays,
		LateFeeCap: old.LateFeeCap, AutoRenew: old.AutoRenew, NoticeDays: &old.NoticeDays, IncreasePct: old.IncreasePct,
		Charges: old.Charges}
	if in.LeaseType != "" {
		next.LeaseType = in.LeaseType
	}
	switch {
	case in.StartDate != nil:
		next.StartDate = *in.StartDate
	case old.EndDate != nil:
		next.StartDate = old.EndDate.AddDays(1)
	default:
		return LeaseInput{}, realty.FieldError("start_date", "is required to renew an open-ended lease")
	}
	return next, next.normalize()
}

// ApplyIncrease is rent raised by pct percent, rounded half-even to the
// cent.
func ApplyIncrease(rent, pct decimal.Decimal) decimal.Decimal {
	return rent.Mul(decimal.NewFromInt(100).Add(pct)).Div(decimal.NewFromInt(100)).RoundBank(2)
}

// MoveIn records the day the tenants moved in and makes each tenant
// active. Forbidden without lease.manage; NotFound; Conflict naming status
// for a lease that is not active.
func (s *Service) MoveIn(ctx context.Context, actor realty.Actor, id realty.ID, date realty.Date) (Lease, error) {
	return s.move(ctx, actor, id, date, `move_in_date`, "active")
}

// MoveOut records the day the tenants moved out and makes each tenant
// moved_out (the lease itself ends by Terminate or at its end date).
// Forbidden without lease.manage; NotFound; Conflict naming status for a
// lease never activated.
func (s *Service) MoveOut(ctx context.Context, actor realty.Actor, id realty.ID, date realty.Date) (Lease, error) {
	return s.move(ctx, actor, id, date, `move_out_date`, "moved_out")
}

func (s *Service) move(ctx context.Context, actor realty.Actor, id realty.ID, date realty.Date, column, tenantStatus string) (Lease, error) {
	if err := actor.Require("lease.manage"); err != nil {
		return Lease{}, err
	}
	if date.IsZero() {
		return Lease{}, realty.FieldError("date", "is required")
	}
	var out Lease
	err := s.tx(ctx, actor, func(tx pgx.Tx) error {
		l, err := leaseTx(ctx, tx, actor, id, true)
		if err != nil {
			return err
		}
		if l.Status == "draft" || (column == "move_in_date" && l.Status != "active") {
			return conflictStatus(l, "record a move for")
		}
		if _, err := tx.Exec(ctx, `UPDATE leasing.leases SET `+column+` = $3 WHERE organization_id = $1 AND id = $2`,
			actor.OrgID, id, date); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE leasing.tenants SET status = $3 WHERE organization_id = $1 AND id = ANY($2)`,
			actor.OrgID, tenantIDs(l), tenantStatus); err != nil {
			return err
		}
		out, err = leaseTx(ctx, tx, actor, id, false)
		return err
	})
	return out, err
}

func tenantIDs(l Lease) []realty.ID {
	ids := make([]realty.ID, len(l.Tenants))
	for i, t := range l.Tenants {
		ids[i] = t.TenantID
	}
	return ids
}
