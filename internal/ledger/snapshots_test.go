package ledger_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"realty"
	"realty/internal/ledger"
	"realty/internal/postgres"
)

// snapshotAt is when the organization's stored result of kind was
// computed (the zero time when none is stored), read as actor.
func snapshotAt(t *testing.T, s setup, actor realty.Actor, kind string) time.Time {
	t.Helper()
	type row struct {
		At time.Time `db:"computed_at"`
	}
	rows, err := postgres.ReadAll[row](ctx, s.env.Pool, actor, `SELECT computed_at FROM ledger.report_snapshots
		WHERE organization_id = $1 AND kind = $2`, actor.OrgID, kind)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) == 0 {
		return time.Time{}
	}
	return rows[0].At
}

func agingTotal(t *testing.T, s setup, actor realty.Actor) string {
	t.Helper()
	ag, err := s.led.Aging(ctx, actor, *day("2026-04-17"))
	if err != nil {
		t.Fatal(err)
	}
	return ag.Total.Total.StringFixed(2)
}

// TestMaterializedAging: AR aging is computed once and then served from
// its snapshot (same computed_at, no recompute) while nothing changes; a
// payment recorded after it shows on the next read, computed again.
func TestMaterializedAging(t *testing.T) {
	t.Parallel()
	s := newSetup(t, march)
	tenant := testTenant(t, s)
	issued(t, s, tenant, "2026-04-01", "100")
	if got := agingTotal(t, s, s.acct); got != "100.00" {
		t.Fatalf("aging total %s, want 100.00", got)
	}
	first, n := snapshotAt(t, s, s.acct, "aging"), s.led.Recomputes()
	if first.IsZero() || n != 1 {
		t.Fatalf("after the first read: computed_at %v, %d recomputes; want a stored result, 1", first, n)
	}
	if got := agingTotal(t, s, s.acct); got != "100.00" {
		t.Fatalf("served aging total %s, want 100.00", got)
	}
	if at := snapshotAt(t, s, s.acct, "aging"); !at.Equal(first) || s.led.Recomputes() != 1 {
		t.Fatalf("nothing changed, yet computed again (%v, %d recomputes)", at, s.led.Recomputes())
	}
	if n := s.led.Decodes(); n != 1 {
		t.Fatalf("the unchanged stored result decoded %d times, want once (then kept)", n)
	}
	if _, err := s.led.RecordPayment(ctx, s.acct, ledger.PaymentInput{TenantID: tenant, Method: "cash", Amount: d("30"), Auto: true}); err != nil {
		t.Fatal(err)
	}
	if got := agingTotal(t, s, s.acct); got != "70.00" {
		t.Fatalf("aging total after a payment of 30: %s, want 70.00", got)
	}
	if at := snapshotAt(t, s, s.acct, "aging"); !at.After(first) || s.led.Recomputes() != 2 {
		t.Fatalf("after the payment: computed_at %v (first %v), %d recomputes; want a new result", at, first, s.led.Recomputes())
	}
	// Another process stores a newer result: the kept one is not served,
	// the stored body is read and decoded.
	other := ledger.New(s.env.Pool, march)
	if _, err := other.RecordPayment(ctx, s.acct, ledger.PaymentInput{TenantID: tenant, Method: "cash", Amount: d("20"), Auto: true}); err != nil {
		t.Fatal(err)
	}
	if ag, err := other.Aging(ctx, s.acct, *day("2026-04-17")); err != nil || ag.Total.Total.StringFixed(2) != "50.00" {
		t.Fatalf("the other process's aging: %v, %v; want a total of 50.00", ag.Total.Total, err)
	}
	decodes := s.led.Decodes()
	if got := agingTotal(t, s, s.acct); got != "50.00" || s.led.Recomputes() != 2 || s.led.Decodes() != decodes+1 {
		t.Fatalf("after the other process's result: total %s, %d recomputes, %d decodes (was %d); want 50.00, 2, one more",
			got, s.led.Recomputes(), s.led.Decodes(), decodes)
	}
}

// TestMaterializedIncomeStatement: an invoice issued after the statement
// was stored (a journal entry to rental income) is in the next read.
func TestMaterializedIncomeStatement(t *testing.T) {
	t.Parallel()
	s := newSetup(t, march)
	tenant := testTenant(t, s)
	issued(t, s, tenant, "2026-04-01", "100")
	read := func() string {
		st, err := s.led.IncomeStatement(ctx, s.acct, *day("2026-01-01"), *day("2026-12-31"), nil)
		if err != nil {
			t.Fatal(err)
		}
		return st.TotalIncome.StringFixed(2)
	}
	if got := read(); got != "100.00" {
		t.Fatalf("income %s, want 100.00", got)
	}
	if got := read(); got != "100.00" || s.led.Recomputes() != 1 {
		t.Fatalf("served income %s after %d recomputes, want 100.00 after 1", got, s.led.Recomputes())
	}
	issued(t, s, tenant, "2026-05-01", "250")
	if got := read(); got != "350.00" || s.led.Recomputes() != 2 {
		t.Fatalf("income after a second invoice %s (%d recomputes), want 350.00 (2)", got, s.led.Recomputes())
	}
	if _, err := s.led.IncomeStatement(ctx, s.acct, *day("2026-12-31"), *day("2026-01-01"), nil); realty.KindOf(err) != realty.Invalid {
		t.Fatalf("reversed range: %v, want Invalid", err)
	}
}

// TestMaterializedIsolation: two organizations' aging under the same
// parameters each come from their own snapshot, and each sees only its
// own stored row.
func TestMaterializedIsolation(t *testing.T) {
	t.Parallel()
	a := newSetup(t, march)
	o := a.env.Organization(t, "beta")
	b := setup{env: a.env, org: o, acct: o.Personas["accountant"].Actor, led: a.led}
	issued(t, a, testTenant(t, a), "2026-04-01", "100")
	issued(t, b, testTenant(t, b), "2026-04-01", "500")
	if ga, gb := agingTotal(t, a, a.acct), agingTotal(t, b, b.acct); ga != "100.00" || gb != "500.00" {
		t.Fatalf("aging totals %s and %s, want 100.00 and 500.00", ga, gb)
	}
	if ga, gb := agingTotal(t, a, a.acct), agingTotal(t, b, b.acct); ga != "100.00" || gb != "500.00" || a.led.Recomputes() != 2 {
		t.Fatalf("served aging totals %s and %s after %d recomputes, want 100.00 and 500.00 after 2", ga, gb, a.led.Recomputes())
	}
	for _, actor := range []realty.Actor{a.acct, b.acct} {
		type row struct {
			Org realty.ID `db:"organization_id"`
		}
		rows, err := postgres.ReadAll[row](ctx, a.env.Pool, actor, `SELECT organization_id FROM ledger.report_snapshots
			WHERE organization_id = $1 OR organization_id = $2`, a.acct.OrgID, b.acct.OrgID)
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) != 1 || rows[0].Org != actor.OrgID {
			t.Fatalf("%s sees snapshots %v, want its own one", actor.OrgID, rows)
		}
	}
}

// TestMaterializedConcurrent: sixteen concurrent first reads compute the
// report once and all get its figures.
func TestMaterializedConcurrent(t *testing.T) {
	t.Parallel()
	s := newSetup(t, march)
	issued(t, s, testTenant(t, s), "2026-04-01", "100")
	var wg sync.WaitGroup
	got := make([]ledger.AgingRow, 16)
	errs := make([]error, 16)
	for i := range got {
		wg.Go(func() { got[i], errs[i] = s.led.AgingTotal(ctx, s.acct, *day("2026-04-17")) })
	}
	wg.Wait()
	for i := range got {
		if errs[i] != nil || got[i].Total.StringFixed(2) != "100.00" {
			t.Fatalf("read %d: %v %s, want 100.00", i, errs[i], got[i].Total.StringFixed(2))
		}
	}
	if n := s.led.Recomputes(); n != 1 {
		t.Fatalf("%d recomputes for 16 concurrent reads, want 1", n)
	}
}

// TestMaterializedSmallPool: eight reports computed at once over a pool
// of two connections all finish. A recompute holds a connection for its
// lock while its computation takes another: unbounded, two recomputes
// would hold both connections and wait for a third forever.
func TestMaterializedSmallPool(t *testing.T) {
	t.Parallel()
	s := newSetup(t, march)
	issued(t, s, testTenant(t, s), "2026-04-01", "100")
	small, err := postgres.OpenPool(ctx, s.env.Pool.Config().ConnString(), 2)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if !t.Failed() { // a stuck recompute would keep Close waiting
			small.Close()
		}
	})
	led := ledger.New(small, march)
	wait, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	var wg sync.WaitGroup
	errs := make([]error, 8)
	for i := range errs {
		wg.Go(func() {
			_, errs[i] = led.Aging(wait, s.acct, day("2026-04-10").AddDays(i))
		})
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("aging %d over a pool of two: %v", i, err)
		}
	}
	if n := led.Recomputes(); n != 8 {
		t.Fatalf("%d recomputes, want 8 (one per as-of day)", n)
	}
}
