package leasing_test

import (
	"context"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"realty"
	"realty/internal/fixture/fixturetest"
	"realty/internal/leasing"
	"realty/internal/ledger"
	"realty/internal/postgres"
	"realty/internal/property"
)

// TestMaterializedOccupancyAndRentRoll: given the property and receivables
// marks, occupancy and the rent roll are computed once and then served
// (no recompute) while nothing changes; a lease terminated after them
// shows on the next reads of both, computed again.
func TestMaterializedOccupancyAndRentRoll(t *testing.T) {
	t.Parallel()
	env, w, l := withActiveLease(t)
	ctx, today := context.Background(), realty.DateOf(time.Now().UTC())
	src := leasing.RentRollSources{Units: env.Property.Units, Balances: env.Ledger.LeaseBalances,
		Marks: []ledger.Mark{property.UnitsMarkSQL, ledger.ReceivablesMarkSQL}}
	read := func() (vacant, occupied int) {
		t.Helper()
		occ, err := env.Leasing.Occupancy(ctx, w.pm, today, "", env.Property.UnitStates, property.UnitsMarkSQL)
		if err != nil {
			t.Fatal(err)
		}
		rr, err := env.Leasing.RentRoll(ctx, w.pm, w.units[0].PropertyID, src)
		if err != nil {
			t.Fatal(err)
		}
		return occ.Vacant, rr.Occupied
	}
	start := env.Ledger.Recomputes()
	if v, o := read(); v != 1 || o != 1 {
		t.Fatalf("vacant %d, occupied %d; want 1 and 1", v, o)
	}
	if v, o := read(); v != 1 || o != 1 || env.Ledger.Recomputes()-start != 2 {
		t.Fatalf("served: vacant %d, occupied %d after %d recomputes; want 1, 1 after 2", v, o, env.Ledger.Recomputes()-start)
	}
	if _, err := env.Leasing.Terminate(ctx, w.pm, l.ID, today.AddDays(-1), "moved"); err != nil {
		t.Fatal(err)
	}
	if v, o := read(); v != 2 || o != 0 || env.Ledger.Recomputes()-start != 4 {
		t.Fatalf("after the termination: vacant %d, occupied %d after %d recomputes; want 2, 0 after 4", v, o, env.Ledger.Recomputes()-start)
	}
	if _, err := env.Leasing.RentRoll(ctx, w.pm, realty.NewID(), src); realty.KindOf(err) != realty.NotFound {
		t.Fatalf("rent roll of an unknown property: %v, want NotFound", err)
	}
}

// TestMaterializedDashboard: the dashboard's figures are one stored report,
// served while nothing changes; a lease terminated after it (the leases'
// mark) and a payment recorded after that (the receivables' mark) each
// show on the next read, computed again. Without invoice.read it is
// refused.
func TestMaterializedDashboard(t *testing.T) {
	t.Parallel()
	env, w, l := withActiveLease(t)
	ctx, today := context.Background(), realty.DateOf(time.Now().UTC())
	read := func() leasing.Dashboard {
		t.Helper()
		d, err := env.Leasing.Dashboard(ctx, w.pm, today, env.Property.UnitStates, property.UnitsMarkSQL)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	if d := read(); d.Occupancy.Vacant != 1 || len(d.Occupancy.Rows) != 1 {
		t.Fatalf("dashboard: %d vacant, %d rows; want 1 and 1", d.Occupancy.Vacant, len(d.Occupancy.Rows))
	}
	stored := snapshotCount(t, env, w, "dashboard")
	decodes := env.Ledger.Decodes()
	if d := read(); d.Occupancy.Vacant != 1 || env.Ledger.Decodes() != decodes || stored != 1 {
		t.Fatalf("served: %d vacant, %d decodes (was %d), %d stored; want 1, none more, 1", d.Occupancy.Vacant, env.Ledger.Decodes(), decodes, stored)
	}
	if _, err := env.Leasing.Terminate(ctx, w.pm, l.ID, today.AddDays(-1), "moved"); err != nil {
		t.Fatal(err)
	}
	if d := read(); d.Occupancy.Vacant != 2 {
		t.Fatalf("after the termination: %d vacant, want 2", d.Occupancy.Vacant)
	}
	read()
	before := env.Ledger.Recomputes()
	acct := w.org.Personas["accountant"].Actor
	if _, err := env.Ledger.RecordPayment(ctx, acct, ledger.PaymentInput{TenantID: w.tenants[0].ID, Method: "cash", Amount: decimal.RequireFromString("40"), Auto: true}); err != nil {
		t.Fatal(err)
	}
	if read(); env.Ledger.Recomputes() == before {
		t.Fatal("a payment recorded after the stored dashboard: served, not computed again")
	}
	noInvoices := w.pm
	noInvoices.Permissions = nil
	for _, p := range w.pm.Permissions {
		if p != "invoice.read" {
			noInvoices.Permissions = append(noInvoices.Permissions, p)
		}
	}
	if _, err := env.Leasing.Dashboard(ctx, noInvoices, today, env.Property.UnitStates, property.UnitsMarkSQL); realty.KindOf(err) != realty.Forbidden {
		t.Fatalf("without invoice.read: %v, want Forbidden", err)
	}
}

// snapshotCount is how many stored results of kind the world's
// organization has.
func snapshotCount(t *testing.T, env fixturetest.Env, w world, kind string) int {
	t.Helper()
	type row struct {
		N int `db:"n"`
	}
	rows, err := postgres.ReadAll[row](context.Background(), env.Pool, w.pm, `SELECT count(*)::int AS n FROM ledger.report_snapshots
		WHERE organization_id = $1 AND kind = $2`, w.pm.OrgID, kind)
	if err != nil {
		t.Fatal(err)
	}
	return rows[0].N
}

// withActiveLease is a world whose first unit has a lease active from 60
// days ago (the second unit vacant).
func withActiveLease(t *testing.T) (fixturetest.Env, world, leasing.Lease) {
	t.Helper()
	env := fixturetest.New(t)
	w := newWorld(t, env, "acme")
	today := realty.DateOf(time.Now().UTC())
	l := w.draft(t, 0, 0, today.AddDays(-60).String(), today.AddDays(300).String())
	if _, err := env.Leasing.Activate(context.Background(), w.pm, l.ID); err != nil {
		t.Fatal(err)
	}
	return env, w, l
}
