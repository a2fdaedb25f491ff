package api_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"realty"
	"realty/internal/api"
	"realty/internal/leasing"
	"realty/internal/property"
)

// TestLeasingAPI: a property manager drafts and activates a lease; a
// second overlapping activation is a 409 naming the first; the linked
// resident reads their tenancy and lease and gets 404 for another
// tenant's lease and 403 for the staff routes; organization B sees none
// of it.
func TestLeasingAPI(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	ctx := context.Background()
	pm := h.a.Personas["property_manager"].Actor
	p, err := h.env.Property.Create(ctx, pm, property.Input{AddressLine1: "9 Api Way", City: "Denver"})
	if err != nil {
		t.Fatal(err)
	}
	u, err := h.env.Property.CreateUnit(ctx, pm, p.ID, property.UnitInput{UnitNumber: "1"})
	if err != nil {
		t.Fatal(err)
	}
	pmTok, resTok := h.tokens["acme:property_manager"], h.tokens["acme:resident"]
	tenant := func(first string, member *realty.ID) leasing.Tenant {
		body := map[string]any{"first_name": first, "last_name": "Api", "phone": "(415) 555-2671"}
		if member != nil {
			body["member_id"] = *member
		}
		status, resp := h.do(http.MethodPost, api.Prefix+"/tenants", pmTok, body)
		var out leasing.Tenant
		if status != http.StatusCreated || json.Unmarshal(resp, &out) != nil || out.Phone == nil || *out.Phone != "+14155552671" {
			t.Fatalf("create tenant: %d %s", status, resp)
		}
		return out
	}
	resMember := h.a.Personas["resident"].MemberID
	mine, other := tenant("Rosa", &resMember), tenant("Otto", nil)
	lease := func(tn leasing.Tenant, from, to string) leasing.Lease {
		status, resp := h.do(http.MethodPost, api.Prefix+"/leases", pmTok, map[string]any{"unit_id": u.ID,
			"tenants": []map[string]any{{"tenant_id": tn.ID}}, "start_date": from, "end_date": to, "rent": "1200.00", "rent_due_day": 31})
		var out leasing.Lease
		if status != http.StatusCreated || json.Unmarshal(resp, &out) != nil {
			t.Fatalf("create lease: %d %s", status, resp)
		}
		return out
	}
	l1, l2 := lease(mine, "2031-01-01", "2031-12-31"), lease(other, "2031-06-01", "2032-05-31")
	if status, resp := h.do(http.MethodPost, api.Prefix+"/leases/"+l1.ID.String()+"/activate", pmTok, nil); status != http.StatusOK {
		t.Fatalf("activate: %d %s", status, resp)
	}
	status, resp := h.do(http.MethodPost, api.Prefix+"/leases/"+l2.ID.String()+"/activate", pmTok, nil)
	if status != http.StatusConflict || !strings.Contains(string(resp), l1.ID.String()) || !strings.Contains(string(resp), "start_date") {
		t.Errorf("overlapping activation: %d %s, want 409 naming %s", status, resp, l1.ID)
	}
	status, resp = h.do(http.MethodGet, api.Prefix+"/me/tenancy", resTok, nil)
	var ten leasing.Tenancy
	if status != http.StatusOK || json.Unmarshal(resp, &ten) != nil || ten.Tenant == nil || ten.Tenant.ID != mine.ID ||
		len(ten.Leases) != 1 || ten.Leases[0].ID != l1.ID {
		t.Errorf("resident tenancy: %d %s", status, resp)
	}
	for _, c := range []struct {
		path string
		want int
	}{
		{"/me/leases/" + l1.ID.String(), http.StatusOK},
		{"/me/leases/" + l2.ID.String(), http.StatusNotFound},
		{"/leases/" + l2.ID.String(), http.StatusForbidden},
		{"/tenants/" + other.ID.String(), http.StatusForbidden},
	} {
		if status, resp := h.do(http.MethodGet, api.Prefix+c.path, resTok, nil); status != c.want {
			t.Errorf("resident GET %s: %d %s, want %d", c.path, status, resp, c.want)
		}
	}
	bTok := h.tokens["globex:property_manager"]
	for _, path := range []string{"/leases/" + l1.ID.String(), "/tenants/" + mine.ID.String()} {
		if status, _ := h.do(http.MethodGet, api.Prefix+path, bTok, nil); status != http.StatusNotFound {
			t.Errorf("B's manager GET %s: %d, want 404", path, status)
		}
	}
}
