package web

import (
	"net/http"
	"net/url"
	"strings"
	"time"

	"realty"
	"realty/internal/ledger"
	"realty/internal/property"
)

// routesReports are the financial statements' pages and their CSV files.
// Every page reads through the ledger service, which checks ledger.read.
func (s *site) routesReports() []route {
	read := func(h http.HandlerFunc) http.HandlerFunc { return s.need("ledger.read", h) }
	return []route{
		{"GET /reports/income-statement", enrolled, read(s.handleIncomeStatement)},
		{"GET /reports/income-statement/csv", enrolled, read(s.handleIncomeStatement)},
		{"GET /reports/balance-sheet", enrolled, read(s.handleBalanceSheet)},
		{"GET /reports/balance-sheet/csv", enrolled, read(s.handleBalanceSheet)},
		{"GET /reports/owner-statement", enrolled, read(s.handleOwnerStatement)},
		{"GET /reports/owner-statement/csv", enrolled, read(s.handleOwnerStatement)},
		{"GET /reports/general-ledger", enrolled, read(s.handleGeneralLedger)},
		{"GET /reports/general-ledger/csv", enrolled, read(s.handleGeneralLedger)},
		{"GET /rent-roll/csv", enrolled, s.need("lease.read", s.handleRentRollCSV)},
		{"GET /aging/csv", enrolled, s.need("invoice.read", s.handleAgingCSV)},
	}
}

// need refuses (403) a member without perm before the handler reads any
// input, so a refused member learns nothing from validation; the domain
// call checks again.
func (s *site) need(perm string, h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if err := principalOf(r).Actor.Require(perm); err != nil {
			s.fail(w, r, err)
			return
		}
		h(w, r)
	}
}

// sendCSV writes a report table as a CSV download.
func sendCSV(w http.ResponseWriter, name string, t ledger.Table) {
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`.csv"`)
	_, _ = w.Write(t.CSV())
}

func wantsCSV(r *http.Request) bool { return strings.HasSuffix(r.URL.Path, "/csv") }

// reportData is a statement page: the query it was asked with, the
// organization's properties to choose from and the statement.
type reportData struct {
	Query      url.Values
	Properties []property.Property
	Statement  any
	CSV        string // the address of the same report as CSV
}

func (s *site) reportView(r *http.Request, statement any, props bool) (*reportData, error) {
	d := &reportData{Query: r.URL.Query(), Statement: statement, CSV: r.URL.Path + "/csv?" + r.URL.RawQuery}
	if props {
		page, err := s.Services.Property.List(r.Context(), principalOf(r).Actor, property.Filter{Limit: 100})
		if err != nil {
			return nil, err
		}
		d.Properties = page.Items
	}
	return d, nil
}

// queryDay reads an optional date of the query, def when absent; Invalid
// naming it otherwise.
func queryDay(r *http.Request, name string, def realty.Date) (realty.Date, error) {
	d, err := dateField(r.URL.Query(), name)
	if err != nil || d == nil {
		return def, err
	}
	return *d, nil
}

func today() realty.Date { return realty.DateOf(time.Now()) }

// handleIncomeStatement shows (or sends as CSV) the income statement of the
// query's range, this month by default, of one property when chosen.
func (s *site) handleIncomeStatement(w http.ResponseWriter, r *http.Request) {
	t := today()
	from, err := queryDay(r, "from", realty.Date{Year: t.Year, Month: t.Month, Day: 1})
	var to realty.Date
	if err == nil {
		to, err = queryDay(r, "to", t)
	}
	var prop *realty.ID
	if err == nil {
		prop, err = optionalQueryID(r, "property")
	}
	var st ledger.IncomeStatement
	if err == nil {
		st, err = s.Services.Ledger.IncomeStatement(r.Context(), principalOf(r).Actor, from, to, prop)
	}
	s.statementPage(w, r, err, "income_statement", "Income statement", st, st.Table, true)
}

// handleBalanceSheet shows (or sends as CSV) the balance sheet as of the
// query's day, today by default.
func (s *site) handleBalanceSheet(w http.ResponseWriter, r *http.Request) {
	asOf, err := queryDay(r, "as_of", today())
	var bs ledger.BalanceSheet
	if err == nil {
		bs, err = s.Services.Ledger.BalanceSheet(r.Context(), principalOf(r).Actor, asOf)
	}
	s.statementPage(w, r, err, "balance_sheet", "Balance sheet", bs, bs.Table, false)
}

// handleOwnerStatement shows (or sends as CSV) a property's month, the
// month before this one by default; without a property it shows the
// choice.
func (s *site) handleOwnerStatement(w http.ResponseWriter, r *http.Request) {
	var os *ledger.OwnerStatement
	month := r.URL.Query().Get("month")
	m, err := time.Parse("2006-01", month)
	if month == "" {
		t := time.Now()
		m, err = time.Date(t.Year(), t.Month()-1, 1, 0, 0, 0, 0, time.UTC), nil
	} else if err != nil {
		err = realty.FieldError("month", "must be a month, YYYY-MM")
	}
	var prop *realty.ID
	if err == nil {
		prop, err = optionalQueryID(r, "property")
	}
	if err == nil && prop != nil {
		var st ledger.OwnerStatement
		st, err = s.Services.Ledger.OwnerStatement(r.Context(), principalOf(r).Actor, *prop, realty.DateOf(m))
		os = &st
	}
	table := func() ledger.Table { return ledger.Table{} }
	if os != nil {
		table = os.Table
	}
	s.statementPage(w, r, err, "owner_statement", "Owner statement", os, table, true)
}

// statementPage renders a statement page, or its CSV, or the failure.
func (s *site) statementPage(w http.ResponseWriter, r *http.Request, err error, page, title string, st any, table func() ledger.Table, props bool) {
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if wantsCSV(r) {
		sendCSV(w, strings.ReplaceAll(page, "_", "-"), table())
		return
	}
	d, err := s.reportView(r, st, props)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	d.CSV = strings.TrimSuffix(r.URL.Path, "/csv") + "/csv?" + r.URL.RawQuery
	s.render(w, r, http.StatusOK, page, s.newView(r, title, d))
}

func optionalQueryID(r *http.Request, name string) (*realty.ID, error) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return nil, nil
	}
	id, err := realty.ParseID(v)
	if err != nil {
		return nil, realty.FieldError(name, "is not an id")
	}
	return &id, nil
}

// glData is an account's page of lines and the chart to choose from.
type glData struct {
	Accounts []ledger.Account
	Account  *ledger.Account
	Lines    ledger.LinesPage
	Query    url.Values
}

// handleGeneralLedger shows (or sends as CSV) a page of an account's lines
// with running balance, keyset-paged by the query's cursor.
func (s *site) handleGeneralLedger(w http.ResponseWriter, r *http.Request) {
	actor := principalOf(r).Actor
	d := &glData{Query: r.URL.Query()}
	var err error
	d.Accounts, err = s.Services.Ledger.Accounts(r.Context(), actor)
	var id *realty.ID
	if err == nil {
		id, err = optionalQueryID(r, "account")
	}
	if err == nil && id != nil {
		var a ledger.Account
		if a, err = s.Services.Ledger.Account(r.Context(), actor, *id); err == nil {
			d.Account = &a
			d.Lines, err = s.Services.Ledger.AccountLines(r.Context(), actor, *id, r.URL.Query().Get("cursor"), 100)
		}
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if wantsCSV(r) && d.Account != nil {
		sendCSV(w, "general-ledger-"+d.Account.Code, ledger.GLTable(*d.Account, d.Lines, time.Now()))
		return
	}
	s.render(w, r, http.StatusOK, "general_ledger", s.newView(r, "General ledger", d))
}

// handleRentRollCSV sends the rent roll of the query's property as CSV.
func (s *site) handleRentRollCSV(w http.ResponseWriter, r *http.Request) {
	id, err := optionalQueryID(r, "property")
	if err == nil && id == nil {
		err = realty.FieldError("property", "choose a property")
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	rr, err := s.Services.Leasing.RentRoll(r.Context(), principalOf(r).Actor, *id, rentRollSources(s))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	sendCSV(w, "rent-roll", rr.Table(time.Now()))
}

// handleAgingCSV sends AR aging as of the query's day as CSV.
func (s *site) handleAgingCSV(w http.ResponseWriter, r *http.Request) {
	asOf, err := queryDay(r, "as_of", today())
	var ag ledger.Aging
	if err == nil {
		ag, err = s.Services.Ledger.Aging(r.Context(), principalOf(r).Actor, asOf)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	sendCSV(w, "ar-aging", ag.Table(time.Now(), nil))
}
