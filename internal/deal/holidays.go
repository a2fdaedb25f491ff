package deal

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"realty"
	"realty/internal/org"
	"realty/internal/postgres"
)

func init() {
	postgres.RegisterConstraints(map[string]postgres.Constraint{
		"deal.holidays_name_check": {Kind: realty.Invalid, Field: "name", Message: "must be 1 to 200 characters"},
		"deal.holidays_day_key":    {Kind: realty.Conflict, Field: "day", Message: "is already on the calendar"},
	})
}

// CalendarDay is one day of an organization's holiday calendar.
type CalendarDay struct {
	ID     realty.ID   `db:"id" json:"id"`
	Day    realty.Date `db:"day" json:"day"`
	Name   string      `db:"name" json:"name"`
	Seeded bool        `db:"seeded" json:"seeded" doc:"from the country's public holiday rules, not added by hand"`
}

const holidayColumns = `id, day, name, seeded`

// SeedWorkflowTx gives a new organization its deal workflow: the public
// holidays of its country (HolidayCountry of its time zone and currency)
// for the current and the next year, and the default workflow template.
// It is an org.CreateHook, run in the organization's creating transaction.
func (s *Service) SeedWorkflowTx(ctx context.Context, tx pgx.Tx, actor realty.Actor) error {
	if err := s.ensureHolidaysTx(ctx, tx, actor); err != nil {
		return err
	}
	return seedTemplateTx(ctx, tx, actor)
}

// ensureHolidaysTx seeds the country's holidays of the current and the
// next year, each year once: a year with any seeded row (even removed) is
// left as the organization keeps it.
func (s *Service) ensureHolidaysTx(ctx context.Context, tx pgx.Tx, actor realty.Actor) error {
	o, err := org.OrganizationTx(ctx, tx, actor)
	if err != nil {
		return err
	}
	country := HolidayCountry(o.TimeZone, o.Currency)
	year := s.today(o.TimeZone).Year
	for y := year; y <= year+1; y++ {
		var seeded bool
		if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT FROM deal.holidays WHERE organization_id = $1 AND seeded
			AND day BETWEEN $2 AND $3)`, actor.OrgID, holidayDay(y, time.January, 1), holidayDay(y, time.December, 31)).Scan(&seeded); err != nil {
			return err
		}
		if seeded {
			continue
		}
		for _, h := range PublicHolidays(country, y) {
			if _, err := tx.Exec(ctx, `INSERT INTO deal.holidays (organization_id, id, day, name, seeded) VALUES ($1, $2, $3, $4, true)
				ON CONFLICT (organization_id, day) DO NOTHING`, actor.OrgID, realty.NewID(), h.Day, h.Name); err != nil {
				return err
			}
		}
	}
	return nil
}

// today is the current day in the time zone (UTC when it does not load).
func (s *Service) today(tz string) realty.Date {
	loc, err := time.LoadLocation(tz)
	if err != nil {
		loc = time.UTC
	}
	return realty.DateOf(s.now().In(loc))
}

// Holidays lists the organization's days off in year, by day. Forbidden
// without deal.read.
func (s *Service) Holidays(ctx context.Context, actor realty.Actor, year int) ([]CalendarDay, error) {
	if err := actor.Require("deal.read"); err != nil {
		return nil, err
	}
	if year < 1900 || year > 2200 {
		return nil, realty.FieldError("year", "must be between 1900 and 2200")
	}
	return postgres.ReadAll[CalendarDay](ctx, s.pool, actor, `SELECT `+holidayColumns+` FROM deal.holidays
		WHERE organization_id = $1 AND removed_at IS NULL AND day BETWEEN $2 AND $3 ORDER BY day`,
		actor.OrgID, holidayDay(year, time.January, 1), holidayDay(year, time.December, 31))
}

// AddHoliday puts a day off on the calendar (back, when it was removed)
// and recomputes the open deals' due dates. Errors: Forbidden without
// deal.manage; Invalid naming name; Conflict (day) when the day is on the
// calendar already.
func (s *Service) AddHoliday(ctx context.Context, actor realty.Actor, h Holiday) (CalendarDay, error) {
	if err := actor.Require("deal.manage"); err != nil {
		return CalendarDay{}, err
	}
	if h.Day.IsZero() {
		return CalendarDay{}, realty.FieldError("day", "is required")
	}
	var out CalendarDay
	err := s.tx(ctx, actor, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `INSERT INTO deal.holidays (organization_id, id, day, name) VALUES ($1, $2, $3, $4)
			ON CONFLICT (organization_id, day) DO UPDATE SET name = EXCLUDED.name, removed_at = NULL, updated_at = now()
			WHERE deal.holidays.organization_id = $1 AND deal.holidays.removed_at IS NOT NULL
			RETURNING `+holidayColumns, actor.OrgID, realty.NewID(), h.Day, h.Name)
		if err != nil {
			return err
		}
		out, err = pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[CalendarDay])
		if err != nil {
			return notFoundAs(err, &realty.Error{Kind: realty.Conflict, Message: "the day is on the calendar already",
				Fields: map[string]string{"day": "is already on the calendar"}})
		}
		return s.recomputeOpenTx(ctx, tx, actor)
	})
	return out, err
}

// RemoveHoliday takes a day off the calendar and recomputes the open
// deals' due dates. Errors: Forbidden without deal.manage; NotFound when
// the day is not on it.
func (s *Service) RemoveHoliday(ctx context.Context, actor realty.Actor, day realty.Date) error {
	if err := actor.Require("deal.manage"); err != nil {
		return err
	}
	return s.tx(ctx, actor, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE deal.holidays SET removed_at = now(), updated_at = now()
			WHERE organization_id = $1 AND day = $2 AND removed_at IS NULL`, actor.OrgID, day)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return &realty.Error{Kind: realty.NotFound, Message: "no holiday on " + day.String()}
		}
		return s.recomputeOpenTx(ctx, tx, actor)
	})
}

// daysOffTx is the organization's calendar for due-date arithmetic.
func daysOffTx(ctx context.Context, tx pgx.Tx, actor realty.Actor) (DaysOff, error) {
	rows, err := tx.Query(ctx, `SELECT day FROM deal.holidays WHERE organization_id = $1 AND removed_at IS NULL`, actor.OrgID)
	if err != nil {
		return nil, err
	}
	days, err := pgx.CollectRows(rows, pgx.RowTo[realty.Date])
	off := DaysOff{}
	for _, d := range days {
		off[d] = true
	}
	return off, err
}
