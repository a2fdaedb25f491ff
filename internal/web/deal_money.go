package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"realty"
	"realty/internal/deal"
)

// routesDealMoney are a deal's earnest money and commission (the section of
// the deal page, also shown on a page of its own), the disbursement
// authorisation, and GCI by agent for the broker's view.
func (s *site) routesDealMoney() []route {
	return []route{
		{"GET /deal-money/{id}", enrolled, s.handleDealMoney},
		{"POST /deal-money/{id}/deposits", enrolled, s.handleDealDepositAdd},
		{"POST /deal-money/{id}/deposits/{deposit}/receive", enrolled, s.handleDealDepositReceive},
		{"POST /deal-money/{id}/commission", enrolled, s.handleDealCommissionSet},
		{"POST /deal-money/{id}/splits/{split}/pay", enrolled, s.handleDealSplitPay},
		{"GET /deal-money/{id}/authorization", enrolled, s.handleDealCommissionAuthorization},
		{"GET /deal-money/gci", enrolled, s.handleDealGCI},
	}
}

// dealMoneyData is what the money section of a deal shows: its deposits,
// its commission (nil when not set) and the form refused, as typed.
type dealMoneyData struct {
	DealID     realty.ID
	Deal       deal.Deal
	Deposits   []deal.EscrowDeposit
	Commission *deal.Commission
	Holders    []string
	Form       url.Values
	// Back is where the section's forms return: the page showing it.
	Back string
}

// dealMoneySection loads a deal's money section: the deal page renders it
// with {{template "deal-money-section" (row $ .Data.Money)}} (deal.Service:
// Get, EscrowDeposits and Commission, deal.read).
func (s *site) dealMoneySection(r *http.Request, id realty.ID, form url.Values) (*dealMoneyData, error) {
	a := principalOf(r).Actor
	d := &dealMoneyData{DealID: id, Holders: []string{"brokerage", "title", "escrow", "attorney", "other"}, Form: form,
		Back: "/deal-money/" + id.String()}
	switch {
	case r.Method == http.MethodGet:
		d.Back = r.URL.Path
	case form.Get("back") != "":
		d.Back = safeNext(form.Get("back"))
	}
	var err error
	if d.Deal, err = s.Services.Deal.Get(r.Context(), a, id); err != nil {
		return nil, err
	}
	if d.Deposits, err = s.Services.Deal.EscrowDeposits(r.Context(), a, id); err != nil {
		return nil, err
	}
	c, err := s.Services.Deal.Commission(r.Context(), a, id)
	switch {
	case err == nil:
		d.Commission = &c
	case realty.KindOf(err) != realty.NotFound:
		return nil, err
	}
	return d, nil
}

// handleDealMoney shows a deal's money section on a page of its own.
func (s *site) handleDealMoney(w http.ResponseWriter, r *http.Request) {
	s.renderDealMoney(w, r, http.StatusOK, nil, url.Values{})
}

// renderDealMoney renders the money page of the deal in the path, with
// err (a refused form, kept as typed) when set.
func (s *site) renderDealMoney(w http.ResponseWriter, r *http.Request, code int, formErr error, form url.Values) {
	id, err := pathID(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	d, err := s.dealMoneySection(r, id, form)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	v := s.newView(r, "Money of "+d.Deal.Title, d)
	if formErr != nil {
		v = s.withErr(r, v, formErr)
		v.Form = form.Get("form")
	}
	s.render(w, r, code, "deal_money", v)
}

// dealMoneyDone answers a money form: back to where it came from (the deal
// page or the money page) when it succeeded, else the money page with the
// refused fields.
func (s *site) dealMoneyDone(w http.ResponseWriter, r *http.Request, id realty.ID, err error) {
	if err != nil {
		if k := realty.KindOf(err); k != realty.Invalid && k != realty.Conflict {
			s.fail(w, r, err)
			return
		}
		s.renderDealMoney(w, r, status(err), err, r.PostForm)
		return
	}
	back := "/deal-money/" + id.String()
	if b := r.PostForm.Get("back"); b != "" {
		back = safeNext(b)
	}
	sep := "?"
	if strings.Contains(back, "?") {
		sep = "&"
	}
	s.redirect(w, r, back+sep+"notice=saved")
}

// handleDealDepositAdd records an earnest money deposit due
// (deal.Service.AddEscrowDeposit: deal.write, as POST
// /api/v1/deals/{id}/escrow-deposits).
func (s *site) handleDealDepositAdd(w http.ResponseWriter, r *http.Request) {
	id, f, err := pathForm(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	in := deal.EscrowDepositInput{Holder: f.Get("holder"), HolderName: nonEmpty(textField(f, "holder_name"))}
	amount, err := decimalField(f, "amount")
	if err == nil && amount == nil {
		err = realty.FieldError("amount", "is required")
	}
	if err == nil {
		in.Amount = *amount
		in.DueDate, err = dateField(f, "due_date")
	}
	if err == nil {
		_, err = s.Services.Deal.AddEscrowDeposit(r.Context(), principalOf(r).Actor, id, in)
	}
	s.dealMoneyDone(w, r, id, err)
}

// handleDealDepositReceive records a deposit received today, posting it
// into trust when the brokerage holds it (deal.Service.ReceiveEscrowDeposit:
// deal.write, as POST /api/v1/escrow-deposits/{id}/receive).
func (s *site) handleDealDepositReceive(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err == nil {
		err = r.ParseForm()
	}
	var dep realty.ID
	if err == nil {
		if dep, err = realty.ParseID(r.PathValue("deposit")); err != nil {
			err = &realty.Error{Kind: realty.NotFound, Message: "not found"}
		}
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	on, err := dateField(r.PostForm, "received_on")
	if err == nil {
		_, err = s.Services.Deal.ReceiveEscrowDeposit(r.Context(), principalOf(r).Actor, dep, on)
	}
	s.dealMoneyDone(w, r, id, err)
}

// handleDealCommissionSet sets the deal's commission (deal.Service.SetCommission:
// deal.write, as PUT /api/v1/deals/{id}/commission).
func (s *site) handleDealCommissionSet(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err == nil {
		err = r.ParseForm()
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	in, err := commissionForm(r.PostForm)
	if err == nil {
		_, err = s.Services.Deal.SetCommission(r.Context(), principalOf(r).Actor, id, in)
	}
	s.dealMoneyDone(w, r, id, err)
}

// commissionForm reads the commission form: basis "rate" or "amount" with
// its value, the listing side's percentage and an optional referral.
func commissionForm(f url.Values) (deal.CommissionInput, error) {
	var in deal.CommissionInput
	gross, err := decimalField(f, "gross")
	if err != nil {
		return in, err
	}
	if gross == nil {
		return in, realty.FieldError("gross", "is required")
	}
	if f.Get("basis") == "amount" {
		in.GrossAmount = gross
	} else {
		in.GrossRate = gross
	}
	if in.ListingSidePct, err = decimalField(f, "listing_side_pct"); err != nil {
		return in, err
	}
	referral, err := decimalField(f, "referral")
	if err != nil || referral == nil {
		return in, err
	}
	if f.Get("referral_basis") == "amount" {
		in.ReferralAmount = referral
	} else {
		in.ReferralRate = referral
	}
	in.ReferralName = nonEmpty(textField(f, "referral_name"))
	return in, nil
}

// handleDealCommissionAuthorization sends the disbursement authorisation
// generated at closing (deal.Service.CommissionAuthorization: deal.read, as
// GET /api/v1/deals/{id}/commission/authorization).
func (s *site) handleDealCommissionAuthorization(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	page, err := s.Services.Deal.CommissionAuthorization(r.Context(), principalOf(r).Actor, id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write([]byte(page))
}

// dealGCIData is the broker's view of GCI by agent for a year to date.
type dealGCIData struct {
	Year   int
	Agents []deal.AgentGCI
}

// dealGCI loads GCI by agent for the broker's view: it renders with
// {{template "deal-money-gci" .}} (deal.Service.GCI: deal.read, every
// agent with deal.manage, as GET /api/v1/commissions/gci).
func (s *site) dealGCI(r *http.Request, year int) (*dealGCIData, error) {
	agents, err := s.Services.Deal.GCI(r.Context(), principalOf(r).Actor, year)
	return &dealGCIData{Year: year, Agents: agents}, err
}

// handleDealGCI shows GCI by agent on a page of its own; 422 naming year
// for a bad one.
func (s *site) handleDealGCI(w http.ResponseWriter, r *http.Request) {
	year := time.Now().UTC().Year()
	var err error
	if y := r.URL.Query().Get("year"); y != "" {
		if year, err = strconv.Atoi(y); err != nil {
			year, err = 0, realty.FieldError("year", "is not a year")
		}
	}
	var d *dealGCIData
	if err == nil {
		d, err = s.dealGCI(r, year)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "deal_money_gci", s.newView(r, "GCI by agent", d))
}
