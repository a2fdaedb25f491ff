package ledger_test

import (
	"testing"

	"github.com/jackc/pgx/v5"

	"realty"
	"realty/internal/leasing"
	"realty/internal/ledger"
	"realty/internal/postgres"
)

// residentBooks gives two tenants an issued invoice, a payment allocated
// to it and a refund each, links the resident persona to the first, and
// returns the resident's actor (with its fence) and the two tenants.
func residentBooks(t *testing.T, s setup) (realty.Actor, [2]realty.ID) {
	t.Helper()
	var tenants [2]realty.ID
	for i := range tenants {
		tenants[i] = testTenant(t, s)
		issued(t, s, tenants[i], "2026-03-01", "100.00")
		p := received(t, s, tenants[i], "150.00")
		if _, err := s.led.Allocate(ctx, s.acct, p.ID, nil); err != nil {
			t.Fatal(err)
		}
		if _, err := s.led.RefundPayment(ctx, s.acct, p.ID, d("10.00"), ""); err != nil {
			t.Fatal(err)
		}
	}
	res := s.org.Personas["resident"]
	first, last := "Rosa", "Resident"
	if _, err := s.env.Leasing.UpdateTenant(ctx, s.org.Personas["property_manager"].Actor, tenants[0],
		leasing.TenantInput{FirstName: &first, LastName: &last, MemberID: &res.MemberID}); err != nil {
		t.Fatal(err)
	}
	actor, err := s.env.Org.ActorFor(ctx, s.org.Organization.ID, res.User.ID)
	if err != nil || actor.TenantID != tenants[0] {
		t.Fatalf("resident actor: tenant %s (%v), want %s", actor.TenantID, err, tenants[0])
	}
	return actor, tenants
}

// TestResidentFenceLedgerRLS: with no filter but the organization, a
// resident's transaction sees only its own tenant's invoices, lines,
// payments, allocations and refunds, and no invoice counter; a resident
// linked to no tenant sees nothing; staff see both tenants' rows. The
// child rows carry their parent's tenant (copied on insert).
func TestResidentFenceLedgerRLS(t *testing.T) {
	t.Parallel()
	s := newSetup(t, march)
	res, tenants := residentBooks(t, s)
	unlinked := res
	unlinked.TenantID = realty.ID{}
	const counts = `SELECT (SELECT count(*) FROM ledger.invoices WHERE organization_id = $1),
		(SELECT count(*) FROM ledger.invoice_lines WHERE organization_id = $1),
		(SELECT count(*) FROM ledger.payments WHERE organization_id = $1),
		(SELECT count(*) FROM ledger.payment_allocations WHERE organization_id = $1),
		(SELECT count(*) FROM ledger.refunds WHERE organization_id = $1),
		(SELECT count(*) FROM ledger.invoice_counters WHERE organization_id = $1)`
	for _, c := range []struct {
		name  string
		actor realty.Actor
		want  [6]int
	}{
		{"resident", res, [6]int{1, 1, 1, 1, 1, 0}},
		{"unlinked resident", unlinked, [6]int{}},
		{"accountant", s.acct, [6]int{2, 2, 2, 2, 2, 1}},
	} {
		var got [6]int
		err := postgres.Tx(ctx, s.env.Pool, c.actor, func(tx pgx.Tx) error {
			return tx.QueryRow(ctx, counts, s.org.Organization.ID).Scan(&got[0], &got[1], &got[2], &got[3], &got[4], &got[5])
		})
		if err != nil || got != c.want {
			t.Errorf("%s sees invoices, lines, payments, allocations, refunds, counters %v (%v), want %v", c.name, got, err, c.want)
		}
	}
	var wrong int
	err := postgres.Tx(ctx, s.env.Pool, s.acct, func(tx pgx.Tx) error {
		return tx.QueryRow(ctx, `SELECT (SELECT count(*) FROM ledger.invoice_lines l JOIN ledger.invoices i ON i.organization_id = l.organization_id
				AND i.id = l.invoice_id WHERE l.organization_id = $1 AND l.tenant_id <> i.tenant_id)
			+ (SELECT count(*) FROM ledger.payment_allocations a JOIN ledger.payments p ON p.organization_id = a.organization_id
				AND p.id = a.payment_id WHERE a.organization_id = $1 AND a.tenant_id <> p.tenant_id)
			+ (SELECT count(*) FROM ledger.refunds r JOIN ledger.payments p ON p.organization_id = r.organization_id
				AND p.id = r.payment_id WHERE r.organization_id = $1 AND r.tenant_id <> p.tenant_id)`, s.org.Organization.ID).Scan(&wrong)
	})
	if err != nil || wrong != 0 {
		t.Errorf("%d child rows name another tenant than their parent (%v)", wrong, err)
	}

	acc, err := s.led.ResidentAccount(ctx, res)
	if err != nil || acc.TenantID != tenants[0] || len(acc.Open) != 0 || len(acc.Payments) != 1 || !acc.Balance.Equal(d("-40.00")) {
		t.Errorf("resident account: %+v (%v), want own tenant, no open invoice, one payment, balance -40.00", acc, err)
	}
	if _, err := s.led.ResidentAccount(ctx, s.acct); realty.KindOf(err) != realty.Forbidden {
		t.Errorf("resident account as accountant: %v, want Forbidden", err)
	}
	if _, err := s.led.Invoices(ctx, res, ledger.InvoiceFilter{}); realty.KindOf(err) != realty.Forbidden {
		t.Errorf("staff invoice list as resident: %v, want Forbidden", err)
	}
}
