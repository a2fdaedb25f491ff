package leasing_test

import (
	"context"
	"strings"
	"sync"
	"testing"

	"github.com/shopspring/decimal"

	"realty"
	"realty/internal/fixture/fixturetest"
	"realty/internal/leasing"
	"realty/internal/property"
)

// TestLeaseOverlap: 20 concurrent activations of overlapping leases of one
// unit — exactly one becomes active, the 19 others are Conflicts naming it;
// an adjacent lease of the same unit and an overlapping lease of another
// unit activate.
func TestLeaseOverlap(t *testing.T) {
	t.Parallel()
	env := fixturetest.New(t)
	w := newWorld(t, env, "acme")
	ctx := context.Background()
	const n = 20
	drafts := make([]leasing.Lease, n)
	for i := range n {
		drafts[i] = w.draft(t, 0, i%2, "2027-01-01", "2027-12-31")
	}
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { _, errs[i] = env.Leasing.Activate(ctx, w.pm, drafts[i].ID) })
	}
	wg.Wait()
	var winner realty.ID
	wins := 0
	for i, err := range errs {
		if err == nil {
			winner, wins = drafts[i].ID, wins+1
		}
	}
	if wins != 1 {
		t.Fatalf("%d of %d overlapping activations won (%v), want 1", wins, n, errs)
	}
	for _, err := range errs {
		if err != nil && (realty.KindOf(err) != realty.Conflict || !strings.Contains(realty.MessageOf(err), winner.String())) {
			t.Errorf("loser got %v, want a Conflict naming %s", err, winner)
		}
	}
	adjacent := w.draft(t, 0, 0, "2028-01-01", "2028-06-30")
	if _, err := env.Leasing.Activate(ctx, w.pm, adjacent.ID); err != nil {
		t.Errorf("adjacent lease: %v", err)
	}
	other := w.draft(t, 1, 1, "2027-01-01", "2027-12-31")
	if _, err := env.Leasing.Activate(ctx, w.pm, other.ID); err != nil {
		t.Errorf("other unit: %v", err)
	}
}

// TestUnitFollowsLease: activation occupies the unit, termination frees
// it; a refused activation leaves the unit as it was.
func TestUnitFollowsLease(t *testing.T) {
	t.Parallel()
	env := fixturetest.New(t)
	w := newWorld(t, env, "acme")
	ctx := context.Background()
	a := w.draft(t, 0, 0, "2027-01-01", "2027-12-31")
	if got := w.unitStatus(t, 0); got != "vacant" {
		t.Fatalf("unit before: %s", got)
	}
	if _, err := env.Leasing.Activate(ctx, w.pm, a.ID); err != nil {
		t.Fatal(err)
	}
	if got := w.unitStatus(t, 0); got != "occupied" {
		t.Errorf("after activation the unit is %s, want occupied", got)
	}
	l, err := env.Leasing.Terminate(ctx, w.pm, a.ID, date("2027-06-30"), "moved abroad")
	if err != nil {
		t.Fatal(err)
	}
	if l.Status != "terminated" || l.EndDate.String() != "2027-06-30" {
		t.Errorf("terminated lease: %s ending %v", l.Status, l.EndDate)
	}
	if got := w.unitStatus(t, 0); got != "vacant" {
		t.Errorf("after termination the unit is %s, want vacant", got)
	}
	// A failed activation (it overlaps an active lease) changes nothing:
	// the unit, set to maintenance by hand meanwhile, stays so.
	e := w.draft(t, 1, 1, "2027-01-15", "2027-05-31")
	c := w.draft(t, 1, 0, "2027-03-01", "2027-04-30")
	if _, err := env.Leasing.Activate(ctx, w.pm, e.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := env.Property.UpdateUnit(ctx, w.pm, w.units[1].ID, property.UnitInput{UnitNumber: "102", Status: "maintenance"}); err != nil {
		t.Fatal(err)
	}
	before := w.unitStatus(t, 1)
	if _, err := env.Leasing.Activate(ctx, w.pm, c.ID); realty.KindOf(err) != realty.Conflict {
		t.Fatalf("overlapping activation: %v, want Conflict", err)
	}
	if got := w.unitStatus(t, 1); got != before {
		t.Errorf("a refused activation changed the unit from %s to %s", before, got)
	}
	if got, _ := env.Leasing.Lease(ctx, w.pm, c.ID); got.Status != "draft" {
		t.Errorf("refused lease is %s, want draft", got.Status)
	}
}

// TestRenewal: the successor starts the day after the old end with the
// rent raised half-even at the cent; the old lease is renewed and the unit
// stays occupied by the active successor.
func TestRenewal(t *testing.T) {
	t.Parallel()
	env := fixturetest.New(t)
	w := newWorld(t, env, "acme")
	ctx := context.Background()
	l, err := env.Leasing.CreateLease(ctx, w.pm, leasing.LeaseInput{UnitID: w.units[0].ID,
		Tenants:   []leasing.LeaseTenant{{TenantID: w.tenants[0].ID, Primary: true}, {TenantID: w.tenants[1].ID}},
		StartDate: date("2027-01-01"), EndDate: datep("2027-12-31"), Rent: decimal.RequireFromString("1234.50"),
		IncreasePct: decimal.RequireFromString("3.00")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := env.Leasing.Activate(ctx, w.pm, l.ID); err != nil {
		t.Fatal(err)
	}
	next, err := env.Leasing.Renew(ctx, w.pm, l.ID, leasing.RenewInput{EndDate: datep("2028-12-31"), Activate: true})
	if err != nil {
		t.Fatal(err)
	}
	// 1234.50 × 1.03 = 1271.535 → 1271.54 (half-even: the 3 before the 5 is odd).
	if next.Rent.String() != "1271.54" || next.StartDate.String() != "2028-01-01" || next.Status != "active" ||
		next.RenewalOf == nil || *next.RenewalOf != l.ID || len(next.Tenants) != 2 || !next.Tenants[0].Primary {
		t.Errorf("successor: rent %s start %s status %s renewal_of %v tenants %v", next.Rent, next.StartDate, next.Status,
			next.RenewalOf, next.Tenants)
	}
	old, _ := env.Leasing.Lease(ctx, w.pm, l.ID)
	if old.Status != "renewed" {
		t.Errorf("old lease is %s, want renewed", old.Status)
	}
	if got := w.unitStatus(t, 0); got != "occupied" {
		t.Errorf("unit is %s after renewal, want occupied", got)
	}
	if _, err := env.Leasing.Renew(ctx, w.pm, l.ID, leasing.RenewInput{EndDate: datep("2029-12-31")}); realty.KindOf(err) != realty.Conflict {
		t.Errorf("second renewal: %v, want Conflict", err)
	}
	for _, c := range []struct{ rent, pct, want string }{{"1000.00", "2.5", "1025.00"}, {"999.99", "0.05", "1000.49"},
		{"100.25", "10", "110.28"}, {"100.15", "10", "110.16"}} {
		if got := leasing.ApplyIncrease(decimal.RequireFromString(c.rent), decimal.RequireFromString(c.pct)); got.StringFixed(2) != c.want {
			t.Errorf("ApplyIncrease(%s, %s) = %s, want %s", c.rent, c.pct, got.StringFixed(2), c.want)
		}
	}
}

// TestExpireDue: a fixed lease past its end expires and frees its unit; one
// with auto_renew rolls over to an active month-to-month successor with
// its increase; a second pass changes nothing.
func TestExpireDue(t *testing.T) {
	t.Parallel()
	env := fixturetest.New(t)
	w := newWorld(t, env, "acme")
	ctx := context.Background()
	plain := w.draft(t, 0, 0, "2020-01-01", "2020-12-31")
	auto, err := env.Leasing.CreateLease(ctx, w.pm, leasing.LeaseInput{UnitID: w.units[1].ID,
		Tenants: []leasing.LeaseTenant{{TenantID: w.tenants[1].ID}}, StartDate: date("2020-01-01"), EndDate: datep("2020-12-31"),
		Rent: decimal.RequireFromString("1000.00"), AutoRenew: true, IncreasePct: decimal.RequireFromString("2")})
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range []leasing.Lease{plain, auto} {
		if _, err := env.Leasing.Activate(ctx, w.pm, l.ID); err != nil {
			t.Fatal(err)
		}
	}
	sys := realty.System(w.org.Organization.ID)
	got, err := env.Leasing.ExpireDue(ctx, sys)
	if err != nil || got != (leasing.Expired{Expired: 1, RolledOver: 1}) {
		t.Fatalf("first pass: %+v, %v", got, err)
	}
	if l, _ := env.Leasing.Lease(ctx, w.pm, plain.ID); l.Status != "expired" || w.unitStatus(t, 0) != "vacant" {
		t.Errorf("plain lease %s, unit %s; want expired, vacant", l.Status, w.unitStatus(t, 0))
	}
	next, err := env.Leasing.Leases(ctx, w.pm, leasing.LeaseFilter{UnitID: &w.units[1].ID, Status: "active"})
	if err != nil || len(next.Items) != 1 || next.Items[0].LeaseType != "month_to_month" || next.Items[0].Rent.StringFixed(2) != "1020.00" ||
		next.Items[0].StartDate.String() != "2021-01-01" || next.Items[0].EndDate != nil || w.unitStatus(t, 1) != "occupied" {
		t.Errorf("auto-renewed successor: %+v (%v), unit %s", next, err, w.unitStatus(t, 1))
	}
	if got, err := env.Leasing.ExpireDue(ctx, sys); err != nil || got != (leasing.Expired{}) {
		t.Errorf("second pass: %+v, %v", got, err)
	}
}

// TestRenewalClash: a renewal whose active successor would overlap
// another active lease is a Conflict naming that lease, and changes
// nothing (the old lease stays active).
func TestRenewalClash(t *testing.T) {
	t.Parallel()
	env := fixturetest.New(t)
	w := newWorld(t, env, "acme")
	ctx := context.Background()
	x, y := w.draft(t, 1, 0, "2027-01-01", "2027-12-31"), w.draft(t, 1, 1, "2028-01-01", "2028-06-30")
	for _, l := range []leasing.Lease{x, y} {
		if _, err := env.Leasing.Activate(ctx, w.pm, l.ID); err != nil {
			t.Fatal(err)
		}
	}
	_, err := env.Leasing.Renew(ctx, w.pm, x.ID, leasing.RenewInput{EndDate: datep("2028-12-31"), Activate: true})
	if realty.KindOf(err) != realty.Conflict || !strings.Contains(realty.MessageOf(err), y.ID.String()) {
		t.Fatalf("clashing renewal: %v, want a Conflict naming %s", err, y.ID)
	}
	if l, _ := env.Leasing.Lease(ctx, w.pm, x.ID); l.Status != "active" {
		t.Errorf("old lease is %s after a refused renewal, want active", l.Status)
	}
	page, _ := env.Leasing.Leases(ctx, w.pm, leasing.LeaseFilter{UnitID: &w.units[1].ID})
	if len(page.Items) != 2 {
		t.Errorf("%d leases of the unit after a refused renewal, want 2", len(page.Items))
	}
}
