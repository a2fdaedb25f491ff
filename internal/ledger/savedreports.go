package ledger

import (
	"context"
	"fmt"
	"net/mail"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"

	"realty"
	"realty/internal/org"
	"realty/internal/postgres"
)

// Report kinds a saved report may run.
var ReportKinds = []string{"income_statement", "balance_sheet", "trial_balance", "owner_statement", "budget_vs_actual", "ar_aging"}

// Report periods, relative to the day a report runs: the month before,
// the month so far, the year so far, the year before. A statement over a
// range covers the period; one as of a day is as of its last day (today
// for the periods to date); an owner statement is of the period's month.
var ReportPeriods = []string{"last_month", "this_month", "year_to_date", "last_year"}

// ReportParams are a saved report's parameters.
type ReportParams struct {
	Period     string     `json:"period,omitempty" enum:"last_month,this_month,year_to_date,last_year" doc:"default last_month"`
	PropertyID *realty.ID `json:"property_id,omitempty" doc:"required for owner_statement; optional for income_statement"`
	BudgetID   *realty.ID `json:"budget_id,omitempty" doc:"required for budget_vs_actual"`
}

// SavedReport is a report kind with parameters, a monthly schedule and
// recipients.
type SavedReport struct {
	ID           realty.ID    `db:"id" json:"id"`
	Name         string       `db:"name" json:"name"`
	Kind         string       `db:"kind" json:"kind" enum:"income_statement,balance_sheet,trial_balance,owner_statement,budget_vs_actual,ar_aging"`
	Parameters   ReportParams `db:"parameters" json:"parameters"`
	ScheduleDay  *int         `db:"schedule_day" json:"schedule_day,omitempty" doc:"day of the month (1 to 28) it runs on; absent: run by hand only"`
	ScheduleHour int          `db:"schedule_hour" json:"schedule_hour" doc:"hour of the day (0 to 23), in the organization's time zone"`
	Recipients   []string     `db:"recipients" json:"recipients"`
	NextRunAt    *time.Time   `db:"next_run_at" json:"next_run_at,omitempty"`
	LastRunAt    *time.Time   `db:"last_run_at" json:"last_run_at,omitempty"`
	CreatedAt    time.Time    `db:"created_at" json:"created_at"`
	UpdatedAt    time.Time    `db:"updated_at" json:"updated_at"`
}

const savedReportColumns = `id, name, kind, parameters, schedule_day, schedule_hour, recipients, next_run_at, last_run_at, created_at, updated_at`

// SavedReportInput creates or replaces a saved report.
type SavedReportInput struct {
	Name         string
	Kind         string
	Parameters   ReportParams
	ScheduleDay  *int
	ScheduleHour int
	Recipients   []string
}

func init() {
	postgres.RegisterConstraints(map[string]postgres.Constraint{
		"ledger.saved_reports_name_key":            {Kind: realty.Conflict, Field: "name", Message: "is taken by another saved report"},
		"ledger.saved_reports_name_check":          {Kind: realty.Invalid, Field: "name", Message: "must be 1 to 200 characters"},
		"ledger.saved_reports_kind_check":          {Kind: realty.Invalid, Field: "kind", Message: "is not a report kind"},
		"ledger.saved_reports_schedule_day_check":  {Kind: realty.Invalid, Field: "schedule_day", Message: "must be from 1 to 28"},
		"ledger.saved_reports_schedule_hour_check": {Kind: realty.Invalid, Field: "schedule_hour", Message: "must be from 0 to 23"},
		"ledger.saved_reports_recipients_check":    {Kind: realty.Invalid, Field: "recipients", Message: "at most 20"},
		"ledger.saved_reports_schedule_check":      {Kind: realty.Invalid, Field: "schedule_day", Message: "a scheduled report has a next run, an unscheduled one none"},
	})
}

var errSavedReportNotFound = &realty.Error{Kind: realty.NotFound, Message: "saved report not found"}

// check returns Invalid naming the field at fault.
func (in SavedReportInput) check() error {
	if n := len([]rune(in.Name)); n < 1 || n > 200 {
		return realty.FieldError("name", "must be 1 to 200 characters")
	}
	if !slices.Contains(ReportKinds, in.Kind) {
		return realty.FieldError("kind", "is not a report kind")
	}
	if err := in.Parameters.check(in.Kind); err != nil {
		return err
	}
	if in.ScheduleDay != nil && (*in.ScheduleDay < 1 || *in.ScheduleDay > 28) {
		return realty.FieldError("schedule_day", "must be from 1 to 28")
	}
	if in.ScheduleHour < 0 || in.ScheduleHour > 23 {
		return realty.FieldError("schedule_hour", "must be from 0 to 23")
	}
	if len(in.Recipients) > 20 {
		return realty.FieldError("recipients", "at most 20")
	}
	for i, r := range in.Recipients {
		if a, err := mail.ParseAddress(r); err != nil || a.Address != r || len(r) > 254 {
			return realty.FieldError(fmt.Sprintf("recipients[%d]", i), "is not an e-mail address")
		}
	}
	if in.ScheduleDay != nil && len(in.Recipients) == 0 {
		return realty.FieldError("recipients", "a scheduled report needs at least one")
	}
	return nil
}

// check returns Invalid naming parameters.<field>.
func (p ReportParams) check(kind string) error {
	if p.Period != "" && !slices.Contains(ReportPeriods, p.Period) {
		return realty.FieldError("parameters.period", "must be last_month, this_month, year_to_date or last_year")
	}
	switch {
	case kind == "owner_statement" && p.PropertyID == nil:
		return realty.FieldError("parameters.property_id", "an owner statement is of one property")
	case kind == "budget_vs_actual" && p.BudgetID == nil:
		return realty.FieldError("parameters.budget_id", "budget vs actual needs a budget")
	case p.PropertyID != nil && kind != "owner_statement" && kind != "income_statement":
		return realty.FieldError("parameters.property_id", "only income and owner statements are by property")
	case p.BudgetID != nil && kind != "budget_vs_actual":
		return realty.FieldError("parameters.budget_id", "only budget vs actual has a budget")
	}
	return nil
}

// span is the period's range relative to today.
func (p ReportParams) span(today realty.Date) (from, to realty.Date) {
	first := realty.Date{Year: today.Year, Month: today.Month, Day: 1}
	switch p.Period {
	case "this_month":
		return first, today
	case "year_to_date":
		return realty.Date{Year: today.Year, Month: 1, Day: 1}, today
	case "last_year":
		return realty.Date{Year: today.Year - 1, Month: 1, Day: 1}, realty.Date{Year: today.Year - 1, Month: 12, Day: 31}
	default:
		return realty.DateOf(first.Time().AddDate(0, -1, 0)), first.AddDays(-1)
	}
}

// CreateSavedReport saves a report. Forbidden without report.manage;
// Invalid naming the field at fault (parameters.budget_id for one not the
// organization's); Conflict naming name.
func (s *Service) CreateSavedReport(ctx context.Context, actor realty.Actor, in SavedReportInput) (SavedReport, error) {
	return s.writeSavedReport(ctx, actor, nil, in)
}

// UpdateSavedReport replaces a saved report (its next run follows the new
// schedule). As CreateSavedReport, and NotFound for an unknown report.
func (s *Service) UpdateSavedReport(ctx context.Context, actor realty.Actor, id realty.ID, in SavedReportInput) (SavedReport, error) {
	return s.writeSavedReport(ctx, actor, &id, in)
}

func (s *Service) writeSavedReport(ctx context.Context, actor realty.Actor, id *realty.ID, in SavedReportInput) (SavedReport, error) {
	if err := actor.Require("report.manage"); err != nil {
		return SavedReport{}, err
	}
	if err := in.check(); err != nil {
		return SavedReport{}, err
	}
	if in.Recipients == nil {
		in.Recipients = []string{}
	}
	var out SavedReport
	err := postgres.Tx(ctx, s.pool, actor, func(tx pgx.Tx) error {
		if err := checkReportRefs(ctx, tx, actor, in.Parameters); err != nil {
			return err
		}
		next, err := s.nextRunTx(ctx, tx, actor, in.ScheduleDay, in.ScheduleHour)
		if err != nil {
			return err
		}
		var rows pgx.Rows
		if id == nil {
			rows, err = tx.Query(ctx, `INSERT INTO ledger.saved_reports (organization_id, name, kind, parameters, schedule_day, schedule_hour,
				recipients, next_run_at, created_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING `+savedReportColumns,
				actor.OrgID, in.Name, in.Kind, in.Parameters, in.ScheduleDay, in.ScheduleHour, in.Recipients, next, userOf(actor))
		} else {
			rows, err = tx.Query(ctx, `UPDATE ledger.saved_reports SET name = $3, kind = $4, parameters = $5, schedule_day = $6,
				schedule_hour = $7, recipients = $8, next_run_at = $9 WHERE organization_id = $1 AND id = $2 RETURNING `+savedReportColumns,
				actor.OrgID, *id, in.Name, in.Kind, in.Parameters, in.ScheduleDay, in.ScheduleHour, in.Recipients, next)
		}
		if err != nil {
			return postgres.MapError(err)
		}
		out, err = pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[SavedReport])
		if err != nil {
			return notFound(postgres.MapError(err), errSavedReportNotFound)
		}
		return nil
	})
	return out, err
}

// checkReportRefs returns Invalid naming parameters.budget_id for a budget
// not the organization's (a property not its own gives empty statements).
func checkReportRefs(ctx context.Context, tx pgx.Tx, actor realty.Actor, p ReportParams) error {
	if p.BudgetID != nil {
		if _, err := budgetTx(ctx, tx, actor, *p.BudgetID); err != nil {
			return realty.FieldError("parameters.budget_id", "no such budget")
		}
	}
	return nil
}

// nextRunTx is the first instant after now on the schedule's day and hour
// in the organization's time zone; nil without a schedule.
func (s *Service) nextRunTx(ctx context.Context, tx pgx.Tx, actor realty.Actor, day *int, hour int) (*time.Time, error) {
	if day == nil {
		return nil, nil
	}
	o, err := org.OrganizationTx(ctx, tx, actor)
	if err != nil {
		return nil, err
	}
	loc, err := time.LoadLocation(o.TimeZone)
	if err != nil {
		return nil, fmt.Errorf("organization time zone %q: %w", o.TimeZone, err)
	}
	next := NextRun(s.now(), *day, hour, loc)
	return &next, nil
}

// NextRun is the first instant after after that is day and hour in loc.
func NextRun(after time.Time, day, hour int, loc *time.Location) time.Time {
	t := after.In(loc)
	next := time.Date(t.Year(), t.Month(), day, hour, 0, 0, 0, loc)
	if !next.After(after) {
		next = time.Date(t.Year(), t.Month()+1, day, hour, 0, 0, 0, loc)
	}
	return next
}

// SavedReports lists the organization's saved reports by name. Forbidden
// without ledger.read.
func (s *Service) SavedReports(ctx context.Context, actor realty.Actor) ([]SavedReport, error) {
	if err := actor.Require("ledger.read"); err != nil {
		return nil, err
	}
	return postgres.ReadAll[SavedReport](ctx, s.pool, actor, `SELECT `+savedReportColumns+` FROM ledger.saved_reports
		WHERE organization_id = $1 ORDER BY name LIMIT 1000`, actor.OrgID)
}

// SavedReport returns one saved report. Forbidden without ledger.read;
// NotFound for an unknown one.
func (s *Service) SavedReport(ctx context.Context, actor realty.Actor, id realty.ID) (SavedReport, error) {
	if err := actor.Require("ledger.read"); err != nil {
		return SavedReport{}, err
	}
	list, err := postgres.ReadAll[SavedReport](ctx, s.pool, actor, `SELECT `+savedReportColumns+` FROM ledger.saved_reports
		WHERE organization_id = $1 AND id = $2`, actor.OrgID, id)
	if err == nil && len(list) == 0 {
		err = errSavedReportNotFound
	}
	if err != nil {
		return SavedReport{}, err
	}
	return list[0], nil
}

// DeleteSavedReport deletes a saved report. Forbidden without
// report.manage; NotFound for an unknown one.
func (s *Service) DeleteSavedReport(ctx context.Context, actor realty.Actor, id realty.ID) error {
	if err := actor.Require("report.manage"); err != nil {
		return err
	}
	return postgres.Tx(ctx, s.pool, actor, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `DELETE FROM ledger.saved_reports WHERE organization_id = $1 AND id = $2`, actor.OrgID, id)
		if err == nil && tag.RowsAffected() == 0 {
			err = errSavedReportNotFound
		}
		return err
	})
}
