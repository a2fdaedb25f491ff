package ledger_test

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/shopspring/decimal"

	"realty"
	"realty/internal/ledger"
	"realty/internal/postgres"
)

var march = func() time.Time { return time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC) }

// issued drafts and issues an invoice of one rent line for tenant.
func issued(t *testing.T, s setup, tenant realty.ID, due, amount string) ledger.Invoice {
	t.Helper()
	inv, err := s.led.CreateInvoice(ctx, s.acct, ledger.InvoiceInput{TenantID: tenant, DueDate: *day(due),
		Lines: []ledger.InvoiceLineInput{{Type: "rent", Description: "Rent", Amount: d(amount)}}})
	if err != nil {
		t.Fatal(err)
	}
	if inv, err = s.led.IssueInvoice(ctx, s.acct, inv.ID); err != nil {
		t.Fatal(err)
	}
	return inv
}

func received(t *testing.T, s setup, tenant realty.ID, amount string) ledger.Payment {
	t.Helper()
	res, err := s.led.RecordPayment(ctx, s.acct, ledger.PaymentInput{TenantID: tenant, Method: "check", Amount: d(amount)})
	if err != nil {
		t.Fatal(err)
	}
	return res.Payment
}

func requireBooksOK(t *testing.T, s setup) {
	t.Helper()
	findings, err := s.led.Check(ctx, s.acct)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range findings {
		if !f.OK() {
			t.Errorf("%s: %v", f.Name, f.Rows)
		}
	}
}

// balance is an account's balance in its normal direction.
func balance(t *testing.T, s setup, key string) decimal.Decimal {
	t.Helper()
	tb, err := s.led.TrialBalance(ctx, s.acct, realty.Date{Year: 2099, Month: 1, Day: 1})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range tb.Accounts {
		if r.AccountID == s.keys[key] {
			return r.Balance.Decimal
		}
	}
	t.Fatalf("no account %s", key)
	return decimal.Zero
}

func TestInvoiceLifecycle(t *testing.T) {
	t.Parallel()
	s := newSetup(t, march)
	tenant := testTenant(t, s)
	draft, err := s.led.CreateInvoice(ctx, s.acct, ledger.InvoiceInput{TenantID: tenant, DueDate: *day("2026-03-01"),
		Lines: []ledger.InvoiceLineInput{{Type: "rent", Description: "March rent", Amount: d("1000")},
			{Type: "deposit", Description: "Deposit", Amount: d("500")}}})
	if err != nil {
		t.Fatal(err)
	}
	if draft.Number != nil || draft.Status != "draft" || !draft.Total.Equal(d("1500")) {
		t.Fatalf("draft %+v", draft)
	}
	inv, err := s.led.IssueInvoice(ctx, s.acct, draft.ID)
	if err != nil {
		t.Fatal(err)
	}
	if inv.Number == nil || *inv.Number != "2026-000001" || inv.Status != "open" || !inv.Overdue {
		t.Fatalf("issued %+v, want number 2026-000001, open, overdue", inv)
	}
	if _, err := s.led.IssueInvoice(ctx, s.acct, draft.ID); realty.KindOf(err) != realty.Conflict {
		t.Errorf("issuing twice: %v, want Conflict", err)
	}
	if got := balance(t, s, ledger.SecurityDeposits); !got.Equal(d("500")) {
		t.Errorf("deposits held %s, want 500 (deposit line credits the liability)", got)
	}
	res, err := s.led.RecordPayment(ctx, s.acct, ledger.PaymentInput{TenantID: tenant, Method: "ach", Amount: d("1600"), Fee: d("2.50"), Auto: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Allocations) != 1 || !res.Payment.Unapplied.Equal(d("100")) {
		t.Fatalf("auto-allocated %+v", res)
	}
	inv, _ = s.led.Invoice(ctx, s.acct, inv.ID)
	if inv.Status != "paid" || !inv.Balance.IsZero() || inv.Overdue {
		t.Errorf("after payment %+v, want paid", inv)
	}
	// The overpayment stays as credit and goes to the next invoice.
	next := issued(t, s, tenant, "2026-04-01", "1000")
	if _, err := s.led.ApplyCredit(ctx, s.acct, tenant); err != nil {
		t.Fatal(err)
	}
	if next, _ = s.led.Invoice(ctx, s.acct, next.ID); next.Status != "partial" || !next.Balance.Equal(d("900")) {
		t.Errorf("next invoice after credit %+v, want partial 900", next)
	}
	requireBooksOK(t, s)
	// Voiding un-applies: the money is tenant credit again.
	if _, err := s.led.VoidInvoice(ctx, s.acct, next.ID); err != nil {
		t.Fatal(err)
	}
	if got := balance(t, s, ledger.TenantCredit); !got.Equal(d("100")) {
		t.Errorf("tenant credit after void %s, want 100", got)
	}
	if got := balance(t, s, ledger.AccountsReceivable); !got.IsZero() {
		t.Errorf("AR after void %s, want 0", got)
	}
	if _, err := s.led.VoidInvoice(ctx, s.acct, next.ID); realty.KindOf(err) != realty.Conflict {
		t.Errorf("voiding twice: %v, want Conflict", err)
	}
	requireBooksOK(t, s)
}

func TestRefundAndFailedPayment(t *testing.T) {
	t.Parallel()
	s := newSetup(t, march)
	tenant := testTenant(t, s)
	inv := issued(t, s, tenant, "2026-03-01", "800")
	p := received(t, s, tenant, "1000")
	if _, err := s.led.Allocate(ctx, s.acct, p.ID, []ledger.AllocationInput{{InvoiceID: inv.ID, Amount: d("900")}}); realty.FieldsOf(err)["allocations[0].amount"] == "" {
		t.Errorf("allocating past the balance: %v, want Invalid naming allocations[0].amount", err)
	}
	if _, err := s.led.Allocate(ctx, s.acct, p.ID, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := s.led.RefundPayment(ctx, s.acct, p.ID, d("200.01"), ""); realty.FieldsOf(err)["amount"] == "" {
		t.Errorf("refunding past the credit: %v, want Invalid naming amount", err)
	}
	r, err := s.led.RefundPayment(ctx, s.acct, p.ID, d("200"), "chk 17")
	if err != nil {
		t.Fatal(err)
	}
	if !r.Payment.Unapplied.IsZero() || r.Payment.Status != "pending" {
		t.Errorf("after refund %+v", r.Payment)
	}
	if got := balance(t, s, ledger.OperatingCash); !got.Equal(d("-200")) {
		t.Errorf("cash after refund %s, want -200", got)
	}
	if _, err := s.led.FailPayment(ctx, s.acct, p.ID); realty.KindOf(err) != realty.Conflict {
		t.Errorf("failing a refunded payment: %v, want Conflict", err)
	}
	// NSF: a second payment fails; its allocation is undone and the invoice owes again.
	inv2 := issued(t, s, tenant, "2026-03-05", "300")
	p2 := received(t, s, tenant, "300")
	if _, err := s.led.Allocate(ctx, s.acct, p2.ID, []ledger.AllocationInput{{InvoiceID: inv2.ID, Amount: d("300")}}); err != nil {
		t.Fatal(err)
	}
	res, err := s.led.FailPayment(ctx, s.acct, p2.ID)
	if err != nil {
		t.Fatal(err)
	}
	if res.Payment.Status != "failed" || !res.Payment.Allocated.IsZero() {
		t.Errorf("failed payment %+v", res.Payment)
	}
	if inv2, _ = s.led.Invoice(ctx, s.acct, inv2.ID); inv2.Status != "open" || !inv2.Balance.Equal(d("300")) {
		t.Errorf("invoice after NSF %+v, want open 300", inv2)
	}
	if got := balance(t, s, ledger.AccountsReceivable); !got.Equal(d("300")) {
		t.Errorf("AR after NSF %s, want 300", got)
	}
	if got := balance(t, s, ledger.UndepositedFunds); !got.Equal(d("1000")) {
		t.Errorf("undeposited funds after NSF %s, want 1000", got)
	}
	if _, err := s.led.Allocate(ctx, s.acct, p2.ID, nil); realty.KindOf(err) != realty.Conflict {
		t.Errorf("allocating a failed payment: %v, want Conflict", err)
	}
	requireBooksOK(t, s)
}

// TestInvoiceNumbersGapFree issues 30 drafts concurrently, with some issues
// failing after taking a number (their transaction rolls back): the numbers
// are exactly 1..n for the issued ones.
func TestInvoiceNumbersGapFree(t *testing.T) {
	t.Parallel()
	s := newSetup(t, march)
	tenant := testTenant(t, s)
	var drafts []realty.ID
	for range 30 {
		inv, err := s.led.CreateInvoice(ctx, s.acct, ledger.InvoiceInput{TenantID: tenant, DueDate: *day("2026-03-20"),
			Lines: []ledger.InvoiceLineInput{{Type: "other", Description: "Fee", Amount: d("10")}}})
		if err != nil {
			t.Fatal(err)
		}
		drafts = append(drafts, inv.ID)
	}
	var wg sync.WaitGroup
	errs := make([]error, len(drafts))
	for i, id := range drafts {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if i%5 == 4 { // take a number, then fail: the number must come back
				errs[i] = postgres.Tx(ctx, s.env.Pool, s.acct, func(tx pgx.Tx) error {
					if _, err := s.led.IssueInvoiceTx(ctx, tx, s.acct, id); err != nil {
						return err
					}
					return fmt.Errorf("rolled back on purpose")
				})
				return
			}
			_, errs[i] = s.led.IssueInvoice(ctx, s.acct, id)
		}()
	}
	wg.Wait()
	var nums []string
	for i, id := range drafts {
		inv, err := s.led.Invoice(ctx, s.acct, id)
		if err != nil {
			t.Fatal(err)
		}
		switch {
		case i%5 == 4 && inv.Number != nil:
			t.Errorf("rolled-back issue kept number %s", *inv.Number)
		case i%5 != 4 && (errs[i] != nil || inv.Number == nil):
			t.Errorf("issue %d: %v", i, errs[i])
		case inv.Number != nil:
			nums = append(nums, *inv.Number)
		}
	}
	sort.Strings(nums)
	for i, n := range nums {
		if want := fmt.Sprintf("2026-%06d", i+1); n != want {
			t.Fatalf("numbers %v: position %d is %s, want %s (gap or duplicate)", nums, i, n, want)
		}
	}
	requireBooksOK(t, s)
}

// TestAllocationRace runs 200 allocations at once over 3 payments and 4
// invoices of one tenant, explicit and automatic: every invoice keeps
// balance = total − Σ allocations ≤ total, every payment Σ ≤ amount, and no
// call fails with anything but a client error (Invalid: the money ran out;
// Conflict: still contended after the retries).
func TestAllocationRace(t *testing.T) {
	t.Parallel()
	s := newSetup(t, march)
	tenant := testTenant(t, s)
	var invoices []ledger.Invoice
	for i := range 4 {
		invoices = append(invoices, issued(t, s, tenant, fmt.Sprintf("2026-03-0%d", i+1), "97.13"))
	}
	var payments []ledger.Payment
	for range 3 {
		payments = append(payments, received(t, s, tenant, "131.07"))
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	kinds := map[realty.Kind]int{}
	for i := range 200 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := rand.New(rand.NewPCG(uint64(i), 1))
			p := payments[r.IntN(len(payments))]
			var list []ledger.AllocationInput
			if i%4 != 0 {
				for _, j := range r.Perm(len(invoices))[:1+r.IntN(2)] {
					list = append(list, ledger.AllocationInput{InvoiceID: invoices[j].ID, Amount: decimal.New(int64(1+r.IntN(3000)), -2)})
				}
			}
			_, err := s.led.Allocate(ctx, s.acct, p.ID, list)
			mu.Lock()
			kinds[realty.KindOf(err)]++
			mu.Unlock()
			if k := realty.KindOf(err); k != "" && k != realty.Invalid && k != realty.Conflict {
				t.Errorf("allocation %d: %v (kind %s)", i, err, k)
			}
		}()
	}
	wg.Wait()
	t.Logf("outcomes by error kind: %v", kinds)
	if kinds[""] < 20 {
		t.Errorf("only %d allocations succeeded: %v", kinds[""], kinds)
	}
	var sumInvoices, sumPayments decimal.Decimal
	for _, inv := range invoices {
		got, err := s.led.Invoice(ctx, s.acct, inv.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Balance.IsNegative() || !got.Balance.Equal(got.Total.Sub(got.Paid.Decimal)) {
			t.Errorf("invoice %s: total %s paid %s balance %s", got.ID, got.Total, got.Paid, got.Balance)
		}
		sumInvoices = sumInvoices.Add(got.Paid.Decimal)
	}
	for _, p := range payments {
		got, err := s.led.Payment(ctx, s.acct, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Allocated.GreaterThan(got.Amount.Decimal) {
			t.Errorf("payment %s: allocated %s of %s", got.ID, got.Allocated, got.Amount)
		}
		sumPayments = sumPayments.Add(got.Allocated.Decimal)
	}
	if !sumInvoices.Equal(sumPayments) {
		t.Errorf("invoices paid %s, payments allocated %s", sumInvoices, sumPayments)
	}
	requireBooksOK(t, s) // paid = Σ allocations, Σ ≤ amount, AR and credit agree
}

// TestTriggersRefuseOverAllocation writes allocations and refunds straight
// into the tables, as a buggy service would: the database refuses Σ past a
// payment's amount or an invoice's total.
func TestTriggersRefuseOverAllocation(t *testing.T) {
	t.Parallel()
	s := newSetup(t, march)
	tenant := testTenant(t, s)
	inv := issued(t, s, tenant, "2026-03-01", "100")
	p := received(t, s, tenant, "150")
	big := received(t, s, tenant, "500")
	insert := func(payment realty.ID, amount string) error {
		return postgres.Tx(ctx, s.env.Pool, s.acct, func(tx pgx.Tx) error {
			_, err := tx.Exec(ctx, `INSERT INTO ledger.payment_allocations (organization_id, payment_id, invoice_id, amount, allocated_on)
				VALUES ($1, $2, $3, $4, '2026-03-10')`, s.acct.OrgID, payment, inv.ID, d(amount))
			return err
		})
	}
	if err := insert(p.ID, "60"); err != nil {
		t.Fatal(err)
	}
	if err := insert(big.ID, "40.01"); !capRefused(err, "payment_allocations_cap", "invoice") {
		t.Errorf("allocating past the invoice's total: %v, want payment_allocations_cap naming the invoice", err)
	}
	if err := insert(p.ID, "40"); err != nil {
		t.Fatal(err)
	}
	inv2 := issued(t, s, tenant, "2026-03-02", "100")
	err := postgres.Tx(ctx, s.env.Pool, s.acct, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `INSERT INTO ledger.payment_allocations (organization_id, payment_id, invoice_id, amount, allocated_on)
			VALUES ($1, $2, $3, 50.01, '2026-03-10')`, s.acct.OrgID, p.ID, inv2.ID)
		return err
	})
	if !capRefused(err, "payment_allocations_cap", "payment") {
		t.Errorf("allocating past the payment's amount: %v, want payment_allocations_cap naming the payment", err)
	}
	err = postgres.Tx(ctx, s.env.Pool, s.acct, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `INSERT INTO ledger.refunds (organization_id, payment_id, amount, refunded_on) VALUES ($1, $2, 50.01, '2026-03-10')`,
			s.acct.OrgID, p.ID)
		return err
	})
	if !capRefused(err, "refunds_cap", "payment") {
		t.Errorf("refunding past the payment's credit: %v, want refunds_cap", err)
	}
}

// TestReceivableReads checks AR aging buckets as of a day, a tenant's
// ledger with its running balance across pages, a lease's balance and the
// invoice list's derived overdue filter.
func TestReceivableReads(t *testing.T) {
	t.Parallel()
	s := newSetup(t, march)
	tenant, other := testTenant(t, s), testTenant(t, s)
	lease := s.env.Lease(t, s.org, tenant)
	for _, due := range []string{"2026-07-15", "2026-06-15", "2026-05-31", "2026-05-15", "2026-04-15", "2026-03-01"} {
		issued(t, s, tenant, due, "100")
	}
	leased, err := s.led.CreateInvoice(ctx, s.acct, ledger.InvoiceInput{TenantID: other, LeaseID: &lease, DueDate: *day("2026-03-01"),
		Lines: []ledger.InvoiceLineInput{{Type: "rent", Description: "Rent", Amount: d("250")}}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.led.IssueInvoice(ctx, s.acct, leased.ID); err != nil {
		t.Fatal(err)
	}
	// 130 paid: the oldest (due 03-01) in full, 30 off the next (04-15).
	// As of 06-30, the one due 05-31 is 30 days late, the 05-15 one 46.
	if _, err := s.led.RecordPayment(ctx, s.acct, ledger.PaymentInput{TenantID: tenant, Method: "cash", Amount: d("130"), Auto: true}); err != nil {
		t.Fatal(err)
	}
	ag, err := s.led.Aging(ctx, s.acct, *day("2026-06-30"))
	if err != nil {
		t.Fatal(err)
	}
	want := map[realty.ID][6]string{tenant: {"100", "200", "100", "70", "0", "470"}, other: {"0", "0", "0", "0", "250", "250"}}
	if len(ag.Tenants) != 2 || !ag.Total.Total.Equal(d("720")) {
		t.Fatalf("aging %+v, want two tenants totalling 720", ag)
	}
	for _, r := range ag.Tenants {
		w := want[*r.TenantID]
		for i, got := range []ledger.Money{r.Current, r.Days1, r.Days31, r.Days61, r.Days90, r.Total} {
			if !got.Equal(d(w[i])) {
				t.Errorf("tenant %s bucket %d: %s, want %s", r.TenantID, i, got.StringFixed(2), w[i])
			}
		}
	}
	if before, _ := s.led.Aging(ctx, s.acct, *day("2026-03-09")); !before.Total.Total.IsZero() {
		t.Errorf("aging before any invoice was issued: %s, want 0", before.Total.Total.StringFixed(2))
	}
	var rows []ledger.TenantLedgerRow
	cursor := ""
	for {
		page, err := s.led.TenantLedger(ctx, s.acct, tenant, cursor, 2)
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) > 0 && !page.Opening.Equal(rows[len(rows)-1].Balance.Decimal) {
			t.Errorf("page opening %s, want the previous page's last balance %s", page.Opening, rows[len(rows)-1].Balance)
		}
		rows = append(rows, page.Items...)
		if cursor = page.NextCursor; cursor == "" {
			break
		}
	}
	if len(rows) != 7 || !rows[6].Balance.Equal(d("470")) || !rows[6].Amount.Equal(d("-130")) {
		t.Errorf("tenant ledger %+v, want 6 charges and a payment ending at 470", rows)
	}
	lb, err := s.led.LeaseBalance(ctx, s.acct, lease)
	if err != nil || !lb.Balance.Equal(d("250")) {
		t.Errorf("lease balance %+v %v, want 250", lb, err)
	}
	if _, err := s.led.TenantLedger(ctx, s.acct, realty.NewID(), "", 10); realty.KindOf(err) != realty.NotFound {
		t.Errorf("ledger of an unknown tenant: %v, want NotFound", err)
	}
	overdue, err := s.led.Invoices(ctx, s.acct, ledger.InvoiceFilter{Status: "overdue"})
	if err != nil || len(overdue.Items) != 1 || overdue.Items[0].ID != leased.ID {
		t.Errorf("overdue on 2026-03-10: %+v %v, want only the lease's invoice (due 03-01; the tenant's is paid)", overdue.Items, err)
	}
}

// capRefused reports whether err is the database's refusal by constraint
// trigger name, its message naming what (the payment or the invoice) is
// over-allocated.
func capRefused(err error, name, what string) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && pe.ConstraintName == name && strings.HasPrefix(pe.Message, what+" ")
}
