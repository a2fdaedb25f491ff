package api_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"realty"
	"realty/internal/api"
	"realty/internal/crm"
	"realty/internal/server"
)

// TestLeadCapture: an API key holding only lead.create captures a lead,
// which goes to the pool's agent with source website; a second capture of
// the same address is a 409 naming the existing client; the key can do
// nothing else in the CRM; and the limiter refuses it past its limit.
func TestLeadCapture(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	ctx := context.Background()
	agent := h.a.Personas["agent"].MemberID
	if _, err := h.env.CRM.SetSettings(ctx, h.a.Personas["owner"].Actor, crm.Settings{PoolMembers: []realty.ID{agent}}); err != nil {
		t.Fatal(err)
	}
	_, key := h.apiKey(h.a, "lead.create")
	status, body := h.do("POST", "/api/v1/leads", key, map[string]any{"first_name": "Web", "email": "web@example.com", "phone": "(415) 555-2671"})
	var lead crm.Client
	_ = json.Unmarshal(body, &lead)
	if status != 201 || lead.Source != "website" || lead.AssignedAgentID == nil || *lead.AssignedAgentID != agent ||
		*lead.Phone != "+14155552671" || lead.Stage != "lead" {
		t.Fatalf("capture: %d %s", status, body)
	}
	status, body = h.do("POST", "/api/v1/leads", key, map[string]any{"first_name": "Web again", "email": "WEB@example.com"})
	if status != 409 || !strings.Contains(string(body), lead.ID.String()) || !strings.Contains(string(body), `"location":"email"`) {
		t.Errorf("duplicate capture: %d %s, want a 409 naming %s and email", status, body, lead.ID)
	}
	for _, path := range []string{"/clients", "/clients/" + lead.ID.String(), "/tasks"} {
		if status, body := h.do("GET", "/api/v1"+path, key, nil); status != 403 {
			t.Errorf("lead key GET %s: %d %s, want 403", path, status, body)
		}
	}
	status, body = h.do("POST", "/api/v1/leads", key, map[string]any{"first_name": "Bad", "phone": "12"})
	if status != 422 || !strings.Contains(string(body), `"location":"phone"`) {
		t.Errorf("bad phone: %d %s", status, body)
	}

	// The same endpoint behind a limit of 2 a minute.
	svc := h.env.Services
	svc.Limits = h.env.Org.NewRateLimits(2, func() time.Time { return time.Unix(1_900_000_000, 0) })
	mux := http.NewServeMux()
	api.Mount(mux, api.Deps{Log: server.NewLogger(io.Discard, "json", "error"), Version: "test", Services: svc})
	ts := httptest.NewServer(mux)
	t.Cleanup(ts.Close)
	var statuses []int
	for i := range 3 {
		req, _ := http.NewRequest("POST", ts.URL+"/api/v1/leads", strings.NewReader(`{"first_name":"Limited `+string(rune('a'+i))+`"}`))
		req.Header.Set("Authorization", "Bearer "+key)
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		statuses = append(statuses, resp.StatusCode)
	}
	if statuses[0] != 201 || statuses[1] != 201 || statuses[2] != 429 {
		t.Errorf("leads under a limit of 2: %v, want 201 201 429", statuses)
	}
}

// TestClientFlow: an agent creates a client, logs a call, moves the stage
// and reads the timeline through the API; another agent cannot see it.
func TestClientFlow(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	agent := h.tokens["acme:agent"]
	status, body := h.do("POST", "/api/v1/clients", agent, map[string]any{"first_name": "Flow", "budget_min": "250000.00", "budget_max": "400000", "tags": []string{"buyer"}})
	var c crm.Client
	_ = json.Unmarshal(body, &c)
	if status != 201 || c.AssignedAgentID == nil || *c.AssignedAgentID != h.a.Personas["agent"].MemberID {
		t.Fatalf("create: %d %s", status, body)
	}
	base := "/api/v1/clients/" + c.ID.String()
	if status, body := h.do("POST", base+"/interactions", agent, map[string]any{"type": "call", "outcome": "interested"}); status != 201 {
		t.Fatalf("log: %d %s", status, body)
	}
	if status, body := h.do("POST", base+"/stage", agent, map[string]any{"stage": "closed"}); status != 422 || !strings.Contains(string(body), `"location":"stage"`) {
		t.Errorf("lead to closed: %d %s", status, body)
	}
	if status, body := h.do("POST", base+"/stage", agent, map[string]any{"stage": "prospect", "reason": "called back"}); status != 200 {
		t.Fatalf("stage: %d %s", status, body)
	}
	status, body = h.do("GET", base+"/timeline?limit=2", agent, nil)
	var tl crm.Timeline
	_ = json.Unmarshal(body, &tl)
	if status != 200 || len(tl.Items) != 2 || tl.Items[0].Kind != "stage_change" || tl.NextCursor == "" {
		t.Fatalf("timeline: %d %s", status, body)
	}
	if status, body := h.do("GET", "/api/v1/clients?q=flow&tag=buyer&stage=prospect", agent, nil); status != 200 || !strings.Contains(string(body), c.ID.String()) {
		t.Errorf("filtered list: %d %s", status, body)
	}
	if status, _ := h.do("GET", base, h.tokens["acme:broker"], nil); status != 200 {
		t.Errorf("broker reads: %d", status)
	}
	if status, _ := h.do("GET", base, h.tokens["acme:read_only"], nil); status != 404 {
		t.Errorf("read_only reads another's client: %d, want 404", status)
	}
}
