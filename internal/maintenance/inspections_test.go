package maintenance_test

import (
	"context"
	"strings"
	"testing"

	"realty"
	"realty/internal/fixture/fixturetest"
	"realty/internal/leasing"
	"realty/internal/maintenance"
)

// leaseOf is the lease of the world's unit i.
func (w world) leaseOf(t *testing.T, i int) realty.ID {
	t.Helper()
	page, err := w.env.Leasing.Leases(context.Background(), w.pm, leasing.LeaseFilter{UnitID: &w.units[i].ID})
	if err != nil || len(page.Items) != 1 {
		t.Fatalf("leases of unit %d: %v %v", i, page.Items, err)
	}
	return page.Items[0].ID
}

func ptr[T any](v T) *T { return &v }

// inspect schedules an inspection of kind at unit 0 under its lease from
// tpl, rates its items by room/item as given (the rest "good"), and
// completes it.
func (w world) inspect(t *testing.T, kind string, tpl realty.ID, ratings map[string]string) maintenance.InspectionDetail {
	t.Helper()
	ctx := context.Background()
	svc := w.env.Maintenance
	lease := w.leaseOf(t, 0)
	d, err := svc.CreateInspection(ctx, w.tech, maintenance.InspectionInput{Kind: kind, UnitID: &w.units[0].ID, LeaseID: &lease, TemplateID: &tpl})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.StartInspection(ctx, w.tech, d.Inspection.ID); err != nil {
		t.Fatal(err)
	}
	var ups []maintenance.ItemUpdate
	for _, it := range d.Items {
		r, ok := ratings[it.Room+"/"+it.Item]
		if !ok {
			r = "good"
		}
		ups = append(ups, maintenance.ItemUpdate{ID: it.ID, Rating: ptr(r), Notes: ptr(kind + " " + r)})
	}
	if _, err := svc.UpdateItems(ctx, w.tech, d.Inspection.ID, ups); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.CompleteInspection(ctx, w.tech, d.Inspection.ID); err != nil {
		t.Fatal(err)
	}
	out, err := svc.Inspection(ctx, w.pm, d.Inspection.ID)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

var testRooms = []maintenance.Room{
	{Room: "Kitchen", Items: []string{"Sink", "Oven", "Floor"}},
	{Room: "Bathroom", Items: []string{"Toilet", "Mirror"}},
}

// TestInspectionCopiesTemplate: an inspection's checklist is its template's
// rooms and items in order, and changing the template later leaves it be;
// without a template the default one is created and used.
func TestInspectionCopiesTemplate(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	w := newWorld(t, fixturetest.New(t), "acme")
	svc := w.env.Maintenance
	tpl, err := svc.CreateTemplate(ctx, w.pm, maintenance.TemplateInput{Name: "Flat", Rooms: testRooms})
	if err != nil {
		t.Fatal(err)
	}
	d, err := svc.CreateInspection(ctx, w.tech, maintenance.InspectionInput{Kind: "periodic", UnitID: &w.units[1].ID, TemplateID: &tpl.ID})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"Kitchen/Sink", "Kitchen/Oven", "Kitchen/Floor", "Bathroom/Toilet", "Bathroom/Mirror"}
	if got := itemNames(d.Items); strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("items %v, want %v", got, want)
	}
	if d.Inspection.Status != "scheduled" || d.Inspection.TemplateName != "Flat" || d.Inspection.PropertyID != w.property {
		t.Errorf("inspection %+v", d.Inspection)
	}
	if _, err := svc.UpdateTemplate(ctx, w.pm, tpl.ID, maintenance.TemplateInput{Name: "Flat", Rooms: testRooms[:1]}); err != nil {
		t.Fatal(err)
	}
	again, err := svc.Inspection(ctx, w.pm, d.Inspection.ID)
	if err != nil || len(again.Items) != 5 {
		t.Errorf("after the template changed: %d items (%v), want 5", len(again.Items), err)
	}
	def, err := svc.CreateInspection(ctx, w.tech, maintenance.InspectionInput{Kind: "periodic", UnitID: &w.units[1].ID})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, r := range maintenance.DefaultRooms {
		n += len(r.Items)
	}
	if def.Inspection.TemplateName != maintenance.DefaultTemplateName || len(def.Items) != n {
		t.Errorf("default: template %q with %d items, want %q with %d", def.Inspection.TemplateName, len(def.Items),
			maintenance.DefaultTemplateName, n)
	}
	ts, err := svc.Templates(ctx, w.pm)
	if err != nil || len(ts) != 2 {
		t.Errorf("templates: %d (%v), want 2 (one default made on first use)", len(ts), err)
	}
}

func itemNames(items []maintenance.InspectionItem) []string {
	var out []string
	for _, it := range items {
		out = append(out, it.Room+"/"+it.Item)
	}
	return out
}

// TestCompletedInspectionIsFinal: once completed, an inspection refuses
// changes to its items, its schedule, its photos and its status; it
// completes only when every item is rated.
func TestCompletedInspectionIsFinal(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	w := newWorld(t, fixturetest.New(t), "acme")
	svc := w.env.Maintenance
	tpl, err := svc.CreateTemplate(ctx, w.pm, maintenance.TemplateInput{Name: "Flat", Rooms: testRooms})
	if err != nil {
		t.Fatal(err)
	}
	d, err := svc.CreateInspection(ctx, w.tech, maintenance.InspectionInput{Kind: "move_in", UnitID: &w.units[0].ID, TemplateID: &tpl.ID})
	if err != nil {
		t.Fatal(err)
	}
	id := d.Inspection.ID
	if _, err := svc.CompleteInspection(ctx, w.tech, id); field(err)["status"] == "" {
		t.Errorf("complete a scheduled inspection: %v, want Conflict naming status", err)
	}
	if _, err := svc.StartInspection(ctx, w.tech, id); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.UpdateItems(ctx, w.tech, id, []maintenance.ItemUpdate{{ID: d.Items[0].ID, Rating: ptr("good")}}); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.CompleteInspection(ctx, w.tech, id); field(err)["items"] == "" {
		t.Errorf("complete with unrated items: %v, want Invalid naming items", err)
	}
	done := w.inspect(t, "move_in", tpl.ID, nil)
	id = done.Inspection.ID
	for name, err := range map[string]error{
		"rate item":  second(svc.UpdateItems(ctx, w.tech, id, []maintenance.ItemUpdate{{ID: done.Items[0].ID, Rating: ptr("damaged")}})),
		"reschedule": second(svc.UpdateInspection(ctx, w.tech, id, maintenance.ScheduleInput{Notes: ptr("late")})),
		"photo":      second(svc.AddInspectionPhoto(ctx, w.tech, id, nil, "x", pngBytes(t))),
		"complete":   second(svc.CompleteInspection(ctx, w.tech, id)),
		"start":      second(svc.StartInspection(ctx, w.tech, id)),
		"delete":     svc.DeleteInspection(ctx, w.pm, id),
	} {
		if realty.KindOf(err) != realty.Conflict || field(err)["status"] == "" {
			t.Errorf("%s of a completed inspection: %v, want Conflict naming status", name, err)
		}
	}
	after, err := svc.Inspection(ctx, w.pm, id)
	if err != nil || *after.Items[0].Rating != "good" || after.Inspection.Notes != nil || len(after.Photos) != 0 {
		t.Errorf("completed inspection changed: %+v %v", after, err)
	}
}

// TestMoveOutComparison: a move-out compared with the lease's move-in flags
// exactly the items rated worse, and proposes one deduction per item
// citing it and both conditions; a better or equal rating is not flagged.
func TestMoveOutComparison(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	w := newWorld(t, fixturetest.New(t), "acme")
	svc := w.env.Maintenance
	tpl, err := svc.CreateTemplate(ctx, w.pm, maintenance.TemplateInput{Name: "Flat", Rooms: testRooms})
	if err != nil {
		t.Fatal(err)
	}
	w.inspect(t, "move_in", tpl.ID, map[string]string{"Kitchen/Oven": "new", "Bathroom/Mirror": "fair", "Kitchen/Floor": "poor"})
	mo := w.inspect(t, "move_out", tpl.ID, map[string]string{"Kitchen/Oven": "damaged", "Bathroom/Mirror": "poor", "Kitchen/Floor": "fair",
		"Kitchen/Sink": "good"})
	c, err := svc.Compare(ctx, w.pm, mo.Inspection.ID)
	if err != nil {
		t.Fatal(err)
	}
	var worse []string
	for _, it := range c.Items {
		if it.Worse {
			worse = append(worse, it.Room+"/"+it.Item)
		}
	}
	if strings.Join(worse, ",") != "Kitchen/Oven,Bathroom/Mirror" || c.Worsened != 2 || c.MoveIn == nil || len(c.Items) != 5 {
		t.Errorf("worse %v (%d of %d, move-in %v), want Kitchen/Oven and Bathroom/Mirror", worse, c.Worsened, len(c.Items), c.MoveIn)
	}
	want := "Kitchen — Oven: new at move-in, damaged at move-out (move_out damaged)"
	if len(c.Deductions) != 2 || c.Deductions[0].Reason != want {
		t.Errorf("deductions %+v, want first %q", c.Deductions, want)
	}
	byLease, err := svc.LeaseComparison(ctx, w.pm, w.leaseOf(t, 0))
	if err != nil || byLease.MoveOut.ID != mo.Inspection.ID || byLease.Worsened != 2 {
		t.Errorf("lease comparison: %+v %v", byLease, err)
	}
	if _, err := svc.Compare(ctx, w.pm, c.MoveIn.ID); field(err)["kind"] == "" {
		t.Errorf("compare a move-in: %v, want Conflict naming kind", err)
	}
}

// TestInspectionBadInput: each bad input is refused naming its field, and
// nothing is written.
func TestInspectionBadInput(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	w := newWorld(t, fixturetest.New(t), "acme")
	svc := w.env.Maintenance
	tpl, err := svc.CreateTemplate(ctx, w.pm, maintenance.TemplateInput{Name: "Flat", Rooms: testRooms})
	if err != nil {
		t.Fatal(err)
	}
	otherLease := w.leaseOf(t, 1)
	nobody := realty.NewID()
	d, err := svc.CreateInspection(ctx, w.tech, maintenance.InspectionInput{Kind: "periodic", UnitID: &w.units[0].ID, TemplateID: &tpl.ID})
	if err != nil {
		t.Fatal(err)
	}
	unit := &w.units[0].ID
	for want, err := range map[string]error{
		"name":              second(svc.CreateTemplate(ctx, w.pm, maintenance.TemplateInput{Name: " ", Rooms: testRooms})),
		"rooms":             second(svc.CreateTemplate(ctx, w.pm, maintenance.TemplateInput{Name: "Empty"})),
		"rooms[1].room":     second(svc.CreateTemplate(ctx, w.pm, maintenance.TemplateInput{Name: "Twice", Rooms: []maintenance.Room{testRooms[0], testRooms[0]}})),
		"rooms[0].items[1]": second(svc.CreateTemplate(ctx, w.pm, maintenance.TemplateInput{Name: "Blank", Rooms: []maintenance.Room{{Room: "Hall", Items: []string{"Door", " "}}}})),
		"kind":              second(svc.CreateInspection(ctx, w.tech, maintenance.InspectionInput{Kind: "yearly", UnitID: unit})),
		"unit_id":           second(svc.CreateInspection(ctx, w.tech, maintenance.InspectionInput{Kind: "periodic", UnitID: &nobody})),
		"lease_id":          second(svc.CreateInspection(ctx, w.tech, maintenance.InspectionInput{Kind: "move_in", UnitID: unit, LeaseID: &otherLease})),
		"template_id":       second(svc.CreateInspection(ctx, w.tech, maintenance.InspectionInput{Kind: "periodic", UnitID: unit, TemplateID: &nobody})),
		"inspector_id":      second(svc.CreateInspection(ctx, w.tech, maintenance.InspectionInput{Kind: "periodic", UnitID: unit, InspectorID: &nobody})),
		"items[1].rating": second(svc.UpdateItems(ctx, w.tech, d.Inspection.ID, []maintenance.ItemUpdate{{ID: d.Items[0].ID, Rating: ptr("good")},
			{ID: d.Items[1].ID, Rating: ptr("3")}})),
		"items[1].id": second(svc.UpdateItems(ctx, w.tech, d.Inspection.ID, []maintenance.ItemUpdate{{ID: d.Items[0].ID, Rating: ptr("good")},
			{ID: nobody, Rating: ptr("good")}})),
	} {
		if realty.KindOf(err) != realty.Invalid && realty.KindOf(err) != realty.Conflict || field(err)[want] == "" {
			t.Errorf("%s: %v, want 4xx naming it", want, err)
		}
	}
	after, err := svc.Inspection(ctx, w.pm, d.Inspection.ID)
	if err != nil || after.Items[0].Rating != nil {
		t.Errorf("a refused update wrote: %+v %v", after.Items[0], err)
	}
	page, err := svc.Inspections(ctx, w.pm, maintenance.InspectionFilter{})
	if err != nil || len(page.Items) != 1 {
		t.Errorf("inspections: %d (%v), want the one", len(page.Items), err)
	}
}
