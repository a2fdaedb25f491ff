package api_test

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

// TestBillingAPI: the preview lists the lease's invoice; the run (keyed)
// issues it and a replay answers the first bytes; a second run with a new
// key issues nothing; a malformed period is a 422 naming it.
func TestBillingAPI(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	tok := h.tokens["acme:property_manager"]
	tenant := h.env.Tenant(t, h.a, "Biller")
	lease := h.env.Lease(t, h.a, tenant)
	if _, err := h.env.Leasing.Activate(context.Background(), h.a.Personas["property_manager"].Actor, lease); err != nil {
		t.Fatal(err)
	}
	status, preview := h.do("GET", "/api/v1/billing/preview?period=2026-12", tok, nil)
	if status != 200 || !strings.Contains(string(preview), lease.String()) || !strings.Contains(string(preview), `"total":"1000.00"`) {
		t.Fatalf("preview: %d %s", status, preview)
	}
	body := map[string]any{"period": "2026-12"}
	status, _, first := h.doKeyed("POST", "/api/v1/billing/runs", tok, "bill-1", body)
	if status != 200 || !strings.Contains(string(first), lease.String()) || !strings.Contains(string(first), `"skipped":0`) {
		t.Fatalf("run: %d %s", status, first)
	}
	if status, _, again := h.doKeyed("POST", "/api/v1/billing/runs", tok, "bill-1", body); status != 200 || !bytes.Equal(again, first) {
		t.Errorf("replay: %d %s, want the first bytes", status, again)
	}
	status, _, second := h.doKeyed("POST", "/api/v1/billing/runs", tok, "bill-2", body)
	if status != 200 || !strings.Contains(string(second), `"invoices":[]`) || !strings.Contains(string(second), `"skipped":1`) {
		t.Errorf("second run: %d %s, want nothing issued", status, second)
	}
	if status, _, resp := h.doKeyed("POST", "/api/v1/billing/runs", tok, "bill-3", map[string]any{"period": "2026-1"}); status != 422 ||
		!strings.Contains(string(resp), "period") {
		t.Errorf("bad period: %d %s", status, resp)
	}
}
