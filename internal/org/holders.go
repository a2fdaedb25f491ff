package org

import (
	"context"

	"github.com/jackc/pgx/v5"

	"realty"
)

// HoldersTx returns the active members who hold perm through an unexpired
// role assignment that covers the property (an organization-wide one, or
// one scoped to that property; a zero property counts only organization-
// wide assignments), in id order: whom to tell of something about it.
func (s *Service) HoldersTx(ctx context.Context, tx pgx.Tx, actor realty.Actor, perm string, property realty.ID) ([]realty.ID, error) {
	var systemRoles []string
	for role, perms := range s.catalog.byRole {
		for _, p := range perms {
			if p == perm {
				systemRoles = append(systemRoles, role)
			}
		}
	}
	var prop *realty.ID
	if !property.IsZero() {
		prop = &property
	}
	rows, err := tx.Query(ctx, `SELECT DISTINCT m.id FROM org.members m
		JOIN org.role_assignments ra ON ra.organization_id = m.organization_id AND ra.member_id = m.id
		JOIN org.roles r ON r.organization_id = ra.organization_id AND r.id = ra.role_id
		WHERE m.organization_id = $1 AND m.status = 'active'
		  AND (ra.expires_at IS NULL OR ra.expires_at > now())
		  AND (ra.property_id IS NULL OR ra.property_id = $4)
		  AND ((r.system AND r.key = ANY($2)) OR (NOT r.system AND EXISTS (SELECT FROM org.role_permissions rp
		       WHERE rp.organization_id = r.organization_id AND rp.role_id = r.id AND rp.permission = $3)))
		ORDER BY m.id`, actor.OrgID, systemRoles, perm, prop)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, pgx.RowTo[realty.ID])
}
