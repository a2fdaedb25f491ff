package maintenance_test

import (
	"context"
	"testing"

	"realty"
	"realty/internal/fixture/fixturetest"
	"realty/internal/maintenance"
	"realty/internal/postgres"

	"github.com/jackc/pgx/v5"
)

// TestInspectionIsolation: one organization's manager can neither read nor
// change another's templates and inspections, nor inspect its units or use
// its template, lease or members; residents see no inspection, by the
// service and by row-level security alone.
func TestInspectionIsolation(t *testing.T) {
	t.Parallel()
	env := fixturetest.New(t)
	a, b := newWorld(t, env, "acme"), newWorld(t, env, "globex")
	ctx := context.Background()
	svc := env.Maintenance
	tb, err := svc.CreateTemplate(ctx, b.pm, maintenance.TemplateInput{Name: "Globex", Rooms: testRooms})
	if err != nil {
		t.Fatal(err)
	}
	ib := b.inspect(t, "move_out", tb.ID, nil)
	ia, err := svc.CreateInspection(ctx, a.tech, maintenance.InspectionInput{Kind: "periodic", UnitID: &a.units[0].ID})
	if err != nil {
		t.Fatal(err)
	}
	id := ib.Inspection.ID
	for name, err := range map[string]error{
		"read":          second(svc.Inspection(ctx, a.pm, id)),
		"template":      second(svc.Template(ctx, a.pm, tb.ID)),
		"edit template": second(svc.UpdateTemplate(ctx, a.pm, tb.ID, maintenance.TemplateInput{Name: "x", Rooms: testRooms})),
		"compare":       second(svc.Compare(ctx, a.pm, id)),
		"lease compare": second(svc.LeaseComparison(ctx, a.pm, b.leaseOf(t, 0))),
		"rate":          second(svc.UpdateItems(ctx, a.pm, id, []maintenance.ItemUpdate{{ID: ib.Items[0].ID, Rating: ptr("poor")}})),
		"reschedule":    second(svc.UpdateInspection(ctx, a.pm, id, maintenance.ScheduleInput{})),
		"start":         second(svc.StartInspection(ctx, a.pm, id)),
		"delete":        svc.DeleteInspection(ctx, a.pm, id),
		"photo":         second(svc.AddInspectionPhoto(ctx, a.pm, id, nil, "", pngBytes(t))),
		"rate B's item": second(svc.UpdateItems(ctx, a.pm, ia.Inspection.ID, []maintenance.ItemUpdate{{ID: ib.Items[0].ID, Rating: ptr("poor")}})),
	} {
		if k := realty.KindOf(err); k != realty.NotFound && !(name == "rate B's item" && field(err)["items[0].id"] != "") {
			t.Errorf("%s of B as A: %v, want NotFound", name, err)
		}
	}
	bLease := b.leaseOf(t, 0)
	bTech := b.org.Personas["maintenance"].MemberID
	for f, in := range map[string]maintenance.InspectionInput{
		"unit_id":      {Kind: "periodic", UnitID: &b.units[0].ID},
		"template_id":  {Kind: "periodic", UnitID: &a.units[0].ID, TemplateID: &tb.ID},
		"lease_id":     {Kind: "move_in", UnitID: &a.units[0].ID, LeaseID: &bLease},
		"inspector_id": {Kind: "periodic", UnitID: &a.units[0].ID, InspectorID: &bTech},
	} {
		if _, err := svc.CreateInspection(ctx, a.pm, in); field(err)[f] == "" {
			t.Errorf("inspect with B's %s: %v, want Invalid naming it", f, err)
		}
	}
	for _, w := range []world{a, b} {
		page, err := svc.Inspections(ctx, w.pm, maintenance.InspectionFilter{})
		if err != nil || len(page.Items) != 1 {
			t.Errorf("%s lists %d inspections (%v), want its own 1", w.org.Organization.Slug, len(page.Items), err)
		}
	}
	if _, err := svc.Inspection(ctx, b.resident, id); realty.KindOf(err) != realty.Forbidden {
		t.Errorf("resident reads their lease's inspection: %v, want Forbidden", err)
	}
	// Row-level security alone: the resident's transaction counts none.
	err = postgres.Tx(ctx, env.Pool, b.resident, func(tx pgx.Tx) error {
		for _, table := range []string{"inspections", "inspection_items", "inspection_templates"} {
			var n int
			if err := tx.QueryRow(ctx, `SELECT count(*) FROM maintenance.`+table+` WHERE organization_id = $1`,
				b.org.Organization.ID).Scan(&n); err != nil {
				return err
			}
			if n != 0 {
				t.Errorf("resident's transaction sees %d rows of %s, want 0", n, table)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
