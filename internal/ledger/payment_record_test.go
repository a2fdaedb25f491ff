package ledger_test

import (
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"realty"
	"realty/internal/ledger"
	"realty/internal/postgres"
)

// paymentRows counts the organization's payments, allocations and journal
// entries.
func paymentRows(t *testing.T, s setup) [3]int {
	t.Helper()
	var n [3]int
	err := postgres.Tx(ctx, s.env.Pool, s.acct, func(tx pgx.Tx) error {
		return tx.QueryRow(ctx, `SELECT (SELECT count(*) FROM ledger.payments WHERE organization_id = $1),
			(SELECT count(*) FROM ledger.payment_allocations WHERE organization_id = $1),
			(SELECT count(*) FROM ledger.journal_entries WHERE organization_id = $1)`, s.acct.OrgID).Scan(&n[0], &n[1], &n[2])
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// TestRecordPaymentAllocations records payments with the allocations
// listed: each refusal names its field and writes nothing, and a valid list
// is applied in its order with one entry per allocation.
func TestRecordPaymentAllocations(t *testing.T) {
	t.Parallel()
	s := newSetup(t, func() time.Time { return time.Date(2026, 4, 10, 12, 0, 0, 0, time.UTC) })
	tenant, other := testTenant(t, s), testTenant(t, s)
	march := issued(t, s, tenant, "2026-03-01", "1000")
	april := issued(t, s, tenant, "2026-04-01", "500")
	theirs := issued(t, s, other, "2026-03-01", "700")
	pay := func(list ...ledger.AllocationInput) (ledger.PaymentResult, error) {
		return s.led.RecordPayment(ctx, s.acct, ledger.PaymentInput{TenantID: tenant, Method: "check", Amount: d("1000"), Allocations: list})
	}
	before := paymentRows(t, s)
	refusals := []struct {
		list      []ledger.AllocationInput
		kind      realty.Kind
		field     string
		situation string
	}{
		{[]ledger.AllocationInput{{InvoiceID: realty.NewID(), Amount: d("10")}}, realty.NotFound, "", "an invoice that does not exist"},
		{[]ledger.AllocationInput{{InvoiceID: theirs.ID, Amount: d("10")}}, realty.Invalid, "allocations[0].invoice_id", "another tenant's invoice"},
		{[]ledger.AllocationInput{{InvoiceID: april.ID, Amount: d("500.01")}}, realty.Invalid, "allocations[0].amount", "more than the balance"},
		{[]ledger.AllocationInput{{InvoiceID: march.ID, Amount: d("900")}, {InvoiceID: april.ID, Amount: d("200")}}, realty.Invalid, "allocations",
			"more than the payment"},
	}
	for _, c := range refusals {
		_, err := pay(c.list...)
		if realty.KindOf(err) != c.kind || (c.field != "" && realty.FieldsOf(err)[c.field] == "") {
			t.Errorf("%s: %v, want %v naming %q", c.situation, err, c.kind, c.field)
		}
	}
	if got := paymentRows(t, s); got != before {
		t.Errorf("refused payments wrote rows: payments, allocations, entries %v → %v", before, got)
	}
	res, err := pay(ledger.AllocationInput{InvoiceID: april.ID, Amount: d("400")}, ledger.AllocationInput{InvoiceID: march.ID, Amount: d("600")})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Allocations) != 2 || res.Allocations[0].InvoiceID != april.ID || res.Allocations[1].InvoiceID != march.ID ||
		!res.Allocations[0].Amount.Equal(d("400")) || !res.Payment.Allocated.Equal(d("1000")) || !res.Payment.Unapplied.IsZero() {
		t.Fatalf("payment %+v, want 400 to April then 600 to March, all allocated", res)
	}
	if got, want := paymentRows(t, s), [3]int{before[0] + 1, before[1] + 2, before[2] + 3}; got != want {
		t.Errorf("rows after the payment %v, want %v (one payment, two allocations, three entries)", got, want)
	}
	for inv, balance := range map[realty.ID]string{march.ID: "400", april.ID: "100"} {
		got, err := s.led.Invoice(ctx, s.acct, inv)
		if err != nil || got.Status != "partial" || !got.Balance.Equal(d(balance)) {
			t.Errorf("invoice %s after the payment: %+v %v, want partial with %s left", inv, got, err, balance)
		}
	}
	requireBooksOK(t, s)
}

// TestRecordPaymentClosedPeriod: a payment received in a closed month is a
// Conflict naming the month and writes nothing, allocated or not.
func TestRecordPaymentClosedPeriod(t *testing.T) {
	t.Parallel()
	s, _ := periodSetup(t)
	tenant := testTenant(t, s)
	inv := issued(t, s, tenant, "2026-04-01", "300")
	before := paymentRows(t, s)
	for _, auto := range []bool{false, true} {
		_, err := s.led.RecordPayment(ctx, s.acct, ledger.PaymentInput{TenantID: tenant, Method: "cash", Amount: d("100"),
			ReceivedOn: day("2026-02-27"), Auto: auto})
		if realty.KindOf(err) != realty.Conflict || realty.FieldsOf(err)["entry_date"] == "" {
			t.Errorf("received in closed February (auto %v): %v, want Conflict naming entry_date", auto, err)
		}
	}
	if got := paymentRows(t, s); got != before {
		t.Errorf("refused payments wrote rows: %v → %v", before, got)
	}
	res, err := s.led.RecordPayment(ctx, s.acct, ledger.PaymentInput{TenantID: tenant, Method: "cash", Amount: d("100"),
		ReceivedOn: day("2026-03-31"), Auto: true})
	if err != nil {
		t.Fatal(err)
	}
	if res.Payment.ReceivedOn.String() != "2026-03-31" || len(res.Allocations) != 1 || res.Allocations[0].InvoiceID != inv.ID ||
		res.Allocations[0].AllocatedOn.String() != "2026-04-10" {
		t.Errorf("payment received in March, allocated today: %+v", res)
	}
	requireBooksOK(t, s)
}
