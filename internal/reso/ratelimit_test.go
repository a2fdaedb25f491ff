package reso_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"realty/internal/reso"
	"realty/internal/server"
)

// clock is a clock the test moves.
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

// TestRateLimit: each credential has its own bucket of the organization's
// limit (3 a minute by default here, 5 for globex): a burst, then 429 with
// the OData error and the RateLimit headers; a token spends its key's bucket;
// a bucket refills with time.
func TestRateLimit(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	clk := &clock{t: time.Now()}
	limits := h.env.Org.NewRateLimits(3, clk.now)
	five := 5
	h.must(h.env.Org.SetRateLimit(context.Background(), h.b.Organization.ID, &five, limits))
	mux := http.NewServeMux()
	reso.Mount(mux, reso.Deps{Log: server.NewLogger(io.Discard, "json", "error"), Pool: h.env.Pool, Org: h.env.Org,
		Identity: h.env.Identity, Limits: limits})
	ts := httptest.NewServer(mux)
	t.Cleanup(ts.Close)
	get := func(credential string) *http.Response {
		t.Helper()
		req, _ := http.NewRequest("GET", ts.URL+"/reso/odata/Property?$top=1", nil)
		req.Header.Set("Authorization", "Bearer "+credential)
		resp, err := http.DefaultClient.Do(req)
		h.must(err)
		resp.Body.Close()
		return resp
	}
	expect := func(name string, resp *http.Response, status int, limit, remaining string) {
		t.Helper()
		hd := resp.Header
		if resp.StatusCode != status || hd.Get("RateLimit-Limit") != limit || hd.Get("RateLimit-Remaining") != remaining ||
			hd.Get("RateLimit-Reset") == "" || hd.Get("RateLimit-Policy") != limit+";w=60" {
			t.Fatalf("%s: %d, headers %v; want %d with limit %s, %s remaining", name, resp.StatusCode, hd, status, limit, remaining)
		}
		if (status == 429) != (hd.Get("Retry-After") != "") {
			t.Fatalf("%s: Retry-After %q on a %d", name, hd.Get("Retry-After"), status)
		}
	}
	tokA := h.token(h.keyA)
	expect("acme key 1", get(h.keyA), 200, "3", "2")
	expect("acme key's token", get(tokA), 200, "3", "1")
	expect("acme key 3", get(h.keyA), 200, "3", "0")
	resp := get(h.keyA)
	expect("acme key 4", resp, 429, "3", "0")
	if resp.Header.Get("Retry-After") != "20" {
		t.Fatalf("Retry-After %q, want 20 (a minute's third)", resp.Header.Get("Retry-After"))
	}
	req, _ := http.NewRequest("GET", ts.URL+"/reso/odata/Property", nil)
	req.Header.Set("Authorization", "Bearer "+tokA)
	r, err := http.DefaultClient.Do(req)
	h.must(err)
	body, _ := io.ReadAll(r.Body)
	r.Body.Close()
	if r.StatusCode != 429 || string(body[:len(`{"error":{"code":"TooManyRequests"`)]) != `{"error":{"code":"TooManyRequests"` {
		t.Fatalf("token past the key's limit: %d %s", r.StatusCode, body)
	}

	expect("another acme key", get(h.keyMin), 200, "3", "2")
	for _, want := range []string{"4", "3", "2", "1", "0"} { // globex's own limit, and its own bucket
		expect("globex key "+want, get(h.keyB), 200, "5", want)
	}
	expect("globex key 6", get(h.keyB), 429, "5", "0")

	clk.advance(20 * time.Second)
	expect("acme key after 20 s", get(h.keyA), 200, "3", "0")
	expect("acme key at once again", get(h.keyA), 429, "3", "0")
	clk.advance(time.Hour)
	expect("acme key after an hour", get(h.keyA), 200, "3", "2")
}
