package web

import (
	"net/http"
	"strings"

	"realty"
	"realty/internal/org"
)

// routesRoles are the routes of the roles page and role assignments.
func (s *site) routesRoles() []route {
	return []route{
		{"GET /admin/roles", enrolled, s.handleRoleList},
		{"POST /admin/roles", enrolled, s.handleRoleCreate},
		{"POST /admin/roles/{id}/delete", enrolled, s.handleRoleDelete},
		{"POST /admin/role-assignments", enrolled, s.handleAssignmentCreate},
		{"POST /admin/role-assignments/{id}/delete", enrolled, s.handleAssignmentDelete},
	}
}

// rolesData is the roles page: roles with their permissions, the catalog
// for the new-role form, and who holds which role.
type rolesData struct {
	Roles       []org.Role
	Permissions []realty.Permission
	Assignments []org.Assignment
	// Members fill the grant form and name assignees; nil when the actor may
	// not read members.
	Members []org.Member
	// Role and Grant are the forms' values, shown back after an error in
	// the form Form names ("role" or "grant").
	Role  org.RoleInput
	Grant grantForm
	Form  string
}

type grantForm struct {
	MemberID, RoleID, ExpiresOn string
}

// MemberName names the member with id, or shows the id when unknown.
func (d rolesData) MemberName(id realty.ID) string {
	for _, m := range d.Members {
		if m.ID == id {
			return strings.TrimSpace(m.FirstName+" "+m.LastName) + " <" + m.Email + ">"
		}
	}
	return id.String()
}

// showRoles renders the roles page with d, and err when set. It needs
// role.read (org.Service.Roles and Assignments, as GET /api/v1/roles and
// /api/v1/role-assignments); members are listed only with member.read.
func (s *site) showRoles(w http.ResponseWriter, r *http.Request, st int, d rolesData, err error) {
	actor := principalOf(r).Actor
	roles, lerr := s.Services.Org.Roles(r.Context(), actor)
	if lerr == nil {
		d.Assignments, lerr = s.Services.Org.Assignments(r.Context(), actor, nil)
	}
	if lerr == nil {
		d.Members, lerr = s.Services.Org.Members(r.Context(), actor)
		if realty.KindOf(lerr) == realty.Forbidden {
			d.Members, lerr = nil, nil
		}
	}
	if lerr != nil {
		s.fail(w, r, lerr)
		return
	}
	d.Roles, d.Permissions = roles, s.Services.Org.Permissions()
	v := s.newView(r, "Roles", d)
	if err != nil {
		s.withErr(r, v, err).Form = d.Form
	}
	s.render(w, r, st, "roles", v)
}

// handleRoleList shows the roles page.
func (s *site) handleRoleList(w http.ResponseWriter, r *http.Request) {
	s.showRoles(w, r, http.StatusOK, rolesData{}, nil)
}

// handleRoleCreate makes a custom role from the checked permissions
// (org.Service.CreateRole: role.write, as POST /api/v1/roles).
func (s *site) handleRoleCreate(w http.ResponseWriter, r *http.Request) {
	in := org.RoleInput{Key: r.PostFormValue("key"), Name: r.PostFormValue("name"),
		Description: r.PostFormValue("description"), Permissions: r.PostForm["permissions"]}
	if in.Permissions == nil {
		in.Permissions = []string{}
	}
	if _, err := s.Services.Org.CreateRole(r.Context(), principalOf(r).Actor, in); err != nil {
		s.showRoles(w, r, status(err), rolesData{Role: in, Form: "role"}, err)
		return
	}
	s.redirect(w, r, "/admin/roles?notice=saved")
}

// handleRoleDelete deletes a custom role nobody holds (org.Service.
// DeleteRole: role.write, as DELETE /api/v1/roles/{id}).
func (s *site) handleRoleDelete(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err == nil {
		err = s.Services.Org.DeleteRole(r.Context(), principalOf(r).Actor, id)
	}
	s.rowGone(w, r, err, "/admin/roles?notice=deleted")
}

// handleAssignmentCreate grants a member a role, organization-wide and
// possibly until a day (org.Service.Assign: role.assign, as POST
// /api/v1/role-assignments).
func (s *site) handleAssignmentCreate(w http.ResponseWriter, r *http.Request) {
	g := grantForm{MemberID: r.PostFormValue("member_id"), RoleID: r.PostFormValue("role_id"), ExpiresOn: r.PostFormValue("expires_on")}
	in, err := g.parse()
	if err == nil {
		_, err = s.Services.Org.Assign(r.Context(), principalOf(r).Actor, in)
	}
	if err != nil {
		s.showRoles(w, r, status(err), rolesData{Grant: g, Form: "grant"}, err)
		return
	}
	s.redirect(w, r, "/admin/roles?notice=assigned")
}

// parse reads the grant form; the expiry day ends the grant at its start,
// in UTC. A member or role not chosen is the zero id, which Assign refuses
// naming the field (after checking the permission).
func (g grantForm) parse() (org.NewAssignment, error) {
	var in org.NewAssignment
	in.MemberID, _ = realty.ParseID(g.MemberID)
	in.RoleID, _ = realty.ParseID(g.RoleID)
	var err error
	in.ExpiresAt, err = parseDay("expires_at", g.ExpiresOn)
	return in, err
}

// handleAssignmentDelete withdraws a role (org.Service.Unassign:
// role.assign, as DELETE /api/v1/role-assignments/{id}).
func (s *site) handleAssignmentDelete(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err == nil {
		err = s.Services.Org.Unassign(r.Context(), principalOf(r).Actor, id)
	}
	s.rowGone(w, r, err, "/admin/roles?notice=withdrawn")
}

// rowGone answers a deletion: the error, or for htmx an empty body that
// removes the row, or a redirect back to the list.
func (s *site) rowGone(w http.ResponseWriter, r *http.Request, err error, back string) {
	switch {
	case err != nil:
		s.fail(w, r, err)
	case isHTMX(r):
		w.WriteHeader(http.StatusOK)
	default:
		s.redirect(w, r, back)
	}
}
