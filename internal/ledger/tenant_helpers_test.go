package ledger_test

import (
	"testing"

	"realty"
)

// testTenant creates a tenant in the setup's organization: invoices,
// payments and journal lines name real tenants (foreign keys).
func testTenant(t *testing.T, s setup) realty.ID {
	t.Helper()
	return s.env.Tenant(t, s.org, "Ledger")
}
