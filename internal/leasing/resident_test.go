package leasing_test

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5"

	"realty"
	"realty/internal/fixture/fixturetest"
	"realty/internal/leasing"
	"realty/internal/postgres"
)

// residentWorld links the organization's resident persona to tenant 0,
// gives each tenant an active lease, and returns the resident's actor
// (rebuilt, so it carries the fence) and the two leases.
func residentWorld(t *testing.T, env fixturetest.Env) (world, realty.Actor, [2]leasing.Lease) {
	t.Helper()
	ctx := context.Background()
	w := newWorld(t, env, "acme")
	res := w.org.Personas["resident"]
	first, last := "Ada", "Tenant"
	if _, err := env.Leasing.UpdateTenant(ctx, w.pm, w.tenants[0].ID, leasing.TenantInput{FirstName: &first, LastName: &last,
		MemberID: &res.MemberID}); err != nil {
		t.Fatal(err)
	}
	var leases [2]leasing.Lease
	for i := range 2 {
		leases[i] = w.draft(t, i, i, "2027-01-01", "2027-12-31")
		if _, err := env.Leasing.Activate(ctx, w.pm, leases[i].ID); err != nil {
			t.Fatal(err)
		}
	}
	actor, err := env.Org.ActorFor(ctx, w.org.Organization.ID, res.User.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !actor.Resident || actor.TenantID != w.tenants[0].ID {
		t.Fatalf("resident actor: resident %v tenant %s, want tenant %s", actor.Resident, actor.TenantID, w.tenants[0].ID)
	}
	return w, actor, leases
}

// TestResidentSeesOwnTenancy: the resident reads their tenant and lease;
// another tenant's lease is NotFound, staff reads are Forbidden.
func TestResidentSeesOwnTenancy(t *testing.T) {
	t.Parallel()
	env := fixturetest.New(t)
	w, res, leases := residentWorld(t, env)
	ctx := context.Background()
	got, err := env.Leasing.Tenancy(ctx, res)
	if err != nil {
		t.Fatal(err)
	}
	if got.Tenant == nil || got.Tenant.ID != w.tenants[0].ID || len(got.Leases) != 1 || got.Leases[0].ID != leases[0].ID ||
		got.Tenant.Screening != nil {
		t.Fatalf("tenancy: %+v", got)
	}
	if _, err := env.Leasing.MyLease(ctx, res, leases[0].ID); err != nil {
		t.Errorf("own lease: %v", err)
	}
	if _, err := env.Leasing.MyLease(ctx, res, leases[1].ID); realty.KindOf(err) != realty.NotFound {
		t.Errorf("another tenant's lease: %v, want NotFound", err)
	}
	if _, err := env.Leasing.Lease(ctx, res, leases[1].ID); realty.KindOf(err) != realty.Forbidden {
		t.Errorf("staff read as resident: %v, want Forbidden", err)
	}
}

// TestResidentFenceRLS: without any service filter, a resident's
// transaction sees only its tenant's rows of every leasing table; a
// resident linked to no tenant sees none; staff see all.
func TestResidentFenceRLS(t *testing.T) {
	t.Parallel()
	env := fixturetest.New(t)
	w, res, leases := residentWorld(t, env)
	unlinked := res
	unlinked.TenantID = realty.ID{}
	for _, c := range []struct {
		name  string
		actor realty.Actor
		want  [4]int
	}{
		{"resident", res, [4]int{1, 1, 1, 0}},
		{"unlinked resident", unlinked, [4]int{0, 0, 0, 0}},
		{"property manager", w.pm, [4]int{2, 2, 2, 0}},
	} {
		var got [4]int
		err := postgres.Tx(context.Background(), env.Pool, c.actor, func(tx pgx.Tx) error {
			return tx.QueryRow(context.Background(), `SELECT (SELECT count(*) FROM leasing.tenants WHERE organization_id = $1),
				(SELECT count(*) FROM leasing.leases WHERE organization_id = $1),
				(SELECT count(*) FROM leasing.lease_tenants WHERE organization_id = $1),
				(SELECT count(*) FROM leasing.lease_charges WHERE organization_id = $1)`, w.org.Organization.ID).Scan(&got[0], &got[1], &got[2], &got[3])
		})
		if err != nil || got != c.want {
			t.Errorf("%s sees tenants, leases, lease tenants, charges %v (%v), want %v", c.name, got, err, c.want)
		}
	}
	// The other tenant's rows by id, as the resident: nothing.
	err := postgres.Tx(context.Background(), env.Pool, res, func(tx pgx.Tx) error {
		var n int
		err := tx.QueryRow(context.Background(), `SELECT (SELECT count(*) FROM leasing.leases WHERE organization_id = $1 AND id = $2)
			+ (SELECT count(*) FROM leasing.tenants WHERE organization_id = $1 AND id = $3)`,
			res.OrgID, leases[1].ID, w.tenants[1].ID).Scan(&n)
		if n != 0 {
			t.Errorf("the resident's transaction sees %d of another tenant's rows", n)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestLeasingIsolation: one organization's property manager cannot read,
// change or use another's tenants, leases or units.
func TestLeasingIsolation(t *testing.T) {
	t.Parallel()
	env := fixturetest.New(t)
	a, b := newWorld(t, env, "acme"), newWorld(t, env, "globex")
	ctx := context.Background()
	lb := b.draft(t, 0, 0, "2027-01-01", "2027-12-31")
	if _, err := env.Leasing.Lease(ctx, a.pm, lb.ID); realty.KindOf(err) != realty.NotFound {
		t.Errorf("B's lease as A: %v", err)
	}
	if _, err := env.Leasing.Tenant(ctx, a.pm, b.tenants[0].ID); realty.KindOf(err) != realty.NotFound {
		t.Errorf("B's tenant as A: %v", err)
	}
	if _, err := env.Leasing.Activate(ctx, a.pm, lb.ID); realty.KindOf(err) != realty.NotFound {
		t.Errorf("activating B's lease as A: %v", err)
	}
	if _, err := env.Leasing.CreateLease(ctx, a.pm, leasing.LeaseInput{UnitID: b.units[0].ID,
		Tenants: []leasing.LeaseTenant{{TenantID: a.tenants[0].ID}}, StartDate: date("2027-01-01"), EndDate: datep("2027-02-01")}); realty.KindOf(err) != realty.Invalid {
		t.Errorf("lease of B's unit as A: %v", err)
	}
	if _, err := env.Leasing.CreateLease(ctx, a.pm, leasing.LeaseInput{UnitID: a.units[0].ID,
		Tenants: []leasing.LeaseTenant{{TenantID: b.tenants[0].ID}}, StartDate: date("2027-01-01"), EndDate: datep("2027-02-01")}); realty.KindOf(err) != realty.Invalid {
		t.Errorf("lease to B's tenant as A: %v", err)
	}
	ls, err := env.Leasing.Leases(ctx, a.pm, leasing.LeaseFilter{})
	if err != nil || len(ls.Items) != 0 {
		t.Errorf("A lists %d leases (%v), want 0", len(ls.Items), err)
	}
}

// TestListPages: tenant and lease lists page by cursor without losing or
// repeating a row.
func TestListPages(t *testing.T) {
	t.Parallel()
	env := fixturetest.New(t)
	w := newWorld(t, env, "acme")
	ctx := context.Background()
	want := map[realty.ID]bool{}
	for i, from := range []string{"2027-01-01", "2027-01-01", "2028-01-01"} {
		want[w.draft(t, i%2, i%2, from, "2028-12-31").ID] = true
	}
	seen, cursor := map[realty.ID]bool{}, ""
	for range 5 {
		page, err := env.Leasing.Leases(ctx, w.pm, leasing.LeaseFilter{Limit: 2, Cursor: cursor})
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range page.Items {
			if seen[l.ID] {
				t.Errorf("lease %s listed twice", l.ID)
			}
			seen[l.ID] = true
		}
		if cursor = page.NextCursor; cursor == "" {
			break
		}
	}
	if len(seen) != len(want) {
		t.Errorf("paged through %d leases, want %d", len(seen), len(want))
	}
	first, err := env.Leasing.Tenants(ctx, w.pm, leasing.TenantFilter{Limit: 1})
	if err != nil || len(first.Items) != 1 || first.NextCursor == "" {
		t.Fatalf("first tenant page: %+v %v", first, err)
	}
	second, err := env.Leasing.Tenants(ctx, w.pm, leasing.TenantFilter{Limit: 1, Cursor: first.NextCursor})
	if err != nil || len(second.Items) != 1 || second.Items[0].ID == first.Items[0].ID || second.NextCursor != "" {
		t.Errorf("second tenant page: %+v %v", second, err)
	}
	if _, err := env.Leasing.Leases(ctx, w.pm, leasing.LeaseFilter{Cursor: "nope"}); realty.KindOf(err) != realty.Invalid {
		t.Errorf("bad cursor: %v", err)
	}
}
