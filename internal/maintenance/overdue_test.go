package maintenance_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"realty"
	"realty/internal/fixture/fixturetest"
	"realty/internal/maintenance"
	"realty/internal/messaging"
)

// clock is a settable test clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

// TestNotifyOverdueOnce: an open work order past its response target
// notifies each manager (the property manager and the owner and admin
// personas, who hold maintenance.manage) exactly once, however often the
// check runs; an assigned one, or one within its target, notifies no one.
func TestNotifyOverdueOnce(t *testing.T) {
	t.Parallel()
	env := fixturetest.New(t)
	w := newWorld(t, env, "acme")
	ctx := context.Background()
	clk := &clock{t: time.Now()}
	svc := maintenance.New(env.Pool, env.Org, env.Blobs, 0, env.Messaging, clk.now)
	late, err := svc.Create(ctx, w.pm, maintenance.WorkOrderInput{UnitID: &w.units[0].ID, Title: "No heat", Priority: "emergency"})
	if err != nil {
		t.Fatal(err)
	}
	handled, err := svc.Create(ctx, w.pm, maintenance.WorkOrderInput{UnitID: &w.units[0].ID, Title: "Smoke alarm", Priority: "emergency"})
	if err != nil {
		t.Fatal(err)
	}
	tech := w.org.Personas["maintenance"].MemberID
	if _, err := svc.Assign(ctx, w.pm, handled.ID, maintenance.AssignInput{AssigneeID: &tech}); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Create(ctx, w.pm, maintenance.WorkOrderInput{UnitID: &w.units[1].ID, Title: "Dripping tap", Priority: "low"}); err != nil {
		t.Fatal(err)
	}
	if n, err := svc.NotifyOverdue(ctx, w.org.Organization.ID); err != nil || n != 0 {
		t.Fatalf("before the target: %d notified (%v)", n, err)
	}
	clk.add(5 * time.Hour) // past emergency's 4 hours, within low's 168
	for run, want := range []int{1, 0, 0} {
		if n, err := svc.NotifyOverdue(ctx, w.org.Organization.ID); err != nil || n != want {
			t.Errorf("run %d: %d work orders announced (%v), want %d", run, n, err, want)
		}
	}
	page, err := svc.List(ctx, w.pm, maintenance.Filter{Overdue: true})
	if err != nil || len(page.Items) != 1 || page.Items[0].ID != late.ID || !page.Items[0].Overdue {
		t.Errorf("overdue list: %+v (%v)", page.Items, err)
	}
	for _, persona := range []string{"property_manager", "owner", "admin", "maintenance", "accountant", "resident"} {
		p := w.org.Personas[persona]
		got, err := env.Messaging.Notifications(ctx, p.Actor, messaging.Filter{})
		if err != nil && realty.KindOf(err) != realty.Forbidden { // residents have no inbox
			t.Fatal(err)
		}
		n := 0
		for _, x := range got.Items {
			if x.Kind == "workorder.overdue" && x.Payload["work_order_id"] == late.ID.String() {
				n++
			}
		}
		want := 0
		if persona == "property_manager" || persona == "owner" || persona == "admin" {
			want = 1
		}
		if n != want {
			t.Errorf("%s got %d overdue notices, want %d", persona, n, want)
		}
	}
}
