package org

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"realty"
	"realty/internal/postgres"
)

func init() {
	postgres.RegisterConstraints(map[string]postgres.Constraint{
		"org.roles_key_key":                {Kind: realty.Conflict, Field: "key", Message: "is taken by another role"},
		"org.roles_key_check":              {Kind: realty.Invalid, Field: "key", Message: "must be 2 to 40 lower-case letters, digits and underscores, starting with a letter"},
		"org.roles_name_check":             {Kind: realty.Invalid, Field: "name", Message: "must be 1 to 100 characters"},
		"org.role_assignments_key":         {Kind: realty.Conflict, Field: "role_id", Message: "is already held by this member for this scope"},
		"org.role_assignments_member_fkey": {Kind: realty.Invalid, Field: "member_id", Message: "no such member"},
		"org.role_assignments_role_fkey":   {Kind: realty.Invalid, Field: "role_id", Message: "no such role"},
	})
}

// Role is a named set of permissions: a system role (permissions from the
// catalog) or a custom one.
type Role struct {
	ID          realty.ID `db:"id" json:"id"`
	Key         string    `db:"key" json:"key"`
	Name        string    `db:"name" json:"name"`
	Description string    `db:"description" json:"description"`
	System      bool      `db:"system" json:"system"`
	Permissions []string  `db:"permissions" json:"permissions"`
	CreatedAt   time.Time `db:"created_at" json:"created_at"`
}

const roleSelect = `SELECT r.id, r.key, r.name, r.description, r.system,
	coalesce((SELECT array_agg(rp.permission ORDER BY rp.permission) FROM org.role_permissions rp
		WHERE rp.organization_id = r.organization_id AND rp.role_id = r.id), '{}') AS permissions, r.created_at
	FROM org.roles r`

var errRoleNotFound = &realty.Error{Kind: realty.NotFound, Message: "role not found"}

// withCatalog fills a system role's permissions from the catalog.
func (s *Service) withCatalog(r Role) Role {
	if r.System {
		r.Permissions = slices.Clone(s.catalog.byRole[r.Key])
	}
	return r
}

// Roles lists the organization's roles, system roles first. Forbidden
// without role.read.
func (s *Service) Roles(ctx context.Context, actor realty.Actor) ([]Role, error) {
	if err := actor.Require("role.read"); err != nil {
		return nil, err
	}
	roles, err := postgres.ReadAll[Role](ctx, s.pool, actor, roleSelect+` WHERE r.organization_id = $1 ORDER BY NOT r.system, r.created_at, r.id`, actor.OrgID)
	for i := range roles {
		roles[i] = s.withCatalog(roles[i])
	}
	return roles, err
}

// Role returns one role. NotFound for another organization's role.
func (s *Service) Role(ctx context.Context, actor realty.Actor, id realty.ID) (Role, error) {
	if err := actor.Require("role.read"); err != nil {
		return Role{}, err
	}
	return s.role(ctx, actor, s.pool, id)
}

func (s *Service) role(ctx context.Context, actor realty.Actor, db postgres.DB, id realty.ID) (Role, error) {
	rows, err := db.Query(ctx, roleSelect+` WHERE r.organization_id = $1 AND r.id = $2`, actor.OrgID, id)
	if err != nil {
		return Role{}, postgres.MapError(err)
	}
	r, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Role])
	if err != nil {
		if realty.KindOf(postgres.MapError(err)) == realty.NotFound {
			return Role{}, errRoleNotFound
		}
		return Role{}, err
	}
	return s.withCatalog(r), nil
}

// RoleInput is what creating or changing a custom role takes.
type RoleInput struct {
	Key         string
	Name        string
	Description string
	Permissions []string
}

// checkPermissions refuses unknown permissions and, unless the actor holds
// them all, permissions wider than the actor's own.
func (s *Service) checkPermissions(actor realty.Actor, field string, perms []string) error {
	for _, p := range perms {
		if !s.catalog.exists(p) {
			return realty.FieldError(field, "unknown permission "+p)
		}
		if !actor.Can(p) {
			return realty.FieldError(field, "you cannot grant "+p+", which you do not hold")
		}
	}
	return nil
}

// CreateRole makes a custom role. Forbidden without role.write; Invalid or
// Conflict name the field.
func (s *Service) CreateRole(ctx context.Context, actor realty.Actor, in RoleInput) (Role, error) {
	if err := actor.Require("role.write"); err != nil {
		return Role{}, err
	}
	in.Key, in.Name = strings.TrimSpace(in.Key), strings.TrimSpace(in.Name)
	if s.catalog.systemRole(in.Key) {
		return Role{}, realty.FieldError("key", "is a system role's key")
	}
	if err := s.checkPermissions(actor, "permissions", in.Permissions); err != nil {
		return Role{}, err
	}
	var out Role
	err := postgres.Tx(ctx, s.pool, actor, func(tx pgx.Tx) error {
		var id realty.ID
		err := tx.QueryRow(ctx, `INSERT INTO org.roles (organization_id, key, name, description) VALUES ($1, $2, $3, $4) RETURNING id`,
			actor.OrgID, in.Key, in.Name, in.Description).Scan(&id)
		if err != nil {
			return err
		}
		if err := setRolePermissions(ctx, tx, actor.OrgID, id, in.Permissions); err != nil {
			return err
		}
		out, err = s.role(ctx, actor, tx, id)
		return err
	})
	return out, err
}

func setRolePermissions(ctx context.Context, tx pgx.Tx, orgID, roleID realty.ID, perms []string) error {
	if _, err := tx.Exec(ctx, `DELETE FROM org.role_permissions WHERE organization_id = $1 AND role_id = $2 AND NOT permission = ANY($3)`,
		orgID, roleID, perms); err != nil {
		return err
	}
	// One row per statement, ids from Go, all in one round trip: an INSERT …
	// SELECT over the array would be planned through the coordinator on
	// Citus, which row-level security refuses.
	b := &pgx.Batch{}
	for _, p := range perms {
		b.Queue(`INSERT INTO org.role_permissions (id, organization_id, role_id, permission) VALUES ($1, $2, $3, $4)
			ON CONFLICT DO NOTHING`, realty.NewID(), orgID, roleID, p)
	}
	return tx.SendBatch(ctx, b).Close()
}

// UpdateRole changes a custom role's name, description and permissions.
// System roles cannot change (Conflict). Forbidden without role.write.
func (s *Service) UpdateRole(ctx context.Context, actor realty.Actor, id realty.ID, in RoleInput) (Role, error) {
	if err := actor.Require("role.write"); err != nil {
		return Role{}, err
	}
	if err := s.checkPermissions(actor, "permissions", in.Permissions); err != nil {
		return Role{}, err
	}
	var out Role
	err := postgres.Tx(ctx, s.pool, actor, func(tx pgx.Tx) error {
		current, err := s.role(ctx, actor, tx, id)
		if err != nil {
			return err
		}
		if current.System {
			return &realty.Error{Kind: realty.Conflict, Message: "system roles cannot be changed"}
		}
		if _, err := tx.Exec(ctx, `UPDATE org.roles SET name = $3, description = $4 WHERE organization_id = $1 AND id = $2`,
			actor.OrgID, id, strings.TrimSpace(in.Name), in.Description); err != nil {
			return err
		}
		if err := setRolePermissions(ctx, tx, actor.OrgID, id, in.Permissions); err != nil {
			return err
		}
		out, err = s.role(ctx, actor, tx, id)
		return err
	})
	return out, err
}

// DeleteRole removes a custom role nobody holds. Conflict for a system role
// or a role still assigned or offered in an open invitation.
func (s *Service) DeleteRole(ctx context.Context, actor realty.Actor, id realty.ID) error {
	if err := actor.Require("role.write"); err != nil {
		return err
	}
	return postgres.Tx(ctx, s.pool, actor, func(tx pgx.Tx) error {
		current, err := s.role(ctx, actor, tx, id)
		if err != nil {
			return err
		}
		if current.System {
			return &realty.Error{Kind: realty.Conflict, Message: "system roles cannot be deleted"}
		}
		var used bool
		if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT FROM org.role_assignments WHERE organization_id = $1 AND role_id = $2)
			OR EXISTS (SELECT FROM org.invitations WHERE organization_id = $1 AND role_id = $2)`, actor.OrgID, id).Scan(&used); err != nil {
			return err
		}
		if used {
			return &realty.Error{Kind: realty.Conflict, Message: "the role is assigned or was offered in an invitation; withdraw it first"}
		}
		_, err = tx.Exec(ctx, `DELETE FROM org.roles WHERE organization_id = $1 AND id = $2`, actor.OrgID, id)
		return err
	})
}
