package web

import (
	"net/http"
	"net/url"
	"strings"
	"time"

	"realty"
	"realty/internal/leasing"
	"realty/internal/ledger"
)

// routesTenants are the routes of the tenants' pages: list, new, page.
func (s *site) routesTenants() []route {
	return []route{
		{"GET /tenants", enrolled, s.handleTenantList},
		{"GET /tenants/new", enrolled, s.handleTenantNew},
		{"POST /tenants", enrolled, s.handleTenantCreate},
		{"GET /tenants/{id}", enrolled, s.handleTenantShow},
	}
}

// tenantsData is the tenant list.
type tenantsData struct {
	Page leasing.TenantPage
	Q    string
	Next string
}

// handleTenantList lists tenants by name (leasing.Service.Tenants:
// lease.read, as GET /api/v1/tenants).
func (s *site) handleTenantList(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	d := tenantsData{Q: q.Get("q")}
	var err error
	d.Page, err = s.Services.Leasing.Tenants(r.Context(), principalOf(r).Actor,
		leasing.TenantFilter{Query: d.Q, Status: q.Get("status"), Cursor: q.Get("cursor")})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if d.Page.NextCursor != "" {
		d.Next = "/tenants?" + url.Values{"q": {d.Q}, "cursor": {d.Page.NextCursor}}.Encode()
	}
	s.render(w, r, http.StatusOK, "tenants", s.newView(r, "Tenants", &d))
}

// tenantFormData is the new-tenant form as typed.
type tenantFormData struct{ Form url.Values }

// handleTenantNew shows the empty form (lease.manage, as POST /api/v1/tenants).
func (s *site) handleTenantNew(w http.ResponseWriter, r *http.Request) {
	if err := principalOf(r).Actor.Require("lease.manage"); err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "tenant_form", s.newView(r, "New tenant", &tenantFormData{Form: url.Values{"kind": {"person"}}}))
}

// handleTenantCreate adds the tenant of the form (leasing.Service.CreateTenant);
// a refused field comes back in place with 422.
func (s *site) handleTenantCreate(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		s.fail(w, r, err)
		return
	}
	f := r.PostForm
	in := leasing.TenantInput{Kind: f.Get("kind"), FirstName: nonEmpty(textField(f, "first_name")), LastName: nonEmpty(textField(f, "last_name")),
		CompanyName: nonEmpty(textField(f, "company_name")), Email: nonEmpty(textField(f, "email")), Phone: nonEmpty(textField(f, "phone")),
		Notes: nonEmpty(textField(f, "notes"))}
	t, err := s.Services.Leasing.CreateTenant(r.Context(), principalOf(r).Actor, in)
	if err != nil {
		if realty.KindOf(err) != realty.Invalid && realty.KindOf(err) != realty.Conflict {
			s.fail(w, r, err)
			return
		}
		s.render(w, r, status(err), "tenant_form", s.withErr(r, s.newView(r, "New tenant", &tenantFormData{Form: f}), err))
		return
	}
	s.redirect(w, r, "/tenants/"+t.ID.String()+"?notice=saved")
}

// tenantData is a tenant's page: their facts, leases, ledger (with its
// running balance) and invoices, and the forms to record a payment and
// charge them.
type tenantData struct {
	Tenant   leasing.Tenant
	Leases   []leasing.Lease
	Ledger   ledger.TenantLedgerPage
	Invoices []ledger.Invoice
	// Balance is what the tenant owes after the last ledger row shown.
	Balance ledger.Money
	Today   string
	// Key is the payment form's idempotency key, new each time the page
	// is drawn; Form what a refused form held.
	Key  string
	Form url.Values
}

// Name is the tenant's name as people read it.
func (d tenantData) Name() string { return tenantName(d.Tenant) }

func tenantName(t leasing.Tenant) string {
	if t.CompanyName != nil {
		return *t.CompanyName
	}
	var parts []string
	for _, p := range []*string{t.FirstName, t.LastName} {
		if p != nil {
			parts = append(parts, *p)
		}
	}
	return strings.Join(parts, " ")
}

// handleTenantShow shows a tenant (leasing.Service.Tenant: lease.read),
// their leases, and, for holders of invoice.read, their ledger
// (ledger.Service.TenantLedger; a tenant never billed has an empty one) and
// invoices.
func (s *site) handleTenantShow(w http.ResponseWriter, r *http.Request) {
	d, err := s.tenantData(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "tenant", s.newView(r, d.Name(), d))
}

func (s *site) tenantData(r *http.Request) (*tenantData, error) {
	actor := principalOf(r).Actor
	id, err := pathID(r)
	if err != nil {
		return nil, err
	}
	d := &tenantData{Today: realty.DateOf(time.Now()).String(), Key: realty.NewID().String(), Form: r.PostForm}
	if d.Tenant, err = s.Services.Leasing.Tenant(r.Context(), actor, id); err != nil {
		return nil, err
	}
	leases, err := s.Services.Leasing.Leases(r.Context(), actor, leasing.LeaseFilter{TenantID: &id})
	if err != nil {
		return nil, err
	}
	d.Leases = leases.Items
	if !actor.Can("invoice.read") {
		return d, nil
	}
	d.Ledger, err = s.Services.Ledger.TenantLedger(r.Context(), actor, id, r.URL.Query().Get("cursor"), ledger.MaxPage)
	if realty.KindOf(err) == realty.NotFound {
		d.Ledger, err = ledger.TenantLedgerPage{Items: []ledger.TenantLedgerRow{}}, nil
	}
	if err != nil {
		return nil, err
	}
	d.Balance = d.Ledger.Opening
	if n := len(d.Ledger.Items); n > 0 {
		d.Balance = d.Ledger.Items[n-1].Balance
	}
	inv, err := s.Services.Ledger.Invoices(r.Context(), actor, ledger.InvoiceFilter{TenantID: &id})
	d.Invoices = inv.Items
	return d, err
}
