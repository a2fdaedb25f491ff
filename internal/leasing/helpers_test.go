package leasing_test

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/shopspring/decimal"

	"realty"
	"realty/internal/fixture"
	"realty/internal/fixture/fixturetest"
	"realty/internal/leasing"
	"realty/internal/postgres"
	"realty/internal/postgres/pgtest"
	"realty/internal/property"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// world is an organization with a property of two units and two tenants.
type world struct {
	env     fixturetest.Env
	org     fixture.Org
	pm      realty.Actor
	units   [2]property.Unit
	tenants [2]leasing.Tenant
}

func newWorld(t *testing.T, env fixturetest.Env, slug string) world {
	t.Helper()
	ctx := context.Background()
	o := env.Organization(t, slug)
	w := world{env: env, org: o, pm: o.Personas["property_manager"].Actor}
	p, err := env.Property.Create(ctx, w.pm, property.Input{AddressLine1: "1 Main St", City: "Denver", StateProvince: "CO"})
	if err != nil {
		t.Fatal(err)
	}
	for i, n := range []string{"101", "102"} {
		if w.units[i], err = env.Property.CreateUnit(ctx, w.pm, p.ID, property.UnitInput{UnitNumber: n}); err != nil {
			t.Fatal(err)
		}
	}
	for i, n := range []string{"Ada", "Bea"} {
		last := "Tenant"
		if w.tenants[i], err = env.Leasing.CreateTenant(ctx, w.pm, leasing.TenantInput{FirstName: &n, LastName: &last}); err != nil {
			t.Fatal(err)
		}
	}
	return w
}

func date(s string) realty.Date {
	d, err := realty.ParseDate(s)
	if err != nil {
		panic(err)
	}
	return d
}

func datep(s string) *realty.Date { d := date(s); return &d }

// draft creates a draft fixed lease of unit i to tenant j over [from, to].
func (w world) draft(t *testing.T, i, j int, from, to string) leasing.Lease {
	t.Helper()
	l, err := w.env.Leasing.CreateLease(context.Background(), w.pm, leasing.LeaseInput{UnitID: w.units[i].ID,
		Tenants: []leasing.LeaseTenant{{TenantID: w.tenants[j].ID}}, StartDate: date(from), EndDate: datep(to),
		Rent: decimal.RequireFromString("1500.00")})
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func (w world) unitStatus(t *testing.T, i int) string {
	t.Helper()
	var u property.Unit
	err := postgres.Tx(context.Background(), w.env.Pool, w.pm, func(tx pgx.Tx) error {
		var err error
		u, err = property.UnitTx(context.Background(), tx, w.pm, w.units[i].ID)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return u.Status
}
