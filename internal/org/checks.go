package org

import (
	"realty"
	"realty/internal/postgres"
)

// The CHECK constraints of the org schema not registered beside the code
// that writes their columns, so a violation names its column, whichever
// statement tripped it. (TestCheckConstraintsMapped in internal/structure
// fails on a CHECK constraint nobody registered.)
func init() {
	postgres.RegisterConstraints(map[string]postgres.Constraint{
		"org.invitations_email_check":            {Kind: realty.Invalid, Field: "email", Message: "must be an email address of at most 254 characters"},
		"org.members_status_check":               {Kind: realty.Invalid, Field: "status", Message: "must be one of invited, active, inactive"},
		"org.members_title_check":                {Kind: realty.Invalid, Field: "title", Message: "must be at most 100 characters"},
		"org.organizations_max_properties_check": {Kind: realty.Invalid, Field: "max_properties", Message: "must be positive"},
		"org.organizations_max_users_check":      {Kind: realty.Invalid, Field: "max_users", Message: "must be positive"},
		"org.organizations_status_check":         {Kind: realty.Invalid, Field: "status", Message: "must be one of active, suspended, closed"},
		"org.role_permissions_permission_check":  {Kind: realty.Invalid, Field: "permission", Message: "must be a permission name such as listing.read"},
		"org.roles_description_check":            {Kind: realty.Invalid, Field: "description", Message: "must be at most 500 characters"},
	})
}
