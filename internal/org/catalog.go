package org

import (
	"slices"
	"strings"

	"realty"
)

// Permissions are the org domain's permissions.
var Permissions = []realty.Permission{
	{Name: "org.read", Description: "View the organization's settings", Roles: staff},
	{Name: "org.update", Description: "Change the organization's settings and security policy"},
	{Name: "member.read", Description: "List members and their roles", Roles: staff},
	{Name: "member.write", Description: "Change or remove members"},
	{Name: "member.invite", Description: "Invite people (with roles no wider than one's own)", Roles: []string{"broker", "property_manager"}},
	{Name: "role.read", Description: "List roles and role assignments", Roles: []string{"broker", "property_manager"}},
	{Name: "role.write", Description: "Create, change and delete custom roles"},
	{Name: "role.assign", Description: "Grant and withdraw roles (no wider than one's own)", Roles: []string{"broker", "property_manager"}},
}

// staff are the system roles of people working for the organization, as
// opposed to its residents and clients.
var staff = []string{"broker", "agent", "property_manager", "accountant", "maintenance"}

// SystemRole is a role every organization has, with permissions from the
// catalog.
type SystemRole struct {
	Key, Name, Description string
}

// SystemRoles are seeded into every organization, in this order.
var SystemRoles = []SystemRole{
	{"owner", "Owner", "Everything, including the organization's ownership"},
	{"admin", "Administrator", "Everything but ownership"},
	{"broker", "Broker", "Runs the brokerage: all listings, clients and deals"},
	{"agent", "Agent", "Works their own listings, clients and deals"},
	{"property_manager", "Property manager", "Runs buildings, units, leases and maintenance"},
	{"accountant", "Accountant", "Keeps the books"},
	{"maintenance", "Maintenance", "Works on work orders"},
	{"resident", "Resident", "A tenant using the resident portal"},
	{"client", "Client", "A buyer or seller following their deal"},
	{"read_only", "Read only", "Sees everything, changes nothing"},
}

// catalog answers which permissions exist and which system roles hold them.
type catalog struct {
	perms  []realty.Permission
	byRole map[string][]string
}

func newCatalog(perms []realty.Permission) catalog {
	c := catalog{perms: perms, byRole: map[string][]string{}}
	for _, p := range perms {
		for _, r := range SystemRoles {
			if grants(p, r.Key) {
				c.byRole[r.Key] = append(c.byRole[r.Key], p.Name)
			}
		}
	}
	return c
}

// grants reports whether system role holds permission p.
func grants(p realty.Permission, role string) bool {
	switch role {
	case "owner":
		return true
	case "admin":
		return !p.OwnerOnly
	case "read_only":
		return strings.HasSuffix(p.Name, ".read")
	}
	return slices.Contains(p.Roles, role)
}

func (c catalog) exists(name string) bool {
	return slices.ContainsFunc(c.perms, func(p realty.Permission) bool { return p.Name == name })
}

func (c catalog) systemRole(key string) bool {
	return slices.ContainsFunc(SystemRoles, func(r SystemRole) bool { return r.Key == key })
}
