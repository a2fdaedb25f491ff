package maintenance_test

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5"

	"realty"
	"realty/internal/fixture/fixturetest"
	"realty/internal/maintenance"
	"realty/internal/postgres"
)

// TestResidentRequests: a resident files for their own unit (source
// resident, their tenant on it), sees only their unit's work orders and
// no staff notes, comments and adds photos; another unit's order is
// NotFound and staff actions are Forbidden.
func TestResidentRequests(t *testing.T) {
	t.Parallel()
	env := fixturetest.New(t)
	w := newWorld(t, env, "acme")
	ctx := context.Background()
	svc := env.Maintenance
	mine, err := svc.Submit(ctx, w.resident, maintenance.RequestInput{UnitID: w.units[0].ID, Title: "Leak under sink",
		Category: "plumbing", PermissionToEnter: true})
	if err != nil {
		t.Fatal(err)
	}
	if mine.Source != "resident" || mine.TenantID == nil || *mine.TenantID != w.tenants[0].ID || mine.PropertyID != w.property ||
		mine.ReporterID == nil || *mine.ReporterID != w.org.Personas["resident"].MemberID {
		t.Fatalf("request: %+v", mine)
	}
	staffMine := w.order(t, 0, "Repaint hallway door") // staff order at the resident's unit
	theirs := w.order(t, 1, "Neighbour's boiler")
	if _, err := svc.AddComment(ctx, w.pm, mine.ID, "Plumber booked for Tuesday", false); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.AddComment(ctx, w.pm, mine.ID, "Tenant caused it?", true); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.AddComment(ctx, w.resident, mine.ID, "Thanks!", false); err != nil {
		t.Errorf("resident comment: %v", err)
	}
	if _, err := svc.AddPhoto(ctx, w.resident, mine.ID, "the leak", pngBytes(t)); err != nil {
		t.Errorf("resident photo: %v", err)
	}
	page, err := svc.List(ctx, w.resident, maintenance.Filter{})
	if err != nil || len(page.Items) != 2 || page.Items[0].ID != staffMine.ID || page.Items[1].ID != mine.ID {
		t.Errorf("resident lists %+v (%v), want their unit's two orders", page.Items, err)
	}
	// The portal's list (Own) shows anyone only their own tenancy's orders:
	// the owner, who sees every order as staff, rents nothing here.
	owner := w.org.Personas["owner"].Actor
	if all, err := svc.List(ctx, owner, maintenance.Filter{}); err != nil || len(all.Items) != 3 {
		t.Errorf("owner's staff list: %d orders (%v), want 3", len(all.Items), err)
	}
	if own, err := svc.List(ctx, owner, maintenance.Filter{Own: true}); err != nil || len(own.Items) != 0 {
		t.Errorf("owner's own list: %d orders (%v), want none", len(own.Items), err)
	}
	if own, err := svc.List(ctx, w.resident, maintenance.Filter{Own: true}); err != nil || len(own.Items) != 2 {
		t.Errorf("resident's own list: %d orders (%v), want 2", len(own.Items), err)
	}
	// The service's own fence, without row-level security's: the same
	// resident, their transactions not marked as a resident's.
	unfenced := w.resident
	unfenced.Resident = false
	page, err = svc.List(ctx, unfenced, maintenance.Filter{})
	if err != nil || len(page.Items) != 2 {
		t.Errorf("service fence alone lists %d orders (%v), want their unit's 2", len(page.Items), err)
	}
	if _, err := svc.WorkOrder(ctx, unfenced, theirs.ID); realty.KindOf(err) != realty.NotFound {
		t.Errorf("service fence alone reads another unit's order: %v, want NotFound", err)
	}
	d, err := svc.Detail(ctx, w.resident, mine.ID)
	if err != nil || len(d.Comments) != 2 || len(d.Photos) != 1 {
		t.Errorf("resident detail: %d comments, %d photos (%v), want 2 and 1", len(d.Comments), len(d.Photos), err)
	}
	for _, c := range d.Comments {
		if c.Internal {
			t.Errorf("resident sees the internal note %q", c.Body)
		}
	}
	for name, err := range map[string]error{
		"read":    second(svc.WorkOrder(ctx, w.resident, theirs.ID)),
		"comment": second(svc.AddComment(ctx, w.resident, theirs.ID, "hi", false)),
		"photo":   second(svc.AddPhoto(ctx, w.resident, theirs.ID, "", pngBytes(t))),
	} {
		if realty.KindOf(err) != realty.NotFound {
			t.Errorf("%s another unit's order: %v, want NotFound", name, err)
		}
	}
	if _, err := svc.Start(ctx, w.resident, mine.ID); realty.KindOf(err) != realty.Forbidden {
		t.Errorf("resident starts: %v, want Forbidden", err)
	}
	if _, err := svc.AddComment(ctx, w.resident, mine.ID, "psst", true); realty.KindOf(err) != realty.Forbidden {
		t.Errorf("resident internal note: %v, want Forbidden", err)
	}
	if _, err := svc.Vendors(ctx, w.resident, maintenance.VendorFilter{}); realty.KindOf(err) != realty.Forbidden {
		t.Errorf("resident lists vendors: %v, want Forbidden", err)
	}
}

func second[T any](_ T, err error) error { return err }

// TestResidentCannotFileForAnotherUnit: a unit the resident does not rent
// (a neighbour's, or none at all) is Invalid naming unit_id; nothing is
// filed.
func TestResidentCannotFileForAnotherUnit(t *testing.T) {
	t.Parallel()
	env := fixturetest.New(t)
	w := newWorld(t, env, "acme")
	ctx := context.Background()
	for name, unit := range map[string]realty.ID{"neighbour's unit": w.units[1].ID, "no unit": realty.NewID()} {
		_, err := env.Maintenance.Submit(ctx, w.resident, maintenance.RequestInput{UnitID: unit, Title: "Leak"})
		if realty.KindOf(err) != realty.Invalid || field(err)["unit_id"] == "" {
			t.Errorf("%s: %v, want Invalid naming unit_id", name, err)
		}
	}
	unlinked := w.resident
	unlinked.TenantID = realty.ID{}
	if _, err := env.Maintenance.Submit(ctx, unlinked, maintenance.RequestInput{UnitID: w.units[0].ID, Title: "Leak"}); field(err)["unit_id"] == "" {
		t.Errorf("unlinked resident: %v, want Invalid naming unit_id", err)
	}
	page, err := env.Maintenance.List(ctx, w.pm, maintenance.Filter{})
	if err != nil || len(page.Items) != 0 {
		t.Errorf("refused requests filed %d orders (%v)", len(page.Items), err)
	}
	units, err := env.Maintenance.MyUnits(ctx, w.resident)
	if err != nil || len(units) != 1 || units[0].UnitID != w.units[0].ID || units[0].UnitNumber != "101" {
		t.Errorf("my units: %+v (%v)", units, err)
	}
}

// TestResidentFenceRLS: with no service filter at all, a resident's
// transaction sees only their tenancy's work orders, their comments but
// the internal ones, their photos, and no vendor; an unlinked resident
// sees none; staff see everything.
func TestResidentFenceRLS(t *testing.T) {
	t.Parallel()
	env := fixturetest.New(t)
	w := newWorld(t, env, "acme")
	ctx := context.Background()
	svc := env.Maintenance
	for i := range 2 {
		o := w.order(t, i, "order")
		for _, internal := range []bool{false, true} {
			if _, err := svc.AddComment(ctx, w.pm, o.ID, "note", internal); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := svc.AddPhoto(ctx, w.pm, o.ID, "", pngBytes(t)); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := svc.CreateVendor(ctx, w.pm, maintenance.VendorInput{Name: "V", Trade: "general", Active: true}); err != nil {
		t.Fatal(err)
	}
	unlinked := w.resident
	unlinked.TenantID = realty.ID{}
	for _, c := range []struct {
		name  string
		actor realty.Actor
		want  [4]int
	}{
		{"resident", w.resident, [4]int{1, 1, 1, 0}},
		{"unlinked resident", unlinked, [4]int{0, 0, 0, 0}},
		{"property manager", w.pm, [4]int{2, 4, 2, 1}},
	} {
		var got [4]int
		err := postgres.Tx(ctx, env.Pool, c.actor, func(tx pgx.Tx) error {
			return tx.QueryRow(ctx, `SELECT (SELECT count(*) FROM maintenance.work_orders WHERE organization_id = $1),
				(SELECT count(*) FROM maintenance.work_order_comments WHERE organization_id = $1),
				(SELECT count(*) FROM maintenance.work_order_photos WHERE organization_id = $1),
				(SELECT count(*) FROM maintenance.vendors WHERE organization_id = $1)`, w.org.Organization.ID).
				Scan(&got[0], &got[1], &got[2], &got[3])
		})
		if err != nil || got != c.want {
			t.Errorf("%s sees work orders, comments, photos, vendors %v (%v), want %v", c.name, got, err, c.want)
		}
	}
}
