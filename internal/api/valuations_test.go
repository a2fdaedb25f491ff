package api_test

import (
	"encoding/json"
	"testing"

	"realty/internal/fixture/fixturetest"
)

// TestValuationsAPI runs a CMA over HTTP, reads it back, and is refused
// with a 422 naming radius_km where no sale is near.
func TestValuationsAPI(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	agent := h.tokens["acme:agent"]
	v := h.env.Valuation(t, h.a)
	status, body := h.do("POST", "/api/v1/properties/"+v.PropertyID.String()+"/valuations", agent, map[string]any{"list_price": "250000.00"})
	var got struct {
		ID             string `json:"id"`
		SuggestedPrice string `json:"suggested_price"`
		MarketPosition string `json:"market_position"`
		Comparables    []struct {
			Adjustments []struct{ Factor string } `json:"adjustments"`
		} `json:"comparables"`
	}
	if err := json.Unmarshal(body, &got); status != 201 || err != nil || len(got.Comparables) != 3 || got.MarketPosition != "below" {
		t.Fatalf("create: %d %s", status, body)
	}
	if status, body := h.do("GET", "/api/v1/valuations/"+got.ID, agent, nil); status != 200 {
		t.Fatalf("get: %d %s", status, body)
	}
	lone := h.env.Subject(t, h.a.Personas["agent"].Actor, "9 Lone Farm", fixturetest.Home{Lat: 40.5, Lng: -88, Area: 1500, Beds: 3, Baths: 2, Lot: 5000, Year: 2000, Condition: 3})
	status, body = h.do("POST", "/api/v1/properties/"+lone.ID.String()+"/valuations", agent, map[string]any{})
	var problem struct {
		Errors []struct{ Location string } `json:"errors"`
	}
	if err := json.Unmarshal(body, &problem); status != 422 || err != nil || len(problem.Errors) == 0 || problem.Errors[0].Location != "radius_km" {
		t.Fatalf("no comparables: %d %s", status, body)
	}
}
