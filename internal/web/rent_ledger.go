package web

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/shopspring/decimal"

	"realty"
	"realty/internal/idempotency"
	"realty/internal/ledger"
)

// routesRentLedger are the money forms of a tenant's page: record a
// payment, charge an invoice, issue and void one.
func (s *site) routesRentLedger() []route {
	return []route{
		{"POST /tenants/{id}/payments", enrolled, s.handlePaymentRecord},
		{"POST /tenants/{id}/invoices", enrolled, s.handleInvoiceDraft},
		{"POST /invoices/{id}/issue", enrolled, s.handleInvoiceIssue},
		{"POST /invoices/{id}/void", enrolled, s.handleInvoiceVoid},
	}
}

// tenantFormFailed shows the tenant's page again with the refused form
// (named form) and its error, at the error's status.
func (s *site) tenantFormFailed(w http.ResponseWriter, r *http.Request, form string, err error) {
	k := realty.KindOf(err)
	if k != realty.Invalid && k != realty.Conflict {
		s.fail(w, r, err)
		return
	}
	d, derr := s.tenantData(r)
	if derr != nil {
		s.fail(w, r, derr)
		return
	}
	v := s.withErr(r, s.newView(r, d.Name(), d), err)
	v.Form = form
	s.render(w, r, status(err), "tenant", v)
}

// amountField reads a required amount; Invalid naming the field.
func amountField(f url.Values, name string) (decimal.Decimal, error) {
	d, err := decimalField(f, name)
	if err != nil {
		return decimal.Zero, err
	}
	if d == nil {
		return decimal.Zero, realty.FieldError(name, "is required")
	}
	return *d, nil
}

// handlePaymentRecord records a payment from the tenant and applies it to
// their open invoices oldest due first (ledger.Service.RecordPayment with
// automatic allocation: payment.record, as POST /api/v1/payments). The
// form carries an idempotency key made when the page was drawn, so a form
// sent twice records one payment.
func (s *site) handlePaymentRecord(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err == nil {
		err = principalOf(r).Actor.Require("payment.record")
	}
	if err == nil {
		err = r.ParseForm()
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	f := r.PostForm
	in := ledger.PaymentInput{TenantID: id, Method: f.Get("method"), Reference: strings.TrimSpace(f.Get("reference")), Auto: true}
	in.Amount, err = amountField(f, "amount")
	if err == nil {
		in.ReceivedOn, err = dateField(f, "received_on")
	}
	if err == nil {
		err = s.recordPaymentOnce(r, f.Get("key"), in)
	}
	if err != nil {
		s.tenantFormFailed(w, r, "payment", err)
		return
	}
	s.redirect(w, r, "/tenants/"+id.String()+"?notice=payment-recorded#ledger")
}

// handleInvoiceDraft charges the tenant: a draft invoice of one line
// (ledger.Service.CreateInvoice: invoice.manage, as POST /api/v1/invoices),
// issued at once when asked.
func (s *site) handleInvoiceDraft(w http.ResponseWriter, r *http.Request) {
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
	in := ledger.InvoiceInput{TenantID: id, Memo: strings.TrimSpace(f.Get("memo"))}
	line := ledger.InvoiceLineInput{Type: f.Get("type"), Description: f.Get("description")}
	if line.Amount, err = amountField(f, "amount"); err != nil {
		err = realty.FieldError("lines[0].amount", realty.FieldsOf(err)["amount"])
	}
	in.Lines = []ledger.InvoiceLineInput{line}
	var due *realty.Date
	if err == nil {
		due, err = dateField(f, "due_date")
	}
	if err == nil && due == nil {
		err = realty.FieldError("due_date", "is required")
	}
	if err == nil {
		in.DueDate = *due
		if lease := f.Get("lease_id"); lease != "" {
			lid, perr := realty.ParseID(lease)
			if perr != nil {
				err = realty.FieldError("lease_id", "is not an id")
			}
			in.LeaseID = &lid
		}
	}
	var inv ledger.Invoice
	if err == nil {
		inv, err = s.Services.Ledger.CreateInvoice(r.Context(), actor, in)
	}
	if err == nil && f.Get("issue") != "" {
		_, err = s.Services.Ledger.IssueInvoice(r.Context(), actor, inv.ID)
	}
	if err != nil {
		s.tenantFormFailed(w, r, "invoice", err)
		return
	}
	s.redirect(w, r, "/tenants/"+id.String()+"?notice=saved#invoices")
}

// handleInvoiceIssue issues a draft (ledger.Service.IssueInvoice:
// invoice.manage) and returns to its tenant's page.
func (s *site) handleInvoiceIssue(w http.ResponseWriter, r *http.Request) {
	s.invoiceAction(w, r, s.Services.Ledger.IssueInvoice)
}

// handleInvoiceVoid voids an issued invoice, un-applying its payments
// (ledger.Service.VoidInvoice: invoice.manage).
func (s *site) handleInvoiceVoid(w http.ResponseWriter, r *http.Request) {
	s.invoiceAction(w, r, s.Services.Ledger.VoidInvoice)
}

func (s *site) invoiceAction(w http.ResponseWriter, r *http.Request, do func(context.Context, realty.Actor, realty.ID) (ledger.Invoice, error)) {
	id, err := pathID(r)
	var inv ledger.Invoice
	if err == nil {
		inv, err = do(r.Context(), principalOf(r).Actor, id)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.redirect(w, r, "/tenants/"+inv.TenantID.String()+"?notice=saved#invoices")
}

// recordPaymentOnce records the payment under the form's idempotency key
// (scoped to the organization and the user, like the API's): the same
// form sent again changes nothing.
func (s *site) recordPaymentOnce(r *http.Request, key string, in ledger.PaymentInput) error {
	actor := principalOf(r).Actor
	req := idempotency.Request{Key: "web-payment-" + key, Principal: actor.UserID, Method: http.MethodPost,
		Route: "/tenants/{id}/payments", Body: in}
	if key == "" {
		return realty.FieldError("key", "the form is stale: reload the page")
	}
	_, _, err := s.Services.Idempotency.Do(r.Context(), actor, req, func(tx pgx.Tx) (idempotency.Response, error) {
		res, err := s.Services.Ledger.RecordPaymentTx(r.Context(), tx, actor, in)
		if err != nil {
			return idempotency.Response{}, err
		}
		body, err := json.Marshal(res)
		return idempotency.Response{Status: http.StatusSeeOther, Header: map[string]string{"Content-Type": "application/json"}, Body: body}, err
	})
	return err
}
