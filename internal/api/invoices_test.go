package api_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/shopspring/decimal"

	"realty"
	"realty/internal/fixture"
	"realty/internal/ledger"
)

// receivableRows counts an organization's payments, allocations, journal
// entries and idempotency keys as the superuser sees them.
func (h *harness) receivableRows(o fixture.Org) (payments, allocations, entries, keys int) {
	h.t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, h.env.DB.AdminURL)
	if err != nil {
		h.t.Fatal(err)
	}
	defer conn.Close(ctx)
	err = conn.QueryRow(ctx, `SELECT (SELECT count(*) FROM ledger.payments WHERE organization_id = $1),
		(SELECT count(*) FROM ledger.payment_allocations WHERE organization_id = $1),
		(SELECT count(*) FROM ledger.journal_entries WHERE organization_id = $1),
		(SELECT count(*) FROM app.idempotency_keys WHERE organization_id = $1)`, o.Organization.ID).Scan(&payments, &allocations, &entries, &keys)
	if err != nil {
		h.t.Fatal(err)
	}
	return payments, allocations, entries, keys
}

// openInvoice drafts and issues an invoice of amount for tenant in o.
func (h *harness) openInvoice(o fixture.Org, tenant realty.ID, due, amount string) ledger.Invoice {
	h.t.Helper()
	acct := o.Personas["accountant"].Actor
	dueDate, _ := realty.ParseDate(due)
	inv, err := h.env.Ledger.CreateInvoice(context.Background(), acct, ledger.InvoiceInput{TenantID: tenant, DueDate: dueDate,
		Lines: []ledger.InvoiceLineInput{{Type: "rent", Description: "Rent", Amount: decimal.RequireFromString(amount)}}})
	if err != nil {
		h.t.Fatal(err)
	}
	if inv, err = h.env.Ledger.IssueInvoice(context.Background(), acct, inv.ID); err != nil {
		h.t.Fatal(err)
	}
	return inv
}

// TestPaymentIdempotency holds the Idempotency-Key contract on the payment
// POST: a replay answers the first bytes and writes nothing; another body
// under the key is 422; concurrent duplicates give one payment, each answer
// the first's or 409; another credential or organization is another key.
func TestPaymentIdempotency(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	tok := h.tokens["acme:property_manager"]
	tenant := h.env.Tenant(t, h.a, "Payer")
	inv := h.openInvoice(h.a, tenant, "2026-03-01", "700.00")
	body := map[string]any{"tenant_id": tenant, "method": "check", "amount": "1000.00", "reference": "chk 101", "auto_allocate": true}

	status, _, first := h.doKeyed("POST", "/api/v1/payments", tok, "pay-1", body)
	if status != 201 || !strings.Contains(string(first), `"unapplied":"300.00"`) || !strings.Contains(string(first), inv.ID.String()) {
		t.Fatalf("first payment: %d %s", status, first)
	}
	p0, a0, e0, k0 := h.receivableRows(h.a)
	for range 3 {
		if status, _, again := h.doKeyed("POST", "/api/v1/payments", tok, "pay-1", body); status != 201 || !bytes.Equal(again, first) {
			t.Errorf("replay: %d %s, want the first bytes", status, again)
		}
	}
	if p, a, e, k := h.receivableRows(h.a); p != p0 || a != a0 || e != e0 || k != k0 {
		t.Errorf("replays wrote rows: payments %d→%d allocations %d→%d entries %d→%d keys %d→%d", p0, p, a0, a, e0, e, k0, k)
	}
	other := map[string]any{"tenant_id": tenant, "method": "check", "amount": "999.00"}
	if status, _, resp := h.doKeyed("POST", "/api/v1/payments", tok, "pay-1", other); status != 422 || !strings.Contains(string(resp), "Idempotency-Key") {
		t.Errorf("same key, other body: %d %s, want 422", status, resp)
	}
	if status, _, resp := h.doKeyed("POST", "/api/v1/payments", tok, "", body); status != 400 {
		t.Errorf("no key: %d %s, want 400", status, resp)
	}
	// Concurrent duplicates of a new key: one payment.
	const n = 16
	statuses := make([]int, n)
	bodies := make([][]byte, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			statuses[i], _, bodies[i] = h.doKeyed("POST", "/api/v1/payments", tok, "pay-2", other)
		}()
	}
	wg.Wait()
	var winner []byte
	for i, s := range statuses {
		switch {
		case s == 201 && winner == nil:
			winner = bodies[i]
		case s == 201 && !bytes.Equal(bodies[i], winner):
			t.Errorf("two different 201 bodies for one key:\n%s\n%s", winner, bodies[i])
		case s != 201 && s != http.StatusConflict:
			t.Errorf("concurrent duplicate: %d %s", s, bodies[i])
		}
	}
	if p, _, _, _ := h.receivableRows(h.a); p != p0+1 {
		t.Errorf("%d payments after %d concurrent duplicates, want %d", p, n, p0+1)
	}
	// Another credential, and another organization, with the same key.
	if status, _, resp := h.doKeyed("POST", "/api/v1/payments", h.tokens["acme:accountant"], "pay-1", body); status != 201 || bytes.Equal(resp, first) {
		t.Errorf("same key, another credential: %d %s, want a new payment", status, resp)
	}
	globexBody := map[string]any{"tenant_id": h.env.Tenant(t, h.b, "Payer"), "method": "check", "amount": "1000.00", "reference": "chk 101", "auto_allocate": true}
	if status, _, resp := h.doKeyed("POST", "/api/v1/payments", h.tokens["globex:accountant"], "pay-1", globexBody); status != 201 {
		t.Errorf("same key, another organization: %d %s", status, resp)
	}
	if p, _, _, _ := h.receivableRows(h.a); p != p0+2 {
		t.Errorf("acme has %d payments, want %d", p, p0+2)
	}
	if p, _, _, _ := h.receivableRows(h.b); p != 1 {
		t.Errorf("globex has %d payments, want 1", p)
	}
	// Isolation: globex sees none of acme's invoice or payment.
	if status, _ := h.do("GET", "/api/v1/invoices/"+inv.ID.String(), h.tokens["globex:accountant"], nil); status != 404 {
		t.Errorf("globex reading acme's invoice: %d, want 404", status)
	}
	if status, _, _ := h.doKeyed("POST", "/api/v1/invoices/"+inv.ID.String()+"/void", h.tokens["globex:accountant"], "v", map[string]any{}); status != 404 {
		t.Errorf("globex voiding acme's invoice: %d, want 404", status)
	}
}

// TestAllocationRaceHTTP sends 40 allocations at once over two payments
// and three invoices through the API: none answers 5xx, and the books hold.
func TestAllocationRaceHTTP(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	tok := h.tokens["acme:accountant"]
	tenant := h.env.Tenant(t, h.a, "Payer")
	var invoices []ledger.Invoice
	for i := range 3 {
		invoices = append(invoices, h.openInvoice(h.a, tenant, fmt.Sprintf("2026-03-0%d", i+1), "40.00"))
	}
	var payments []realty.ID
	for range 2 {
		res, err := h.env.Ledger.RecordPayment(context.Background(), h.a.Personas["accountant"].Actor,
			ledger.PaymentInput{TenantID: tenant, Method: "cash", Amount: decimal.NewFromInt(50)})
		if err != nil {
			t.Fatal(err)
		}
		payments = append(payments, res.Payment.ID)
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	byStatus := map[int]int{}
	for i := range 40 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			body := map[string]any{}
			if i%3 != 0 {
				body["allocations"] = []map[string]any{{"invoice_id": invoices[i%3], "amount": fmt.Sprintf("%d.%02d", 1+i%9, i)}}
			}
			path := "/api/v1/payments/" + payments[i%2].String() + "/allocations"
			status, _, resp := h.doKeyed("POST", path, tok, fmt.Sprintf("alloc-%d", i), body)
			mu.Lock()
			byStatus[status]++
			mu.Unlock()
			if status >= 500 || (status != 201 && status != 409 && status != 422) {
				t.Errorf("allocation %d: %d %s", i, status, resp)
			}
		}()
	}
	wg.Wait()
	t.Logf("allocations by status: %v", byStatus)
	findings, err := h.env.Ledger.Check(context.Background(), h.a.Personas["accountant"].Actor)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range findings {
		if !f.OK() {
			t.Errorf("%s: %v", f.Name, f.Rows)
		}
	}
}
