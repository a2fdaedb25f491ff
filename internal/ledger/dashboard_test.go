package ledger_test

import (
	"testing"

	"realty"
	"realty/internal/ledger"
	"realty/internal/postgres"
)

// TestCollections: April's issued invoices (a draft and a voided one
// besides, and one due in May) with a payment allocated, another failed
// after allocating — Collections for April equals one independent SQL sum
// over the invoices and their live allocations, and the hand count.
func TestCollections(t *testing.T) {
	t.Parallel()
	s := newSetup(t, march)
	tenant, other := testTenant(t, s), testTenant(t, s)
	issued(t, s, tenant, "2026-04-01", "100")
	issued(t, s, tenant, "2026-04-20", "100")
	issued(t, s, other, "2026-04-30", "250")
	issued(t, s, tenant, "2026-05-01", "75")
	void := issued(t, s, other, "2026-04-10", "40")
	if _, err := s.led.VoidInvoice(ctx, s.acct, void.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.led.CreateInvoice(ctx, s.acct, ledger.InvoiceInput{TenantID: other, DueDate: *day("2026-04-15"),
		Lines: []ledger.InvoiceLineInput{{Type: "rent", Description: "Draft", Amount: d("999")}}}); err != nil {
		t.Fatal(err)
	}
	// 130 paid: the 04-01 invoice in full, 30 off the 04-20 one; 50 from
	// the other tenant allocated, then failed (its allocation undone).
	if _, err := s.led.RecordPayment(ctx, s.acct, ledger.PaymentInput{TenantID: tenant, Method: "cash", Amount: d("130"), Auto: true}); err != nil {
		t.Fatal(err)
	}
	failed, err := s.led.RecordPayment(ctx, s.acct, ledger.PaymentInput{TenantID: other, Method: "check", Amount: d("50"), Auto: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.led.FailPayment(ctx, s.acct, failed.Payment.ID); err != nil {
		t.Fatal(err)
	}
	got, err := s.led.Collections(ctx, s.acct, *day("2026-04-17"))
	if err != nil {
		t.Fatal(err)
	}
	type sums struct {
		Invoices  int          `db:"invoices"`
		Billed    ledger.Money `db:"billed"`
		Collected ledger.Money `db:"collected"`
	}
	want, err := postgres.ReadAll[sums](ctx, s.env.Pool, s.acct, `SELECT count(*)::int AS invoices, coalesce(sum(i.total), 0) AS billed,
			coalesce(sum((SELECT coalesce(sum(a.amount), 0) FROM ledger.payment_allocations a
				WHERE a.organization_id = i.organization_id AND a.invoice_id = i.id AND a.reversed_on IS NULL)), 0) AS collected
		FROM ledger.invoices i WHERE i.organization_id = $1 AND i.issue_date IS NOT NULL AND i.voided_on IS NULL
		  AND date_trunc('month', i.due_date) = '2026-04-01'`, s.acct.OrgID)
	if err != nil {
		t.Fatal(err)
	}
	w := want[0]
	if got.Month != *day("2026-04-01") || got.Invoices != w.Invoices || !got.Billed.Equal(w.Billed.Decimal) || !got.Collected.Equal(w.Collected.Decimal) ||
		!got.Outstanding.Equal(w.Billed.Sub(w.Collected.Decimal)) {
		t.Errorf("collections %+v, SQL gives %+v", got, w)
	}
	if got.Invoices != 3 || !got.Billed.Equal(d("450")) || !got.Collected.Equal(d("130")) {
		t.Errorf("collections %+v, want 3 invoices, 450 billed, 130 collected", got)
	}
	var listed []ledger.Invoice
	for cursor := ""; ; {
		page, err := s.led.MonthInvoices(ctx, s.acct, *day("2026-04-30"), cursor, 2)
		if err != nil {
			t.Fatal(err)
		}
		if listed = append(listed, page.Items...); page.NextCursor == "" {
			break
		}
		cursor = page.NextCursor
	}
	sum := d("0")
	for _, inv := range listed {
		sum = sum.Add(inv.Total.Decimal)
	}
	if len(listed) != w.Invoices || !sum.Equal(w.Billed.Decimal) {
		t.Errorf("April's invoices listed: %d totalling %s, SQL has %d totalling %s", len(listed), sum, w.Invoices, w.Billed.StringFixed(2))
	}
	if _, err := s.led.Collections(ctx, s.org.Personas["resident"].Actor, *day("2026-04-01")); realty.KindOf(err) != realty.Forbidden {
		t.Errorf("a resident's collections: %v, want Forbidden", err)
	}
}
