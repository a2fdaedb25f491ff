package leasing

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/shopspring/decimal"

	"realty"
	"realty/internal/ledger"
	"realty/internal/postgres"
	"realty/internal/property"
)

// RentRollSources are the other domains' reads a rent roll joins: the
// property's units (property.Service.Units) and what each lease owes
// (ledger.Service.LeaseBalances). Leasing names only its own tables.
type RentRollSources struct {
	Units    func(ctx context.Context, actor realty.Actor, propertyID realty.ID) ([]property.Unit, error)
	Balances func(ctx context.Context, actor realty.Actor, leases []realty.ID) (map[realty.ID]decimal.Decimal, error)
	// Marks read the newest change to what Units and Balances read
	// (property.UnitsMarkSQL, ledger.ReceivablesMarkSQL): with
	// them the roll is materialized (RentRoll), without them computed live.
	Marks []ledger.Mark
}

// RentRollRow is one unit of a rent roll: its active lease, if any, the
// lease's primary tenant and what the lease owes.
type RentRollRow struct {
	Unit     property.Unit   `json:"unit"`
	Lease    *Lease          `json:"lease,omitempty" doc:"the unit's active lease; absent for a vacant unit"`
	TenantID *realty.ID      `json:"tenant_id,omitempty" doc:"the lease's primary tenant"`
	Tenant   string          `json:"tenant,omitempty" doc:"the lease's primary tenant's name"`
	Balance  decimal.Decimal `json:"balance" doc:"what the lease owes (receivable less unapplied credit)"`
}

// rentRoll lists a property's units by number, each with its active lease
// (the latest-starting one, should a renewal overlap), primary tenant and
// balance, and the total rent and balance. Forbidden without lease.read or
// (for the balances) invoice.read; NotFound for a property the actor
// cannot see.
func (s *Service) rentRoll(ctx context.Context, actor realty.Actor, propertyID realty.ID, src RentRollSources) (RentRoll, error) {
	if err := actor.Require("lease.read"); err != nil {
		return RentRoll{}, err
	}
	units, err := src.Units(ctx, actor, propertyID)
	if err != nil {
		return RentRoll{}, err
	}
	type leaseRow struct {
		Lease
		TenantName string `db:"tenant_name"`
	}
	leases, err := postgres.ReadAll[leaseRow](ctx, s.pool, actor, `SELECT `+leaseColumns+`,
		(SELECT coalesce(t.company_name, t.first_name || ' ' || t.last_name) FROM leasing.lease_tenants lt
			JOIN leasing.tenants t ON t.organization_id = lt.organization_id AND t.id = lt.tenant_id
			WHERE lt.organization_id = l.organization_id AND lt.lease_id = l.id AND lt.is_primary) AS tenant_name
		FROM leasing.leases l WHERE l.organization_id = $1 AND l.property_id = $2 AND l.status = 'active'
		  AND ($3::uuid[] IS NULL OR l.property_id = ANY($3))
		ORDER BY l.start_date`, actor.OrgID, propertyID, actor.PropertyScope)
	if err != nil {
		return RentRoll{}, err
	}
	ids := make([]realty.ID, len(leases))
	byUnit := map[realty.ID]leaseRow{}
	for i, l := range leases {
		ids[i], byUnit[l.UnitID] = l.ID, l
	}
	balances, err := src.Balances(ctx, actor, ids)
	if err != nil {
		return RentRoll{}, err
	}
	out := RentRoll{PropertyID: propertyID, Rows: make([]RentRollRow, 0, len(units))}
	for _, u := range units {
		r := RentRollRow{Unit: u}
		if l, ok := byUnit[u.ID]; ok {
			r.Lease, r.Tenant, r.Balance = &l.Lease, l.TenantName, balances[l.ID]
			for _, t := range l.Tenants {
				if t.Primary {
					r.TenantID = &t.TenantID
				}
			}
			out.Rent, out.Balance = out.Rent.Add(l.Rent), out.Balance.Add(r.Balance)
			out.Occupied++
		}
		out.Rows = append(out.Rows, r)
	}
	out.Rows = slices.Clip(out.Rows)
	return out, nil
}

// RentRoll is a property's rent roll and its totals.
type RentRoll struct {
	PropertyID realty.ID       `json:"property_id"`
	Rows       []RentRollRow   `json:"rows"`
	Occupied   int             `json:"occupied" doc:"units with an active lease"`
	Rent       decimal.Decimal `json:"rent" doc:"the monthly rent of the active leases"`
	Balance    decimal.Decimal `json:"balance" doc:"what the active leases owe"`
}

// LeasedProperties returns the properties that have a lease of any status
// (within the actor's property scope), for choosing a rent roll. Forbidden
// without lease.read.
func (s *Service) LeasedProperties(ctx context.Context, actor realty.Actor) ([]realty.ID, error) {
	if err := actor.Require("lease.read"); err != nil {
		return nil, err
	}
	type row struct {
		PropertyID realty.ID `db:"property_id"`
	}
	rows, err := postgres.ReadAll[row](ctx, s.pool, actor, `SELECT DISTINCT property_id FROM leasing.leases
		WHERE organization_id = $1 AND ($2::uuid[] IS NULL OR property_id = ANY($2)) LIMIT 500`, actor.OrgID, actor.PropertyScope)
	ids := make([]realty.ID, len(rows))
	for i, r := range rows {
		ids[i] = r.PropertyID
	}
	return ids, err
}

// Table is the rent roll as CSV rows, one per unit, and the totals.
func (r RentRoll) Table(computedAt time.Time) ledger.Table {
	t := ledger.Table{Title: "Rent roll, property " + r.PropertyID.String(), ComputedAt: computedAt,
		Header: []string{"unit", "lease_id", "tenant", "start_date", "end_date", "rent", "status", "balance"}}
	for _, row := range r.Rows {
		line := []string{row.Unit.UnitNumber, "", row.Tenant, "", "", "", "vacant", row.Balance.StringFixed(2)}
		if l := row.Lease; l != nil {
			line[1], line[3], line[5], line[6] = l.ID.String(), l.StartDate.String(), l.Rent.StringFixed(2), l.Status
			if l.EndDate != nil {
				line[4] = l.EndDate.String()
			}
		}
		t.Rows = append(t.Rows, line)
	}
	t.Rows = append(t.Rows, []string{"Total", "", "", "", "", r.Rent.StringFixed(2), fmt.Sprintf("%d occupied", r.Occupied), r.Balance.StringFixed(2)})
	return t
}
