package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"realty"
	"realty/internal/leasing"
	"realty/internal/ledger"
	"realty/internal/maintenance"
	"realty/internal/property"
)

// routesDeposits are the deposit disposition's page and form, beside the
// lease they belong to.
func (s *site) routesDeposits() []route {
	return []route{
		{"GET /leases/{id}/deposit", enrolled, s.handleDepositShow},
		{"POST /leases/{id}/deposit", enrolled, s.handleDepositDispose},
	}
}

// depositLine is one deduction line of the form, as typed.
type depositLine struct {
	Reason, Amount, Account string
}

// depositData is the disposition page: the lease, its deposit and balance,
// the move-out comparison the deductions may cite, and the form's lines.
type depositData struct {
	Lease   leasing.Lease
	Unit    property.Unit
	Tenant  string
	Deposit leasing.Deposit
	Balance *ledger.LeaseBalance
	// Comparison is the lease's move-out inspection against its move-in;
	// nil when there is none or the member may not read inspections.
	Comparison *maintenance.Comparison
	// Accounts are the accounts a deduction may credit; nil when the member
	// may not read the chart (the deductions go to other tenant charges).
	Accounts []ledger.Account
	Lines    []depositLine
	Date     string
	Key      string
}

// Open reports whether the deposit may be disposed of now: the lease has
// ended or moved out, and it was not disposed of yet.
func (d depositData) Open() bool {
	l := d.Lease
	return d.Deposit.Disposition == nil && (l.MoveOutDate != nil || l.Status == "expired" || l.Status == "terminated")
}

// Cited reports whether a line already holds reason.
func (d depositData) Cited(reason string) bool {
	for _, l := range d.Lines {
		if l.Reason == reason {
			return true
		}
	}
	return false
}

// handleDepositShow shows a lease's deposit and, while it may be disposed
// of, the disposition form (leasing.Service.LeaseDeposit: lease.read and
// invoice.read). The form's lines travel in the query, so "cite" (a
// worsened item of the move-out comparison, by its index) and "add" add a
// line to what was typed without script.
func (s *site) handleDepositShow(w http.ResponseWriter, r *http.Request) {
	actor := principalOf(r).Actor
	err := actor.Require("lease.read") // before the query's values are judged
	if err == nil {
		err = actor.Require("invoice.read")
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	q := r.URL.Query()
	lines := formLines(q)
	add := q.Get("add") != ""
	cite, citing := -1, q.Get("cite") != ""
	if citing {
		n, err := strconv.Atoi(q.Get("cite"))
		if err != nil || n < 0 {
			s.fail(w, r, realty.FieldError("cite", "is not an item of the comparison"))
			return
		}
		cite = n
	}
	s.renderDeposit(w, r, http.StatusOK, q, lines, func(d *depositData) {
		if d.Comparison != nil && cite >= 0 && cite < len(d.Comparison.Deductions) && !d.Cited(d.Comparison.Deductions[cite].Reason) {
			d.Lines = append(d.Lines, depositLine{Reason: d.Comparison.Deductions[cite].Reason})
		}
		if add || len(d.Lines) == 0 {
			d.Lines = append(d.Lines, depositLine{})
		}
	}, nil)
}

// renderDeposit draws the page with the form's values; more adjusts the
// lines once the comparison is known.
func (s *site) renderDeposit(w http.ResponseWriter, r *http.Request, code int, f url.Values, lines []depositLine, more func(*depositData), failed error) {
	d, err := s.depositPage(r, f, lines)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if more != nil {
		more(d)
	}
	v := s.newView(r, "Deposit of unit "+d.Unit.UnitNumber, d)
	if failed != nil {
		v = s.withErr(r, v, failed)
	}
	s.render(w, r, code, "deposit", v)
}

// depositPage reads what the page shows; an error is the page's failure.
func (s *site) depositPage(r *http.Request, f url.Values, lines []depositLine) (*depositData, error) {
	actor := principalOf(r).Actor
	id, err := pathID(r)
	if err != nil {
		return nil, err
	}
	d := &depositData{Lines: lines, Date: f.Get("date"), Key: f.Get("key")}
	if d.Date == "" {
		d.Date = realty.DateOf(time.Now()).String()
	}
	if d.Key == "" {
		d.Key = realty.NewID().String()
	}
	if d.Deposit, err = s.Services.Leasing.LeaseDeposit(r.Context(), actor, id); err != nil {
		return nil, err
	}
	if d.Lease, err = s.Services.Leasing.Lease(r.Context(), actor, id); err != nil {
		return nil, err
	}
	if d.Unit, err = s.Services.Property.Unit(r.Context(), actor, d.Lease.UnitID); err != nil {
		return nil, err
	}
	if err := s.depositParties(r, d); err != nil {
		return nil, err
	}
	return d, s.depositChoices(r, d)
}

// depositParties fills the primary tenant's name and the lease's balance.
func (s *site) depositParties(r *http.Request, d *depositData) error {
	actor := principalOf(r).Actor
	for _, lt := range d.Lease.Tenants {
		if lt.Primary || d.Tenant == "" {
			t, err := s.Services.Leasing.Tenant(r.Context(), actor, lt.TenantID)
			if err != nil {
				return err
			}
			d.Tenant = tenantName(t)
		}
	}
	b, err := s.Services.Ledger.LeaseBalance(r.Context(), actor, d.Lease.ID)
	if err == nil {
		d.Balance = &b
	} else if realty.KindOf(err) != realty.NotFound {
		return err
	}
	return nil
}

// depositChoices fills the comparison and the accounts, each left out when
// the member may not read it or (the comparison) there is none.
func (s *site) depositChoices(r *http.Request, d *depositData) error {
	actor := principalOf(r).Actor
	c, err := s.Services.Maintenance.LeaseComparison(r.Context(), actor, d.Lease.ID)
	switch realty.KindOf(err) {
	case "":
		d.Comparison = &c
	case realty.NotFound, realty.Forbidden:
	default:
		return err
	}
	accounts, err := s.Services.Ledger.Accounts(r.Context(), actor)
	if err != nil && realty.KindOf(err) != realty.Forbidden {
		return err
	}
	for _, a := range accounts {
		if a.Active && (a.Type == "income" || a.Type == "expense") {
			d.Accounts = append(d.Accounts, a)
		}
	}
	return nil
}

// formLines reads the form's deduction lines (reason, amount and
// account_id, repeated), leaving out lines with neither reason nor amount.
func formLines(f url.Values) []depositLine {
	reasons, amounts, accounts := f["reason"], f["amount"], f["account_id"]
	n := max(len(reasons), len(amounts))
	var out []depositLine
	for i := range n {
		l := depositLine{Reason: strings.TrimSpace(at(reasons, i)), Amount: strings.TrimSpace(at(amounts, i)), Account: strings.TrimSpace(at(accounts, i))}
		if l.Reason != "" || l.Amount != "" {
			out = append(out, l)
		}
	}
	return out
}

func at(vs []string, i int) string {
	if i < len(vs) {
		return vs[i]
	}
	return ""
}

// handleDepositDispose disposes of the deposit as the form says
// (leasing.Service.DisposeDepositTx: invoice.manage, as POST
// /api/v1/leases/{id}/deposit/disposition) under the form's idempotency
// key, and goes back to the lease. A refused field comes back in place
// with its status, and nothing is written: the disposition is one posting.
func (s *site) handleDepositDispose(w http.ResponseWriter, r *http.Request) {
	actor := principalOf(r).Actor
	id, err := pathID(r)
	if err == nil {
		err = actor.Require("invoice.manage")
	}
	if err == nil {
		err = r.ParseForm()
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	f := r.PostForm
	lines := formLines(f)
	in, err := s.dispositionInput(r, f, lines)
	if err == nil {
		err = s.once(r, "deposit", f.Get("key"), struct{ ID, In any }{id, in}, func(tx pgx.Tx) (any, error) {
			return s.Services.Leasing.DisposeDepositTx(r.Context(), tx, actor, id, in)
		})
	}
	if err != nil {
		if k := realty.KindOf(err); k != realty.Invalid && k != realty.Conflict {
			s.fail(w, r, err)
			return
		}
		s.renderDeposit(w, r, status(err), f, lines, func(d *depositData) { d.Lines = append(d.Lines, depositLine{}) }, err)
		return
	}
	s.redirect(w, r, "/leases/"+id.String()+"?notice=deposit-disposed")
}

// dispositionInput reads the form; Invalid names the field as the API
// would (deductions[0].amount). An account must be one the form offers.
func (s *site) dispositionInput(r *http.Request, f url.Values, lines []depositLine) (leasing.DispositionInput, error) {
	var in leasing.DispositionInput
	var err error
	if in.Date, err = dateField(f, "date"); err != nil {
		return in, err
	}
	offered := map[realty.ID]bool{}
	if accounts, aerr := s.Services.Ledger.Accounts(r.Context(), principalOf(r).Actor); aerr == nil {
		for _, a := range accounts {
			offered[a.ID] = a.Active && (a.Type == "income" || a.Type == "expense")
		}
	}
	for i, l := range lines {
		field := fmt.Sprintf("deductions[%d].", i)
		if l.Reason == "" {
			return in, realty.FieldError(field+"reason", "is required")
		}
		amount, err := amountField(url.Values{"amount": {l.Amount}}, "amount")
		if err != nil {
			return in, realty.FieldError(field+"amount", realty.FieldsOf(err)["amount"])
		}
		x := ledger.DeductionInput{Reason: l.Reason, Amount: amount}
		if l.Account != "" {
			a, err := realty.ParseID(l.Account)
			if err != nil || !offered[a] {
				return in, realty.FieldError(field+"account_id", "choose an account of the list")
			}
			x.AccountID = &a
		}
		in.Deductions = append(in.Deductions, x)
	}
	return in, nil
}
