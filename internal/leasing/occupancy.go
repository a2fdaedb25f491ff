package leasing

import (
	"context"

	"realty"
	"realty/internal/postgres"
	"realty/internal/property"
)

// UnitStatesSource is the property domain's read of the units and their
// statuses (property.Service.UnitStates) that occupancy joins; leasing
// names only its own tables.
type UnitStatesSource func(ctx context.Context, actor realty.Actor, status string) (property.UnitStates, error)

// OccupancyRow is one unit of the occupancy report; a vacant unit carries
// the day it became vacant and how many days it has been.
type OccupancyRow struct {
	property.UnitState
	VacantSince *realty.Date `json:"vacant_since,omitempty" doc:"the day its last lease ended, else the day (UTC) the unit was created; vacant units only"`
	DaysVacant  *int         `json:"days_vacant,omitempty" doc:"days from vacant_since to the report's day; vacant units only"`
}

// Occupancy is the units by status, the vacancy rate and the days vacant
// of the units listed, as of a day.
type Occupancy struct {
	AsOf     realty.Date            `json:"as_of"`
	ByStatus []property.StatusCount `json:"by_status"`
	Units    int                    `json:"units"`
	Vacant   int                    `json:"vacant"`
	// VacancyRate is Vacant ÷ Units (0 without units).
	VacancyRate float64 `json:"vacancy_rate"`
	// AverageDaysVacant is the mean of DaysVacant over the vacant rows
	// listed (0 when none is).
	AverageDaysVacant float64        `json:"average_days_vacant"`
	Rows              []OccupancyRow `json:"rows"`
}

// occupancy reads the units the actor can see by status (through units)
// and lists those of status (every unit when empty), each vacant one with
// the day it became vacant: the latest move-out, termination or end date
// of its expired or terminated leases up to asOf, else the day the unit
// was created. Forbidden without lease.read (or property.read, which units
// checks); Invalid naming status for an unknown status.
func (s *Service) occupancy(ctx context.Context, actor realty.Actor, asOf realty.Date, status string, units UnitStatesSource) (Occupancy, error) {
	if err := actor.Require("lease.read"); err != nil {
		return Occupancy{}, err
	}
	st, err := units(ctx, actor, status)
	if err != nil {
		return Occupancy{}, err
	}
	out := Occupancy{AsOf: asOf, ByStatus: st.ByStatus, Units: st.Total, Rows: make([]OccupancyRow, len(st.Units))}
	for _, c := range st.ByStatus {
		if c.Status == "vacant" {
			out.Vacant = c.Count
		}
	}
	if out.Units > 0 {
		out.VacancyRate = float64(out.Vacant) / float64(out.Units)
	}
	var vacant []realty.ID
	for i, u := range st.Units {
		out.Rows[i].UnitState = u
		if u.Status == "vacant" {
			vacant = append(vacant, u.UnitID)
		}
	}
	ended, err := s.lastLeaseEnds(ctx, actor, asOf, vacant)
	if err != nil {
		return Occupancy{}, err
	}
	out.vacancies(ended)
	return out, nil
}

// vacancies fills the vacant rows' days vacant and their mean.
func (o *Occupancy) vacancies(ended map[realty.ID]realty.Date) {
	total, n := 0, 0
	for i := range o.Rows {
		r := &o.Rows[i]
		if r.Status != "vacant" {
			continue
		}
		since, ok := ended[r.UnitID]
		if !ok {
			since = realty.DateOf(r.CreatedAt.UTC())
		}
		days := max(o.AsOf.DaysSince(since), 0)
		r.VacantSince, r.DaysVacant = &since, &days
		total, n = total+days, n+1
	}
	if n > 0 {
		o.AverageDaysVacant = float64(total) / float64(n)
	}
}

// lastLeaseEnds is, per unit of units, the latest day one of its expired
// or terminated leases ended on or before asOf.
func (s *Service) lastLeaseEnds(ctx context.Context, actor realty.Actor, asOf realty.Date, units []realty.ID) (map[realty.ID]realty.Date, error) {
	out := map[realty.ID]realty.Date{}
	if len(units) == 0 {
		return out, nil
	}
	type row struct {
		UnitID realty.ID   `db:"unit_id"`
		Ended  realty.Date `db:"ended"`
	}
	rows, err := postgres.ReadAll[row](ctx, s.pool, actor, `SELECT unit_id, max(coalesce(move_out_date, terminated_on, end_date)) AS ended
		FROM leasing.leases WHERE organization_id = $1 AND unit_id = ANY($2) AND status IN ('expired', 'terminated')
		  AND coalesce(move_out_date, terminated_on, end_date) <= $3
		GROUP BY unit_id`, actor.OrgID, units, asOf)
	for _, r := range rows {
		out[r.UnitID] = r.Ended
	}
	return out, err
}
