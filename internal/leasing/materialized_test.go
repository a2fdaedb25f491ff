package leasing_test

import (
	"context"
	"testing"
	"time"

	"realty"
	"realty/internal/fixture/fixturetest"
	"realty/internal/leasing"
	"realty/internal/ledger"
	"realty/internal/property"
)

// TestMaterializedOccupancyAndRentRoll: given the property and receivables
// marks, occupancy and the rent roll are computed once and then served
// (no recompute) while nothing changes; a lease terminated after them
// shows on the next reads of both, computed again.
func TestMaterializedOccupancyAndRentRoll(t *testing.T) {
	t.Parallel()
	env := fixturetest.New(t)
	w := newWorld(t, env, "acme")
	ctx := context.Background()
	today := realty.DateOf(time.Now().UTC())
	l := w.draft(t, 0, 0, today.AddDays(-60).String(), today.AddDays(300).String())
	if _, err := env.Leasing.Activate(ctx, w.pm, l.ID); err != nil {
		t.Fatal(err)
	}
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
