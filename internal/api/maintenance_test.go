package api_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"realty"
	"realty/internal/api"
	"realty/internal/leasing"
	"realty/internal/maintenance"
	"realty/internal/property"
)

// TestMaintenanceAPI: a resident files a request for their unit (201) and
// not for a neighbour's (422 naming unit_id), lists only their own; staff
// see it, a refused transition is a 409 naming status, bad values are 422
// naming the field; organization B gets 404.
func TestMaintenanceAPI(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	ctx := context.Background()
	pm := h.a.Personas["property_manager"].Actor
	p, err := h.env.Property.Create(ctx, pm, property.Input{AddressLine1: "9 Fix Way", City: "Denver"})
	if err != nil {
		t.Fatal(err)
	}
	today := realty.DateOf(time.Now().UTC())
	end := today.AddDays(300)
	var units [2]property.Unit
	for i := range 2 {
		if units[i], err = h.env.Property.CreateUnit(ctx, pm, p.ID, property.UnitInput{UnitNumber: []string{"1A", "1B"}[i]}); err != nil {
			t.Fatal(err)
		}
		first, last := "Res", []string{"Mine", "Other"}[i]
		in := leasing.TenantInput{FirstName: &first, LastName: &last}
		if i == 0 {
			res := h.a.Personas["resident"].MemberID
			in.MemberID = &res
		}
		ten, err := h.env.Leasing.CreateTenant(ctx, pm, in)
		if err != nil {
			t.Fatal(err)
		}
		l, err := h.env.Leasing.CreateLease(ctx, pm, leasing.LeaseInput{UnitID: units[i].ID, Tenants: []leasing.LeaseTenant{{TenantID: ten.ID}},
			StartDate: today.AddDays(-10), EndDate: &end, Rent: decimal.NewFromInt(900)})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := h.env.Leasing.Activate(ctx, pm, l.ID); err != nil {
			t.Fatal(err)
		}
	}
	pmTok, resTok := h.tokens["acme:property_manager"], h.tokens["acme:resident"]
	status, resp := h.do(http.MethodPost, api.Prefix+"/me/work-orders", resTok, map[string]any{"unit_id": units[0].ID,
		"title": "Leaking tap", "category": "plumbing", "permission_to_enter": true})
	var mine maintenance.WorkOrder
	if status != http.StatusCreated || json.Unmarshal(resp, &mine) != nil || mine.Source != "resident" {
		t.Fatalf("resident request: %d %s", status, resp)
	}
	staffOrder, err := h.env.Maintenance.Create(ctx, pm, maintenance.WorkOrderInput{UnitID: &units[1].ID, Title: "Neighbour"})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name, method, path, token string
		body                      any
		status                    int
		field                     string
	}{
		{"neighbour's unit", http.MethodPost, "/me/work-orders", resTok, map[string]any{"unit_id": units[1].ID, "title": "x"}, 422, "unit_id"},
		{"no title", http.MethodPost, "/me/work-orders", resTok, map[string]any{"unit_id": units[0].ID, "title": " "}, 422, "title"},
		{"bad priority", http.MethodPost, "/work-orders", pmTok, map[string]any{"unit_id": units[0].ID, "title": "x", "priority": "urgent"}, 422, "priority"},
		{"negative estimate", http.MethodPost, "/work-orders", pmTok, map[string]any{"unit_id": units[0].ID, "title": "x", "estimated_cost": "-5.00"}, 422, "estimated_cost"},
		{"start an open order", http.MethodPost, "/work-orders/" + mine.ID.String() + "/start", pmTok, nil, 409, "status"},
		{"assign to both", http.MethodPost, "/work-orders/" + mine.ID.String() + "/assign", pmTok,
			map[string]any{"assignee_id": h.a.Personas["maintenance"].MemberID, "vendor_id": realty.NewID()}, 422, "vendor_id"},
		{"vendor rating", http.MethodPost, "/vendors", pmTok, map[string]any{"name": "V", "trade": "hvac", "rating": 9}, 422, "rating"},
		{"vendor phone", http.MethodPost, "/vendors", pmTok, map[string]any{"name": "V", "trade": "hvac", "phone": "call me"}, 422, "phone"},
		{"neighbour's order", http.MethodGet, "/me/work-orders/" + staffOrder.ID.String(), resTok, nil, 404, ""},
		{"another organization's order", http.MethodGet, "/work-orders/" + mine.ID.String(), h.tokens["globex:property_manager"], nil, 404, ""},
	} {
		status, resp := h.do(c.method, api.Prefix+c.path, c.token, c.body)
		if status != c.status || !strings.Contains(string(resp), c.field) {
			t.Errorf("%s: %d %s, want %d naming %q", c.name, status, resp, c.status, c.field)
		}
	}
	status, resp = h.do(http.MethodGet, api.Prefix+"/me/work-orders", resTok, nil)
	var page maintenance.WorkOrderPage
	if status != http.StatusOK || json.Unmarshal(resp, &page) != nil || len(page.Items) != 1 || page.Items[0].ID != mine.ID {
		t.Errorf("resident list: %d %s", status, resp)
	}
	status, resp = h.do(http.MethodGet, api.Prefix+"/work-orders?status=open&property_id="+p.ID.String(), pmTok, nil)
	if status != http.StatusOK || json.Unmarshal(resp, &page) != nil || len(page.Items) != 2 {
		t.Errorf("staff list: %d %s", status, resp)
	}
}
