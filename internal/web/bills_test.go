package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/shopspring/decimal"

	"realty"
	"realty/internal/fixture"
	"realty/internal/ledger"
)

// pendingBill records a bill of 1,500.00 (above the default threshold) by
// o's property manager, submitted and waiting for approval.
func pendingBill(t *testing.T, h *harness, o fixture.Org, prop *realty.ID) realty.ID {
	t.Helper()
	b, err := h.env.Ledger.CreateBill(context.Background(), o.Personas["property_manager"].Actor, ledger.VendorBillInput{
		VendorID: h.env.Vendor(t, o, "Pipe Works"), PropertyID: prop, Reference: "PLB-1500", Submit: true,
		Lines: []ledger.VendorBillLineInput{{AccountID: repairsAccount(t, h, o), Description: "Repipe", Amount: decimal.RequireFromString("1500.00")}}})
	if err != nil {
		t.Fatal(err)
	}
	return b.ID
}

func repairsAccount(t *testing.T, h *harness, o fixture.Org) realty.ID {
	t.Helper()
	accounts, err := h.env.Ledger.Accounts(context.Background(), o.Personas["accountant"].Actor)
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range accounts {
		if a.SystemKey != nil && *a.SystemKey == "repairs_maintenance" {
			return a.ID
		}
	}
	t.Fatal("no repairs account")
	return realty.ID{}
}

// TestBillPages takes a bill through the pages: the property manager
// records it from the form, cannot approve it (no permission), the
// accountant who did not create it approves it, then pays part of it; a
// bad amount is refused on the form, naming it.
func TestBillPages(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	o := h.env.Organization(t, "acme")
	pm, acct := h.login(o.Personas["property_manager"].Email, "acme"), h.login(o.Personas["accountant"].Email, "acme")
	form := url.Values{"key": {realty.NewID().String()}, "kind": {"bill"}, "vendor_id": {h.env.Vendor(t, o, "Cool Air").String()}, "reference": {"HVAC-9"},
		"account_id": {repairsAccount(t, h, o).String()}, "description": {"Compressor"}, "amount": {"2400.00"}, "submit": {"on"}}
	r := h.post("/bills", form, pm)
	if r.StatusCode != http.StatusSeeOther || !strings.HasPrefix(r.Header.Get("Location"), "/bills/") {
		t.Fatalf("create: %d %s", r.StatusCode, r.Header.Get("Location"))
	}
	page, _, _ := strings.Cut(r.Header.Get("Location"), "?")
	if again := h.post("/bills", form, pm); again.StatusCode != http.StatusSeeOther {
		t.Errorf("the form sent twice: %d", again.StatusCode)
	}
	if list, err := h.env.Ledger.Bills(context.Background(), o.Personas["accountant"].Actor, ledger.BillFilter{}); err != nil || len(list.Items) != 1 {
		t.Errorf("bills after the form sent twice: %d, %v; want 1", len(list.Items), err)
	}
	if got := h.get(page, acct).body; !strings.Contains(got, `data-status="pending_approval"`) || !strings.Contains(got, `id="bill-approve"`) {
		t.Errorf("the accountant's bill page shows no approval: %.300s", got)
	}
	if r := h.post(page+"/approve", url.Values{}, pm); r.StatusCode != http.StatusForbidden {
		t.Errorf("the property manager approves: %d, want 403", r.StatusCode)
	}
	if r := h.post(page+"/approve", url.Values{}, acct); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("the accountant approves: %d", r.StatusCode)
	}
	bad := url.Values{"key": {realty.NewID().String()}, "amount": {"2400.01"}, "method": {"check"}}
	if r := h.post(page+"/payments", bad, acct); r.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(r.body, "exceeds the bill") {
		t.Errorf("paying past the balance: %d, want 422 on the form", r.StatusCode)
	}
	pay := url.Values{"key": {realty.NewID().String()}, "amount": {"400.00"}, "method": {"check"}}
	if r := h.post(page+"/payments", pay, acct); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("pay: %d", r.StatusCode)
	}
	h.post(page+"/payments", pay, acct) // sent twice: one payment
	if got := h.get(page, acct).body; !strings.Contains(got, `data-status="partial"`) || !strings.Contains(got, `id="bill-balance">$2,000<`) {
		t.Errorf("after paying 400.00 (twice sent): %s", got[strings.Index(got, "<main"):])
	}
}
