package audit

import (
	"realty"
	"realty/internal/postgres"
)

// The CHECK constraints of the audit schema not registered beside the code
// that writes their columns, so a violation names its column, whichever
// statement tripped it. (TestCheckConstraintsMapped in internal/structure
// fails on a CHECK constraint nobody registered.)
func init() {
	postgres.RegisterConstraints(map[string]postgres.Constraint{
		"audit.changes_action_check": {Kind: realty.Invalid, Field: "action", Message: "must be one of INSERT, UPDATE, DELETE"},
	})
}
