package ledger_test

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/shopspring/decimal"

	"realty"
	"realty/internal/ledger"
)

// TestRandomPostingsKeepInvariants posts random balanced entries over random
// accounts, reverses random ones (some twice, which must be refused), closes
// periods as it goes, and after every step checks the trial balance sums to
// zero and every invariant of `realty ledger check` holds. The seed is
// logged so a failure can be replayed.
func TestRandomPostingsKeepInvariants(t *testing.T) {
	t.Parallel()
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	r := rand.New(rand.NewPCG(seed, 7))
	s := newSetup(t, func() time.Time { return time.Date(2027, 1, 15, 12, 0, 0, 0, time.UTC) })
	var accounts []realty.ID
	for key, id := range s.keys {
		if key != ledger.AccountsReceivable && key != ledger.TenantCredit && key != ledger.AccountsPayable { // control accounts: the subledgers'
			accounts = append(accounts, id)
		}
	}
	var posted []realty.ID
	reversed := map[realty.ID]bool{}
	closedThrough := 0 // months of 2026 closed
	for step := range 150 {
		switch op := r.IntN(10); {
		case op < 6 || len(posted) == 0:
			e := randomEntry(r, accounts, closedThrough)
			je, err := s.led.Post(ctx, s.acct, e)
			if err != nil {
				t.Fatalf("step %d: post %+v: %v", step, e, err)
			}
			posted = append(posted, je.ID)
		case op < 9:
			id := posted[r.IntN(len(posted))]
			_, err := s.led.Reverse(ctx, s.acct, id, "")
			switch {
			case reversed[id] && realty.KindOf(err) != realty.Conflict:
				t.Fatalf("step %d: second reversal of %s: %v, want Conflict", step, id, err)
			case !reversed[id] && err != nil:
				t.Fatalf("step %d: reversal of %s: %v", step, id, err)
			}
			reversed[id] = true
		default:
			if closedThrough < 11 {
				closedThrough++
				if _, err := s.led.ClosePeriod(ctx, s.acct, realty.Date{Year: 2026, Month: time.Month(closedThrough), Day: 1}); err != nil {
					t.Fatalf("step %d: close month %d: %v", step, closedThrough, err)
				}
			}
		}
		if step%10 == 9 {
			assertBooksHold(t, s, step)
		}
	}
	assertBooksHold(t, s, 150)
}

// randomEntry is 2 to 6 lines over random accounts in an open month of 2026,
// balanced by construction: the debits are random cents, the credits split
// their total.
func randomEntry(r *rand.Rand, accounts []realty.ID, closedThrough int) ledger.Entry {
	month := closedThrough + 1 + r.IntN(12-closedThrough)
	date := realty.Date{Year: 2026, Month: time.Month(month), Day: 1 + r.IntN(28)}
	nd, nc := 1+r.IntN(3), 1+r.IntN(3)
	e := ledger.Entry{Date: &date, Memo: fmt.Sprintf("random %d+%d", nd, nc)}
	total := decimal.Zero
	for range nd {
		amt := decimal.New(int64(1+r.IntN(1_000_000)), -2)
		total = total.Add(amt)
		e.Lines = append(e.Lines, ledger.Line{AccountID: accounts[r.IntN(len(accounts))], Debit: amt})
	}
	left := total
	for i := range nc {
		amt := left
		if i < nc-1 {
			amt = total.Div(decimal.NewFromInt(int64(nc))).Truncate(2)
			if !amt.IsPositive() {
				amt = decimal.New(1, -2)
			}
			if amt.GreaterThanOrEqual(left) {
				continue
			}
		}
		left = left.Sub(amt)
		e.Lines = append(e.Lines, ledger.Line{AccountID: accounts[r.IntN(len(accounts))], Credit: amt})
	}
	return e
}

func assertBooksHold(t *testing.T, s setup, step int) {
	t.Helper()
	tb, err := s.led.TrialBalance(ctx, s.acct, realty.Date{Year: 2026, Month: 12, Day: 31})
	if err != nil {
		t.Fatal(err)
	}
	if !tb.Debit.Equal(tb.Credit.Decimal) {
		t.Fatalf("step %d: trial balance debits %s, credits %s", step, tb.Debit.StringFixed(2), tb.Credit.StringFixed(2))
	}
	findings, err := s.led.Check(ctx, s.acct)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range findings {
		if !f.OK() {
			t.Fatalf("step %d: %s: %v", step, f.Name, f.Rows)
		}
	}
}

// TestCheckReportsBreakage plants what the database's guards refuse (with
// triggers off, as only a superuser can) and requires each invariant the
// plant breaks to name its rows: the check can fail.
func TestCheckReportsBreakage(t *testing.T) {
	t.Parallel()
	s, jan := periodSetup(t)
	admin, err := pgx.Connect(ctx, s.env.DB.AdminURL)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close(ctx)
	orgID := s.org.Organization.ID
	bad, inv, pay := realty.NewID(), realty.NewID(), realty.NewID()
	_, err = admin.Exec(ctx, `SET session_replication_role = replica;
		INSERT INTO ledger.journal_entries (organization_id, id, entry_date, posted_at) VALUES ('`+orgID.String()+`', '`+bad.String()+`', '2026-02-10', now());
		INSERT INTO ledger.journal_lines (organization_id, entry_id, entry_date, line_no, account_id, debit)
			VALUES ('`+orgID.String()+`', '`+bad.String()+`', '2026-02-10', 1, '`+s.keys[ledger.OperatingCash].String()+`', 5);
		INSERT INTO ledger.journal_entries (organization_id, id, entry_date, reverses) VALUES ('`+orgID.String()+`', app.uuid_v7(), '2026-03-10', '`+jan.ID.String()+`');
		DELETE FROM ledger.accounts WHERE organization_id = '`+orgID.String()+`' AND system_key = 'bank_fees';
		INSERT INTO ledger.invoices (organization_id, id, tenant_id, number_year, number_seq, status, issue_date, due_date, total, paid, balance)
			VALUES ('`+orgID.String()+`', '`+inv.String()+`', app.uuid_v7(), 2026, 99, 'open', '2026-03-01', '2026-03-01', 10, 3, 7);
		INSERT INTO ledger.payments (organization_id, id, tenant_id, method, amount, received_on)
			VALUES ('`+orgID.String()+`', '`+pay.String()+`', app.uuid_v7(), 'cash', 5, '2026-03-01');
		INSERT INTO ledger.payment_allocations (organization_id, payment_id, invoice_id, amount, allocated_on, tenant_id)
			SELECT organization_id, id, '`+inv.String()+`', 9, '2026-03-01', tenant_id FROM ledger.payments
			WHERE organization_id = '`+orgID.String()+`' AND id = '`+pay.String()+`';
		INSERT INTO ledger.deposit_dispositions (organization_id, lease_id, tenant_id, disposed_on, held, deducted, refunded)
			VALUES ('`+orgID.String()+`', app.uuid_v7(), app.uuid_v7(), '2026-03-01', 5, 0, 5);
		INSERT INTO ledger.bills (organization_id, kind, vendor_id, bill_date, due_date, total, paid, balance, status, approved_on)
			VALUES ('`+orgID.String()+`', 'bill', app.uuid_v7(), '2026-03-01', '2026-03-01', 10, 3, 7, 'approved', '2026-03-01');
		INSERT INTO ledger.journal_entries (organization_id, id, entry_date, source_type, source_id) VALUES
			('`+orgID.String()+`', app.uuid_v7(), '2026-03-10', 'escrow_deposit', app.uuid_v7()),
			('`+orgID.String()+`', app.uuid_v7(), '2026-03-10', 'commission', app.uuid_v7()),
			('`+orgID.String()+`', app.uuid_v7(), '2026-03-10', 'commission_payout', app.uuid_v7());
		SET session_replication_role = DEFAULT`)
	if err != nil {
		t.Fatal(err)
	}
	findings, err := ledger.CheckDB(ctx, admin, orgID)
	if err != nil {
		t.Fatal(err)
	}
	if len(findings) < 5 {
		t.Fatalf("%d findings, want every invariant", len(findings))
	}
	for _, f := range findings {
		if f.OK() {
			t.Errorf("%s holds after the plant, want its rows", f.Name)
		}
	}
}

// TestRandomReceivablesKeepInvariants runs random sequences of invoices
// (issued and drafts), payments (explicit, automatic and unapplied),
// allocations, credit applications, voids, refunds, failed payments and
// manual reversals over three tenants, and after every few steps requires
// every invariant of `realty ledger check` to hold. The seed is logged.
func TestRandomReceivablesKeepInvariants(t *testing.T) {
	t.Parallel()
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	r := rand.New(rand.NewPCG(seed, 13))
	s := newSetup(t, march)
	tenants := []realty.ID{testTenant(t, s), testTenant(t, s), testTenant(t, s)}
	var invoices, payments []realty.ID
	cents := func(max int) decimal.Decimal { return decimal.New(int64(1+r.IntN(max)), -2) }
	for step := range 120 {
		tenant := tenants[r.IntN(len(tenants))]
		var err error
		switch op := r.IntN(9); {
		case op == 0 || len(invoices) == 0:
			inv, e := s.led.CreateInvoice(ctx, s.acct, ledger.InvoiceInput{TenantID: tenant, DueDate: realty.Date{Year: 2026, Month: 3, Day: 1 + r.IntN(28)},
				Lines: []ledger.InvoiceLineInput{{Type: "rent", Description: "Rent", Amount: cents(100000)}, {Type: "utility", Description: "Water", Amount: cents(5000)}}})
			if err = e; err == nil && r.IntN(5) > 0 {
				_, err = s.led.IssueInvoice(ctx, s.acct, inv.ID)
			}
			invoices = append(invoices, inv.ID)
		case op == 1 || len(payments) == 0:
			var res ledger.PaymentResult
			res, err = s.led.RecordPayment(ctx, s.acct, ledger.PaymentInput{TenantID: tenant, Method: "ach", Amount: cents(120000), Auto: r.IntN(2) == 0})
			payments = append(payments, res.Payment.ID)
		case op == 2:
			_, err = s.led.Allocate(ctx, s.acct, payments[r.IntN(len(payments))], nil)
		case op == 3:
			_, err = s.led.Allocate(ctx, s.acct, payments[r.IntN(len(payments))],
				[]ledger.AllocationInput{{InvoiceID: invoices[r.IntN(len(invoices))], Amount: cents(50000)}})
		case op == 4:
			if _, err = s.led.ApplyCredit(ctx, s.acct, tenant); realty.KindOf(err) == realty.NotFound {
				err = nil // a tenant with no invoice or payment yet
			}
		case op == 5:
			_, err = s.led.VoidInvoice(ctx, s.acct, invoices[r.IntN(len(invoices))])
		case op == 6:
			_, err = s.led.RefundPayment(ctx, s.acct, payments[r.IntN(len(payments))], cents(30000), "")
		case op == 7:
			_, err = s.led.FailPayment(ctx, s.acct, payments[r.IntN(len(payments))])
		default: // a manual entry and its reversal
			var je ledger.JournalEntry
			if je, err = s.led.Post(ctx, s.acct, rent(nil, "12.34")); err == nil {
				_, err = s.led.Reverse(ctx, s.acct, je.ID, "")
			}
		}
		// Refusals (Invalid: past a balance or credit; Conflict: wrong
		// status) are expected of random operations; anything else is not.
		if k := realty.KindOf(err); k != "" && k != realty.Invalid && k != realty.Conflict {
			t.Fatalf("step %d: %v", step, err)
		}
		if step%10 == 9 {
			assertBooksHold(t, s, step)
		}
	}
	assertBooksHold(t, s, 120)
}
