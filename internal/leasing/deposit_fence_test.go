package leasing_test

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5"

	"realty"
	"realty/internal/fixture/fixturetest"
	"realty/internal/leasing"
	"realty/internal/ledger"
	"realty/internal/postgres"
)

// TestDepositFenceRLS: with no filter but the organization, a resident's
// transaction sees only their own lease's deposit disposition and its
// deductions; staff see both tenants'. The deductions carry their
// disposition's tenant (copied on insert).
func TestDepositFenceRLS(t *testing.T) {
	t.Parallel()
	env := fixturetest.New(t)
	ctx := context.Background()
	e := newEstate(t, env, "deposit-fence", 2)
	var leases [2]leasing.Lease
	for i := range 2 {
		leases[i] = e.lease(t, i, leasing.LeaseInput{StartDate: date("2027-02-01"), EndDate: datep("2027-12-31"),
			Rent: money("1500.00"), Deposit: money("1000.00")})
	}
	if _, err := env.Leasing.RunBilling(ctx, e.pm, date("2027-02-01")); err != nil {
		t.Fatal(err)
	}
	for i := range 2 {
		if _, err := env.Leasing.MoveOut(ctx, e.pm, leases[i].ID, date("2026-12-01")); err != nil {
			t.Fatal(err)
		}
		if _, err := env.Leasing.DisposeDeposit(ctx, e.pm, leases[i].ID, leasing.DispositionInput{
			Deductions: []ledger.DeductionInput{{Reason: "Paint", Amount: money("100.00")}, {Reason: "Keys", Amount: money("20.00")}}}); err != nil {
			t.Fatal(err)
		}
	}
	res := e.org.Personas["resident"]
	first, last := "Test", "Payer0"
	if _, err := env.Leasing.UpdateTenant(ctx, e.pm, e.tenants[0], leasing.TenantInput{FirstName: &first, LastName: &last,
		MemberID: &res.MemberID}); err != nil {
		t.Fatal(err)
	}
	resident, err := env.Org.ActorFor(ctx, e.org.Organization.ID, res.User.ID)
	if err != nil || resident.TenantID != e.tenants[0] {
		t.Fatalf("resident actor: tenant %s (%v), want %s", resident.TenantID, err, e.tenants[0])
	}
	for _, c := range []struct {
		name  string
		actor realty.Actor
		want  [3]int
	}{
		{"resident", resident, [3]int{1, 2, 0}},
		{"property manager", e.pm, [3]int{2, 4, 0}},
	} {
		var got [3]int
		err := postgres.Tx(ctx, env.Pool, c.actor, func(tx pgx.Tx) error {
			return tx.QueryRow(ctx, `SELECT (SELECT count(*) FROM ledger.deposit_dispositions WHERE organization_id = $1),
				(SELECT count(*) FROM ledger.deposit_deductions WHERE organization_id = $1),
				(SELECT count(*) FROM ledger.deposit_deductions x JOIN ledger.deposit_dispositions d
					ON d.organization_id = x.organization_id AND d.id = x.disposition_id
					WHERE x.organization_id = $1 AND x.tenant_id <> d.tenant_id)`, e.org.Organization.ID).Scan(&got[0], &got[1], &got[2])
		})
		if err != nil || got != c.want {
			t.Errorf("%s sees dispositions, deductions, deductions of another tenant %v (%v), want %v", c.name, got, err, c.want)
		}
	}
}
