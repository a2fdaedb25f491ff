package web

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"realty"
	"realty/internal/idempotency"
	"realty/internal/ledger"
	"realty/internal/maintenance"
	"realty/internal/property"
)

// routesBills are the payables pages: the bills list, a bill with its
// approve, pay and void forms, and the new bill or expense form.
func (s *site) routesBills() []route {
	return []route{
		{"GET /bills", enrolled, s.handleBillList},
		{"GET /bills/new", enrolled, s.handleBillNew},
		{"POST /bills", enrolled, s.handleBillCreate},
		{"GET /bills/{id}", enrolled, s.handleBillPage},
		{"POST /bills/{id}/submit", enrolled, s.handleBillSubmit},
		{"POST /bills/{id}/approve", enrolled, s.handleBillApprove},
		{"POST /bills/{id}/void", enrolled, s.handleBillVoid},
		{"POST /bills/{id}/payments", enrolled, s.handleBillPay},
	}
}

type billsData struct {
	Status, Kind string
	Page         ledger.BillPage
	Next         string
}

// handleBillList lists bills by due date, filtered by status and kind
// (ledger.Service.Bills: bill.read, as GET /api/v1/bills).
func (s *site) handleBillList(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	d := billsData{Status: q.Get("status"), Kind: q.Get("kind")}
	var err error
	d.Page, err = s.Services.Ledger.Bills(r.Context(), principalOf(r).Actor,
		ledger.BillFilter{Status: d.Status, Kind: d.Kind, Cursor: q.Get("cursor"), Limit: 50})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if d.Page.NextCursor != "" {
		d.Next = "/bills?" + url.Values{"status": {d.Status}, "kind": {d.Kind}, "cursor": {d.Page.NextCursor}}.Encode()
	}
	s.render(w, r, http.StatusOK, "bills", s.newView(r, "Bills and expenses", &d))
}

// billFormData is the new bill or expense form: the expense accounts and
// properties to choose from, and the form as sent when refused.
type billFormData struct {
	Kind       string
	Key, Today string
	Accounts   []ledger.Account
	Properties []property.Property
	// Vendors are the active vendors to choose from; nil when the member
	// may not read vendors (the form asks for an id).
	Vendors []maintenance.Vendor
	Form    url.Values
}

// handleBillNew shows the new bill form (?kind=expense: an expense paid at
// once). Forbidden without bill.manage.
func (s *site) handleBillNew(w http.ResponseWriter, r *http.Request) {
	if err := principalOf(r).Actor.Require("bill.manage"); err != nil {
		s.fail(w, r, err)
		return
	}
	s.renderBillForm(w, r, http.StatusOK, r.URL.Query().Get("kind"), nil, nil)
}

func (s *site) renderBillForm(w http.ResponseWriter, r *http.Request, code int, kind string, form url.Values, failed error) {
	actor := principalOf(r).Actor
	if kind != "expense" {
		kind = "bill"
	}
	d := &billFormData{Kind: kind, Key: realty.NewID().String(), Today: realty.DateOf(time.Now()).String(), Form: form}
	if form == nil {
		d.Form = url.Values{}
	}
	accounts, err := s.Services.Ledger.Accounts(r.Context(), actor)
	if err != nil && realty.KindOf(err) != realty.Forbidden {
		s.fail(w, r, err)
		return
	}
	for _, a := range accounts {
		if a.Type == "expense" && a.Active {
			d.Accounts = append(d.Accounts, a)
		}
	}
	if d.Properties, err = s.pickProperties(r.Context(), actor); err == nil {
		d.Vendors, err = s.pickVendors(r.Context(), actor)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	title := "New bill"
	if kind == "expense" {
		title = "New expense"
	}
	v := s.newView(r, title, d)
	if failed != nil {
		v = s.withErr(r, v, failed)
	}
	s.render(w, r, code, "bill_form", v)
}

// handleBillCreate records a bill or expense of one line from the form
// (ledger.Service.CreateBillTx: bill.manage, as POST /api/v1/bills) under
// the form's idempotency key, so a form sent twice records one bill.
func (s *site) handleBillCreate(w http.ResponseWriter, r *http.Request) {
	actor := principalOf(r).Actor
	err := actor.Require("bill.manage")
	if err == nil {
		err = r.ParseForm()
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	f := r.PostForm
	in, err := billFormInput(f)
	var b ledger.VendorBill
	if err == nil {
		err = s.once(r, "bill", f.Get("key"), in, func(tx pgx.Tx) (any, error) {
			var err error
			b, err = s.Services.Ledger.CreateBillTx(r.Context(), tx, actor, in)
			return b, err
		})
	}
	if err != nil {
		if k := realty.KindOf(err); k != realty.Invalid && k != realty.Conflict {
			s.fail(w, r, err)
			return
		}
		s.renderBillForm(w, r, status(err), f.Get("kind"), f, err)
		return
	}
	if b.ID.IsZero() { // the form was sent before: its bill is in the list
		s.redirect(w, r, "/bills?notice=saved")
		return
	}
	s.redirect(w, r, "/bills/"+b.ID.String()+"?notice=saved")
}

// billFormInput reads the one-line bill form; Invalid names the field as
// the API would (lines[0].amount).
func billFormInput(f url.Values) (ledger.VendorBillInput, error) {
	in := ledger.VendorBillInput{Kind: f.Get("kind"), Reference: f.Get("reference"), Memo: f.Get("memo"), Submit: f.Get("submit") != ""}
	line := ledger.VendorBillLineInput{Description: f.Get("description")}
	vendor, err := idField(f, "vendor_id")
	if err == nil && vendor == nil {
		err = realty.FieldError("vendor_id", "is required")
	}
	if err != nil {
		return in, err
	}
	in.VendorID = *vendor
	if in.PropertyID, err = idField(f, "property_id"); err != nil {
		return in, err
	}
	account, err := idField(f, "account_id")
	if err == nil && account == nil {
		err = realty.FieldError("lines[0].account_id", "is required")
	}
	if err != nil {
		return in, err
	}
	line.AccountID = *account
	if line.Amount, err = amountField(f, "amount"); err != nil {
		return in, realty.FieldError("lines[0].amount", realty.FieldsOf(err)["amount"])
	}
	in.Lines = []ledger.VendorBillLineInput{line}
	tax, err := decimalField(f, "tax")
	if err != nil {
		return in, err
	}
	if tax != nil {
		in.Tax = *tax
	}
	if in.BillDate, err = dateField(f, "bill_date"); err != nil {
		return in, err
	}
	in.DueDate, err = dateField(f, "due_date")
	return in, err
}

// once runs work under the form's idempotency key (scoped to the
// organization and the user, like the API's), in the transaction that
// stores the key: the same form sent again runs nothing.
func (s *site) once(r *http.Request, form, key string, body any, work func(pgx.Tx) (any, error)) error {
	actor := principalOf(r).Actor
	if key == "" {
		return realty.FieldError("key", "the form is stale: reload the page")
	}
	req := idempotency.Request{Key: "web-" + form + "-" + key, Principal: actor.UserID, Method: http.MethodPost, Route: r.Pattern, Body: body}
	_, _, err := s.Services.Idempotency.Do(r.Context(), actor, req, func(tx pgx.Tx) (idempotency.Response, error) {
		out, err := work(tx)
		if err != nil {
			return idempotency.Response{}, err
		}
		data, err := json.Marshal(out)
		return idempotency.Response{Status: http.StatusSeeOther, Header: map[string]string{"Content-Type": "application/json"}, Body: data}, err
	})
	return err
}

type billData struct {
	Bill       ledger.VendorBill
	Accounts   map[realty.ID]string
	Key, Today string
	// OwnAboveThreshold says the viewer created this bill and it is above
	// the threshold: they may not approve it.
	OwnAboveThreshold bool
	Threshold         ledger.Money
}

// Account is an account's code and name, or its id.
func (d billData) Account(id realty.ID) string {
	if n, ok := d.Accounts[id]; ok {
		return n
	}
	return id.String()
}

// handleBillPage shows a bill with its lines, payments and the forms its
// status allows (ledger.Service.Bill: bill.read).
func (s *site) handleBillPage(w http.ResponseWriter, r *http.Request) {
	s.renderBill(w, r, http.StatusOK, "", nil)
}

func (s *site) renderBill(w http.ResponseWriter, r *http.Request, code int, form string, failed error) {
	actor := principalOf(r).Actor
	id, err := pathID(r)
	d := &billData{Accounts: map[realty.ID]string{}, Key: realty.NewID().String(), Today: realty.DateOf(time.Now()).String()}
	if err == nil {
		d.Bill, err = s.Services.Ledger.Bill(r.Context(), actor, id)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if accounts, err := s.Services.Ledger.Accounts(r.Context(), actor); err == nil {
		for _, a := range accounts {
			d.Accounts[a.ID] = a.Code + " " + a.Name
		}
	}
	if st, err := s.Services.Ledger.GetSettings(r.Context(), actor); err == nil {
		d.Threshold = st.BillApprovalThreshold
		d.OwnAboveThreshold = d.Bill.CreatedBy != nil && *d.Bill.CreatedBy == actor.UserID && d.Bill.Total.GreaterThan(st.BillApprovalThreshold.Decimal)
	}
	title := "Bill"
	if d.Bill.Reference != nil {
		title += " " + *d.Bill.Reference
	}
	v := s.newView(r, title, d)
	if failed != nil {
		v = s.withErr(r, v, failed)
		v.Form = form
	}
	s.render(w, r, code, "bill", v)
}

// billFailed shows the bill again with the refused form's error, or fails
// the request for an error no form can fix.
func (s *site) billFailed(w http.ResponseWriter, r *http.Request, form string, err error) {
	if k := realty.KindOf(err); k != realty.Invalid && k != realty.Conflict && k != realty.Forbidden {
		s.fail(w, r, err)
		return
	}
	// Forbidden is shown on the page only to an approver refused their own
	// bill above the threshold; any other is the plain 403.
	if realty.KindOf(err) == realty.Forbidden && (form != "approve" || !principalOf(r).Actor.Can("bill.approve")) {
		s.fail(w, r, err)
		return
	}
	s.renderBill(w, r, status(err), form, err)
}

func (s *site) billStep(w http.ResponseWriter, r *http.Request, form string, do func(context.Context, realty.Actor, realty.ID) (ledger.VendorBill, error)) {
	id, err := pathID(r)
	if err == nil {
		_, err = do(r.Context(), principalOf(r).Actor, id)
	}
	if err != nil {
		s.billFailed(w, r, form, err)
		return
	}
	s.redirect(w, r, "/bills/"+id.String()+"?notice=saved")
}

// handleBillSubmit submits a draft (ledger.Service.SubmitBill: bill.manage).
func (s *site) handleBillSubmit(w http.ResponseWriter, r *http.Request) {
	s.billStep(w, r, "submit", s.Services.Ledger.SubmitBill)
}

// handleBillApprove approves a bill (ledger.Service.ApproveBill:
// bill.approve; one's own above the threshold is refused on the page, 403).
func (s *site) handleBillApprove(w http.ResponseWriter, r *http.Request) {
	s.billStep(w, r, "approve", s.Services.Ledger.ApproveBill)
}

// handleBillVoid voids a bill (ledger.Service.VoidBill: bill.manage).
func (s *site) handleBillVoid(w http.ResponseWriter, r *http.Request) {
	s.billStep(w, r, "void", s.Services.Ledger.VoidBill)
}

// handleBillPay records a payment of the bill (ledger.Service.PayBillTx:
// bill.pay, as POST /api/v1/bills/{id}/payments) under the form's
// idempotency key.
func (s *site) handleBillPay(w http.ResponseWriter, r *http.Request) {
	actor := principalOf(r).Actor
	id, err := pathID(r)
	if err == nil {
		err = actor.Require("bill.pay")
	}
	if err == nil {
		err = r.ParseForm()
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	f := r.PostForm
	in := ledger.BillPaymentInput{Method: f.Get("method"), Reference: strings.TrimSpace(f.Get("reference"))}
	in.Amount, err = amountField(f, "amount")
	if err == nil {
		in.PaidOn, err = dateField(f, "paid_on")
	}
	if err == nil {
		err = s.once(r, "bill-payment", f.Get("key"), []any{id, in}, func(tx pgx.Tx) (any, error) {
			return s.Services.Ledger.PayBillTx(r.Context(), tx, actor, id, in)
		})
	}
	if err != nil {
		s.billFailed(w, r, "pay", err)
		return
	}
	s.redirect(w, r, "/bills/"+id.String()+"?notice=paid")
}
