package web_test

import (
	"context"
	"net/url"
	"testing"

	"realty/internal/ledger"
)

// TestBillingRunPage: a property manager previews a month (the active
// lease's rent invoice is listed, nothing is written), runs it (one invoice,
// shown as issued), runs it again (nothing issued, one skipped, still one
// invoice); a malformed month is 422 naming it, and a run without a month
// is 422 too.
func TestBillingRunPage(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	ctx := context.Background()
	o := h.env.Organization(t, "acme")
	pm := o.Personas["property_manager"].Actor
	tenant := h.env.Tenant(t, o, "Biller")
	lease := h.env.Lease(t, o, tenant)
	if _, err := h.env.Leasing.Activate(ctx, pm, lease); err != nil {
		t.Fatal(err)
	}
	invoices := func() int {
		t.Helper()
		page, err := h.env.Ledger.Invoices(ctx, pm, ledger.InvoiceFilter{LeaseID: &lease})
		if err != nil {
			t.Fatal(err)
		}
		return len(page.Items)
	}
	session := h.login(o.Personas["property_manager"].Email, "acme")

	r := h.get("/billing?period=2026-06", session)
	expect(t, r, 200, "Preview of 2026-06", "1 rent invoice and 0 late fees to issue, $1,000 in all; 0 already issued",
		`data-lease="`+lease.String()+`"`, "Test Biller", `id="billing-run"`)
	if n := invoices(); n != 0 {
		t.Fatalf("the preview wrote %d invoices", n)
	}

	r = h.post("/billing", url.Values{"period": {"2026-06"}}, session)
	expect(t, r, 200, "Issued for 2026-06", "1 rent invoice and 0 late fees issued, $1,000 in all; 0 already issued",
		`data-lease="`+lease.String()+`"`)
	if n := invoices(); n != 1 {
		t.Fatalf("after the run: %d invoices of the lease, want 1", n)
	}
	r = h.post("/billing", url.Values{"period": {"2026-06"}}, session)
	expect(t, r, 200, "0 rent invoices and 0 late fees issued, $0 in all; 1 already issued")
	if n := invoices(); n != 1 {
		t.Fatalf("after the second run: %d invoices of the lease, want 1", n)
	}

	expect(t, h.get("/billing?period=June", session), 422, "must be a month, YYYY-MM")
	expect(t, h.post("/billing", url.Values{}, session), 422, "is required")
	if n := invoices(); n != 1 {
		t.Fatalf("after the refused forms: %d invoices, want 1", n)
	}
}
