package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"realty"
	"realty/internal/leasing"
	"realty/internal/ledger"
	"realty/internal/property"
)

func rentRollSources(s *site) leasing.RentRollSources {
	return leasing.RentRollSources{Units: s.Services.Property.Units, Balances: s.Services.Ledger.LeaseBalances,
		Marks: []ledger.Mark{property.UnitsMarkSQL, ledger.ReceivablesMarkSQL}}
}

// routesBudgets are the budgets' pages (list, create, copy from actuals,
// edit lines, budget vs actual) and the saved reports'.
func (s *site) routesBudgets() []route {
	read := func(h http.HandlerFunc) http.HandlerFunc { return s.need("ledger.read", h) }
	budget := func(h http.HandlerFunc) http.HandlerFunc { return s.need("budget.manage", h) }
	report := func(h http.HandlerFunc) http.HandlerFunc { return s.need("report.manage", h) }
	return []route{
		{"GET /budgets", enrolled, read(s.handleBudgets)},
		{"POST /budgets", enrolled, budget(s.handleCreateBudget)},
		{"POST /budgets/copy", enrolled, budget(s.handleCopyBudget)},
		{"GET /budgets/{id}", enrolled, read(s.handleBudget)},
		{"POST /budgets/{id}/lines", enrolled, budget(s.handleBudgetLines)},
		{"GET /budgets/{id}/vs-actual", enrolled, read(s.handleBudgetActual)},
		{"GET /budgets/{id}/vs-actual/csv", enrolled, read(s.handleBudgetActual)},
		{"GET /reports/saved", enrolled, read(s.handleSavedReports)},
		{"POST /reports/saved", enrolled, report(s.handleSaveReport)},
		{"POST /reports/saved/{id}/delete", enrolled, report(s.handleDeleteSavedReport)},
		{"GET /reports/saved/{id}/csv", enrolled, read(s.handleSavedReportCSV)},
	}
}

// budgetsData is the budgets page.
type budgetsData struct {
	Budgets    []ledger.Budget
	Properties []property.Property
	Year       int
}

// PropertyName names a budget's property ("Organization" for none).
func (d budgetsData) PropertyName(id *realty.ID) string {
	if id == nil {
		return "Organization"
	}
	for _, p := range d.Properties {
		if p.ID == *id {
			return propertyLabel(p)
		}
	}
	return id.String()
}

func (s *site) handleBudgets(w http.ResponseWriter, r *http.Request) {
	actor := principalOf(r).Actor
	d := budgetsData{Year: time.Now().Year() + 1}
	var err error
	if d.Budgets, err = s.Services.Ledger.Budgets(r.Context(), actor); err == nil {
		d.Properties, err = s.pickProperties(r.Context(), actor)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "budgets", s.newView(r, "Budgets", d))
}

// budgetHead reads a budget form's property, year and name.
func budgetHead(v url.Values) (*realty.ID, int, string, error) {
	var prop *realty.ID
	if p := v.Get("property"); p != "" {
		id, err := realty.ParseID(p)
		if err != nil {
			return nil, 0, "", realty.FieldError("property", "is not an id")
		}
		prop = &id
	}
	year, err := strconv.Atoi(strings.TrimSpace(v.Get("year")))
	if err != nil {
		return nil, 0, "", realty.FieldError("year", "must be a year")
	}
	return prop, year, strings.TrimSpace(v.Get("name")), nil
}

func (s *site) handleCreateBudget(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		s.fail(w, r, err)
		return
	}
	prop, year, name, err := budgetHead(r.PostForm)
	var b ledger.Budget
	if err == nil {
		b, err = s.Services.Ledger.CreateBudget(r.Context(), principalOf(r).Actor, ledger.BudgetInput{PropertyID: prop, Year: year, Name: name})
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/budgets/"+b.ID.String()+"?notice=saved", http.StatusSeeOther)
}

func (s *site) handleCopyBudget(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		s.fail(w, r, err)
		return
	}
	prop, year, name, err := budgetHead(r.PostForm)
	var pct decimal.Decimal
	if err == nil {
		if pct, err = decimal.NewFromString(strings.TrimSpace(r.PostForm.Get("change_pct"))); err != nil {
			err = realty.FieldError("change_pct", "must be a percentage")
		}
	}
	var b ledger.Budget
	if err == nil {
		b, err = s.Services.Ledger.CopyFromActuals(r.Context(), principalOf(r).Actor, ledger.CopyInput{PropertyID: prop, Year: year, Name: name, ChangePct: pct})
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/budgets/"+b.ID.String()+"?notice=saved", http.StatusSeeOther)
}

// budgetData is a budget's edit page: its lines and the income and expense
// accounts a line may be added for.
type budgetData struct {
	Budget   ledger.Budget
	Accounts []ledger.Account
	Months   []string
}

func (s *site) handleBudget(w http.ResponseWriter, r *http.Request) {
	actor := principalOf(r).Actor
	id, err := pathID(r)
	d := budgetData{Months: []string{"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"}}
	if err == nil {
		d.Budget, err = s.Services.Ledger.Budget(r.Context(), actor, id)
	}
	var all []ledger.Account
	if err == nil {
		all, err = s.Services.Ledger.Accounts(r.Context(), actor)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	for _, a := range all {
		if a.Type == "income" || a.Type == "expense" {
			d.Accounts = append(d.Accounts, a)
		}
	}
	s.render(w, r, http.StatusOK, "budget", s.newView(r, d.Budget.Name, d))
}

// budgetLine reads one line of the lines form: account, twelve months
// (m1 … m12, blank is zero) and notes.
func budgetLine(v url.Values) (ledger.BudgetLineInput, error) {
	var l ledger.BudgetLineInput
	id, err := realty.ParseID(v.Get("account"))
	if err != nil {
		return l, realty.FieldError("account", "choose an account")
	}
	l.AccountID, l.Notes = id, strings.TrimSpace(v.Get("notes"))
	for m := 1; m <= 12; m++ {
		raw := strings.TrimSpace(strings.ReplaceAll(v.Get(fmt.Sprintf("m%d", m)), ",", ""))
		a := decimal.Zero
		if raw != "" {
			if a, err = decimal.NewFromString(raw); err != nil {
				return l, realty.FieldError(fmt.Sprintf("m%d", m), "must be an amount")
			}
		}
		l.Amounts = append(l.Amounts, a)
	}
	return l, nil
}

func (s *site) handleBudgetLines(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err == nil {
		err = r.ParseForm()
	}
	var l ledger.BudgetLineInput
	if err == nil {
		l, err = budgetLine(r.PostForm)
	}
	if err == nil {
		_, err = s.Services.Ledger.SetBudgetLines(r.Context(), principalOf(r).Actor, id, []ledger.BudgetLineInput{l})
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/budgets/"+id.String()+"?notice=saved", http.StatusSeeOther)
}

func (s *site) handleBudgetActual(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	var ba ledger.BudgetActual
	if err == nil {
		ba, err = s.Services.Ledger.BudgetVsActual(r.Context(), principalOf(r).Actor, id)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if wantsCSV(r) {
		sendCSV(w, "budget-vs-actual", ba.Table())
		return
	}
	s.render(w, r, http.StatusOK, "budget_actual", s.newView(r, fmt.Sprintf("Budget vs actual %d", ba.Year), ba))
}

// savedData is the saved reports page, with the properties and budgets
// its form offers.
type savedData struct {
	Reports    []ledger.SavedReport
	Kinds      []string
	Periods    []string
	Properties []property.Property
	Budgets    []ledger.Budget
}

// PropertyName names a budget's property ("Organization" for none).
func (d savedData) PropertyName(id *realty.ID) string {
	return budgetsData{Properties: d.Properties}.PropertyName(id)
}

// handleSavedReports lists the saved reports (ledger.Service.SavedReports)
// and offers the form a property and a budget to choose from
// (pickProperties, ledger.Service.Budgets).
func (s *site) handleSavedReports(w http.ResponseWriter, r *http.Request) {
	actor := principalOf(r).Actor
	d := savedData{Kinds: ledger.ReportKinds, Periods: ledger.ReportPeriods}
	var err error
	if d.Reports, err = s.Services.Ledger.SavedReports(r.Context(), actor); err == nil {
		d.Properties, err = s.pickProperties(r.Context(), actor)
	}
	if err == nil {
		d.Budgets, err = s.Services.Ledger.Budgets(r.Context(), actor)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "saved_reports", s.newView(r, "Saved reports", d))
}

// savedInput reads the saved report form.
func savedInput(v url.Values) (ledger.SavedReportInput, error) {
	in := ledger.SavedReportInput{Name: strings.TrimSpace(v.Get("name")), Kind: v.Get("kind"),
		Parameters: ledger.ReportParams{Period: v.Get("period")}}
	var err error
	if in.Parameters.PropertyID, err = formID(v, "property_id"); err != nil {
		return in, err
	}
	if in.Parameters.BudgetID, err = formID(v, "budget_id"); err != nil {
		return in, err
	}
	if day := strings.TrimSpace(v.Get("schedule_day")); day != "" {
		n, err := strconv.Atoi(day)
		if err != nil {
			return in, realty.FieldError("schedule_day", "must be a day of the month")
		}
		in.ScheduleDay = &n
	}
	if h := strings.TrimSpace(v.Get("schedule_hour")); h != "" {
		if in.ScheduleHour, err = strconv.Atoi(h); err != nil {
			return in, realty.FieldError("schedule_hour", "must be an hour")
		}
	}
	for _, rcpt := range strings.FieldsFunc(v.Get("recipients"), func(r rune) bool { return r == ',' || r == ' ' || r == '\n' }) {
		in.Recipients = append(in.Recipients, strings.TrimSpace(rcpt))
	}
	return in, nil
}

func formID(v url.Values, name string) (*realty.ID, error) {
	raw := strings.TrimSpace(v.Get(name))
	if raw == "" {
		return nil, nil
	}
	id, err := realty.ParseID(raw)
	if err != nil {
		return nil, realty.FieldError(name, "is not an id")
	}
	return &id, nil
}

func (s *site) handleSaveReport(w http.ResponseWriter, r *http.Request) {
	err := r.ParseForm()
	var in ledger.SavedReportInput
	if err == nil {
		in, err = savedInput(r.PostForm)
	}
	if err == nil {
		_, err = s.Services.Ledger.CreateSavedReport(r.Context(), principalOf(r).Actor, in)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/reports/saved?notice=saved", http.StatusSeeOther)
}

func (s *site) handleDeleteSavedReport(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err == nil {
		err = s.Services.Ledger.DeleteSavedReport(r.Context(), principalOf(r).Actor, id)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/reports/saved?notice=deleted", http.StatusSeeOther)
}

// handleSavedReportCSV runs a saved report as on the query's day (the
// link its e-mail carries) and sends the CSV.
func (s *site) handleSavedReportCSV(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	var on *realty.Date
	if err == nil {
		on, err = dateField(r.URL.Query(), "on")
	}
	var rep ledger.SavedReport
	var t ledger.Table
	if err == nil {
		rep, t, err = s.Services.Ledger.RunSavedReport(r.Context(), principalOf(r).Actor, id, on)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	sendCSV(w, strings.ReplaceAll(rep.Kind, "_", "-"), t)
}
