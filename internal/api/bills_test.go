package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/shopspring/decimal"

	"realty"
	"realty/internal/fixture"
	"realty/internal/ledger"
)

// payableRows counts an organization's bills, bill payments, journal
// entries and idempotency keys as the superuser sees them.
func (h *harness) payableRows(o fixture.Org) (bills, payments, entries, keys int) {
	h.t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, h.env.DB.AdminURL)
	if err != nil {
		h.t.Fatal(err)
	}
	defer conn.Close(ctx)
	err = conn.QueryRow(ctx, `SELECT (SELECT count(*) FROM ledger.bills WHERE organization_id = $1),
		(SELECT count(*) FROM ledger.bill_payments WHERE organization_id = $1),
		(SELECT count(*) FROM ledger.journal_entries WHERE organization_id = $1),
		(SELECT count(*) FROM app.idempotency_keys WHERE organization_id = $1)`, o.Organization.ID).Scan(&bills, &payments, &entries, &keys)
	if err != nil {
		h.t.Fatal(err)
	}
	return bills, payments, entries, keys
}

// expenseAccount is o's repairs and maintenance account.
func (h *harness) expenseAccount(o fixture.Org) realty.ID {
	h.t.Helper()
	accounts, err := h.env.Ledger.Accounts(context.Background(), o.Personas["accountant"].Actor)
	if err != nil {
		h.t.Fatal(err)
	}
	for _, a := range accounts {
		if a.SystemKey != nil && *a.SystemKey == "repairs_maintenance" {
			return a.ID
		}
	}
	h.t.Fatal("no repairs account")
	return realty.ID{}
}

// TestBillAPI takes a bill through the API: creation and payment replay
// under their Idempotency-Key, self-approval above the threshold is 403,
// bad input is 422 naming the field, and another organization sees none.
func TestBillAPI(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	acct, broker := h.tokens["acme:accountant"], h.tokens["acme:broker"]
	body := map[string]any{"vendor_id": h.env.Vendor(t, h.a, "Boiler Co"), "reference": "V-1", "tax": "50.00", "submit": true,
		"lines": []map[string]any{{"account_id": h.expenseAccount(h.a), "description": "Boiler repair", "amount": "1450.00"}}}

	status, _, first := h.doKeyed("POST", "/api/v1/bills", acct, "bill-1", body)
	if status != 201 || !strings.Contains(string(first), `"status":"pending_approval"`) || !strings.Contains(string(first), `"total":"1500.00"`) {
		t.Fatalf("create: %d %s", status, first)
	}
	var bill struct {
		ID realty.ID `json:"id"`
	}
	if err := json.Unmarshal(first, &bill); err != nil {
		t.Fatal(err)
	}
	b0, _, e0, k0 := h.payableRows(h.a)
	if status, _, again := h.doKeyed("POST", "/api/v1/bills", acct, "bill-1", body); status != 201 || !bytes.Equal(again, first) {
		t.Errorf("replay: %d %s, want the first bytes", status, again)
	}
	if b, _, e, k := h.payableRows(h.a); b != b0 || e != e0 || k != k0 {
		t.Errorf("replay wrote rows: bills %d→%d entries %d→%d keys %d→%d", b0, b, e0, e, k0, k)
	}
	body["reference"] = "V-2"
	if status, _, resp := h.doKeyed("POST", "/api/v1/bills", acct, "bill-1", body); status != 422 || !strings.Contains(string(resp), "Idempotency-Key") {
		t.Errorf("same key, other body: %d %s, want 422", status, resp)
	}
	if status, _ := h.do("POST", "/api/v1/bills/"+bill.ID.String()+"/approval", acct, nil); status != 400 {
		t.Errorf("approval without a key: %d, want 400", status)
	}

	approve := "/api/v1/bills/" + bill.ID.String() + "/approval"
	if status, _, resp := h.doKeyed("POST", approve, acct, "approve-own", nil); status != 403 || !strings.Contains(string(resp), "other than its creator") {
		t.Errorf("approving one's own bill above the threshold: %d %s, want 403 saying why", status, resp)
	}
	if status, _, resp := h.doKeyed("POST", approve, broker, "approve-1", nil); status != 200 || !strings.Contains(string(resp), `"status":"approved"`) {
		t.Fatalf("broker approves: %d %s", status, resp)
	}

	pay := "/api/v1/bills/" + bill.ID.String() + "/payments"
	payment := map[string]any{"amount": "600.00", "method": "check", "reference": "chk 9"}
	status, _, paid := h.doKeyed("POST", pay, acct, "pay-1", payment)
	if status != 201 || !strings.Contains(string(paid), `"balance":"900.00"`) {
		t.Fatalf("pay: %d %s", status, paid)
	}
	_, p0, e0, _ := h.payableRows(h.a)
	if status, _, again := h.doKeyed("POST", pay, acct, "pay-1", payment); status != 201 || !bytes.Equal(again, paid) {
		t.Errorf("payment replay: %d %s, want the first bytes", status, again)
	}
	if _, p, e, _ := h.payableRows(h.a); p != p0 || e != e0 {
		t.Errorf("payment replay wrote rows: payments %d→%d entries %d→%d", p0, p, e0, e)
	}
	for field, bad := range map[string]map[string]any{
		"amount": {"amount": "900.01", "method": "check"},
		"method": {"amount": "1.00", "method": "barter"},
	} {
		if status, _, resp := h.doKeyed("POST", pay, acct, "bad-"+field, bad); status != 422 || !strings.Contains(string(resp), field) {
			t.Errorf("payment with a bad %s: %d %s, want 422 naming it", field, status, resp)
		}
	}
	badLine := map[string]any{"vendor_id": realty.NewID(), "lines": []map[string]any{{"account_id": realty.NewID(), "description": "x", "amount": "1.00"}}}
	if status, _, resp := h.doKeyed("POST", "/api/v1/bills", acct, "bad-line", badLine); status != 422 || !strings.Contains(string(resp), "lines[0].account_id") {
		t.Errorf("a bill on no expense account: %d %s, want 422 naming lines[0].account_id", status, resp)
	}

	other := h.tokens["globex:accountant"]
	if status, _ := h.do("GET", "/api/v1/bills/"+bill.ID.String(), other, nil); status != 404 {
		t.Errorf("another organization reads the bill: %d, want 404", status)
	}
	if status, resp := h.do("GET", "/api/v1/bills?status=open", other, nil); status != 200 || strings.Contains(string(resp), bill.ID.String()) {
		t.Errorf("another organization's list: %d %s", status, resp)
	}
	if status, resp := h.do("GET", "/api/v1/bills?status=open", acct, nil); status != 200 || !strings.Contains(string(resp), bill.ID.String()) {
		t.Errorf("open bills: %d %s", status, resp)
	}
}

// foreignBill is a bill of globex's waiting for approval (for TestBOLA).
func foreignBill(t *testing.T, h *harness) realty.ID {
	t.Helper()
	b, err := h.env.Ledger.CreateBill(context.Background(), h.b.Personas["property_manager"].Actor, ledger.VendorBillInput{
		VendorID: h.env.Vendor(t, h.b, "Globex Plumbing"), Submit: true,
		Lines: []ledger.VendorBillLineInput{{AccountID: h.expenseAccount(h.b), Description: "Foreign", Amount: decimal.NewFromInt(5000)}}})
	if err != nil {
		t.Fatal(err)
	}
	return b.ID
}
