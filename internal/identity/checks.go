package identity

import (
	"realty"
	"realty/internal/postgres"
)

// The CHECK constraints of the identity schema not registered beside the code
// that writes their columns, so a violation names its column, whichever
// statement tripped it. (TestCheckConstraintsMapped in internal/structure
// fails on a CHECK constraint nobody registered.)
func init() {
	postgres.RegisterConstraints(map[string]postgres.Constraint{
		"identity.sessions_kind_check":    {Kind: realty.Invalid, Field: "kind", Message: "must be one of browser, api"},
		"identity.sessions_state_check":   {Kind: realty.Invalid, Field: "state", Message: "must be one of mfa_pending, active"},
		"identity.users_first_name_check": {Kind: realty.Invalid, Field: "first_name", Message: "must be at most 100 characters"},
		"identity.users_last_name_check":  {Kind: realty.Invalid, Field: "last_name", Message: "must be at most 100 characters"},
		"identity.users_phone_check":      {Kind: realty.Invalid, Field: "phone", Message: "must be at most 40 characters"},
		"identity.users_status_check":     {Kind: realty.Invalid, Field: "status", Message: "must be one of active, suspended, disabled"},
	})
}
