package leasing_test

import (
	"context"
	"testing"

	"realty"
	"realty/internal/fixture/fixturetest"
	"realty/internal/leasing"
)

// TenantNames names people and companies in one read and leaves out ids of
// another organization's tenants and of no tenant at all.
func TestTenantNames(t *testing.T) {
	t.Parallel()
	env := fixturetest.New(t)
	ctx := context.Background()
	a, b := newWorld(t, env, "names-a"), newWorld(t, env, "names-b")
	co := "Acme Rentals LLC"
	firm, err := env.Leasing.CreateTenant(ctx, a.pm, leasing.TenantInput{Kind: "company", CompanyName: &co})
	if err != nil {
		t.Fatal(err)
	}
	ids := []realty.ID{a.tenants[0].ID, firm.ID, b.tenants[0].ID, realty.NewID()}
	got, err := env.Leasing.TenantNames(ctx, a.pm, ids)
	if err != nil {
		t.Fatal(err)
	}
	want := map[realty.ID]string{a.tenants[0].ID: "Ada Tenant", firm.ID: co}
	if len(got) != len(want) {
		t.Fatalf("names = %v, want %v", got, want)
	}
	for id, n := range want {
		if got[id] != n {
			t.Errorf("name of %s = %q, want %q", id, got[id], n)
		}
	}
	resident := a.pm
	resident.Permissions = nil
	if _, err := env.Leasing.TenantNames(ctx, resident, ids); realty.KindOf(err) != realty.Forbidden {
		t.Fatalf("without lease.read: err = %v, want Forbidden", err)
	}
}
