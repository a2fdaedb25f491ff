package api

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"
	"github.com/shopspring/decimal"

	"realty"
	"realty/internal/ledger"
)

// BudgetLineBody is one account's twelve monthly amounts.
type BudgetLineBody struct {
	AccountID realty.ID         `json:"account_id" doc:"an income or expense account"`
	Amounts   []decimal.Decimal `json:"amounts" minItems:"12" maxItems:"12" maxLength:"20" numeric:"14,2" doc:"January to December, whole cents"`
	Notes     string            `json:"notes,omitempty" maxLength:"500"`
}

func lineInputs(lines []BudgetLineBody) []ledger.BudgetLineInput {
	out := make([]ledger.BudgetLineInput, len(lines))
	for i, l := range lines {
		out[i] = ledger.BudgetLineInput{AccountID: l.AccountID, Amounts: l.Amounts, Notes: l.Notes}
	}
	return out
}

// BudgetBody creates a budget.
type BudgetBody struct {
	PropertyID *realty.ID       `json:"property_id,omitempty" doc:"absent for the organization's budget"`
	Year       int              `json:"year" minimum:"2000" maximum:"2999"`
	Name       string           `json:"name" minLength:"1" maxLength:"200"`
	Lines      []BudgetLineBody `json:"lines,omitempty" maxItems:"500"`
}

// BudgetLinesInput sets lines of a budget.
type BudgetLinesInput struct {
	ID   realty.ID `path:"id" doc:"the budget's id"`
	Body struct {
		Lines []BudgetLineBody `json:"lines" maxItems:"500"`
	}
}

// CopyBudgetBody asks for a budget from last year's actuals.
type CopyBudgetBody struct {
	PropertyID *realty.ID      `json:"property_id,omitempty"`
	Year       int             `json:"year" minimum:"2000" maximum:"2999" doc:"the budget's year; the actuals are of the year before"`
	Name       string          `json:"name" minLength:"1" maxLength:"200"`
	ChangePct  decimal.Decimal `json:"change_pct" maxLength:"12" numeric:"6,2" doc:"percentage applied to every month, -100 to 1000: \"3\" is 3 % more"`
}

// BudgetOutput is a budget with its lines.
type BudgetOutput struct{ Body ledger.Budget }

// BudgetsOutput lists budgets.
type BudgetsOutput struct {
	Body struct {
		Items []ledger.Budget `json:"items"`
	}
}

// BudgetActualOutput is budget vs actual.
type BudgetActualOutput struct{ Body ledger.BudgetActual }

func routeBudgets(a huma.API, d Deps) {
	tags := []string{"Reports"}
	read, manage := Access{Permission: "ledger.read"}, Access{Permission: "budget.manage"}
	Register(a, huma.Operation{OperationID: "list-budgets", Method: http.MethodGet, Path: Prefix + "/budgets", Tags: tags,
		Summary: "Budgets, newest year first"}, read, func(ctx context.Context, _ *struct{}) (*BudgetsOutput, error) {
		list, err := d.Ledger.Budgets(ctx, actor(ctx))
		out := &BudgetsOutput{}
		out.Body.Items = list
		return out, err
	})
	Register(a, huma.Operation{OperationID: "create-budget", Method: http.MethodPost, Path: Prefix + "/budgets", Tags: tags,
		Summary: "Create a budget for a year", DefaultStatus: http.StatusCreated}, manage,
		func(ctx context.Context, in *struct{ Body BudgetBody }) (*BudgetOutput, error) {
			b, err := d.Ledger.CreateBudget(ctx, actor(ctx), ledger.BudgetInput{PropertyID: in.Body.PropertyID, Year: in.Body.Year,
				Name: in.Body.Name, Lines: lineInputs(in.Body.Lines)})
			return &BudgetOutput{Body: b}, err
		})
	Register(a, huma.Operation{OperationID: "copy-budget-from-actuals", Method: http.MethodPost, Path: Prefix + "/budgets/copy", Tags: tags,
		Summary: "Create (or refill) a year's budget from the year before's actuals, changed by a percentage"}, manage,
		func(ctx context.Context, in *struct{ Body CopyBudgetBody }) (*BudgetOutput, error) {
			b, err := d.Ledger.CopyFromActuals(ctx, actor(ctx), ledger.CopyInput{PropertyID: in.Body.PropertyID, Year: in.Body.Year,
				Name: in.Body.Name, ChangePct: in.Body.ChangePct})
			return &BudgetOutput{Body: b}, err
		})
	Register(a, huma.Operation{OperationID: "get-budget", Method: http.MethodGet, Path: Prefix + "/budgets/{id}", Tags: tags,
		Summary: "A budget with its lines"}, read, func(ctx context.Context, in *IDPath) (*BudgetOutput, error) {
		b, err := d.Ledger.Budget(ctx, actor(ctx), in.ID)
		return &BudgetOutput{Body: b}, err
	})
	Register(a, huma.Operation{OperationID: "set-budget-lines", Method: http.MethodPut, Path: Prefix + "/budgets/{id}/lines", Tags: tags,
		Summary: "Set the lines of the given accounts (other lines are kept)"}, manage,
		func(ctx context.Context, in *BudgetLinesInput) (*BudgetOutput, error) {
			b, err := d.Ledger.SetBudgetLines(ctx, actor(ctx), in.ID, lineInputs(in.Body.Lines))
			return &BudgetOutput{Body: b}, err
		})
	Register(a, huma.Operation{OperationID: "budget-vs-actual", Method: http.MethodGet, Path: Prefix + "/budgets/{id}/vs-actual", Tags: tags,
		Summary: "A budget against its year's journal, by account and month, with variance"}, read,
		func(ctx context.Context, in *IDPath) (*BudgetActualOutput, error) {
			b, err := d.Ledger.BudgetVsActual(ctx, actor(ctx), in.ID)
			return &BudgetActualOutput{Body: b}, err
		})
	Register(a, huma.Operation{OperationID: "budget-vs-actual-csv", Method: http.MethodGet, Path: Prefix + "/budgets/{id}/vs-actual.csv", Tags: tags,
		Summary: "Budget vs actual as CSV"}, read, func(ctx context.Context, in *IDPath) (*CSVOutput, error) {
		b, err := d.Ledger.BudgetVsActual(ctx, actor(ctx), in.ID)
		return csvOut("budget-vs-actual", b.Table(), err)
	})
	routeSavedReports(a, d, tags)
}

// SavedReportBody creates or replaces a saved report.
type SavedReportBody struct {
	Name         string              `json:"name" minLength:"1" maxLength:"200"`
	Kind         string              `json:"kind" enum:"income_statement,balance_sheet,trial_balance,owner_statement,budget_vs_actual,ar_aging"`
	Parameters   ledger.ReportParams `json:"parameters,omitempty"`
	ScheduleDay  *int                `json:"schedule_day,omitempty" minimum:"1" maximum:"28" doc:"the day of the month it runs; absent: by hand only"`
	ScheduleHour int                 `json:"schedule_hour,omitempty" minimum:"0" maximum:"23" doc:"the hour it runs, in the organization's time zone"`
	Recipients   []string            `json:"recipients,omitempty" maxItems:"20" maxLength:"254"`
}

func (b SavedReportBody) input() ledger.SavedReportInput {
	return ledger.SavedReportInput{Name: b.Name, Kind: b.Kind, Parameters: b.Parameters, ScheduleDay: b.ScheduleDay,
		ScheduleHour: b.ScheduleHour, Recipients: b.Recipients}
}

// SavedReportOutput is a saved report.
type SavedReportOutput struct{ Body ledger.SavedReport }

// SavedReportsOutput lists saved reports.
type SavedReportsOutput struct {
	Body struct {
		Items []ledger.SavedReport `json:"items"`
	}
}

// SavedReportRunInput runs a saved report as on a day.
type SavedReportRunInput struct {
	ID realty.ID `path:"id" doc:"the saved report's id"`
	On string    `query:"on" maxLength:"10" doc:"YYYY-MM-DD: the day its period is relative to; today in the organization's time zone when absent"`
}

func routeSavedReports(a huma.API, d Deps, tags []string) {
	read, manage := Access{Permission: "ledger.read"}, Access{Permission: "report.manage"}
	Register(a, huma.Operation{OperationID: "list-saved-reports", Method: http.MethodGet, Path: Prefix + "/saved-reports", Tags: tags,
		Summary: "Saved reports by name"}, read, func(ctx context.Context, _ *struct{}) (*SavedReportsOutput, error) {
		list, err := d.Ledger.SavedReports(ctx, actor(ctx))
		out := &SavedReportsOutput{}
		out.Body.Items = list
		return out, err
	})
	Register(a, huma.Operation{OperationID: "create-saved-report", Method: http.MethodPost, Path: Prefix + "/saved-reports", Tags: tags,
		Summary: "Save a report with parameters, a monthly schedule and recipients", DefaultStatus: http.StatusCreated}, manage,
		func(ctx context.Context, in *struct{ Body SavedReportBody }) (*SavedReportOutput, error) {
			r, err := d.Ledger.CreateSavedReport(ctx, actor(ctx), in.Body.input())
			return &SavedReportOutput{Body: r}, err
		})
	Register(a, huma.Operation{OperationID: "get-saved-report", Method: http.MethodGet, Path: Prefix + "/saved-reports/{id}", Tags: tags,
		Summary: "One saved report"}, read, func(ctx context.Context, in *IDPath) (*SavedReportOutput, error) {
		r, err := d.Ledger.SavedReport(ctx, actor(ctx), in.ID)
		return &SavedReportOutput{Body: r}, err
	})
	Register(a, huma.Operation{OperationID: "replace-saved-report", Method: http.MethodPut, Path: Prefix + "/saved-reports/{id}", Tags: tags,
		Summary: "Change a saved report"}, manage, func(ctx context.Context, in *struct {
		ID   realty.ID `path:"id" doc:"the saved report's id"`
		Body SavedReportBody
	}) (*SavedReportOutput, error) {
		r, err := d.Ledger.UpdateSavedReport(ctx, actor(ctx), in.ID, in.Body.input())
		return &SavedReportOutput{Body: r}, err
	})
	Register(a, huma.Operation{OperationID: "delete-saved-report", Method: http.MethodDelete, Path: Prefix + "/saved-reports/{id}", Tags: tags,
		Summary: "Delete a saved report", DefaultStatus: http.StatusNoContent}, manage, func(ctx context.Context, in *IDPath) (*struct{}, error) {
		return nil, d.Ledger.DeleteSavedReport(ctx, actor(ctx), in.ID)
	})
	Register(a, huma.Operation{OperationID: "run-saved-report-csv", Method: http.MethodGet, Path: Prefix + "/saved-reports/{id}/csv", Tags: tags,
		Summary: "Run a saved report now (or as on a day) as CSV"}, read, func(ctx context.Context, in *SavedReportRunInput) (*CSVOutput, error) {
		var on *realty.Date
		if in.On != "" {
			day, err := dayParam(in.On, "on", realty.Date{})
			if err != nil {
				return nil, err
			}
			on = &day
		}
		r, t, err := d.Ledger.RunSavedReport(ctx, actor(ctx), in.ID, on)
		return csvOut(r.Kind, t, err)
	})
}
