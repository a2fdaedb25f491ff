package api

import (
	"context"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"realty"
	"realty/internal/leasing"
	"realty/internal/ledger"
	"realty/internal/property"
)

// RangeInput asks for a statement over a range of days.
type RangeInput struct {
	From       string `query:"from" maxLength:"10" doc:"YYYY-MM-DD; the first of the current month (UTC) when absent"`
	To         string `query:"to" maxLength:"10" doc:"YYYY-MM-DD; today (UTC) when absent"`
	PropertyID string `query:"property_id" maxLength:"36" doc:"only the lines of this property"`
}

// OwnerStatementInput asks for a property's month.
type OwnerStatementInput struct {
	PropertyID string `query:"property_id" maxLength:"36" required:"true"`
	Month      string `query:"month" maxLength:"7" doc:"YYYY-MM; the month before the current one (UTC) when absent"`
}

// GLInput pages an account's general ledger detail.
type GLInput struct {
	ID     realty.ID `path:"id" doc:"the account's id"`
	Cursor string    `query:"cursor" maxLength:"500"`
	Limit  int       `query:"limit" minimum:"1" maximum:"100" default:"100" doc:"page size, at most MaxPageSize (100)"`
}

// RentRollInput names the property of a rent roll.
type RentRollInput struct {
	PropertyID string `query:"property_id" maxLength:"36" required:"true"`
}

// CSVOutput is a report as a CSV file.
type CSVOutput struct {
	ContentType        string `header:"Content-Type"`
	ContentDisposition string `header:"Content-Disposition"`
	Body               []byte
}

func csvOut(name string, t ledger.Table, err error) (*CSVOutput, error) {
	if err != nil {
		return nil, err
	}
	return &CSVOutput{ContentType: "text/csv; charset=utf-8", ContentDisposition: `attachment; filename="` + name + `.csv"`, Body: t.CSV()}, nil
}

// IncomeStatementOutput is an income statement.
type IncomeStatementOutput struct{ Body ledger.IncomeStatement }

// BalanceSheetOutput is a balance sheet.
type BalanceSheetOutput struct{ Body ledger.BalanceSheet }

// OwnerStatementOutput is an owner statement.
type OwnerStatementOutput struct{ Body ledger.OwnerStatement }

// dayParam parses an optional YYYY-MM-DD query parameter, def when empty.
func dayParam(v, field string, def realty.Date) (realty.Date, error) {
	if v == "" {
		return def, nil
	}
	d, err := realty.ParseDate(v)
	if err != nil {
		return d, realty.FieldError(field, "must be a date, YYYY-MM-DD")
	}
	return d, nil
}

func (in RangeInput) parse() (from, to realty.Date, prop *realty.ID, err error) {
	today := realty.DateOf(time.Now().UTC())
	if from, err = dayParam(in.From, "from", realty.Date{Year: today.Year, Month: today.Month, Day: 1}); err != nil {
		return
	}
	if to, err = dayParam(in.To, "to", today); err != nil {
		return
	}
	prop, err = optionalID(in.PropertyID, "property_id")
	return
}

func (in OwnerStatementInput) parse() (realty.ID, realty.Date, error) {
	id, err := realty.ParseID(in.PropertyID)
	if err != nil {
		return id, realty.Date{}, realty.FieldError("property_id", "is not an id")
	}
	if in.Month == "" {
		t := time.Now().UTC()
		return id, realty.DateOf(time.Date(t.Year(), t.Month()-1, 1, 0, 0, 0, 0, time.UTC)), nil
	}
	m, err := time.Parse("2006-01", in.Month)
	if err != nil {
		return id, realty.Date{}, realty.FieldError("month", "must be a month, YYYY-MM")
	}
	return id, realty.DateOf(m), nil
}

func routeReports(a huma.API, d Deps) {
	tags := []string{"Reports"}
	read := Access{Permission: "ledger.read"}
	incomeStatement := func(ctx context.Context, in *RangeInput) (ledger.IncomeStatement, error) {
		from, to, prop, err := in.parse()
		if err != nil {
			return ledger.IncomeStatement{}, err
		}
		return d.Ledger.IncomeStatement(ctx, actor(ctx), from, to, prop)
	}
	Register(a, huma.Operation{OperationID: "income-statement", Method: http.MethodGet, Path: Prefix + "/reports/income-statement", Tags: tags,
		Summary: "Income statement over a range of days, of the organization or one property"}, read,
		func(ctx context.Context, in *RangeInput) (*IncomeStatementOutput, error) {
			st, err := incomeStatement(ctx, in)
			return &IncomeStatementOutput{Body: st}, err
		})
	Register(a, huma.Operation{OperationID: "income-statement-csv", Method: http.MethodGet, Path: Prefix + "/reports/income-statement.csv", Tags: tags,
		Summary: "Income statement as CSV"}, read, func(ctx context.Context, in *RangeInput) (*CSVOutput, error) {
		st, err := incomeStatement(ctx, in)
		return csvOut("income-statement", st.Table(), err)
	})
	balanceSheet := func(ctx context.Context, in *TrialBalanceInput) (ledger.BalanceSheet, error) {
		asOf, err := dayParam(in.AsOf, "as_of", realty.DateOf(time.Now().UTC()))
		if err != nil {
			return ledger.BalanceSheet{}, err
		}
		return d.Ledger.BalanceSheet(ctx, actor(ctx), asOf)
	}
	Register(a, huma.Operation{OperationID: "balance-sheet", Method: http.MethodGet, Path: Prefix + "/reports/balance-sheet", Tags: tags,
		Summary: "Balance sheet as of a day, with the year's earnings folded into equity"}, read,
		func(ctx context.Context, in *TrialBalanceInput) (*BalanceSheetOutput, error) {
			bs, err := balanceSheet(ctx, in)
			return &BalanceSheetOutput{Body: bs}, err
		})
	Register(a, huma.Operation{OperationID: "balance-sheet-csv", Method: http.MethodGet, Path: Prefix + "/reports/balance-sheet.csv", Tags: tags,
		Summary: "Balance sheet as CSV"}, read, func(ctx context.Context, in *TrialBalanceInput) (*CSVOutput, error) {
		bs, err := balanceSheet(ctx, in)
		return csvOut("balance-sheet", bs.Table(), err)
	})
	ownerStatement := func(ctx context.Context, in *OwnerStatementInput) (ledger.OwnerStatement, error) {
		id, month, err := in.parse()
		if err != nil {
			return ledger.OwnerStatement{}, err
		}
		return d.Ledger.OwnerStatement(ctx, actor(ctx), id, month)
	}
	Register(a, huma.Operation{OperationID: "owner-statement", Method: http.MethodGet, Path: Prefix + "/reports/owner-statement", Tags: tags,
		Summary: "A property's month for its owner: income, expenses, net, reserves and distributions"}, read,
		func(ctx context.Context, in *OwnerStatementInput) (*OwnerStatementOutput, error) {
			os, err := ownerStatement(ctx, in)
			return &OwnerStatementOutput{Body: os}, err
		})
	Register(a, huma.Operation{OperationID: "owner-statement-csv", Method: http.MethodGet, Path: Prefix + "/reports/owner-statement.csv", Tags: tags,
		Summary: "Owner statement as CSV"}, read, func(ctx context.Context, in *OwnerStatementInput) (*CSVOutput, error) {
		os, err := ownerStatement(ctx, in)
		return csvOut("owner-statement", os.Table(), err)
	})
	routeReportExports(a, d, tags)
}

// routeReportExports are the CSV files of the reports whose JSON lives
// elsewhere: trial balance, general ledger detail, AR aging, rent roll.
func routeReportExports(a huma.API, d Deps, tags []string) {
	Register(a, huma.Operation{OperationID: "trial-balance-csv", Method: http.MethodGet, Path: Prefix + "/reports/trial-balance.csv", Tags: tags,
		Summary: "Trial balance as CSV"}, Access{Permission: "ledger.read"}, func(ctx context.Context, in *TrialBalanceInput) (*CSVOutput, error) {
		asOf, err := dayParam(in.AsOf, "as_of", realty.DateOf(time.Now().UTC()))
		if err != nil {
			return nil, err
		}
		tb, err := d.Ledger.TrialBalance(ctx, actor(ctx), asOf)
		return csvOut("trial-balance", tb.Table(time.Now()), err)
	})
	Register(a, huma.Operation{OperationID: "general-ledger-csv", Method: http.MethodGet, Path: Prefix + "/reports/general-ledger/{id}/csv", Tags: tags,
		Summary: "A page of an account's lines with running balance, as CSV", Description: "Keyset-paged like the account's lines; the next page's cursor is in the header X-Next-Cursor."},
		Access{Permission: "ledger.read"}, func(ctx context.Context, in *GLInput) (*GLCSVOutput, error) {
			acc, err := d.Ledger.Account(ctx, actor(ctx), in.ID)
			if err != nil {
				return nil, err
			}
			p, err := d.Ledger.AccountLines(ctx, actor(ctx), in.ID, in.Cursor, in.Limit)
			out, err := csvOut("general-ledger-"+acc.Code, ledger.GLTable(acc, p, time.Now()), err)
			if err != nil {
				return nil, err
			}
			return &GLCSVOutput{ContentType: out.ContentType, ContentDisposition: out.ContentDisposition, NextCursor: p.NextCursor, Body: out.Body}, nil
		})
	Register(a, huma.Operation{OperationID: "ar-aging-csv", Method: http.MethodGet, Path: Prefix + "/reports/ar-aging.csv", Tags: tags,
		Summary: "AR aging as CSV"}, Access{Permission: "invoice.read"}, func(ctx context.Context, in *TrialBalanceInput) (*CSVOutput, error) {
		asOf, err := dayParam(in.AsOf, "as_of", realty.DateOf(time.Now().UTC()))
		if err != nil {
			return nil, err
		}
		ag, err := d.Ledger.Aging(ctx, actor(ctx), asOf)
		return csvOut("ar-aging", ag.Table(time.Now(), nil), err)
	})
	Register(a, huma.Operation{OperationID: "rent-roll-csv", Method: http.MethodGet, Path: Prefix + "/reports/rent-roll.csv", Tags: tags,
		Summary: "A property's rent roll as CSV"}, Access{Permission: "lease.read"}, func(ctx context.Context, in *RentRollInput) (*CSVOutput, error) {
		id, err := realty.ParseID(in.PropertyID)
		if err != nil {
			return nil, realty.FieldError("property_id", "is not an id")
		}
		rr, err := d.Leasing.RentRoll(ctx, actor(ctx), id, leasing.RentRollSources{Units: d.Property.Units, Balances: d.Ledger.LeaseBalances,
			Marks: []ledger.Mark{property.UnitsMarkSQL, ledger.ReceivablesMarkSQL}})
		return csvOut("rent-roll", rr.Table(time.Now()), err)
	})
}

// GLCSVOutput is a page of general ledger detail as CSV.
type GLCSVOutput struct {
	ContentType        string `header:"Content-Type"`
	ContentDisposition string `header:"Content-Disposition"`
	NextCursor         string `header:"X-Next-Cursor" doc:"the cursor of the next page; absent on the last"`
	Body               []byte
}
