package ledger_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"realty"
	"realty/internal/ledger"
	"realty/internal/postgres"
)

// agingOracleSQL is AR aging as of $2 the long way: every invoice issued
// by then and not voided by then, less every allocation made by then and
// not undone by then. Aging takes a shorter road (the open invoices'
// balances, recomputing only what changed after the day); on every day of
// the history below the two must agree row for row.
const agingOracleSQL = `WITH open AS (
		SELECT i.tenant_id, $2::date - i.due_date AS late, i.total - coalesce((SELECT sum(al.amount) FROM ledger.payment_allocations al
			WHERE al.organization_id = $1 AND al.invoice_id = i.id AND al.allocated_on <= $2 AND (al.reversed_on IS NULL OR al.reversed_on > $2)), 0) AS bal
		FROM ledger.invoices i WHERE i.organization_id = $1 AND i.issue_date <= $2 AND (i.voided_on IS NULL OR i.voided_on > $2))
	SELECT tenant_id, coalesce(sum(bal) FILTER (WHERE late <= 0), 0) AS current, coalesce(sum(bal) FILTER (WHERE late BETWEEN 1 AND 30), 0) AS d1_30,
		coalesce(sum(bal) FILTER (WHERE late BETWEEN 31 AND 60), 0) AS d31_60, coalesce(sum(bal) FILTER (WHERE late BETWEEN 61 AND 90), 0) AS d61_90,
		coalesce(sum(bal) FILTER (WHERE late > 90), 0) AS d90, coalesce(sum(bal), 0) AS total
	FROM open WHERE bal > 0 GROUP BY GROUPING SETS ((tenant_id), ()) ORDER BY tenant_id NULLS LAST`

// leaseBalancesOracleSQL is what each lease owes read from the journal:
// accounts receivable and tenant credit on the lease dimension.
const leaseBalancesOracleSQL = `SELECT l.lease_id, sum(l.debit - l.credit) AS balance
	FROM ledger.journal_lines l JOIN ledger.accounts a ON a.organization_id = l.organization_id AND a.id = l.account_id
		AND a.system_key IN ('accounts_receivable', 'tenant_credit')
	WHERE l.organization_id = $1 AND l.lease_id = ANY($2) GROUP BY l.lease_id`

// TestAgingAsOfPastDays builds a history in which invoices are paid, a
// payment fails (its allocations undone) and an invoice is voided, each on
// a later day than the invoices' issue, and compares Aging with the long computation as of every
// day from before the first invoice to after the last change.
func TestAgingAsOfPastDays(t *testing.T) {
	t.Parallel()
	clock := time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC)
	s := newSetup(t, func() time.Time { return clock })
	at := func(dt string) { clock = day(dt).Time().Add(12 * time.Hour) }
	tenant, other := testTenant(t, s), testTenant(t, s)
	lease := s.env.Lease(t, s.org, tenant)

	issued(t, s, tenant, "2026-03-15", "100")
	issued(t, s, tenant, "2026-03-20", "200")
	voided := issued(t, s, other, "2026-04-01", "300")
	leased, err := s.led.CreateInvoice(ctx, s.acct, ledger.InvoiceInput{TenantID: tenant, LeaseID: &lease, DueDate: *day("2026-04-05"),
		Lines: []ledger.InvoiceLineInput{{Type: "rent", Description: "Rent", Amount: d("250")}}})
	if err == nil {
		_, err = s.led.IssueInvoice(ctx, s.acct, leased.ID)
	}
	if err != nil {
		t.Fatal(err)
	}
	at("2026-04-05") // 150 paid: a in full, 50 of b
	pay := func(amount string, lease *realty.ID) ledger.Payment {
		t.Helper()
		res, err := s.led.RecordPayment(ctx, s.acct, ledger.PaymentInput{TenantID: tenant, LeaseID: lease, Method: "check", Amount: d(amount),
			ReceivedOn: day(clock.Format(time.DateOnly)), Auto: true})
		if err != nil {
			t.Fatal(err)
		}
		return res.Payment
	}
	pay("150", nil)
	at("2026-04-12")
	if _, err := s.led.VoidInvoice(ctx, s.acct, voided.ID); err != nil {
		t.Fatal(err)
	}
	at("2026-04-20") // the rest of b and 120 of the leased invoice, undone a week later (the payment fails)
	failed := pay("270", &lease)
	at("2026-04-27")
	if _, err := s.led.FailPayment(ctx, s.acct, failed.ID); err != nil {
		t.Fatal(err)
	}
	at("2026-05-02")
	pay("420", &lease) // b's 150 and the leased invoice's 250, 20 left over on the lease
	requireBooksOK(t, s)

	for dt := *day("2026-03-09"); !day("2026-05-10").Time().Before(dt.Time()); dt = realty.DateOf(dt.Time().AddDate(0, 0, 1)) {
		got, err := s.led.Aging(ctx, s.acct, dt)
		if err != nil {
			t.Fatal(err)
		}
		want, err := postgres.ReadAll[ledger.AgingRow](ctx, s.env.Pool, s.acct, agingOracleSQL, s.acct.OrgID, dt)
		if err != nil {
			t.Fatal(err)
		}
		if g, w := agingText(append(got.Tenants, got.Total)), agingText(want); g != w {
			t.Errorf("aging as of %s:\n got %s\nwant %s", dt, g, w)
		}
		if total, err := s.led.AgingTotal(ctx, s.acct, dt); err != nil || agingText([]ledger.AgingRow{total}) != agingText(want[len(want)-1:]) {
			t.Errorf("aging total as of %s: %v %+v, want %+v", dt, err, total, want[len(want)-1])
		}
	}
	// A void and a failed payment are dated as what they undo (the void as
	// the invoice's issue, the failure as the payment's receipt), so the
	// voided invoice never counts and the failed payment never paid.
	for dt, total := range map[string]string{"2026-03-09": "0", "2026-04-04": "550", "2026-04-10": "400", "2026-04-22": "400", "2026-05-02": "0"} {
		if ag, err := s.led.Aging(ctx, s.acct, *day(dt)); err != nil || !ag.Total.Total.Equal(d(total)) {
			t.Errorf("aging as of %s: %v %s, want %s", dt, err, ag.Total.Total.StringFixed(2), total)
		}
	}

	got, err := s.led.LeaseBalances(ctx, s.acct, []realty.ID{lease})
	if err != nil {
		t.Fatal(err)
	}
	type row struct {
		LeaseID realty.ID       `db:"lease_id"`
		Balance decimal.Decimal `db:"balance"`
	}
	want, err := postgres.ReadAll[row](ctx, s.env.Pool, s.acct, leaseBalancesOracleSQL, s.acct.OrgID, []realty.ID{lease})
	if err != nil {
		t.Fatal(err)
	}
	if len(want) != 1 || !got[lease].Equal(want[0].Balance) || !got[lease].Equal(d("-20")) {
		t.Errorf("lease balance %s, journal %v, want -20 (paid in full, 20 of credit left)", got[lease], want)
	}
}

func agingText(rows []ledger.AgingRow) string {
	out := ""
	for _, r := range rows {
		out += fmt.Sprintf("[%v %s %s %s %s %s %s]", r.TenantID, r.Current.StringFixed(2), r.Days1.StringFixed(2), r.Days31.StringFixed(2),
			r.Days61.StringFixed(2), r.Days90.StringFixed(2), r.Total.StringFixed(2))
	}
	return out
}
