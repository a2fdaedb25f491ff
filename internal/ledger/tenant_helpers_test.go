package ledger_test

import (
	"testing"

	"realty"
)

// testTenant is the id of a tenant for invoices and payments: every test
// takes tenant (and lease) ids from here, so a real tenant fixture can
// replace it once tenants exist.
func testTenant(t *testing.T) realty.ID {
	t.Helper()
	return realty.NewID()
}
