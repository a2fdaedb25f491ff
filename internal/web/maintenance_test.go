package web_test

import (
	"bytes"
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"realty"
	"realty/internal/fixture"
	"realty/internal/maintenance"
)

// residentRequest files a request as the rentals' resident at their unit,
// with a staff reply, a staff note and a photo, and returns its id.
func residentRequest(t *testing.T, h *harness, o fixture.Org, r rentals) realty.ID {
	t.Helper()
	ctx := context.Background()
	res, pm := mustActor(t, h, o, "resident"), o.Personas["property_manager"].Actor
	w, err := h.env.Maintenance.Submit(ctx, res, maintenance.RequestInput{UnitID: r.units[1].ID, Title: "Kitchen sink leaks",
		Category: "plumbing", PermissionToEnter: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		body     string
		internal bool
	}{{"A plumber comes on Tuesday", false}, {"Check the warranty first", true}} {
		if _, err := h.env.Maintenance.AddComment(ctx, pm, w.ID, c.body, c.internal); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := h.env.Maintenance.AddPhoto(ctx, res, w.ID, "under the sink", bytes.NewReader(pngOf(t))); err != nil {
		t.Fatal(err)
	}
	return w.ID
}

// TestMaintenancePages: the manager lists and opens the resident's request
// (its staff note shown), is refused starting an open order in place (409
// naming the status), assigns it; the resident sees their request without
// the staff note, cannot file for a neighbour's unit (422 naming unit_id)
// and gets 404 for another unit's order.
func TestMaintenancePages(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	o := h.env.Organization(t, "acme")
	r := newRentals(t, h, o)
	id := residentRequest(t, h, o, r)
	pm, res := h.login(o.Personas["property_manager"].Email, "acme"), h.login(o.Personas["resident"].Email, "acme")
	expect(t, h.get("/work-orders?status=open&priority=normal", pm), http.StatusOK, "Kitchen sink leaks")
	expect(t, h.get("/work-orders/"+id.String(), pm), http.StatusOK, "Check the warranty first")
	expect(t, h.post("/work-orders/"+id.String()+"/start", nil, pm), http.StatusConflict, "work order is open: cannot start")
	tech := o.Personas["maintenance"].MemberID
	if got := h.post("/work-orders/"+id.String()+"/assign", url.Values{"assignee": {"member:" + tech.String()}}, pm); got.StatusCode != http.StatusSeeOther {
		t.Fatalf("assign: %d %.300s", got.StatusCode, got.body)
	}
	expect(t, h.get("/work-orders/"+id.String(), pm), http.StatusOK, "Assigned")
	expect(t, h.get("/vendors", pm), http.StatusOK, "Add a vendor")
	expect(t, h.post("/vendors", url.Values{"name": {"Pipes"}, "trade": {"plumbing"}, "rating": {"9"}}, pm), http.StatusUnprocessableEntity, "between 1 and 5")

	page := h.get("/resident/maintenance", res)
	expect(t, page, http.StatusOK, "Kitchen sink leaks")
	mine := h.get("/resident/maintenance/"+id.String(), res)
	expect(t, mine, http.StatusOK, "A plumber comes on Tuesday")
	if strings.Contains(mine.body, "warranty") {
		t.Error("the resident sees the staff note")
	}
	expect(t, h.post("/resident/maintenance", url.Values{"unit_id": {r.units[2].ID.String()}, "title": {"x"}}, res),
		http.StatusUnprocessableEntity, "is not a unit you rent")
	other, err := h.env.Maintenance.Create(context.Background(), o.Personas["property_manager"].Actor,
		maintenance.WorkOrderInput{UnitID: &r.units[2].ID, Title: "Otto's boiler"})
	if err != nil {
		t.Fatal(err)
	}
	expect(t, h.get("/resident/maintenance/"+other.ID.String(), res), http.StatusNotFound, "")
	if got := h.post("/resident/maintenance", url.Values{"unit_id": {r.units[1].ID.String()}, "title": {"Window stuck"}}, res); got.StatusCode != http.StatusSeeOther {
		t.Errorf("resident request: %d %.300s", got.StatusCode, got.body)
	}
}
