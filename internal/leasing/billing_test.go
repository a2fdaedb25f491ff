package leasing_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/shopspring/decimal"

	"realty"
	"realty/internal/fixture"
	"realty/internal/fixture/fixturetest"
	"realty/internal/leasing"
	"realty/internal/ledger"
	"realty/internal/postgres"
	"realty/internal/property"
)

// estate is an organization with n units and one tenant per unit.
type estate struct {
	env     fixturetest.Env
	org     fixture.Org
	pm      realty.Actor
	units   []property.Unit
	tenants []realty.ID
}

func newEstate(t testing.TB, env fixturetest.Env, slug string, n int) estate {
	t.Helper()
	ctx := context.Background()
	o := env.Organization(t, slug)
	e := estate{env: env, org: o, pm: o.Personas["property_manager"].Actor}
	p, err := env.Property.Create(ctx, e.pm, property.Input{AddressLine1: "9 Billing Way", City: "Denver", StateProvince: "CO"})
	if err != nil {
		t.Fatal(err)
	}
	for i := range n {
		u, err := env.Property.CreateUnit(ctx, e.pm, p.ID, property.UnitInput{UnitNumber: fmt.Sprint(100 + i)})
		if err != nil {
			t.Fatal(err)
		}
		e.units = append(e.units, u)
		e.tenants = append(e.tenants, env.Tenant(t, o, fmt.Sprintf("Payer%d", i)))
	}
	return e
}

// lease activates a lease of unit i as in describes (unit and tenant
// filled in).
func (e estate) lease(t testing.TB, i int, in leasing.LeaseInput) leasing.Lease {
	t.Helper()
	ctx := context.Background()
	in.UnitID, in.Tenants = e.units[i].ID, []leasing.LeaseTenant{{TenantID: e.tenants[i]}}
	l, err := e.env.Leasing.CreateLease(ctx, e.pm, in)
	if err != nil {
		t.Fatal(err)
	}
	if l, err = e.env.Leasing.Activate(ctx, e.pm, l.ID); err != nil {
		t.Fatal(err)
	}
	return l
}

func money(s string) decimal.Decimal { return decimal.RequireFromString(s) }

func moneyp(s string) *decimal.Decimal { d := money(s); return &d }

// billOf finds the lease's bill in a run.
func billOf(t *testing.T, bills []ledger.Bill, lease realty.ID) ledger.Bill {
	t.Helper()
	for _, b := range bills {
		if b.LeaseID == lease {
			return b
		}
	}
	t.Fatalf("no bill for lease %s in %d bills", lease, len(bills))
	return ledger.Bill{}
}

// checkBooks fails the test unless every ledger invariant holds.
func checkBooks(t *testing.T, env fixturetest.Env, orgID realty.ID) {
	t.Helper()
	findings, err := env.Ledger.Check(context.Background(), realty.System(orgID))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range findings {
		if !f.OK() {
			t.Errorf("ledger check: %s: %v", f.Name, f.Rows)
		}
	}
}

// TestBillingProration: a lease starting and one ending mid-month are
// billed by actual days (with the deposit in the first month); rent due
// on days 29–31 falls on the last day of February, leap and not; recurring
// charges ride along; the preview is exactly what the run then writes, and
// a second run writes nothing.
func TestBillingProration(t *testing.T) {
	t.Parallel()
	env := fixturetest.New(t)
	e := newEstate(t, env, "prorate", 5)
	ctx := context.Background()
	parking := realty.ID{}
	err := postgres.Tx(ctx, env.Pool, e.pm, func(tx pgx.Tx) error {
		return tx.QueryRow(ctx, `SELECT id FROM ledger.accounts WHERE organization_id = $1 AND system_key = 'other_tenant_income'`,
			e.org.Organization.ID).Scan(&parking)
	})
	if err != nil {
		t.Fatal(err)
	}
	mid := e.lease(t, 0, leasing.LeaseInput{StartDate: date("2027-01-15"), EndDate: datep("2027-03-10"), Rent: money("3100.00"),
		Deposit: money("500.00"), Charges: []leasing.Charge{{Kind: "parking", Amount: money("62.00"), AccountID: parking}}})
	var due [3]leasing.Lease
	for i, day := range []int{29, 30, 31} {
		due[i] = e.lease(t, 1+i, leasing.LeaseInput{StartDate: date("2027-01-01"), EndDate: datep("2028-12-31"), Rent: money("1000.00"), RentDueDay: day})
	}
	type want struct {
		lease  realty.ID
		period string
		due    string
		lines  []string
	}
	wants := []want{
		{mid.ID, "2027-01", "2027-01-15", []string{"rent 1700.00", "other 34.00", "deposit 500.00"}},
		{mid.ID, "2027-02", "2027-02-01", []string{"rent 3100.00", "other 62.00"}},
		{mid.ID, "2027-03", "2027-03-01", []string{"rent 1000.00", "other 20.00"}},
		{due[0].ID, "2027-02", "2027-02-28", []string{"rent 1000.00"}},
		{due[1].ID, "2027-02", "2027-02-28", []string{"rent 1000.00"}},
		{due[2].ID, "2027-02", "2027-02-28", []string{"rent 1000.00"}},
		{due[0].ID, "2028-02", "2028-02-29", []string{"rent 1000.00"}},
		{due[2].ID, "2028-02", "2028-02-29", []string{"rent 1000.00"}},
		{due[1].ID, "2027-04", "2027-04-30", []string{"rent 1000.00"}},
		{due[2].ID, "2027-04", "2027-04-30", []string{"rent 1000.00"}},
		{due[0].ID, "2027-01", "2027-01-29", []string{"rent 1000.00"}},
	}
	var periods []string
	byPeriod := map[string][]want{}
	for _, w := range wants {
		if byPeriod[w.period] == nil {
			periods = append(periods, w.period)
		}
		byPeriod[w.period] = append(byPeriod[w.period], w)
	}
	for _, ps := range periods {
		period, err := leasing.ParsePeriod(ps)
		if err != nil {
			t.Fatal(err)
		}
		preview, err := env.Leasing.PreviewBilling(ctx, e.pm, period)
		if err != nil {
			t.Fatal(err)
		}
		for _, w := range byPeriod[ps] {
			b := billOf(t, preview.Invoices, w.lease)
			if b.DueDate.String() != w.due {
				t.Errorf("%s lease %s: due %s, want %s", w.period, w.lease, b.DueDate, w.due)
			}
			var got []string
			for _, l := range b.Lines {
				got = append(got, l.Type+" "+l.Amount.StringFixed(2))
			}
			if fmt.Sprint(got) != fmt.Sprint(w.lines) {
				t.Errorf("%s lease %s: lines %v, want %v", w.period, w.lease, got, w.lines)
			}
		}
		run, err := env.Leasing.RunBilling(ctx, e.pm, period)
		if err != nil {
			t.Fatal(err)
		}
		if len(run.Invoices) == 0 || fmt.Sprint(summary(run.Invoices)) != fmt.Sprint(summary(preview.Invoices)) || !run.Total.Equal(preview.Total.Decimal) {
			t.Errorf("%s: the run wrote %v (total %s), the preview said %v (total %s)", ps, summary(run.Invoices), run.Total,
				summary(preview.Invoices), preview.Total)
		}
		again, err := env.Leasing.RunBilling(ctx, e.pm, period)
		if err != nil {
			t.Fatal(err)
		}
		if len(again.Invoices) != 0 || again.Skipped != len(run.Invoices) {
			t.Errorf("%s: a second run issued %d invoices, skipped %d", ps, len(again.Invoices), again.Skipped)
		}
	}
	// Not a lease's month: March 2028 is after the mid-month lease.
	if p, err := env.Leasing.PreviewBilling(ctx, e.pm, date("2028-03-01")); err != nil || len(p.Invoices) != 3 {
		t.Errorf("2028-03 preview: %d invoices (%v), want the 3 running leases", len(p.Invoices), err)
	}
	checkBooks(t, env, e.org.Organization.ID)
}

// summary is a run's bills as comparable strings.
func summary(bills []ledger.Bill) []string {
	var out []string
	for _, b := range bills {
		s := fmt.Sprintf("%s %s %s", b.LeaseID, b.DueDate, b.Total.StringFixed(2))
		for _, l := range b.Lines {
			s += fmt.Sprintf(" | %s %s %s", l.Type, l.Description, l.Amount.StringFixed(2))
		}
		out = append(out, s)
	}
	return out
}

func TestLateFee(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		kind                string
		flat, pct, cap, bal string
		want                string
	}{
		{"flat", "50.00", "", "", "1000.00", "50.00"},
		{"flat", "50.00", "", "30.00", "1000.00", "30.00"},
		{"percent", "", "5", "", "1234.50", "61.72"},
		{"percent", "", "10", "75.00", "1000.00", "75.00"},
		{"percent", "", "10", "", "0.05", "0.00"},
	} {
		opt := func(s string) *decimal.Decimal {
			if s == "" {
				return nil
			}
			return moneyp(s)
		}
		got := leasing.LateFee(c.kind, opt(c.flat), opt(c.pct), opt(c.cap), money(c.bal))
		if got.StringFixed(2) != c.want {
			t.Errorf("%+v: fee %s, want %s", c, got.StringFixed(2), c.want)
		}
	}
}

// lastMonth is the month before today's, as a period.
func lastMonth() realty.Date {
	now := time.Now().UTC()
	m := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, time.UTC).AddDate(0, -1, 0)
	return realty.DateOf(m)
}
