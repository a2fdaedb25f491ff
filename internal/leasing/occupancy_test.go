package leasing_test

import (
	"context"
	"math"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"realty"
	"realty/internal/fixture/fixturetest"
	"realty/internal/postgres"
	"realty/internal/property"
)

// TestOccupancy: four units (one vacant since its lease was terminated,
// one leased, one never leased, one under maintenance) — the counts by
// status, the vacancy rate and every unit's days vacant equal one
// independent SQL statement over the units and leases, and the terminated
// unit's days are counted from the termination day.
func TestOccupancy(t *testing.T) {
	t.Parallel()
	env := fixturetest.New(t)
	w := newWorld(t, env, "acme")
	ctx := context.Background()
	ended := w.draft(t, 0, 0, "2025-01-01", "2025-12-31")
	if _, err := env.Leasing.Activate(ctx, w.pm, ended.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := env.Leasing.Terminate(ctx, w.pm, ended.ID, date("2025-06-30"), "moved"); err != nil {
		t.Fatal(err)
	}
	if _, err := env.Leasing.Activate(ctx, w.pm, w.draft(t, 1, 1, "2025-03-01", "2026-02-28").ID); err != nil {
		t.Fatal(err)
	}
	for i, n := range []string{"103", "104"} {
		u, err := env.Property.CreateUnit(ctx, w.pm, w.units[0].PropertyID, property.UnitInput{UnitNumber: n})
		if err != nil {
			t.Fatal(err)
		}
		if i == 1 {
			err = postgres.Tx(ctx, env.Pool, w.pm, func(tx pgx.Tx) error {
				_, err := property.SetUnitStatusTx(ctx, tx, w.pm, u.ID, "maintenance")
				return err
			})
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	asOf := realty.DateOf(time.Now().UTC()).AddDays(10)
	got, err := env.Leasing.Occupancy(ctx, w.pm, asOf, "", env.Property.UnitStates)
	if err != nil {
		t.Fatal(err)
	}
	type row struct {
		ID     realty.ID `db:"id"`
		Status string    `db:"status"`
		Days   *int      `db:"days"`
	}
	want, err := postgres.ReadAll[row](ctx, env.Pool, w.pm, `SELECT u.id, u.status,
			CASE WHEN u.status = 'vacant' THEN $2::date - coalesce((SELECT max(coalesce(l.move_out_date, l.terminated_on, l.end_date))
				FROM leasing.leases l WHERE l.organization_id = u.organization_id AND l.unit_id = u.id
				AND l.status IN ('expired', 'terminated') AND coalesce(l.move_out_date, l.terminated_on, l.end_date) <= $2),
				(u.created_at AT TIME ZONE 'UTC')::date) END AS days
		FROM property.units u WHERE u.organization_id = $1`, w.pm.OrgID, asOf)
	if err != nil {
		t.Fatal(err)
	}
	byID, counts := map[realty.ID]row{}, map[string]int{}
	for _, r := range want {
		byID[r.ID], counts[r.Status] = r, counts[r.Status]+1
	}
	if got.Units != len(want) || len(got.Rows) != len(want) || got.Vacant != counts["vacant"] {
		t.Fatalf("units %d, rows %d, vacant %d; SQL has %d units, %d vacant", got.Units, len(got.Rows), got.Vacant, len(want), counts["vacant"])
	}
	for _, c := range got.ByStatus {
		if c.Count != counts[c.Status] {
			t.Errorf("%s: %d units, SQL counts %d", c.Status, c.Count, counts[c.Status])
		}
	}
	if rate := float64(counts["vacant"]) / float64(len(want)); math.Abs(got.VacancyRate-rate) > 1e-9 {
		t.Errorf("vacancy rate %v, SQL gives %v", got.VacancyRate, rate)
	}
	sum := 0
	for _, r := range got.Rows {
		w := byID[r.UnitID]
		if (r.DaysVacant == nil) != (w.Days == nil) || (r.DaysVacant != nil && *r.DaysVacant != *w.Days) {
			t.Errorf("unit %s (%s): days vacant %v, SQL gives %v", r.UnitNumber, r.Status, r.DaysVacant, w.Days)
		}
		if w.Days != nil {
			sum += *w.Days
		}
	}
	if avg := float64(sum) / float64(counts["vacant"]); math.Abs(got.AverageDaysVacant-avg) > 1e-9 {
		t.Errorf("average days vacant %v, SQL gives %v", got.AverageDaysVacant, avg)
	}
	if d, days := got.Rows[0], asOf.DaysSince(date("2025-06-30")); d.UnitNumber != "101" || d.DaysVacant == nil || *d.DaysVacant != days {
		t.Errorf("unit 101 vacant since the termination on 2025-06-30: got %+v, want %d days", d, days)
	}
	if vac, err := env.Leasing.Occupancy(ctx, w.pm, asOf, "vacant", env.Property.UnitStates); err != nil || len(vac.Rows) != counts["vacant"] || vac.Units != len(want) {
		t.Errorf("vacant only: %d rows of %d units (%v), want %d of %d", len(vac.Rows), vac.Units, err, counts["vacant"], len(want))
	}
	if _, err := env.Leasing.Occupancy(ctx, w.pm, asOf, "empty", env.Property.UnitStates); realty.KindOf(err) != realty.Invalid {
		t.Errorf("unknown status: %v, want Invalid", err)
	}
}
