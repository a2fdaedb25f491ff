package maintenance_test

import (
	"context"
	"testing"

	"realty"
	"realty/internal/fixture/fixturetest"
	"realty/internal/maintenance"
)

// TestMaintenanceIsolation: one organization's manager can neither read
// nor change another's work orders and vendors, nor file at its units,
// nor assign its members or vendors.
func TestMaintenanceIsolation(t *testing.T) {
	t.Parallel()
	env := fixturetest.New(t)
	a, b := newWorld(t, env, "acme"), newWorld(t, env, "globex")
	ctx := context.Background()
	svc := env.Maintenance
	ob := b.order(t, 0, "globex order")
	vb, err := svc.CreateVendor(ctx, b.pm, maintenance.VendorInput{Name: "Globex Plumbing", Trade: "plumbing", Active: true})
	if err != nil {
		t.Fatal(err)
	}
	oa := a.order(t, 0, "acme order")
	for name, err := range map[string]error{
		"read order":   second(svc.WorkOrder(ctx, a.pm, ob.ID)),
		"detail":       second(svc.Detail(ctx, a.pm, ob.ID)),
		"assign order": second(svc.Assign(ctx, a.pm, ob.ID, maintenance.AssignInput{VendorID: &vb.ID})),
		"cancel order": second(svc.Cancel(ctx, a.pm, ob.ID, "")),
		"comment":      second(svc.AddComment(ctx, a.pm, ob.ID, "hi", false)),
		"read vendor":  second(svc.Vendor(ctx, a.pm, vb.ID)),
		"edit vendor":  second(svc.UpdateVendor(ctx, a.pm, vb.ID, maintenance.VendorInput{Name: "x", Trade: "general"})),
	} {
		if realty.KindOf(err) != realty.NotFound {
			t.Errorf("%s of B as A: %v, want NotFound", name, err)
		}
	}
	if _, err := svc.Create(ctx, a.pm, maintenance.WorkOrderInput{UnitID: &b.units[0].ID, Title: "x"}); field(err)["unit_id"] == "" {
		t.Errorf("file at B's unit: %v, want Invalid naming unit_id", err)
	}
	if _, err := svc.Assign(ctx, a.pm, oa.ID, maintenance.AssignInput{VendorID: &vb.ID}); field(err)["vendor_id"] == "" {
		t.Errorf("assign B's vendor: %v, want Invalid naming vendor_id", err)
	}
	bTech := b.org.Personas["maintenance"].MemberID
	if _, err := svc.Assign(ctx, a.pm, oa.ID, maintenance.AssignInput{AssigneeID: &bTech}); field(err)["assignee_id"] == "" {
		t.Errorf("assign B's member: %v, want Invalid naming assignee_id", err)
	}
	for _, w := range []world{a, b} {
		page, err := svc.List(ctx, w.pm, maintenance.Filter{})
		if err != nil || len(page.Items) != 1 {
			t.Errorf("%s lists %d orders (%v), want its own 1", w.org.Organization.Slug, len(page.Items), err)
		}
		vs, err := svc.Vendors(ctx, w.pm, maintenance.VendorFilter{})
		want := 0
		if w.org.Organization.ID == b.org.Organization.ID {
			want = 1
		}
		if err != nil || len(vs) != want {
			t.Errorf("%s lists %d vendors (%v), want %d", w.org.Organization.Slug, len(vs), err, want)
		}
	}
}
