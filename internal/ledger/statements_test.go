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
	"realty/internal/property"
)

// books is a setup with generated postings: invoices, payments and manual
// entries over six months (November 2025 to April 2026) and three
// properties, through the ledger's services, each month at its own clock.
type books struct {
	setup
	props []realty.ID
	admin *pgx.Conn // the superuser: independent sums, past row-level security
}

func generatedBooks(t *testing.T) books {
	t.Helper()
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	r := rand.New(rand.NewPCG(seed, 14))
	clock := time.Date(2025, 11, 15, 12, 0, 0, 0, time.UTC)
	b := books{setup: newSetup(t, func() time.Time { return clock })}
	pm := b.org.Personas["property_manager"].Actor
	tenants := map[realty.ID][]realty.ID{}
	for i := range 3 {
		p, err := b.env.Property.Create(ctx, pm, property.Input{AddressLine1: fmt.Sprintf("%d Ledger Road", i+1), City: "Springfield"})
		if err != nil {
			t.Fatal(err)
		}
		b.props = append(b.props, p.ID)
		tenants[p.ID] = []realty.ID{testTenant(t, b.setup), testTenant(t, b.setup)}
	}
	for month := range 6 {
		clock = time.Date(2025, time.November+time.Month(month), 15, 12, 0, 0, 0, time.UTC)
		for _, p := range b.props {
			for _, tenant := range tenants[p] {
				b.billAndPay(t, r, p, tenant)
			}
			b.manualEntries(t, r, p, realty.DateOf(clock))
		}
	}
	admin, err := pgx.Connect(ctx, b.env.DB.AdminURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { admin.Close(ctx) })
	b.admin = admin
	return b
}

func cents(r *rand.Rand, lo, hi int) decimal.Decimal {
	return decimal.New(int64(lo*100+r.IntN((hi-lo)*100)), -2)
}

// billAndPay issues a rent invoice (sometimes with a late fee) for the
// property and pays part of it, all of it or more.
func (b books) billAndPay(t *testing.T, r *rand.Rand, p, tenant realty.ID) {
	t.Helper()
	lines := []ledger.InvoiceLineInput{{Type: "rent", Description: "Rent", Amount: cents(r, 800, 1500)}}
	if r.IntN(3) == 0 {
		lines = append(lines, ledger.InvoiceLineInput{Type: "late_fee", Description: "Late fee", Amount: cents(r, 20, 60)})
	}
	inv, err := b.led.CreateInvoice(ctx, b.acct, ledger.InvoiceInput{TenantID: tenant, PropertyID: &p, DueDate: realty.Date{Year: 2026, Month: 1, Day: 1}, Lines: lines})
	if err != nil {
		t.Fatal(err)
	}
	if inv, err = b.led.IssueInvoice(ctx, b.acct, inv.ID); err != nil {
		t.Fatal(err)
	}
	if r.IntN(8) == 0 {
		if _, err := b.led.VoidInvoice(ctx, b.acct, inv.ID); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := b.led.RecordPayment(ctx, b.acct, ledger.PaymentInput{TenantID: tenant, Method: "ach", Amount: cents(r, 500, 1700),
		Fee: cents(r, 0, 3), Auto: true}); err != nil {
		t.Fatal(err)
	}
}

// manualEntries posts a repair and a utility bill on the property, one
// utility bill of no property, reserves set aside or released, a
// distribution to the owner, and reverses one of them now and then.
func (b books) manualEntries(t *testing.T, r *rand.Rand, p realty.ID, today realty.Date) {
	t.Helper()
	day := func() *realty.Date {
		d := realty.Date{Year: today.Year, Month: today.Month, Day: 1 + r.IntN(28)}
		return &d
	}
	pair := func(dr, cr string, amount decimal.Decimal, prop *realty.ID) ledger.Entry {
		return ledger.Entry{Date: day(), Memo: dr + " / " + cr, Lines: []ledger.Line{
			{SystemKey: dr, Debit: amount, PropertyID: prop}, {SystemKey: cr, Credit: amount, PropertyID: prop}}}
	}
	entries := []ledger.Entry{
		pair("repairs_maintenance", ledger.OperatingCash, cents(r, 50, 900), &p),
		pair("utilities", "accounts_payable", cents(r, 40, 300), &p),
		pair("utilities", ledger.OperatingCash, cents(r, 10, 100), nil),
		pair(ledger.TrustCash, ledger.OwnerReserves, cents(r, 50, 250), &p),
		pair(ledger.OwnerDistributions, ledger.OperatingCash, cents(r, 300, 1200), &p),
		pair("management_fees", ledger.OperatingCash, cents(r, 50, 150), &p),
	}
	if r.IntN(3) == 0 {
		entries = append(entries, pair(ledger.OwnerReserves, ledger.TrustCash, cents(r, 10, 40), &p))
	}
	if r.IntN(4) == 0 {
		entries = append(entries, pair("owner_equity", ledger.OperatingCash, cents(r, 100, 200), &p))
	}
	for _, e := range entries {
		je, err := b.led.Post(ctx, b.acct, e)
		if err != nil {
			t.Fatal(err)
		}
		if r.IntN(10) == 0 {
			if _, err := b.led.Reverse(ctx, b.acct, je.ID, ""); err != nil {
				t.Fatal(err)
			}
		}
	}
}

func date(s string) realty.Date { return *day(s) }

// TestStatementsReconcile holds the statements to the journal on generated
// books: the income statement's net income over a range that crosses a
// year end equals the change in retained plus current earnings on the
// balance sheets either side of it; every month-end balance sheet
// balances, its total assets being the asset lines' sum; every owner
// statement's totals equal the journal's lines of its property and month.
func TestStatementsReconcile(t *testing.T) {
	t.Parallel()
	b := generatedBooks(t)
	from, to := date("2025-12-01"), date("2026-03-31")
	is, err := b.led.IncomeStatement(ctx, b.acct, from, to, nil)
	if err != nil {
		t.Fatal(err)
	}
	before, err := b.led.BalanceSheet(ctx, b.acct, from.AddDays(-1))
	if err != nil {
		t.Fatal(err)
	}
	after, err := b.led.BalanceSheet(ctx, b.acct, to)
	if err != nil {
		t.Fatal(err)
	}
	change := after.RetainedEarnings.Add(after.CurrentEarnings.Decimal).Sub(before.RetainedEarnings.Add(before.CurrentEarnings.Decimal))
	t.Logf("net income %s to %s: %s (income %s, expenses %s); retained + current earnings %s → %s (retained %s, current %s on %s): change %s",
		from, to, is.NetIncome.StringFixed(2), is.TotalIncome.StringFixed(2), is.TotalExpenses.StringFixed(2),
		before.RetainedEarnings.Add(before.CurrentEarnings.Decimal).StringFixed(2), after.RetainedEarnings.Add(after.CurrentEarnings.Decimal).StringFixed(2),
		after.RetainedEarnings.StringFixed(2), after.CurrentEarnings.StringFixed(2), to, change.StringFixed(2))
	if is.NetIncome.IsZero() || before.CurrentEarnings.IsZero() {
		t.Fatalf("generated books too thin: net income %s, earnings before %s", is.NetIncome, before.CurrentEarnings)
	}
	if !is.NetIncome.Equal(change) {
		t.Errorf("net income %s, change in retained + current earnings %s", is.NetIncome.StringFixed(2), change.StringFixed(2))
	}
	for m := range 6 {
		asOf := realty.DateOf(time.Date(2025, time.December+time.Month(m), 0, 0, 0, 0, 0, time.UTC))
		b.requireBalanced(t, asOf)
	}
	full := 0
	for _, p := range b.props {
		for m := range 6 {
			if b.requireOwnerStatement(t, p, realty.DateOf(time.Date(2025, time.November+time.Month(m), 1, 0, 0, 0, 0, time.UTC))) {
				full++
			}
		}
	}
	if full < 6 {
		t.Errorf("only %d of 18 owner statements have income, reserves and distributions: generated books too thin", full)
	}
}

func (b books) requireBalanced(t *testing.T, asOf realty.Date) {
	t.Helper()
	bs, err := b.led.BalanceSheet(ctx, b.acct, asOf)
	if err != nil {
		t.Fatal(err)
	}
	var assets decimal.Decimal
	if err := b.admin.QueryRow(ctx, `SELECT coalesce(sum(l.debit - l.credit), 0) FROM ledger.journal_lines l
		JOIN ledger.accounts a ON a.organization_id = l.organization_id AND a.id = l.account_id
		WHERE l.organization_id = $1 AND a.type = 'asset' AND l.entry_date <= $2`, b.org.Organization.ID, asOf).Scan(&assets); err != nil {
		t.Fatal(err)
	}
	sides := bs.TotalLiabilities.Add(bs.TotalEquity.Decimal)
	if !bs.Balanced || !bs.TotalAssets.Equal(sides) || !bs.TotalAssets.Equal(assets) {
		t.Errorf("balance sheet %s: assets %s (journal %s), liabilities + equity %s, balanced %v",
			asOf, bs.TotalAssets.StringFixed(2), assets.StringFixed(2), sides.StringFixed(2), bs.Balanced)
	}
}

// requireOwnerStatement reports whether the month had income,
// distributions and reserves.
func (b books) requireOwnerStatement(t *testing.T, p realty.ID, month realty.Date) bool {
	t.Helper()
	os, err := b.led.OwnerStatement(ctx, b.acct, p, month)
	if err != nil {
		t.Fatal(err)
	}
	last := realty.DateOf(month.Time().AddDate(0, 1, -1))
	var income, expenses, reserves, distributions decimal.Decimal
	if err := b.admin.QueryRow(ctx, `SELECT
			coalesce(sum(l.credit - l.debit) FILTER (WHERE a.type = 'income'), 0),
			coalesce(sum(l.debit - l.credit) FILTER (WHERE a.type = 'expense'), 0),
			coalesce(sum(l.credit - l.debit) FILTER (WHERE a.system_key = 'owner_reserves'), 0),
			coalesce(sum(l.debit - l.credit) FILTER (WHERE a.system_key = 'owner_distributions'), 0)
		FROM ledger.journal_lines l JOIN ledger.accounts a ON a.organization_id = l.organization_id AND a.id = l.account_id
		WHERE l.organization_id = $1 AND l.property_id = $2 AND l.entry_date BETWEEN $3 AND $4`,
		b.org.Organization.ID, p, month, last).Scan(&income, &expenses, &reserves, &distributions); err != nil {
		t.Fatal(err)
	}
	got := []decimal.Decimal{os.TotalIncome.Decimal, os.TotalExpenses.Decimal, os.Reserves.Decimal, os.Distributions.Decimal, os.NetIncome.Decimal}
	want := []decimal.Decimal{income, expenses, reserves, distributions, income.Sub(expenses)}
	for i, name := range []string{"income", "expenses", "reserves", "distributions", "net"} {
		if !got[i].Equal(want[i]) {
			t.Errorf("owner statement %s %s: %s %s, journal %s", p, month, name, got[i].StringFixed(2), want[i].StringFixed(2))
		}
	}
	return !income.IsZero() && !distributions.IsZero() && !reserves.IsZero()
}
