package leasing

import (
	"context"

	"github.com/jackc/pgx/v5"

	"realty"
)

// Contact is how to reach a tenant: the resident member using the portal as
// them (when linked) and their e-mail address.
type Contact struct {
	TenantID realty.ID  `db:"id"`
	Name     string     `db:"name"`
	MemberID *realty.ID `db:"member_id"`
	Email    *string    `db:"email"`
}

const contactColumns = `t.id, coalesce(t.company_name, t.first_name || ' ' || t.last_name) AS name, t.member_id, t.email`

// ContactTx returns one tenant's contact within tx. It checks no permission:
// the calling use case (a message to the tenant) has checked its own.
// NotFound for a tenant of no such id (or one a resident's fence hides).
func (s *Service) ContactTx(ctx context.Context, tx pgx.Tx, actor realty.Actor, tenantID realty.ID) (Contact, error) {
	rows, err := tx.Query(ctx, `SELECT `+contactColumns+` FROM leasing.tenants t
		WHERE t.organization_id = $1 AND t.id = $2`, actor.OrgID, tenantID)
	if err != nil {
		return Contact{}, err
	}
	c, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Contact])
	if err == pgx.ErrNoRows {
		return Contact{}, errTenantNotFound
	}
	return c, err
}

// ActiveContactsTx returns, each once, the tenants on an active lease of a
// unit of the property (of the given units only, when units is not nil),
// within tx. It checks no permission: the calling use case (an
// announcement) has checked its own.
func (s *Service) ActiveContactsTx(ctx context.Context, tx pgx.Tx, actor realty.Actor, propertyID realty.ID, units []realty.ID) ([]Contact, error) {
	rows, err := tx.Query(ctx, `SELECT `+contactColumns+` FROM leasing.tenants t
		WHERE t.organization_id = $1 AND t.id IN (SELECT lt.tenant_id FROM leasing.lease_tenants lt
			JOIN leasing.leases l ON l.organization_id = lt.organization_id AND l.id = lt.lease_id
			WHERE lt.organization_id = $1 AND l.organization_id = $1 AND l.status = 'active' AND l.property_id = $2
			AND ($3::uuid[] IS NULL OR l.unit_id = ANY($3)))
		ORDER BY t.id`, actor.OrgID, propertyID, units)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, pgx.RowToStructByName[Contact])
}

// TenantPropertiesTx returns the properties of the tenant's active leases,
// each once, in id order, within tx: whose staff a tenant's message
// concerns. It checks no permission: the calling use case has checked its
// own.
func (s *Service) TenantPropertiesTx(ctx context.Context, tx pgx.Tx, actor realty.Actor, tenantID realty.ID) ([]realty.ID, error) {
	rows, err := tx.Query(ctx, `SELECT DISTINCT l.property_id FROM leasing.lease_tenants lt
		JOIN leasing.leases l ON l.organization_id = lt.organization_id AND l.id = lt.lease_id
		WHERE lt.organization_id = $1 AND l.organization_id = $1 AND lt.tenant_id = $2 AND l.status = 'active'
		ORDER BY 1`, actor.OrgID, tenantID)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, pgx.RowTo[realty.ID])
}
