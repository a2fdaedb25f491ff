package leasing

import (
	"context"

	"realty"
	"realty/internal/ledger"
)

// Occupancy and rent rolls are materialized through the ledger's report
// snapshots (ledger.Materialize; docs/ledger.md, "Materialized reports"):
// their watermark is the newest change among the leases, lease tenants,
// tenants and lease charges (leasesMark) and the other domains' inputs
// their callers name.

// Occupancy reads the units the actor can see by status (through units)
// and lists those of status (every unit when empty), each vacant one with
// the day it became vacant: the latest move-out, termination or end date
// of its expired or terminated leases up to asOf, else the day the unit
// was created. Given marks of what units reads (property.UnitsMarkSQL)
// it is served from its snapshot while neither those nor the leases show a
// change (at most ledger.SnapshotMaxAge behind a writer in flight).
// Forbidden without lease.read or property.read; Invalid naming status
// for an unknown status.
func (s *Service) Occupancy(ctx context.Context, actor realty.Actor, asOf realty.Date, status string, units UnitStatesSource, marks ...ledger.Mark) (Occupancy, error) {
	if err := actor.Require("lease.read"); err != nil {
		return Occupancy{}, err
	}
	if len(marks) == 0 || s.books == nil {
		return s.occupancy(ctx, actor, asOf, status, units)
	}
	if err := actor.Require("property.read"); err != nil {
		return Occupancy{}, err
	}
	r := ledger.Report{Kind: "occupancy", Params: asOf.String() + "|" + status, Marks: append([]ledger.Mark{leasesMarkSQL}, marks...)}
	return ledger.Materialize(ctx, s.books, actor, r, func(ctx context.Context) (Occupancy, error) {
		return s.occupancy(ctx, actor, asOf, status, units)
	})
}

// RentRoll lists a property's units by number, each with its active lease
// (the latest-starting one, should a renewal overlap), primary tenant and
// balance, and the total rent and balance. With src.Marks it is served
// from its snapshot while neither they nor the leases show a change (at
// most ledger.SnapshotMaxAge behind a writer in flight). Forbidden without
// lease.read, property.read (the units) or invoice.read (the balances);
// NotFound for a property the actor cannot see.
func (s *Service) RentRoll(ctx context.Context, actor realty.Actor, propertyID realty.ID, src RentRollSources) (RentRoll, error) {
	if err := actor.Require("lease.read"); err != nil {
		return RentRoll{}, err
	}
	if len(src.Marks) == 0 || s.books == nil {
		return s.rentRoll(ctx, actor, propertyID, src)
	}
	for _, p := range []string{"property.read", "invoice.read"} {
		if err := actor.Require(p); err != nil {
			return RentRoll{}, err
		}
	}
	r := ledger.Report{Kind: "rent_roll", Params: propertyID.String(), Marks: append([]ledger.Mark{leasesMarkSQL}, src.Marks...)}
	return ledger.Materialize(ctx, s.books, actor, r, func(ctx context.Context) (RentRoll, error) {
		return s.rentRoll(ctx, actor, propertyID, src)
	})
}

// leasesMarkSQL reads the newest change to organization $1's leases,
// their tenants and charges and the tenants (NULL when none): one probe
// down each table's updated_at index. A lease's tenants and charges are
// replaced only with the lease itself updated.
const leasesMarkSQL = `SELECT greatest(
	(SELECT max(updated_at) FROM leasing.leases WHERE organization_id = $1),
	(SELECT max(updated_at) FROM leasing.lease_tenants WHERE organization_id = $1),
	(SELECT max(updated_at) FROM leasing.lease_charges WHERE organization_id = $1),
	(SELECT max(updated_at) FROM leasing.tenants WHERE organization_id = $1))`

// Dashboard is the manager's dashboard figures as of a day: occupancy with
// the vacant units listed, the month's collections and the AR aging total.
type Dashboard struct {
	Occupancy   Occupancy          `json:"occupancy"`
	Collections ledger.Collections `json:"collections"`
	Aging       ledger.AgingRow    `json:"aging"`
}

// Dashboard reads the manager's dashboard as of asOf (Occupancy of the
// vacant units through units, the collections of asOf's month and the AR
// aging total, computed live: a recompute never waits on another) as one
// materialized report whose
// watermark takes the leases', unitsMark's (property.UnitsMarkSQL) and the
// receivables' marks: a read of an unchanged dashboard is one round trip
// (ledger.Materialize). Forbidden without lease.read, property.read or
// invoice.read.
func (s *Service) Dashboard(ctx context.Context, actor realty.Actor, asOf realty.Date, units UnitStatesSource, unitsMark ledger.Mark) (Dashboard, error) {
	for _, p := range []string{"lease.read", "property.read", "invoice.read"} {
		if err := actor.Require(p); err != nil {
			return Dashboard{}, err
		}
	}
	compute := func(ctx context.Context) (Dashboard, error) {
		var d Dashboard
		var err error
		if d.Occupancy, err = s.occupancy(ctx, actor, asOf, "vacant", units); err == nil {
			d.Collections, err = s.books.LiveCollections(ctx, actor, asOf)
		}
		if err == nil {
			d.Aging, err = s.books.LiveAgingTotal(ctx, actor, asOf)
		}
		return d, err
	}
	r := ledger.Report{Kind: "dashboard", Params: asOf.String(), MarkSQL: ledger.ReceivablesMarkSQL, Marks: []ledger.Mark{leasesMarkSQL, unitsMark}}
	return ledger.Materialize(ctx, s.books, actor, r, compute)
}
