package leasing

import (
	"context"

	"github.com/jackc/pgx/v5"

	"realty"
	"realty/internal/postgres"
)

// LeaseFilter narrows a lease list; zero fields do not filter, Cursor
// continues a previous page.
type LeaseFilter struct {
	UnitID     *realty.ID
	PropertyID *realty.ID
	TenantID   *realty.ID
	Status     string
	Cursor     string
	Limit      int
}

// LeasePage is a page of leases, newest start first.
type LeasePage struct {
	Items      []Lease `json:"items"`
	NextCursor string  `json:"next_cursor,omitempty"`
}

// Leases lists leases, newest start first, Limit (1–100, default 50) a
// page, within the actor's property scope. Forbidden without lease.read;
// Invalid naming cursor for a cursor this list did not return.
func (s *Service) Leases(ctx context.Context, actor realty.Actor, f LeaseFilter) (LeasePage, error) {
	if err := actor.Require("lease.read"); err != nil {
		return LeasePage{}, err
	}
	f.Limit = pageSize(f.Limit)
	var afterDate realty.Date
	afterID := realty.ID{}
	if f.Cursor != "" {
		if err := postgres.DecodeCursor(f.Cursor, &afterDate, &afterID); err != nil {
			return LeasePage{}, err
		}
	} else {
		afterDate = realty.Date{Year: 9999, Month: 12, Day: 31}
	}
	items, err := postgres.ReadAll[Lease](ctx, s.pool, actor, `SELECT `+leaseColumns+` FROM leasing.leases l
		WHERE l.organization_id = @org AND (@scope::uuid[] IS NULL OR l.property_id = ANY(@scope))
		  AND (@unit::uuid IS NULL OR l.unit_id = @unit) AND (@property::uuid IS NULL OR l.property_id = @property)
		  AND (@tenant::uuid IS NULL OR @tenant = ANY(l.tenant_ids)) AND (@status = '' OR l.status = @status)
		  AND (@cursor = '' OR (l.start_date, l.id) < (@after_date, @after_id))
		ORDER BY l.start_date DESC, l.id DESC LIMIT @limit`,
		pgx.NamedArgs{"org": actor.OrgID, "scope": actor.PropertyScope, "unit": f.UnitID, "property": f.PropertyID,
			"tenant": f.TenantID, "status": f.Status, "cursor": f.Cursor, "after_date": afterDate, "after_id": afterID,
			"limit": f.Limit + 1})
	if err != nil {
		return LeasePage{}, err
	}
	page := LeasePage{Items: items}
	if page.Items == nil {
		page.Items = []Lease{}
	}
	if len(items) > f.Limit {
		page.Items = items[:f.Limit]
		last := page.Items[f.Limit-1]
		page.NextCursor = postgres.EncodeCursor(last.StartDate, last.ID)
	}
	return page, nil
}

// Tenancy is a resident's own tenant record and leases.
type Tenancy struct {
	Tenant *Tenant `json:"tenant,omitempty" doc:"absent when the caller is linked to no tenant"`
	Leases []Lease `json:"leases"`
}

// Tenancy returns the tenant the actor is linked to (by their membership)
// and that tenant's leases other than drafts, newest first, without
// screening data; no tenant and no leases when the actor is linked to no
// tenant. Forbidden without tenancy.own. A resident's transaction is also
// fenced to that tenant by row-level security.
func (s *Service) Tenancy(ctx context.Context, actor realty.Actor) (Tenancy, error) {
	if err := actor.Require("tenancy.own"); err != nil {
		return Tenancy{}, err
	}
	out := Tenancy{Leases: []Lease{}}
	err := s.tx(ctx, actor, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `SELECT `+tenantColumns+` FROM leasing.tenants WHERE organization_id = $1 AND member_id = $2`,
			actor.OrgID, actor.MemberID)
		if err != nil {
			return err
		}
		r, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[tenantRow])
		if errorsIsNoRows(err) || (err == nil && actor.Resident && r.ID != actor.TenantID) {
			return nil
		} else if err != nil {
			return err
		}
		t := r.Tenant
		t.EmergencyContacts = r.view(actor).EmergencyContacts
		out.Tenant = &t
		rows, err = tx.Query(ctx, `SELECT `+leaseColumns+` FROM leasing.leases l WHERE l.organization_id = $1 AND $2 = ANY(l.tenant_ids)
			AND l.status <> 'draft' ORDER BY l.start_date DESC, l.id`, actor.OrgID, r.ID)
		if err != nil {
			return err
		}
		out.Leases, err = pgx.CollectRows(rows, pgx.RowToStructByName[Lease])
		return err
	})
	return out, err
}

// MyLease returns one lease of the resident's own tenancy. Forbidden
// without tenancy.own; NotFound for any lease their tenant is not on.
func (s *Service) MyLease(ctx context.Context, actor realty.Actor, id realty.ID) (Lease, error) {
	t, err := s.Tenancy(ctx, actor)
	if err != nil {
		return Lease{}, err
	}
	for _, l := range t.Leases {
		if l.ID == id {
			return l, nil
		}
	}
	return Lease{}, errLeaseNotFound
}
