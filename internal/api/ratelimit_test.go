package api_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"realty"
	"realty/internal/api"
	"realty/internal/server"
)

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// TestRateLimit: on /api/v1 every credential — a session user, an API key —
// has its own bucket of its organization's limit (2 a minute here, 4 for
// globex); every limited answer carries the RateLimit headers, and the one
// past the limit is a 429 problem+json with Retry-After. Public calls
// without a credential are not limited.
func TestRateLimit(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	clk := &clock{t: time.Now()}
	svc := h.env.Services
	svc.Limits = h.env.Org.NewRateLimits(2, clk.now)
	four := 4
	if err := h.env.Org.SetRateLimit(context.Background(), h.b.Organization.ID, &four, svc.Limits); err != nil {
		t.Fatal(err)
	}
	zero := 0
	if err := h.env.Org.SetRateLimit(context.Background(), h.a.Organization.ID, &zero, nil); realty.FieldsOf(err)["rate_limit"] == "" {
		t.Fatalf("a zero limit: %v, want Invalid naming rate_limit", err)
	}
	if err := h.env.Org.SetRateLimit(context.Background(), realty.NewID(), &four, nil); realty.KindOf(err) != realty.NotFound {
		t.Fatalf("an unknown organization: %v", err)
	}
	log := server.NewLogger(io.Discard, "json", "error")
	mux := http.NewServeMux()
	api.Mount(mux, api.Deps{Log: log, Version: "test", Services: svc})
	ts := httptest.NewServer(mux)
	t.Cleanup(ts.Close)
	get := func(path, credential string) (*http.Response, []byte) {
		t.Helper()
		req, _ := http.NewRequest("GET", ts.URL+path, nil)
		if credential != "" {
			req.Header.Set("Authorization", "Bearer "+credential)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return resp, body
	}
	expect := func(name string, resp *http.Response, status int, limit, remaining string) {
		t.Helper()
		hd := resp.Header
		if resp.StatusCode != status || hd.Get("RateLimit-Limit") != limit || hd.Get("RateLimit-Remaining") != remaining ||
			hd.Get("RateLimit-Reset") == "" || (status == 429) != (hd.Get("Retry-After") != "") {
			t.Fatalf("%s: %d, headers %v; want %d with limit %s, %s remaining", name, resp.StatusCode, hd, status, limit, remaining)
		}
	}
	agent := h.tokens["acme:agent"]
	_, key := h.apiKey(h.a, "member.read")
	r, _ := get("/api/v1/members", agent)
	expect("agent 1", r, 200, "2", "1")
	r, _ = get("/api/v1/members", agent)
	expect("agent 2", r, 200, "2", "0")
	r, body := get("/api/v1/members", agent)
	expect("agent 3", r, 429, "2", "0")
	var p struct {
		Status int    `json:"status"`
		Detail string `json:"detail"`
	}
	if err := json.Unmarshal(body, &p); err != nil || p.Status != 429 || p.Detail == "" ||
		r.Header.Get("Content-Type") != "application/problem+json" || r.Header.Get("Retry-After") != "30" {
		t.Fatalf("429 body %s, headers %v", body, r.Header)
	}
	r, _ = get("/api/v1/members", key)
	expect("acme key", r, 200, "2", "1")
	r, _ = get("/api/v1/members", h.tokens["acme:owner"])
	expect("another acme user", r, 200, "2", "1")
	for _, want := range []string{"3", "2", "1", "0"} {
		r, _ = get("/api/v1/members", h.tokens["globex:agent"])
		expect("globex agent", r, 200, "4", want)
	}
	r, _ = get("/api/v1/members", h.tokens["globex:agent"])
	expect("globex agent past its organization's limit", r, 429, "4", "0")
	if r, _ := get("/api/v1/members", ""); r.StatusCode != 401 || r.Header.Get("RateLimit-Limit") != "" {
		t.Fatalf("anonymous: %d %v", r.StatusCode, r.Header)
	}
	clk.advance(30 * time.Second)
	r, _ = get("/api/v1/members", agent)
	expect("agent after 30 s", r, 200, "2", "0")
}
