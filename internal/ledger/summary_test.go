package ledger_test

import (
	"math/rand/v2"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/shopspring/decimal"

	"realty"
	"realty/internal/ledger"
	"realty/internal/postgres"
)

// TestSummaryMatchesJournal holds the statements read through the monthly
// summary to the journal alone, on generated books (November 2025 to April
// 2026): random ranges of days (partial months at either end), of the
// organization and of each property, and random balance sheets, before the
// summary exists, after the job has summed the closed months, after a late
// posting into a summarized month (read from the journal until the next
// run), after that run, and after a run that had to wait for a posting in
// flight into its month. The job is idempotent: a second run sums nothing;
// after ForgetSummaryTx it sums every month again.
func TestSummaryMatchesJournal(t *testing.T) {
	t.Parallel()
	b := generatedBooks(t)
	r := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 50))
	sys := realty.System(b.org.Organization.ID)
	b.requireStatementsMatch(t, r, "before the summary")

	got, err := b.led.RefreshSummary(ctx, sys)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Months) != 5 || got.Months[0] != date("2025-11-01") || got.Months[4] != date("2026-03-01") {
		t.Fatalf("first refresh summed %v, want November to March", got.Months)
	}
	b.requireSummaryRows(t, 0)
	b.requireStatementsMatch(t, r, "after the refresh")
	if again, err := b.led.RefreshSummary(ctx, sys); err != nil || len(again.Months) != 0 {
		t.Fatalf("second refresh: %v, %v; want nothing to do", again.Months, err)
	}

	if _, err := b.led.Post(ctx, b.acct, lateRepair("2026-01-20", "123.45", b.props[1])); err != nil {
		t.Fatal(err)
	}
	b.requireSummaryRows(t, 1)
	b.requireStatementsMatch(t, r, "after a late posting")
	if got, err = b.led.RefreshSummary(ctx, sys); err != nil || len(got.Months) != 1 || got.Months[0] != date("2026-01-01") {
		t.Fatalf("refresh after the late posting: %v, %v; want January alone", got.Months, err)
	}
	b.requireSummaryRows(t, 0)
	b.requireStatementsMatch(t, r, "after the second refresh")
	b.requireRefreshWaits(t)
	b.requireStatementsMatch(t, r, "after a refresh that waited for a posting")

	if err := postgres.Tx(ctx, b.env.Pool, sys, func(tx pgx.Tx) error { return ledger.ForgetSummaryTx(ctx, tx, sys.OrgID) }); err != nil {
		t.Fatal(err)
	}
	if got, err = b.led.RefreshSummary(ctx, sys); err != nil || len(got.Months) != 5 {
		t.Errorf("refresh after ForgetSummaryTx: %v, %v; want the five months again", got.Months, err)
	}
	b.requireSummaryRows(t, 0)
	if _, err := b.led.RefreshSummary(ctx, b.org.Personas["maintenance"].Actor); realty.KindOf(err) != realty.Forbidden {
		t.Errorf("refresh without ledger.manage: %v, want Forbidden", err)
	}
}

func lateRepair(on string, amount string, p realty.ID) ledger.Entry {
	return ledger.Entry{Date: day(on), Memo: "late repair bill", Lines: []ledger.Line{
		{SystemKey: "repairs_maintenance", Debit: d(amount), PropertyID: &p},
		{SystemKey: ledger.OperatingCash, Credit: d(amount), PropertyID: &p}}}
}

// requireRefreshWaits marks February dirty with a late posting, holds a
// second posting into it uncommitted and requires the refresh to wait for
// it (the month's period lock) and then to sum it: without the lock the
// refresh would mark February clean without the second posting.
func (b books) requireRefreshWaits(t *testing.T) {
	t.Helper()
	if _, err := b.led.Post(ctx, b.acct, lateRepair("2026-02-11", "10.00", b.props[0])); err != nil {
		t.Fatal(err)
	}
	posted, release, done := make(chan struct{}), make(chan struct{}), make(chan error, 1)
	go func() {
		done <- postgres.Tx(ctx, b.env.Pool, b.acct, func(tx pgx.Tx) error {
			if _, err := b.led.PostTx(ctx, tx, b.acct, lateRepair("2026-02-12", "7.77", b.props[2])); err != nil {
				return err
			}
			close(posted)
			<-release
			return nil
		})
	}()
	select {
	case <-posted:
	case err := <-done:
		t.Fatalf("posting: %v", err)
	}
	refreshed := make(chan error, 1)
	go func() {
		_, err := b.led.RefreshSummary(ctx, realty.System(b.org.Organization.ID))
		refreshed <- err
	}()
	select {
	case err := <-refreshed:
		close(release)
		t.Fatalf("refresh finished (%v) while a posting into its month was in flight", err)
	case <-time.After(500 * time.Millisecond):
	}
	close(release)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if err := <-refreshed; err != nil {
		t.Fatal(err)
	}
	b.requireSummaryRows(t, 0)
}

// requireSummaryRows checks that each clean summarized month's rows equal
// its journal lines by account and property, and that dirty months are
// counted as wanted.
func (b books) requireSummaryRows(t *testing.T, dirty int) {
	t.Helper()
	var n, wrong int
	if err := b.admin.QueryRow(ctx, `SELECT (SELECT count(*) FROM ledger.balance_months WHERE organization_id = $1 AND dirty),
		(SELECT count(*) FROM (
			SELECT l.account_id, l.property_id, date_trunc('month', l.entry_date)::date AS month, sum(l.debit) AS debit, sum(l.credit) AS credit, count(*)::int AS lines
			FROM ledger.journal_lines l JOIN ledger.balance_months m ON m.organization_id = l.organization_id
				AND m.month = date_trunc('month', l.entry_date) AND NOT m.dirty
			WHERE l.organization_id = $1 GROUP BY 1, 2, 3) j
		FULL JOIN (SELECT s.* FROM ledger.month_balances s JOIN ledger.balance_months m USING (organization_id, month)
			WHERE s.organization_id = $1 AND NOT m.dirty) s
			ON s.account_id = j.account_id AND s.property_id IS NOT DISTINCT FROM j.property_id AND s.month = j.month
		WHERE (s.debit, s.credit, s.lines) IS DISTINCT FROM (j.debit, j.credit, j.lines))`, b.org.Organization.ID).Scan(&n, &wrong); err != nil {
		t.Fatal(err)
	}
	if n != dirty || wrong != 0 {
		t.Errorf("summary: %d dirty months (want %d), %d rows differing from the journal", n, dirty, wrong)
	}
}

// requireStatementsMatch compares 25 random income statements (a third of
// them of one property) and 10 random balance sheets with sums of the
// journal lines.
func (b books) requireStatementsMatch(t *testing.T, r *rand.Rand, when string) {
	t.Helper()
	start := date("2025-10-01")
	for range 25 {
		from := start.AddDays(r.IntN(240))
		to := from.AddDays(r.IntN(240))
		var prop *realty.ID
		if r.IntN(3) == 0 {
			prop = &b.props[r.IntN(len(b.props))]
		}
		is, err := b.led.IncomeStatement(ctx, b.acct, from, to, prop)
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]decimal.Decimal{}
		for _, row := range append(is.Income, is.Expenses...) {
			got[row.Code] = row.Amount.Decimal
		}
		b.compare(t, when+": income statement "+from.String()+" to "+to.String(), got, b.journalSums(t, from, to, prop, true))
	}
	for range 10 {
		asOf := start.AddDays(r.IntN(240))
		bs, err := b.led.BalanceSheet(ctx, b.acct, asOf)
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]decimal.Decimal{"earnings": bs.RetainedEarnings.Add(bs.CurrentEarnings.Decimal), "current": bs.CurrentEarnings.Decimal}
		for _, row := range append(append(bs.Assets, bs.Liabilities...), bs.Equity...) {
			got[row.Code] = row.Amount.Decimal
		}
		want := b.journalSums(t, beginningOfTime, asOf, nil, false)
		year := b.journalSums(t, realty.Date{Year: asOf.Year, Month: time.January, Day: 1}, asOf, nil, false)
		want["earnings"], want["current"] = want["earnings"].Add(want["3900"]), year["earnings"]
		delete(want, "3900")
		b.compare(t, when+": balance sheet "+asOf.String(), got, want)
		if !bs.Balanced {
			t.Errorf("%s: balance sheet %s does not balance", when, asOf)
		}
	}
}

var beginningOfTime = realty.Date{Year: 1, Month: time.January, Day: 1}

// journalSums sums the journal lines from from to to by account code, in
// each account's normal direction: the income and expense accounts when
// income, else the balance sheet's (income and expense folded into
// "earnings", credit − debit).
func (b books) journalSums(t *testing.T, from, to realty.Date, prop *realty.ID, income bool) map[string]decimal.Decimal {
	t.Helper()
	rows, err := b.admin.Query(ctx, `SELECT CASE WHEN NOT $5 AND a.type IN ('income', 'expense') THEN 'earnings' ELSE a.code END,
			sum(CASE WHEN a.normal_balance = 'debit' AND ($5 OR a.type <> 'expense') THEN l.debit - l.credit ELSE l.credit - l.debit END)
		FROM ledger.journal_lines l JOIN ledger.accounts a ON a.organization_id = l.organization_id AND a.id = l.account_id
		WHERE l.organization_id = $1 AND l.entry_date BETWEEN $2 AND $3 AND ($4::uuid IS NULL OR l.property_id = $4)
			AND (NOT $5 OR a.type IN ('income', 'expense'))
		GROUP BY 1`, b.org.Organization.ID, from, to, prop, income)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]decimal.Decimal{}
	for rows.Next() {
		var code string
		var sum decimal.Decimal
		if err := rows.Scan(&code, &sum); err != nil {
			t.Fatal(err)
		}
		out[code] = sum
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func (b books) compare(t *testing.T, what string, got, want map[string]decimal.Decimal) {
	t.Helper()
	for code, w := range want {
		if g := got[code]; !g.Equal(w) {
			t.Errorf("%s: %s is %s, journal %s", what, code, g.StringFixed(2), w.StringFixed(2))
		}
	}
	for code, g := range got {
		if _, ok := want[code]; !ok && !g.IsZero() {
			t.Errorf("%s: %s is %s, not in the journal", what, code, g.StringFixed(2))
		}
	}
}
