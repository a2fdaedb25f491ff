package leasing_test

import (
	"context"
	"errors"
	"math/rand/v2"
	"realty"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/rivertype"
	"github.com/shopspring/decimal"

	"realty/internal/fixture/fixturetest"
	"realty/internal/leasing"
	"realty/internal/ledger"
	"realty/internal/postgres"
)

// billingClient starts a River client working the billing job.
func billingClient(t *testing.T, env fixturetest.Env) *river.Client[pgx.Tx] {
	t.Helper()
	workers := river.NewWorkers()
	river.AddWorker(workers, &leasing.BillingWorker{Leasing: env.Leasing})
	client, err := river.NewClient(riverpgxv5.New(env.Pool), &river.Config{Schema: postgres.RiverSchema,
		Queues: map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: 2}}, Workers: workers,
		FetchPollInterval: 20 * time.Millisecond, FetchCooldown: 10 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if err := client.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	return client
}

// TestBillingExactlyOnce: the billing job for last month, enqueued twice
// again and again, its River client killed (StopAndCancel) at random
// instants, and direct runs cancelled midway, all racing; then the jobs
// left are worked to the end and the run repeated. Exactly one invoice per
// lease and period, numbers gap-free, one late fee per overdue invoice and
// rule, and every ledger invariant holds.
func TestBillingExactlyOnce(t *testing.T) {
	t.Parallel()
	env := fixturetest.New(t)
	const n = 40
	e := newEstate(t, env, "once", n)
	ctx := context.Background()
	period := lastMonth()
	start := period.AddDays(-40)
	for i := range n {
		in := leasing.LeaseInput{StartDate: start, EndDate: datep("2030-12-31"), Rent: money("1234.50"), LateFeeGraceDays: new(0)}
		if i%2 == 0 {
			in.LateFeeKind, in.LateFeeAmount = "flat", moneyp("50.00")
		} else if i%4 == 1 {
			in.LateFeeKind, in.LateFeePercent, in.LateFeeCap = "percent", moneyp("10"), moneyp("75.00")
		}
		e.lease(t, i, in)
	}
	args := leasing.BillingArgs{OrganizationID: e.org.Organization.ID, Period: period.Time().Format("2006-01")}
	rng := rand.New(rand.NewPCG(7, 13))
	killed, cut := 0, 0
	for round := range 8 {
		client := billingClient(t, env)
		for range 2 {
			if _, err := client.Insert(ctx, args, nil); err != nil {
				t.Fatal(err)
			}
		}
		var wg sync.WaitGroup
		cutAfter := time.Duration(rng.IntN(400)) * time.Millisecond
		wg.Go(func() {
			rctx, cancel := context.WithTimeout(ctx, cutAfter)
			defer cancel()
			if _, err := env.Leasing.RunBilling(rctx, e.pm, period); err != nil {
				cut++
			}
		})
		time.Sleep(time.Duration(rng.IntN(150)) * time.Millisecond)
		sctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		if err := client.StopAndCancel(sctx); err != nil {
			t.Fatalf("round %d: stop: %v", round, err)
		}
		cancel()
		killed++
		wg.Wait()
	}
	// Work every job left, the killed ones included (they are retried).
	client := billingClient(t, env)
	for range 2 {
		if _, err := client.Insert(ctx, args, nil); err != nil {
			t.Fatal(err)
		}
	}
	waitJobs(t, client)
	_ = client.Stop(ctx)
	// Late fees are assessed before billing, so the second pass charges them
	// on the invoices the first wrote; the third writes nothing.
	for range 3 {
		if _, err := env.Leasing.RunBilling(ctx, e.pm, period); err != nil {
			t.Fatal(err)
		}
	}
	t.Logf("%d clients killed, %d direct runs cut short", killed, cut)
	var invoices, leases, fees, feeKeys, seqMin, seqMax, numbered int
	err := postgres.Tx(ctx, env.Pool, e.pm, func(tx pgx.Tx) error {
		if err := tx.QueryRow(ctx, `SELECT count(*), count(DISTINCT lease_id) FROM ledger.invoices WHERE organization_id = $1
			AND origin = 'billing' AND period = $2`, e.org.Organization.ID, period).Scan(&invoices, &leases); err != nil {
			return err
		}
		if err := tx.QueryRow(ctx, `SELECT count(*), count(DISTINCT (late_fee_of, late_fee_rule)) FROM ledger.invoices
			WHERE organization_id = $1 AND origin = 'late_fee'`, e.org.Organization.ID).Scan(&fees, &feeKeys); err != nil {
			return err
		}
		return tx.QueryRow(ctx, `SELECT min(number_seq), max(number_seq), count(*) FROM ledger.invoices WHERE organization_id = $1
			AND number_seq IS NOT NULL`, e.org.Organization.ID).Scan(&seqMin, &seqMax, &numbered)
	})
	if err != nil {
		t.Fatal(err)
	}
	if invoices != n || leases != n {
		t.Errorf("%d invoices for %d leases of %s, want exactly %d of each", invoices, leases, period, n)
	}
	if want := n/2 + n/4; fees != want || feeKeys != want {
		t.Errorf("%d late fees on %d (invoice, rule) keys, want %d", fees, feeKeys, want)
	}
	if seqMin != 1 || seqMax != numbered {
		t.Errorf("invoice numbers %d..%d for %d invoices: not gap-free", seqMin, seqMax, numbered)
	}
	checkBooks(t, env, e.org.Organization.ID)
}

// waitJobs waits until no billing job is left to run.
func waitJobs(t *testing.T, client *river.Client[pgx.Tx]) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		res, err := client.JobList(context.Background(), river.NewJobListParams().Kinds("leasing.billing").
			States(rivertype.JobStateAvailable, rivertype.JobStateRunning, rivertype.JobStateRetryable, rivertype.JobStateScheduled).First(100))
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Jobs) == 0 {
			return
		}
		// A retry waits its backoff: make it available now.
		for _, j := range res.Jobs {
			if j.State == rivertype.JobStateRetryable || j.State == rivertype.JobStateScheduled {
				if _, err := client.JobRetry(context.Background(), j.ID); err != nil && !errors.Is(err, river.ErrNotFound) {
					t.Fatal(err)
				}
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatal("billing jobs still pending after 60 s")
}

// TestDepositDisposition: the deposit is billed with the first month and
// held for the lease; it is disposed of only after move-out, once, in one
// balanced posting (deductions with their reasons, the rest refunded);
// deductions above the deposit are refused; invariant 4 holds, and a
// stray posting to deposits held breaks it.
func TestDepositDisposition(t *testing.T) {
	t.Parallel()
	env := fixturetest.New(t)
	e := newEstate(t, env, "deposit", 1)
	ctx := context.Background()
	l := e.lease(t, 0, leasing.LeaseInput{StartDate: date("2027-02-01"), EndDate: datep("2027-12-31"), Rent: money("1500.00"),
		Deposit: money("1200.00")})
	if _, err := env.Leasing.RunBilling(ctx, e.pm, date("2027-02-01")); err != nil {
		t.Fatal(err)
	}
	dep, err := env.Leasing.LeaseDeposit(ctx, e.pm, l.ID)
	if err != nil || dep.Held.StringFixed(2) != "1200.00" || dep.Disposition != nil {
		t.Fatalf("deposit before move-out: %+v, %v; want 1200.00 held", dep, err)
	}
	deductions := []ledger.DeductionInput{{Reason: "Carpet cleaning", Amount: money("150.00")}, {Reason: "Broken blind", Amount: money("300.50")}}
	if _, err := env.Leasing.DisposeDeposit(ctx, e.pm, l.ID, leasing.DispositionInput{Deductions: deductions}); realty.KindOf(err) != realty.Conflict {
		t.Errorf("disposition before move-out: %v, want Conflict", err)
	}
	if _, err := env.Leasing.MoveOut(ctx, e.pm, l.ID, date("2026-12-01")); err != nil {
		t.Fatal(err)
	}
	tooMuch := []ledger.DeductionInput{{Reason: "Everything", Amount: money("1200.01")}}
	if _, err := env.Leasing.DisposeDeposit(ctx, e.pm, l.ID, leasing.DispositionInput{Deductions: tooMuch}); realty.KindOf(err) != realty.Invalid ||
		realty.FieldsOf(err)["deductions"] == "" {
		t.Errorf("deductions above the deposit: %v, want Invalid naming deductions", err)
	}
	dep, err = env.Leasing.DisposeDeposit(ctx, e.pm, l.ID, leasing.DispositionInput{Deductions: deductions})
	if err != nil {
		t.Fatal(err)
	}
	d := dep.Disposition
	if d == nil || d.Held.StringFixed(2) != "1200.00" || d.Deducted.StringFixed(2) != "450.50" || d.Refunded.StringFixed(2) != "749.50" ||
		len(d.Deductions) != 2 || d.Deductions[1].Reason != "Broken blind" || !dep.Held.IsZero() {
		t.Errorf("disposition %+v, held after %s; want 1200.00 = 450.50 deducted + 749.50 refunded, nothing held", d, dep.Held)
	}
	entry, err := env.Ledger.JournalEntry(ctx, e.org.Personas["accountant"].Actor, d.EntryID)
	if err != nil {
		t.Fatal(err)
	}
	var dr, cr decimal.Decimal
	for _, x := range entry.Lines {
		dr, cr = dr.Add(x.Debit.Decimal), cr.Add(x.Credit.Decimal)
	}
	if !dr.Equal(cr) || len(entry.Lines) != 1+3*2+1 {
		t.Errorf("disposition entry: %d lines, debits %s, credits %s", len(entry.Lines), dr, cr)
	}
	if _, err := env.Leasing.DisposeDeposit(ctx, e.pm, l.ID, leasing.DispositionInput{}); realty.KindOf(err) != realty.Invalid && realty.KindOf(err) != realty.Conflict {
		t.Errorf("second disposition: %v, want a refusal", err)
	}
	checkBooks(t, env, e.org.Organization.ID)
	// A posting to deposits held for the lease outside a deposit line or a
	// disposition breaks invariant 4, and the check says so.
	_, err = env.Ledger.Post(ctx, e.org.Personas["accountant"].Actor, ledger.Entry{Memo: "stray", Lines: []ledger.Line{
		{SystemKey: ledger.OperatingCash, Debit: money("10.00")},
		{SystemKey: ledger.SecurityDeposits, Credit: money("10.00"), LeaseID: &l.ID}}})
	if err != nil {
		t.Fatal(err)
	}
	findings, err := env.Ledger.Check(ctx, realty.System(e.org.Organization.ID))
	if err != nil {
		t.Fatal(err)
	}
	broken := 0
	for _, f := range findings {
		if !f.OK() {
			broken++
			if !strings.Contains(f.Name, "security deposits held") {
				t.Errorf("unexpected finding %s: %v", f.Name, f.Rows)
			}
		}
	}
	if broken != 1 {
		t.Errorf("%d invariants broken by a stray deposit posting, want 1 (deposits held)", broken)
	}
}
