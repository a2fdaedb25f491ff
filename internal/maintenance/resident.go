package maintenance

import (
	"context"
	"slices"

	"github.com/jackc/pgx/v5"

	"realty"
	"realty/internal/leasing"
)

// RequestInput is what a resident's maintenance request takes: the unit
// (one they rent today) and what is wrong.
type RequestInput struct {
	UnitID            realty.ID
	Title             string
	Description       *string
	Category          string
	Priority          string
	PermissionToEnter bool
	EntryNotes        *string
}

// Submit files a resident's request: a work order with source resident,
// reported by them, for a unit their tenancy rents today (their tenant on
// it). Forbidden without maintenance.request; Invalid naming unit_id for a
// unit they do not rent (or when they are linked to no tenant), or the
// field at fault.
func (s *Service) Submit(ctx context.Context, actor realty.Actor, in RequestInput) (WorkOrder, error) {
	if err := actor.Require("maintenance.request"); err != nil {
		return WorkOrder{}, err
	}
	if !actor.Resident || actor.TenantID.IsZero() {
		return WorkOrder{}, realty.FieldError("unit_id", "you rent no unit here")
	}
	if in.UnitID.IsZero() {
		return WorkOrder{}, realty.FieldError("unit_id", "is required")
	}
	tenant := actor.TenantID
	wo := WorkOrderInput{UnitID: &in.UnitID, TenantID: &tenant, Title: in.Title, Description: in.Description,
		Category: in.Category, Priority: in.Priority, PermissionToEnter: in.PermissionToEnter, EntryNotes: in.EntryNotes}
	var out WorkOrder
	err := s.tx(ctx, actor, func(tx pgx.Tx) error {
		tenants, err := s.placeTx(ctx, tx, actor, &wo)
		if err != nil {
			return err
		}
		if !slices.Contains(tenants, actor.TenantID) {
			return realty.FieldError("unit_id", "is not a unit you rent")
		}
		out, err = s.insertTx(ctx, tx, actor, wo, "resident", tenants)
		return err
	})
	return out, err
}

// MyUnits returns the units the resident's tenancy rents today (their
// active leases' units), for the request form. Forbidden without
// maintenance.request.
func (s *Service) MyUnits(ctx context.Context, actor realty.Actor) ([]leasing.RentedUnit, error) {
	if err := actor.Require("maintenance.request"); err != nil {
		return nil, err
	}
	out := []leasing.RentedUnit{}
	if !actor.Resident || actor.TenantID.IsZero() {
		return out, nil
	}
	err := s.tx(ctx, actor, func(tx pgx.Tx) error {
		day, err := s.orgTodayTx(ctx, tx, actor)
		if err != nil {
			return err
		}
		out, err = leasing.TenantUnitsTx(ctx, tx, actor, actor.TenantID, day)
		return err
	})
	return out, err
}
