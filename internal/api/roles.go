package api

import (
	"context"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"realty"
	"realty/internal/org"
)

// RoleBody is a custom role's definition.
type RoleBody struct {
	Key         string   `json:"key" maxLength:"40" doc:"lower_snake key, unique in the organization"`
	Name        string   `json:"name" maxLength:"100"`
	Description string   `json:"description,omitempty" maxLength:"500"`
	Permissions []string `json:"permissions" doc:"permission names; no wider than your own" maxItems:"200" maxLength:"100"`
}

// RoleInput creates a custom role.
type RoleInput struct{ Body RoleBody }

// RolePatchInput changes a custom role (its key stays).
type RolePatchInput struct {
	ID   realty.ID `path:"id"`
	Body struct {
		Name        string   `json:"name" maxLength:"100"`
		Description string   `json:"description,omitempty" maxLength:"500"`
		Permissions []string `json:"permissions" maxItems:"200" maxLength:"100"`
	}
}

// RoleOutput is a role.
type RoleOutput struct{ Body org.Role }

// RolesOutput lists roles.
type RolesOutput struct {
	Body struct {
		Items []org.Role `json:"items"`
	}
}

// PermissionItem is one entry of the catalog.
type PermissionItem struct {
	Name        string `json:"name"`
	Description string `json:"description"`
}

// PermissionsOutput is the permission catalog.
type PermissionsOutput struct {
	Body struct {
		Items []PermissionItem `json:"items"`
	}
}

// AssignmentsInput filters assignments.
type AssignmentsInput struct {
	MemberID string `query:"member_id" doc:"only this member's assignments"`
}

// AssignmentInput grants a role.
type AssignmentInput struct {
	Body struct {
		MemberID   realty.ID  `json:"member_id"`
		RoleID     realty.ID  `json:"role_id"`
		PropertyID *realty.ID `json:"property_id,omitempty" doc:"limit the role to one property"`
		ExpiresAt  *time.Time `json:"expires_at,omitempty" doc:"end of a temporary grant"`
	}
}

// AssignmentOutput is an assignment.
type AssignmentOutput struct{ Body org.Assignment }

// AssignmentsOutput lists assignments.
type AssignmentsOutput struct {
	Body struct {
		Items []org.Assignment `json:"items"`
	}
}

func routeRoles(a huma.API, d Deps) {
	tags := []string{"Roles"}
	read, write := Access{Permission: "role.read"}, Access{Permission: "role.write"}
	Register(a, huma.Operation{OperationID: "list-permissions", Method: http.MethodGet, Path: Prefix + "/permissions", Tags: tags,
		Summary: "The permission catalog"}, read, func(ctx context.Context, _ *struct{}) (*PermissionsOutput, error) {
		out := &PermissionsOutput{}
		for _, p := range d.Org.Permissions() {
			out.Body.Items = append(out.Body.Items, PermissionItem{Name: p.Name, Description: p.Description})
		}
		return out, nil
	})
	Register(a, huma.Operation{OperationID: "list-roles", Method: http.MethodGet, Path: Prefix + "/roles", Tags: tags,
		Summary: "Roles, system and custom"}, read, func(ctx context.Context, _ *struct{}) (*RolesOutput, error) {
		list, err := d.Org.Roles(ctx, actor(ctx))
		out := &RolesOutput{}
		out.Body.Items = list
		return out, err
	})
	Register(a, huma.Operation{OperationID: "get-role", Method: http.MethodGet, Path: Prefix + "/roles/{id}", Tags: tags,
		Summary: "One role"}, read, func(ctx context.Context, in *IDPath) (*RoleOutput, error) {
		r, err := d.Org.Role(ctx, actor(ctx), in.ID)
		return &RoleOutput{Body: r}, err
	})
	Register(a, huma.Operation{OperationID: "create-role", Method: http.MethodPost, Path: Prefix + "/roles", Tags: tags,
		Summary: "Create a custom role", DefaultStatus: http.StatusCreated}, write, func(ctx context.Context, in *RoleInput) (*RoleOutput, error) {
		b := in.Body
		r, err := d.Org.CreateRole(ctx, actor(ctx), org.RoleInput{Key: b.Key, Name: b.Name, Description: b.Description, Permissions: b.Permissions})
		return &RoleOutput{Body: r}, err
	})
	Register(a, huma.Operation{OperationID: "update-role", Method: http.MethodPatch, Path: Prefix + "/roles/{id}", Tags: tags,
		Summary: "Change a custom role"}, write, func(ctx context.Context, in *RolePatchInput) (*RoleOutput, error) {
		b := in.Body
		r, err := d.Org.UpdateRole(ctx, actor(ctx), in.ID, org.RoleInput{Name: b.Name, Description: b.Description, Permissions: b.Permissions})
		return &RoleOutput{Body: r}, err
	})
	Register(a, huma.Operation{OperationID: "delete-role", Method: http.MethodDelete, Path: Prefix + "/roles/{id}", Tags: tags,
		Summary: "Delete a custom role nobody holds", DefaultStatus: http.StatusNoContent}, write,
		func(ctx context.Context, in *IDPath) (*struct{}, error) {
			return nil, d.Org.DeleteRole(ctx, actor(ctx), in.ID)
		})
	routeAssignments(a, d, tags)
}

func routeAssignments(a huma.API, d Deps, tags []string) {
	assign := Access{Permission: "role.assign"}
	Register(a, huma.Operation{OperationID: "list-role-assignments", Method: http.MethodGet, Path: Prefix + "/role-assignments", Tags: tags,
		Summary: "Who holds which role"}, Access{Permission: "role.read"}, func(ctx context.Context, in *AssignmentsInput) (*AssignmentsOutput, error) {
		var member *realty.ID
		if in.MemberID != "" {
			id, err := realty.ParseID(in.MemberID)
			if err != nil {
				return nil, realty.FieldError("member_id", "is not a valid id")
			}
			member = &id
		}
		list, err := d.Org.Assignments(ctx, actor(ctx), member)
		out := &AssignmentsOutput{}
		out.Body.Items = list
		return out, err
	})
	Register(a, huma.Operation{OperationID: "create-role-assignment", Method: http.MethodPost, Path: Prefix + "/role-assignments", Tags: tags,
		Summary: "Grant a role", DefaultStatus: http.StatusCreated}, assign, func(ctx context.Context, in *AssignmentInput) (*AssignmentOutput, error) {
		b := in.Body
		as, err := d.Org.Assign(ctx, actor(ctx), org.NewAssignment{MemberID: b.MemberID, RoleID: b.RoleID, PropertyID: b.PropertyID, ExpiresAt: b.ExpiresAt})
		return &AssignmentOutput{Body: as}, err
	})
	Register(a, huma.Operation{OperationID: "delete-role-assignment", Method: http.MethodDelete, Path: Prefix + "/role-assignments/{id}", Tags: tags,
		Summary: "Withdraw a role", DefaultStatus: http.StatusNoContent}, assign, func(ctx context.Context, in *IDPath) (*struct{}, error) {
		return nil, d.Org.Unassign(ctx, actor(ctx), in.ID)
	})
}
