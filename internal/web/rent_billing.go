package web

import (
	"context"
	"net/http"
	"time"

	"realty"
	"realty/internal/leasing"
	"realty/internal/ledger"
)

// routesRentBilling are the billing run's page: the preview of a month and
// the run itself.
func (s *site) routesRentBilling() []route {
	return []route{
		{"GET /billing", enrolled, s.handleBillingPreview},
		{"POST /billing", enrolled, s.handleBillingRun},
	}
}

// billingData is a billing run's preview or result, with the tenants'
// names.
type billingData struct {
	Period  string
	Billing leasing.Billing
	// Ran says Billing is what a run wrote rather than a preview.
	Ran   bool
	Names map[realty.ID]string
}

// Name is the tenant's name, or its id when it cannot be read.
func (d billingData) Name(id realty.ID) string {
	if n, ok := d.Names[id]; ok {
		return n
	}
	return id.String()
}

// Count is how many invoices and late fees the preview or run lists.
func (d billingData) Count() int { return len(d.Billing.Invoices) + len(d.Billing.LateFees) }

// handleBillingPreview shows what a billing run for the month of the query
// (this month in the organization's time zone by default) would write
// (leasing.Service.PreviewBilling: invoice.read); a month that is not
// YYYY-MM is refused on the page, 422.
func (s *site) handleBillingPreview(w http.ResponseWriter, r *http.Request) {
	s.billingPage(w, r, r.URL.Query().Get("period"), s.Services.Leasing.PreviewBilling, false)
}

// handleBillingRun runs the billing for the month of the form
// (leasing.Service.RunBilling: invoice.manage) and shows what it wrote.
// Its natural keys make it safe to send twice: a second run writes nothing
// and says how many it skipped.
func (s *site) handleBillingRun(w http.ResponseWriter, r *http.Request) {
	if err := principalOf(r).Actor.Require("invoice.manage"); err != nil {
		s.fail(w, r, err)
		return
	}
	if err := r.ParseForm(); err != nil {
		s.fail(w, r, err)
		return
	}
	month := r.PostForm.Get("period")
	if month == "" {
		s.billingPage(w, r, month, nil, true)
		return
	}
	s.billingPage(w, r, month, s.Services.Leasing.RunBilling, true)
}

// billingPage previews or runs (do) the billing of month and renders the
// page; a refused month shows the form again with the reason (a nil do:
// the month is missing).
func (s *site) billingPage(w http.ResponseWriter, r *http.Request, month string,
	do func(ctx context.Context, actor realty.Actor, period realty.Date) (leasing.Billing, error), ran bool) {
	actor := principalOf(r).Actor
	d := &billingData{Period: month, Ran: ran, Names: map[realty.ID]string{}}
	v := s.newView(r, "Billing run", d)
	err := actor.Require("invoice.read")
	switch {
	case do == nil:
		err = realty.FieldError("period", "is required")
	case d.Period == "":
		d.Period = time.Now().In(v.Zone()).Format("2006-01")
	}
	var period realty.Date
	if err == nil {
		period, err = leasing.ParsePeriod(d.Period)
	}
	if err == nil {
		d.Billing, err = do(r.Context(), actor, period)
	}
	if realty.KindOf(err) == realty.Invalid || realty.KindOf(err) == realty.Conflict {
		d.Ran = false
		s.render(w, r, status(err), "billing", s.withErr(r, v, err))
		return
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if actor.Can("lease.read") {
		s.billingNames(r, d, d.Billing.Invoices, d.Billing.LateFees)
	}
	s.render(w, r, http.StatusOK, "billing", v)
}

// billingNames fills d.Names with the tenants of the bills in one read; a
// tenant that cannot be read keeps its id.
func (s *site) billingNames(r *http.Request, d *billingData, lists ...[]ledger.Bill) {
	var ids []realty.ID
	for _, l := range lists {
		for _, b := range l {
			ids = append(ids, b.TenantID)
		}
	}
	if names, err := s.Services.Leasing.TenantNames(r.Context(), principalOf(r).Actor, ids); err == nil {
		d.Names = names
	}
}
