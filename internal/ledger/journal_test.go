package ledger_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/shopspring/decimal"

	"realty"
	"realty/internal/fixture"
	"realty/internal/fixture/fixturetest"
	"realty/internal/ledger"
	"realty/internal/postgres/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

var ctx = context.Background()

type setup struct {
	env  fixturetest.Env
	org  fixture.Org
	acct realty.Actor // the accountant
	led  *ledger.Service
	keys map[string]realty.ID // system key → account id
}

// newSetup is a database with one organization and a ledger service whose
// clock is now.
func newSetup(t *testing.T, now func() time.Time) setup {
	t.Helper()
	env := fixturetest.New(t)
	o := env.Organization(t, "acme")
	s := setup{env: env, org: o, acct: o.Personas["accountant"].Actor, led: ledger.New(env.Pool, now), keys: map[string]realty.ID{}}
	accounts, err := s.led.Accounts(ctx, s.acct)
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range accounts {
		if a.SystemKey != nil {
			s.keys[*a.SystemKey] = a.ID
		}
	}
	return s
}

func d(s string) decimal.Decimal { return decimal.RequireFromString(s) }

func day(s string) *realty.Date {
	dt, err := realty.ParseDate(s)
	if err != nil {
		panic(err)
	}
	return &dt
}

// rent is a balanced entry: cash debited, rental income credited (manual
// entries keep off the control accounts the receivables subledger owns).
func rent(date *realty.Date, amount string) ledger.Entry {
	return ledger.Entry{Date: date, Memo: "rent", Lines: []ledger.Line{
		{SystemKey: ledger.OperatingCash, Debit: d(amount)},
		{SystemKey: ledger.RentalIncome, Credit: d(amount)},
	}}
}

func TestSeededChart(t *testing.T) {
	t.Parallel()
	s := newSetup(t, nil)
	if len(s.keys) != len(ledger.SystemAccounts) {
		t.Fatalf("new organization has %d system accounts, want %d", len(s.keys), len(ledger.SystemAccounts))
	}
	a, err := s.led.CreateAccount(ctx, s.acct, ledger.AccountInput{Code: "4010", Name: "Parking income", Type: "income", Active: true})
	if err != nil {
		t.Fatal(err)
	}
	if a.NormalBalance != "credit" {
		t.Errorf("income account's normal balance %q, want credit", a.NormalBalance)
	}
	_, err = s.led.CreateAccount(ctx, s.acct, ledger.AccountInput{Code: "4010", Name: "Again", Type: "income", Active: true})
	if realty.KindOf(err) != realty.Conflict || realty.FieldsOf(err)["code"] == "" {
		t.Errorf("duplicate code: %v, want Conflict naming code", err)
	}
	_, err = s.led.UpdateAccount(ctx, s.acct, s.keys[ledger.OperatingCash], ledger.AccountInput{Code: "1001", Name: "Cash", Type: "expense", Active: true})
	if realty.KindOf(err) != realty.Invalid || realty.FieldsOf(err)["type"] == "" {
		t.Errorf("retyping a system account: %v, want Invalid naming type", err)
	}
	renamed, err := s.led.UpdateAccount(ctx, s.acct, s.keys[ledger.OperatingCash], ledger.AccountInput{Code: "1001", Name: "Cash at bank", Type: "asset", Active: true})
	if err != nil || renamed.Code != "1001" {
		t.Errorf("renumbering a system account: %+v, %v", renamed, err)
	}
	if _, err := s.led.Post(ctx, s.acct, ledger.Entry{Date: day("2026-03-01"), Lines: []ledger.Line{
		{AccountID: a.ID, Credit: d("5")}, {SystemKey: ledger.OperatingCash, Debit: d("5")}}}); err != nil {
		t.Fatal(err)
	}
	_, err = s.led.UpdateAccount(ctx, s.acct, a.ID, ledger.AccountInput{Code: "4010", Name: "Parking", Type: "liability", Active: true})
	if realty.KindOf(err) != realty.Invalid || realty.FieldsOf(err)["type"] == "" {
		t.Errorf("retyping an account with postings: %v, want Invalid naming type", err)
	}
	if _, err := s.led.CreateAccount(ctx, s.org.Personas["agent"].Actor, ledger.AccountInput{Code: "9", Name: "x", Type: "asset"}); realty.KindOf(err) != realty.Forbidden {
		t.Errorf("agent creating an account: %v, want Forbidden", err)
	}
}

func TestPostAndTrialBalance(t *testing.T) {
	t.Parallel()
	s := newSetup(t, nil)
	e, err := s.led.Post(ctx, s.acct, rent(day("2026-03-01"), "1250.00"))
	if err != nil {
		t.Fatal(err)
	}
	if len(e.Lines) != 2 || e.Lines[0].AccountID != s.keys[ledger.OperatingCash] || e.EntryDate.String() != "2026-03-01" {
		t.Fatalf("posted %+v", e)
	}
	tb, err := s.led.TrialBalance(ctx, s.acct, *day("2026-03-31"))
	if err != nil {
		t.Fatal(err)
	}
	if !tb.Debit.Equal(d("1250")) || !tb.Credit.Equal(d("1250")) {
		t.Errorf("trial balance debits %s credits %s, want 1250.00 each", tb.Debit.StringFixed(2), tb.Credit.StringFixed(2))
	}
	before, err := s.led.TrialBalance(ctx, s.acct, *day("2026-02-28"))
	if err != nil || !before.Debit.IsZero() {
		t.Errorf("trial balance before the entry: %s, %v", before.Debit, err)
	}
	for _, bad := range []ledger.Entry{
		{Date: day("2026-03-01"), Lines: []ledger.Line{{SystemKey: ledger.AccountsReceivable, Debit: d("10")}, {SystemKey: ledger.RentalIncome, Credit: d("9.99")}}},
		{Date: day("2026-03-01"), Lines: []ledger.Line{{SystemKey: ledger.AccountsReceivable, Debit: d("10")}}},
		{Date: day("2026-03-01"), Lines: []ledger.Line{{SystemKey: ledger.AccountsReceivable, Debit: d("10.001")}, {SystemKey: ledger.RentalIncome, Credit: d("10.001")}}},
		{Date: day("2026-03-01"), Lines: []ledger.Line{{SystemKey: ledger.AccountsReceivable, Debit: d("10"), Credit: d("10")}, {SystemKey: ledger.RentalIncome, Credit: d("0")}}},
		{Date: day("2026-03-01"), Lines: []ledger.Line{{AccountID: realty.NewID(), Debit: d("10")}, {SystemKey: ledger.RentalIncome, Credit: d("10")}}},
	} {
		if _, err := s.led.Post(ctx, s.acct, bad); realty.KindOf(err) != realty.Invalid {
			t.Errorf("posting %+v: %v, want Invalid", bad.Lines, err)
		}
	}
	if _, err := s.led.Post(ctx, s.org.Personas["agent"].Actor, rent(nil, "1")); realty.KindOf(err) != realty.Forbidden {
		t.Errorf("agent posting: %v, want Forbidden", err)
	}
}

func TestAccountLinesRunningBalance(t *testing.T) {
	t.Parallel()
	s := newSetup(t, nil)
	for i, amount := range []string{"100.00", "250.50", "49.50", "1000.00", "0.01"} {
		if _, err := s.led.Post(ctx, s.acct, rent(day("2026-03-0"+string(rune('1'+i))), amount)); err != nil {
			t.Fatal(err)
		}
	}
	var balances []string
	cursor := ""
	for {
		p, err := s.led.AccountLines(ctx, s.acct, s.keys[ledger.RentalIncome], cursor, 2)
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range p.Items {
			balances = append(balances, l.Balance.StringFixed(2))
		}
		if cursor = p.NextCursor; cursor == "" {
			break
		}
	}
	if got, want := strings.Join(balances, " "), "100.00 350.50 400.00 1400.00 1400.01"; got != want {
		t.Errorf("running balances %s, want %s", got, want)
	}
}

func TestReversal(t *testing.T) {
	t.Parallel()
	s := newSetup(t, nil)
	e, err := s.led.Post(ctx, s.acct, rent(day("2026-03-05"), "800.00"))
	if err != nil {
		t.Fatal(err)
	}
	// Concurrent reversals: exactly one wins, the rest are Conflicts.
	var wg sync.WaitGroup
	results := make([]error, 8)
	for i := range results {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, results[i] = s.led.Reverse(ctx, s.acct, e.ID, "")
		}()
	}
	wg.Wait()
	won := 0
	for _, err := range results {
		switch {
		case err == nil:
			won++
		case realty.KindOf(err) != realty.Conflict:
			t.Errorf("concurrent reversal: %v, want Conflict", err)
		}
	}
	if won != 1 {
		t.Fatalf("%d reversals succeeded, want 1", won)
	}
	orig, err := s.led.JournalEntry(ctx, s.acct, e.ID)
	if err != nil || orig.ReversedBy == nil {
		t.Fatalf("original after reversal: %+v, %v", orig, err)
	}
	rev, err := s.led.JournalEntry(ctx, s.acct, *orig.ReversedBy)
	if err != nil {
		t.Fatal(err)
	}
	if !rev.Lines[0].Credit.Equal(d("800")) || !rev.Lines[1].Debit.Equal(d("800")) || rev.EntryDate != orig.EntryDate {
		t.Errorf("reversal lines %+v dated %s", rev.Lines, rev.EntryDate)
	}
	if _, err := s.led.Reverse(ctx, s.acct, rev.ID, ""); realty.KindOf(err) != realty.Conflict {
		t.Errorf("reversing a reversal: %v, want Conflict", err)
	}
	tb, _ := s.led.TrialBalance(ctx, s.acct, *day("2026-12-31"))
	for _, r := range tb.Accounts {
		if !r.Balance.IsZero() {
			t.Errorf("account %s balance %s after reversal, want 0", r.Code, r.Balance.StringFixed(2))
		}
	}
}

// periodSetup closes February 2026 with a clock in April.
func periodSetup(t *testing.T) (setup, ledger.JournalEntry) {
	t.Helper()
	s := newSetup(t, func() time.Time { return time.Date(2026, 4, 10, 12, 0, 0, 0, time.UTC) })
	jan, err := s.led.Post(ctx, s.acct, rent(day("2026-01-15"), "500.00"))
	if err != nil {
		t.Fatal(err)
	}
	closed, err := s.led.ClosePeriod(ctx, s.acct, *day("2026-02-01"))
	if err != nil {
		t.Fatal(err)
	}
	if len(closed) != 2 || closed[0].Period.String() != "2026-01-01" || closed[1].Period.String() != "2026-02-01" {
		t.Fatalf("closing February closed %+v, want January and February", closed)
	}
	return s, jan
}

func TestPeriodClose(t *testing.T) {
	t.Parallel()
	s, jan := periodSetup(t)
	_, err := s.led.Post(ctx, s.acct, rent(day("2026-02-28"), "1.00"))
	if realty.KindOf(err) != realty.Conflict || !strings.Contains(realty.MessageOf(err), "2026-02") {
		t.Errorf("posting into closed February: %v, want Conflict naming 2026-02", err)
	}
	if _, err := s.led.Post(ctx, s.acct, rent(day("2026-03-01"), "1.00")); err != nil {
		t.Errorf("posting into open March: %v", err)
	}
	if _, err := s.led.ClosePeriod(ctx, s.acct, *day("2026-02-10")); realty.KindOf(err) != realty.Conflict {
		t.Errorf("closing February again: %v, want Conflict", err)
	}
	if _, err := s.led.ClosePeriod(ctx, s.acct, *day("2026-04-01")); realty.KindOf(err) != realty.Invalid {
		t.Errorf("closing April before it ended: %v, want Invalid", err)
	}
	rev, err := s.led.Reverse(ctx, s.acct, jan.ID, "")
	if err != nil {
		t.Fatal(err)
	}
	if rev.EntryDate.String() != "2026-03-01" {
		t.Errorf("reversal of a January entry dated %s, want 2026-03-01 (first open period)", rev.EntryDate)
	}
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

// TestAccountingDateInTimeZone dates postings by the organization's time
// zone, across midnight and the daylight-saving changes.
func TestAccountingDateInTimeZone(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	now := time.Now()
	s := newSetup(t, func() time.Time { mu.Lock(); defer mu.Unlock(); return now })
	for _, c := range []struct {
		tz, at, want string
	}{
		{"America/New_York", "2026-03-01T04:30:00Z", "2026-02-28"}, // 23:30 EST
		{"America/New_York", "2026-03-08T06:59:00Z", "2026-03-08"}, // 01:59 EST, a minute before the spring change
		{"America/New_York", "2026-03-08T07:00:00Z", "2026-03-08"}, // 03:00 EDT
		{"America/New_York", "2026-11-01T05:30:00Z", "2026-11-01"}, // 01:30 EDT, the hour that repeats
		{"America/New_York", "2026-11-02T04:59:00Z", "2026-11-01"}, // 23:59 EST
		{"Pacific/Auckland", "2026-12-31T11:30:00Z", "2027-01-01"}, // 00:30 NZDT
		{"UTC", "2026-12-31T23:59:59Z", "2026-12-31"},
	} {
		tz := c.tz
		if _, err := s.env.Org.UpdateOrganization(ctx, s.org.Personas["owner"].Actor, orgPatch(tz)); err != nil {
			t.Fatal(err)
		}
		at, _ := time.Parse(time.RFC3339, c.at)
		mu.Lock()
		now = at
		mu.Unlock()
		e, err := s.led.Post(ctx, s.acct, rent(nil, "1.00"))
		if err != nil {
			t.Fatal(err)
		}
		if e.EntryDate.String() != c.want {
			t.Errorf("%s at %s: dated %s, want %s", c.tz, c.at, e.EntryDate, c.want)
		}
	}
}

// rawTx runs fn in a transaction of the organization on conn.
func rawTx(t *testing.T, conn *pgx.Conn, orgID realty.ID, fn func(pgx.Tx) error) error {
	t.Helper()
	tx, err := conn.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(ctx)
	if _, err := tx.Exec(ctx, "SET LOCAL app.org_id = '"+orgID.String()+"'"); err != nil {
		t.Fatal(err)
	}
	if err := fn(tx); err != nil {
		return err
	}
	return tx.Commit(ctx)
}
