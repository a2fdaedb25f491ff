package org

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"realty"
	"realty/internal/postgres"
)

// Assignment is a role held by a member, organization-wide or for one
// property, possibly until a date.
type Assignment struct {
	ID         realty.ID  `db:"id" json:"id"`
	MemberID   realty.ID  `db:"member_id" json:"member_id"`
	RoleID     realty.ID  `db:"role_id" json:"role_id"`
	RoleKey    string     `db:"role_key" json:"role_key"`
	PropertyID *realty.ID `db:"property_id" json:"property_id,omitempty" doc:"the one property the role applies to; absent: every property"`
	GrantedBy  *realty.ID `db:"granted_by" json:"granted_by,omitempty"`
	ExpiresAt  *time.Time `db:"expires_at" json:"expires_at,omitempty"`
	CreatedAt  time.Time  `db:"created_at" json:"created_at"`
}

const assignmentSelect = `SELECT ra.id, ra.member_id, ra.role_id, r.key AS role_key, ra.property_id, ra.granted_by, ra.expires_at, ra.created_at
	FROM org.role_assignments ra JOIN org.roles r ON r.organization_id = ra.organization_id AND r.id = ra.role_id`

var errAssignmentNotFound = &realty.Error{Kind: realty.NotFound, Message: "role assignment not found"}

// Assignments lists role assignments, of one member when memberID is set.
// Forbidden without role.read.
func (s *Service) Assignments(ctx context.Context, actor realty.Actor, memberID *realty.ID) ([]Assignment, error) {
	if err := actor.Require("role.read"); err != nil {
		return nil, err
	}
	return postgres.ReadAll[Assignment](ctx, s.pool, actor, assignmentSelect+`
		WHERE ra.organization_id = $1 AND ($2::uuid IS NULL OR ra.member_id = $2) ORDER BY ra.created_at, ra.id`, actor.OrgID, memberID)
}

// NewAssignment is what granting a role takes.
type NewAssignment struct {
	MemberID   realty.ID
	RoleID     realty.ID
	PropertyID *realty.ID
	ExpiresAt  *time.Time
}

// Assign grants a role. The actor may grant only roles whose permissions
// they hold, and only an owner grants the owner role. Forbidden without
// role.assign; Invalid naming member_id or role_id when either is not in
// this organization; Conflict when already held.
func (s *Service) Assign(ctx context.Context, actor realty.Actor, in NewAssignment) (Assignment, error) {
	if err := actor.Require("role.assign"); err != nil {
		return Assignment{}, err
	}
	if in.ExpiresAt != nil && !in.ExpiresAt.After(s.now()) {
		return Assignment{}, realty.FieldError("expires_at", "must be in the future")
	}
	var out Assignment
	err := postgres.Tx(ctx, s.pool, actor, func(tx pgx.Tx) error {
		if err := s.checkGrantable(ctx, tx, actor, in.RoleID, "role_id"); err != nil {
			return err
		}
		var status string
		err := tx.QueryRow(ctx, `SELECT status FROM org.members WHERE organization_id = $1 AND id = $2`, actor.OrgID, in.MemberID).Scan(&status)
		if err != nil || status != "active" {
			return realty.FieldError("member_id", "no active member with this id")
		}
		if err := insertAssignment(ctx, tx, actor.OrgID, in.MemberID, in.RoleID, in.PropertyID, idPtr(actor.MemberID), in.ExpiresAt); err != nil {
			return err
		}
		out, err = assignmentBy(ctx, tx, actor.OrgID, `ra.member_id = $2 AND ra.role_id = $3 AND ra.property_id IS NOT DISTINCT FROM $4`,
			in.MemberID, in.RoleID, in.PropertyID)
		return err
	})
	return out, err
}

func idPtr(id realty.ID) *realty.ID {
	if id.IsZero() {
		return nil
	}
	return &id
}

func insertAssignment(ctx context.Context, tx pgx.Tx, orgID, member, role realty.ID, property, grantedBy *realty.ID, expires *time.Time) error {
	_, err := tx.Exec(ctx, `INSERT INTO org.role_assignments (organization_id, member_id, role_id, property_id, granted_by, expires_at)
		VALUES ($1, $2, $3, $4, $5, $6)`, orgID, member, role, property, grantedBy, expires)
	return err
}

func assignmentBy(ctx context.Context, tx pgx.Tx, orgID realty.ID, where string, args ...any) (Assignment, error) {
	rows, err := tx.Query(ctx, assignmentSelect+` WHERE ra.organization_id = $1 AND `+where, append([]any{orgID}, args...)...)
	if err != nil {
		return Assignment{}, err
	}
	a, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Assignment])
	if realty.KindOf(postgres.MapError(err)) == realty.NotFound {
		return Assignment{}, errAssignmentNotFound
	}
	return a, err
}

// checkGrantable refuses a role the actor may not hand out: unknown in this
// organization, the owner role for a non-owner, or one with permissions the
// actor lacks.
func (s *Service) checkGrantable(ctx context.Context, tx pgx.Tx, actor realty.Actor, roleID realty.ID, field string) error {
	r, err := s.role(ctx, actor, tx, roleID)
	if realty.KindOf(err) == realty.NotFound {
		return realty.FieldError(field, "no such role")
	}
	if err != nil {
		return err
	}
	if r.Key == "owner" && !actor.IsSystem() {
		owner, err := holdsRole(ctx, tx, actor, "owner")
		if err != nil {
			return err
		}
		if !owner {
			return &realty.Error{Kind: realty.Forbidden, Message: "only an owner can grant the owner role"}
		}
	}
	return s.checkPermissions(actor, field, r.Permissions)
}

func holdsRole(ctx context.Context, tx pgx.Tx, actor realty.Actor, key string) (bool, error) {
	var ok bool
	err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT FROM org.role_assignments ra
		JOIN org.roles r ON r.organization_id = ra.organization_id AND r.id = ra.role_id
		WHERE ra.organization_id = $1 AND ra.member_id = $2 AND r.key = $3)`, actor.OrgID, actor.MemberID, key).Scan(&ok)
	return ok, err
}

// Unassign withdraws a role assignment, under the same rules as Assign; the
// last owner's owner role cannot be withdrawn. NotFound for another
// organization's assignment.
func (s *Service) Unassign(ctx context.Context, actor realty.Actor, id realty.ID) error {
	if err := actor.Require("role.assign"); err != nil {
		return err
	}
	return postgres.Tx(ctx, s.pool, actor, func(tx pgx.Tx) error {
		a, err := assignmentBy(ctx, tx, actor.OrgID, `ra.id = $2`, id)
		if err != nil {
			return err
		}
		if err := s.checkGrantable(ctx, tx, actor, a.RoleID, "id"); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `DELETE FROM org.role_assignments WHERE organization_id = $1 AND id = $2`, actor.OrgID, id); err != nil {
			return err
		}
		if a.RoleKey == "owner" {
			return guardLastOwner(ctx, tx, actor.OrgID)
		}
		return nil
	})
}

func guardLastOwner(ctx context.Context, tx pgx.Tx, orgID realty.ID) error {
	var owners int
	err := tx.QueryRow(ctx, `SELECT count(*) FROM org.role_assignments ra
		JOIN org.roles r ON r.organization_id = ra.organization_id AND r.id = ra.role_id AND r.key = 'owner'
		JOIN org.members m ON m.organization_id = ra.organization_id AND m.id = ra.member_id AND m.status = 'active'
		WHERE ra.organization_id = $1`, orgID).Scan(&owners)
	if err == nil && owners == 0 {
		return &realty.Error{Kind: realty.Conflict, Message: "the organization must keep at least one owner"}
	}
	return err
}
