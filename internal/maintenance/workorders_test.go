package maintenance_test

import (
	"context"
	"testing"

	"github.com/shopspring/decimal"

	"realty"
	"realty/internal/fixture/fixturetest"
	"realty/internal/maintenance"
)

// TestTransitions walks a work order through its life and checks that each
// move the status does not allow is a Conflict naming status, leaving the
// order as it was.
func TestTransitions(t *testing.T) {
	t.Parallel()
	env := fixturetest.New(t)
	w := newWorld(t, env, "acme")
	ctx := context.Background()
	svc := env.Maintenance
	tech := w.org.Personas["maintenance"].MemberID
	o := w.order(t, 0, "Broken heater")
	if o.Status != "open" || o.Source != "staff" || o.RespondBy.Sub(o.CreatedAt).Hours() != 72 {
		t.Fatalf("new order: %+v", o)
	}
	refuse := func(name string, err error) {
		t.Helper()
		if realty.KindOf(err) != realty.Conflict || field(err)["status"] == "" {
			t.Errorf("%s: %v, want Conflict naming status", name, err)
		}
	}
	_, err := svc.Start(ctx, w.tech, o.ID)
	refuse("start an open order", err)
	_, err = svc.Complete(ctx, w.tech, o.ID, nil)
	refuse("complete an open order", err)
	if o, err = svc.Assign(ctx, w.pm, o.ID, maintenance.AssignInput{AssigneeID: &tech}); err != nil || o.Status != "assigned" {
		t.Fatalf("assign: %v %+v", err, o)
	}
	_, err = svc.Complete(ctx, w.tech, o.ID, nil)
	refuse("complete an assigned order", err)
	if o, err = svc.Start(ctx, w.tech, o.ID); err != nil || o.Status != "in_progress" {
		t.Fatalf("start: %v %+v", err, o)
	}
	cost := decimal.RequireFromString("180.50")
	if o, err = svc.Complete(ctx, w.tech, o.ID, &cost); err != nil || o.Status != "completed" || o.CompletedAt == nil ||
		!o.ActualCost.Equal(cost) {
		t.Fatalf("complete: %v %+v", err, o)
	}
	_, err = svc.Cancel(ctx, w.pm, o.ID, "never mind")
	refuse("cancel a completed order", err)
	_, err = svc.Assign(ctx, w.pm, o.ID, maintenance.AssignInput{AssigneeID: &tech})
	refuse("assign a completed order", err)
	_, err = svc.Start(ctx, w.tech, o.ID)
	refuse("start a completed order", err)

	c := w.order(t, 0, "Squeaky door")
	if c, err = svc.Cancel(ctx, w.pm, c.ID, "fixed itself"); err != nil || c.Status != "canceled" {
		t.Fatalf("cancel: %v %+v", err, c)
	}
	_, err = svc.Assign(ctx, w.pm, c.ID, maintenance.AssignInput{AssigneeID: &tech})
	refuse("assign a canceled order", err)
	if got, _ := svc.WorkOrder(ctx, w.pm, c.ID); got.Status != "canceled" || got.AssigneeID != nil {
		t.Errorf("a refused move changed the order: %+v", got)
	}
	// Who may do what: the technician neither assigns nor cancels.
	if _, err := svc.Cancel(ctx, w.tech, w.order(t, 1, "x").ID, ""); realty.KindOf(err) != realty.Forbidden {
		t.Errorf("technician cancels: %v, want Forbidden", err)
	}
}

// TestBadInput: each bad value is an Invalid error naming its field, and
// nothing is written.
func TestBadInput(t *testing.T) {
	t.Parallel()
	env := fixturetest.New(t)
	w := newWorld(t, env, "acme")
	ctx := context.Background()
	unit, other := w.units[0].ID, realty.NewID()
	neg := decimal.NewFromInt(-1)
	for _, c := range []struct {
		field string
		in    maintenance.WorkOrderInput
	}{
		{"title", maintenance.WorkOrderInput{UnitID: &unit, Title: "  "}},
		{"priority", maintenance.WorkOrderInput{UnitID: &unit, Title: "x", Priority: "urgent"}},
		{"category", maintenance.WorkOrderInput{UnitID: &unit, Title: "x", Category: "magic"}},
		{"unit_id", maintenance.WorkOrderInput{UnitID: &other, Title: "x"}},
		{"property_id", maintenance.WorkOrderInput{PropertyID: &other, Title: "x"}},
		{"property_id", maintenance.WorkOrderInput{Title: "x"}},
		{"estimated_cost", maintenance.WorkOrderInput{UnitID: &unit, Title: "x", EstimatedCost: &neg}},
	} {
		_, err := env.Maintenance.Create(ctx, w.pm, c.in)
		if realty.KindOf(err) != realty.Invalid || field(err)[c.field] == "" {
			t.Errorf("%s: %v, want Invalid naming it", c.field, err)
		}
	}
	page, err := env.Maintenance.List(ctx, w.pm, maintenance.Filter{})
	if err != nil || len(page.Items) != 0 {
		t.Errorf("bad input wrote %d work orders (%v)", len(page.Items), err)
	}
	if _, err := env.Maintenance.List(ctx, w.pm, maintenance.Filter{Status: "done"}); field(err)["status"] == "" {
		t.Errorf("list status=done: %v, want Invalid naming status", err)
	}
	if _, err := env.Maintenance.CreateVendor(ctx, w.pm, maintenance.VendorInput{Name: "V", Trade: "juggling"}); field(err)["trade"] == "" {
		t.Errorf("vendor trade: %v, want Invalid naming trade", err)
	}
	five := 6
	if _, err := env.Maintenance.CreateVendor(ctx, w.pm, maintenance.VendorInput{Name: "V", Trade: "hvac", Rating: &five}); field(err)["rating"] == "" {
		t.Errorf("vendor rating 6: %v, want Invalid naming rating", err)
	}
}

// TestListFilters: status, priority, property and overdue filters, and
// keyset pages that cover every order once.
func TestListFilters(t *testing.T) {
	t.Parallel()
	env := fixturetest.New(t)
	w := newWorld(t, env, "acme")
	ctx := context.Background()
	svc := env.Maintenance
	for i := range 5 {
		w.order(t, i%2, "order")
	}
	urgent, err := svc.Create(ctx, w.pm, maintenance.WorkOrderInput{UnitID: &w.units[1].ID, Title: "Flood", Priority: "emergency"})
	if err != nil {
		t.Fatal(err)
	}
	seen := map[realty.ID]bool{}
	f := maintenance.Filter{Limit: 2}
	for pages := 0; ; pages++ {
		p, err := svc.List(ctx, w.pm, f)
		if err != nil || pages > 5 {
			t.Fatalf("page %d: %v", pages, err)
		}
		for _, o := range p.Items {
			if seen[o.ID] {
				t.Errorf("order %s listed twice", o.ID)
			}
			seen[o.ID] = true
		}
		if p.NextCursor == "" {
			break
		}
		f.Cursor = p.NextCursor
	}
	if len(seen) != 6 {
		t.Errorf("pages cover %d orders, want 6", len(seen))
	}
	p, err := svc.List(ctx, w.pm, maintenance.Filter{Priority: "emergency", PropertyID: &w.property, Status: "open"})
	if err != nil || len(p.Items) != 1 || p.Items[0].ID != urgent.ID {
		t.Errorf("emergency filter: %v %+v", err, p.Items)
	}
	p, err = svc.List(ctx, w.pm, maintenance.Filter{Overdue: true})
	if err != nil || len(p.Items) != 0 {
		t.Errorf("overdue filter on fresh orders: %v %d", err, len(p.Items))
	}
}

// TestVendors: the tax id is masked without vendor.tax_id, one preferred
// vendor per trade, the insurance status follows the expiry.
func TestVendors(t *testing.T) {
	t.Parallel()
	env := fixturetest.New(t)
	w := newWorld(t, env, "acme")
	ctx := context.Background()
	svc := env.Maintenance
	tax := "12-3456789"
	soon := realty.DateOf(timeNow()).AddDays(10)
	v, err := svc.CreateVendor(ctx, w.pm, maintenance.VendorInput{Name: "Pipes Inc", Trade: "plumbing", TaxID: &tax,
		InsuranceExpiry: &soon, Preferred: true, Active: true})
	if err != nil || v.TaxID == nil || *v.TaxID != tax || v.InsuranceStatus != "expiring" {
		t.Fatalf("create: %v %+v", err, v)
	}
	got, err := svc.Vendor(ctx, w.tech, v.ID)
	if err != nil || got.TaxID != nil || got.TaxIDMasked == nil || *got.TaxIDMasked != "••••89" {
		t.Errorf("technician sees tax id %v masked %v (%v)", got.TaxID, got.TaxIDMasked, err)
	}
	_, err = svc.CreateVendor(ctx, w.pm, maintenance.VendorInput{Name: "Drains Ltd", Trade: "plumbing", Preferred: true, Active: true})
	if realty.KindOf(err) != realty.Conflict || field(err)["preferred"] == "" {
		t.Errorf("second preferred plumber: %v, want Conflict naming preferred", err)
	}
	if _, err := svc.CreateVendor(ctx, w.pm, maintenance.VendorInput{Name: "Sparks", Trade: "electrical", Preferred: true, Active: true}); err != nil {
		t.Errorf("preferred electrician: %v", err)
	}
	past := realty.DateOf(timeNow()).AddDays(-1)
	later := realty.DateOf(timeNow()).AddDays(31)
	for want, d := range map[string]*realty.Date{"lapsed": &past, "ok": &later, "unknown": nil} {
		v, err := svc.CreateVendor(ctx, w.pm, maintenance.VendorInput{Name: want, Trade: "general", InsuranceExpiry: d, Active: true})
		if err != nil || v.InsuranceStatus != want {
			t.Errorf("insurance %s: got %q (%v)", want, v.InsuranceStatus, err)
		}
	}
	acct := w.org.Personas["accountant"].Actor
	if _, err := svc.CreateVendor(ctx, acct, maintenance.VendorInput{Name: "x", Trade: "general"}); realty.KindOf(err) != realty.Forbidden {
		t.Errorf("accountant creates a vendor: %v, want Forbidden", err)
	}
}
