package maintenance_test

import (
	"bytes"
	"context"
	"errors"
	"image"
	"image/png"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"realty"
	"realty/internal/fixture"
	"realty/internal/fixture/fixturetest"
	"realty/internal/leasing"
	"realty/internal/maintenance"
	"realty/internal/postgres/pgtest"
	"realty/internal/property"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// world is an organization with a property of two units, each let to its
// own tenant under an active lease, and the resident persona linked to
// tenant 0 (so unit 0 is theirs).
type world struct {
	env      fixturetest.Env
	org      fixture.Org
	pm       realty.Actor
	tech     realty.Actor
	resident realty.Actor
	property realty.ID
	units    [2]property.Unit
	tenants  [2]leasing.Tenant
}

func newWorld(t *testing.T, env fixturetest.Env, slug string) world {
	t.Helper()
	ctx := context.Background()
	o := env.Organization(t, slug)
	w := world{env: env, org: o, pm: o.Personas["property_manager"].Actor, tech: o.Personas["maintenance"].Actor}
	p, err := env.Property.Create(ctx, w.pm, property.Input{AddressLine1: "1 Main St", City: "Denver", StateProvince: "CO"})
	if err != nil {
		t.Fatal(err)
	}
	w.property = p.ID
	res := o.Personas["resident"]
	today := realty.DateOf(time.Now().UTC())
	end := today.AddDays(330)
	for i, n := range []string{"101", "102"} {
		if w.units[i], err = env.Property.CreateUnit(ctx, w.pm, p.ID, property.UnitInput{UnitNumber: n}); err != nil {
			t.Fatal(err)
		}
		first, last := []string{"Ada", "Bea"}[i], "Tenant"
		in := leasing.TenantInput{FirstName: &first, LastName: &last}
		if i == 0 {
			in.MemberID = &res.MemberID
		}
		if w.tenants[i], err = env.Leasing.CreateTenant(ctx, w.pm, in); err != nil {
			t.Fatal(err)
		}
		l, err := env.Leasing.CreateLease(ctx, w.pm, leasing.LeaseInput{UnitID: w.units[i].ID,
			Tenants: []leasing.LeaseTenant{{TenantID: w.tenants[i].ID}}, StartDate: today.AddDays(-30), EndDate: &end,
			Rent: decimal.NewFromInt(1500)})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := env.Leasing.Activate(ctx, w.pm, l.ID); err != nil {
			t.Fatal(err)
		}
	}
	if w.resident, err = env.Org.ActorFor(ctx, o.Organization.ID, res.User.ID); err != nil {
		t.Fatal(err)
	}
	if !w.resident.Resident || w.resident.TenantID != w.tenants[0].ID {
		t.Fatalf("resident actor: %+v", w.resident)
	}
	return w
}

// order files a staff work order at unit i.
func (w world) order(t *testing.T, i int, title string) maintenance.WorkOrder {
	t.Helper()
	o, err := w.env.Maintenance.Create(context.Background(), w.pm, maintenance.WorkOrderInput{UnitID: &w.units[i].ID, Title: title})
	if err != nil {
		t.Fatal(err)
	}
	return o
}

func pngBytes(t *testing.T) *bytes.Buffer {
	t.Helper()
	var b bytes.Buffer
	if err := png.Encode(&b, image.NewGray(image.Rect(0, 0, 2, 2))); err != nil {
		t.Fatal(err)
	}
	return &b
}

// field returns the field errors of err.
func field(err error) map[string]string {
	var e *realty.Error
	if !errors.As(err, &e) {
		return nil
	}
	return e.Fields
}

func timeNow() time.Time { return time.Now().UTC() }
