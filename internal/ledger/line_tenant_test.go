package ledger_test

import (
	"testing"

	"github.com/jackc/pgx/v5"

	"realty"
)

// TestInvoiceLineTenant holds migration 0055: an invoice line inserted
// without a tenant gets its invoice's, one inserted with its invoice's
// tenant is kept, and one naming another tenant is refused, for the
// runtime role and the owner.
func TestInvoiceLineTenant(t *testing.T) {
	t.Parallel()
	s := newSetup(t, march)
	tenant, other := testTenant(t, s), testTenant(t, s)
	inv := issued(t, s, tenant, "2026-03-01", "100.00")
	orgID := s.org.Organization.ID
	insert := func(tenantID *realty.ID) func(pgx.Tx) error {
		return func(tx pgx.Tx) error {
			var got realty.ID
			err := tx.QueryRow(ctx, `INSERT INTO ledger.invoice_lines (organization_id, id, invoice_id, line_no, type, description, amount, account_id, tenant_id)
				SELECT $1, $2, $3, 1 + (SELECT max(line_no) FROM ledger.invoice_lines WHERE organization_id = $1 AND invoice_id = $3), 'other', 'Extra', 1,
					(SELECT account_id FROM ledger.invoice_lines WHERE organization_id = $1 AND invoice_id = $3 AND line_no = 1), $4
				RETURNING tenant_id`, orgID, realty.NewID(), inv.ID, tenantID).Scan(&got)
			if err == nil && got != tenant {
				t.Errorf("line inserted with tenant %v has tenant %s, want the invoice's %s", tenantID, got, tenant)
			}
			return err
		}
	}
	for role, conn := range roleConns(t, s) {
		if err := rawTx(t, conn, orgID, insert(nil)); err != nil {
			t.Errorf("as %s: a line without a tenant: %v", role, err)
		}
		if err := rawTx(t, conn, orgID, insert(&tenant)); err != nil {
			t.Errorf("as %s: a line with its invoice's tenant: %v", role, err)
		}
		if err := rawTx(t, conn, orgID, insert(&other)); err == nil {
			t.Errorf("as %s: a line naming another tenant was accepted", role)
		}
	}
}
