package maintenance_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"realty"
	"realty/internal/fixture/fixturetest"
	"realty/internal/maintenance"
	"realty/internal/property"
)

// TestOpenByPriority: the counts of work orders still to do are by
// priority and status, leave completed and canceled orders out, count the
// open ones past their target as overdue, and keep to the actor's property
// scope (an order at another property is not counted for a manager scoped
// to the first). The list filtered as Active holds the same orders. A
// resident may not ask (Forbidden).
func TestOpenByPriority(t *testing.T) {
	t.Parallel()
	env := fixturetest.New(t)
	w := newWorld(t, env, "acme")
	ctx := context.Background()
	clk := &clock{t: time.Now().Add(-6 * time.Hour)}
	svc := maintenance.New(env.Pool, env.Org, env.Blobs, 0, env.Messaging, clk.now)
	other, err := env.Property.Create(ctx, w.pm, property.Input{AddressLine1: "9 Elm St", City: "Denver"})
	if err != nil {
		t.Fatal(err)
	}
	file := func(unit *realty.ID, prop *realty.ID, priority string) maintenance.WorkOrder {
		o, err := svc.Create(ctx, w.pm, maintenance.WorkOrderInput{UnitID: unit, PropertyID: prop, Title: "Job", Priority: priority})
		if err != nil {
			t.Fatal(err)
		}
		return o
	}
	file(&w.units[0].ID, nil, "emergency") // open, and overdue once the clock moves on
	tech := w.org.Personas["maintenance"].MemberID
	assigned := file(&w.units[0].ID, nil, "emergency")
	started := file(&w.units[1].ID, nil, "normal")
	done := file(&w.units[1].ID, nil, "normal")
	gone := file(&w.units[1].ID, nil, "high")
	for _, id := range []realty.ID{assigned.ID, started.ID, done.ID} {
		if _, err := svc.Assign(ctx, w.pm, id, maintenance.AssignInput{AssigneeID: &tech}); err != nil {
			t.Fatal(err)
		}
	}
	for _, id := range []realty.ID{started.ID, done.ID} {
		if _, err := svc.Start(ctx, w.pm, id); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := svc.Complete(ctx, w.pm, done.ID, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Cancel(ctx, w.pm, gone.ID, "duplicate"); err != nil {
		t.Fatal(err)
	}
	file(nil, &other.ID, "low")
	clk.add(5 * time.Hour) // past emergency's 4-hour target, within low's

	all := []maintenance.OpenCount{{"emergency", "open", 1, 1}, {"emergency", "assigned", 1, 0},
		{"normal", "in_progress", 1, 0}, {"low", "open", 1, 0}}
	scoped := w.pm
	scoped.PropertyScope = []realty.ID{w.property}
	for name, tc := range map[string]struct {
		actor realty.Actor
		want  []maintenance.OpenCount
	}{"OKOrganization": {w.pm, all}, "OKPropertyScope": {scoped, all[:3]}} {
		t.Run(name, func(t *testing.T) {
			got, err := svc.OpenByPriority(ctx, tc.actor)
			if err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(tc.want, got); d != "" {
				t.Errorf("counts (-want +got):\n%s", d)
			}
			page, err := svc.List(ctx, tc.actor, maintenance.Filter{Active: true})
			if err != nil || len(page.Items) != len(tc.want) {
				t.Errorf("active list: %d orders (%v), want %d", len(page.Items), err, len(tc.want))
			}
		})
	}
	t.Run("ErrResident", func(t *testing.T) {
		if _, err := svc.OpenByPriority(ctx, w.resident); realty.KindOf(err) != realty.Forbidden {
			t.Fatalf("resident: %v, want Forbidden", err)
		}
	})
}
