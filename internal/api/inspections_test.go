package api_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"realty"
	"realty/internal/api"
	"realty/internal/maintenance"
	"realty/internal/property"
)

// TestInspectionsAPI: a template, an inspection from it rated and
// completed over HTTP; bad values are 422 naming the field, a change to a
// completed inspection 409 naming status, another organization 404.
func TestInspectionsAPI(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	ctx := context.Background()
	pm := h.a.Personas["property_manager"].Actor
	p, err := h.env.Property.Create(ctx, pm, property.Input{AddressLine1: "3 Check Row", City: "Denver"})
	if err != nil {
		t.Fatal(err)
	}
	u, err := h.env.Property.CreateUnit(ctx, pm, p.ID, property.UnitInput{UnitNumber: "2A"})
	if err != nil {
		t.Fatal(err)
	}
	pmTok, techTok := h.tokens["acme:property_manager"], h.tokens["acme:maintenance"]
	rooms := []map[string]any{{"room": "Kitchen", "items": []string{"Sink", "Oven"}}}
	status, resp := h.do(http.MethodPost, api.Prefix+"/inspection-templates", pmTok, map[string]any{"name": "Flat", "rooms": rooms})
	var tpl maintenance.Template
	if status != http.StatusCreated || json.Unmarshal(resp, &tpl) != nil {
		t.Fatalf("template: %d %s", status, resp)
	}
	status, resp = h.do(http.MethodPost, api.Prefix+"/inspections", techTok, map[string]any{"kind": "move_in", "unit_id": u.ID, "template_id": tpl.ID})
	var d maintenance.InspectionDetail
	if status != http.StatusCreated || json.Unmarshal(resp, &d) != nil || len(d.Items) != 2 {
		t.Fatalf("inspection: %d %s", status, resp)
	}
	path := api.Prefix + "/inspections/" + d.Inspection.ID.String()
	for _, step := range []struct {
		method, path string
		body         any
	}{
		{http.MethodPost, path + "/start", nil},
		{http.MethodPatch, path + "/items", map[string]any{"items": []map[string]any{{"id": d.Items[0].ID, "rating": "good"},
			{"id": d.Items[1].ID, "rating": "fair", "notes": "scratched door"}}}},
		{http.MethodPost, path + "/complete", nil},
	} {
		if status, resp := h.do(step.method, step.path, techTok, step.body); status != http.StatusOK {
			t.Fatalf("%s %s: %d %s", step.method, step.path, status, resp)
		}
	}
	for _, c := range []struct {
		name, method, path, token string
		body                      any
		status                    int
		field                     string
	}{
		{"unknown kind", http.MethodPost, "/inspections", techTok, map[string]any{"kind": "yearly", "unit_id": u.ID}, 422, "kind"},
		{"no unit", http.MethodPost, "/inspections", techTok, map[string]any{"kind": "periodic"}, 422, "unit_id"},
		{"another's unit", http.MethodPost, "/inspections", techTok, map[string]any{"kind": "periodic", "unit_id": realty.NewID()}, 422, "unit_id"},
		{"room twice", http.MethodPost, "/inspection-templates", pmTok, map[string]any{"name": "Twice", "rooms": append(rooms, rooms...)}, 422, "rooms[1].room"},
		{"bad rating", http.MethodPatch, path + "/items", techTok, map[string]any{"items": []map[string]any{{"id": d.Items[0].ID, "rating": "5"}}}, 422, "rating"},
		{"completed is final", http.MethodPatch, path + "/items", techTok, map[string]any{"items": []map[string]any{{"id": d.Items[0].ID, "rating": "poor"}}}, 409, "status"},
		{"compare a move-in", http.MethodGet, path + "/comparison", pmTok, nil, 409, "kind"},
		{"another organization", http.MethodGet, path, h.tokens["globex:property_manager"], nil, 404, ""},
	} {
		p := c.path
		if !strings.HasPrefix(p, api.Prefix) {
			p = api.Prefix + p
		}
		status, resp := h.do(c.method, p, c.token, c.body)
		if status != c.status || !strings.Contains(string(resp), c.field) {
			t.Errorf("%s: %d %s, want %d naming %q", c.name, status, resp, c.status, c.field)
		}
	}
	status, resp = h.do(http.MethodGet, api.Prefix+"/inspections?unit_id="+u.ID.String(), pmTok, nil)
	var page maintenance.InspectionPage
	if status != http.StatusOK || json.Unmarshal(resp, &page) != nil || len(page.Items) != 1 || page.Items[0].Status != "completed" {
		t.Errorf("list: %d %s", status, resp)
	}
}
