package web

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"realty"
	"realty/internal/leasing"
	"realty/internal/ledger"
	"realty/internal/property"
)

// routesLeases are the routes of the leases' pages: list, new, page and
// the lifecycle forms.
func (s *site) routesLeases() []route {
	return []route{
		{"GET /leases", enrolled, s.handleLeaseList},
		{"GET /leases/new", enrolled, s.handleLeaseNew},
		{"POST /leases", enrolled, s.handleLeaseCreate},
		{"GET /leases/{id}", enrolled, s.handleLeaseShow},
		{"POST /leases/{id}/activate", enrolled, s.handleLeaseActivate},
		{"POST /leases/{id}/renew", enrolled, s.handleLeaseRenew},
		{"POST /leases/{id}/terminate", enrolled, s.handleLeaseTerminate},
		{"POST /leases/{id}/move-in", enrolled, s.handleLeaseMoveIn},
		{"POST /leases/{id}/move-out", enrolled, s.handleLeaseMoveOut},
	}
}

// leasesData is the lease list.
type leasesData struct {
	Page     leasing.LeasePage
	Status   string
	Statuses []string
	Next     string
}

// handleLeaseList lists leases, newest start first (leasing.Service.Leases:
// lease.read, as GET /api/v1/leases).
func (s *site) handleLeaseList(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	d := leasesData{Status: q.Get("status"), Statuses: []string{"draft", "active", "expired", "terminated", "renewed"}}
	var err error
	d.Page, err = s.Services.Leasing.Leases(r.Context(), principalOf(r).Actor, leasing.LeaseFilter{Status: d.Status, Cursor: q.Get("cursor")})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if d.Page.NextCursor != "" {
		d.Next = "/leases?" + url.Values{"status": {d.Status}, "cursor": {d.Page.NextCursor}}.Encode()
	}
	s.render(w, r, http.StatusOK, "leases", s.newView(r, "Leases", &d))
}

// leaseFormData is the new-lease form: the unit it rents (chosen on a rent
// roll) and the tenants to pick from.
type leaseFormData struct {
	Form    url.Values
	Unit    *property.Unit
	Tenants []leasing.Tenant
}

// TenantName names a tenant of the list.
func (leaseFormData) TenantName(t leasing.Tenant) string { return tenantName(t) }

func (s *site) renderLeaseForm(w http.ResponseWriter, r *http.Request, code int, f url.Values, err error) {
	actor := principalOf(r).Actor
	d := &leaseFormData{Form: f}
	if id, perr := realty.ParseID(f.Get("unit_id")); perr == nil {
		if u, uerr := s.Services.Property.Unit(r.Context(), actor, id); uerr == nil {
			d.Unit = &u
		}
	}
	tenants, terr := s.Services.Leasing.Tenants(r.Context(), actor, leasing.TenantFilter{Limit: 100})
	if terr != nil {
		s.fail(w, r, terr)
		return
	}
	d.Tenants = tenants.Items
	v := s.newView(r, "New lease", d)
	if err != nil {
		v = s.withErr(r, v, err)
	}
	s.render(w, r, code, "lease_form", v)
}

// handleLeaseNew shows the form for the unit and tenant of the query
// (lease.manage, as POST /api/v1/leases).
func (s *site) handleLeaseNew(w http.ResponseWriter, r *http.Request) {
	if err := principalOf(r).Actor.Require("lease.manage"); err != nil {
		s.fail(w, r, err)
		return
	}
	q := r.URL.Query()
	s.renderLeaseForm(w, r, http.StatusOK, url.Values{"unit_id": {q.Get("unit")}, "tenant_id": {q.Get("tenant")},
		"lease_type": {"fixed"}, "rent_due_day": {"1"}}, nil)
}

// handleLeaseCreate drafts the lease of the form (leasing.Service.CreateLease);
// a refused field comes back in place with 422, an overlap with 409.
func (s *site) handleLeaseCreate(w http.ResponseWriter, r *http.Request) {
	if err := principalOf(r).Actor.Require("lease.manage"); err != nil {
		s.fail(w, r, err)
		return
	}
	if err := r.ParseForm(); err != nil {
		s.fail(w, r, err)
		return
	}
	in, err := leaseInput(r.PostForm)
	var l leasing.Lease
	if err == nil {
		l, err = s.Services.Leasing.CreateLease(r.Context(), principalOf(r).Actor, in)
	}
	if err != nil {
		if k := realty.KindOf(err); k != realty.Invalid && k != realty.Conflict {
			s.fail(w, r, err)
			return
		}
		s.renderLeaseForm(w, r, status(err), r.PostForm, err)
		return
	}
	s.redirect(w, r, "/leases/"+l.ID.String()+"?notice=saved")
}

// leaseInput reads the new-lease form; Invalid naming the field that does
// not parse.
func leaseInput(f url.Values) (leasing.LeaseInput, error) {
	in := leasing.LeaseInput{LeaseType: f.Get("lease_type")}
	var err error
	if in.UnitID, err = realty.ParseID(f.Get("unit_id")); err != nil {
		return in, realty.FieldError("unit_id", "choose a unit on a rent roll")
	}
	tenant, err := realty.ParseID(f.Get("tenant_id"))
	if err != nil {
		return in, realty.FieldError("tenants", "choose a tenant")
	}
	in.Tenants = []leasing.LeaseTenant{{TenantID: tenant, Primary: true}}
	start, err := dateField(f, "start_date")
	if err != nil {
		return in, err
	}
	if start != nil {
		in.StartDate = *start
	}
	if in.EndDate, err = dateField(f, "end_date"); err != nil {
		return in, err
	}
	if in.Rent, err = amountField(f, "rent"); err != nil {
		return in, err
	}
	if dep, err := decimalField(f, "deposit"); err != nil {
		return in, err
	} else if dep != nil {
		in.Deposit = *dep
	}
	if day := strings.TrimSpace(f.Get("rent_due_day")); day != "" {
		if in.RentDueDay, err = strconv.Atoi(day); err != nil {
			return in, realty.FieldError("rent_due_day", "must be between 1 and 31")
		}
	}
	return in, nil
}

// leaseData is a lease's page: the lease, its unit, its tenants' names and
// what it owes.
type leaseData struct {
	Lease   leasing.Lease
	Unit    property.Unit
	Names   map[realty.ID]string
	Balance *ledger.LeaseBalance
	// Deposit is the lease's deposit, for holders of invoice.read.
	Deposit *leasing.Deposit
	Today   string
	Form    url.Values
}

// handleLeaseShow shows a lease (leasing.Service.Lease: lease.read) with
// its unit, tenants and, for holders of invoice.read, its balance.
func (s *site) handleLeaseShow(w http.ResponseWriter, r *http.Request) {
	s.renderLease(w, r, http.StatusOK, "", nil)
}

func (s *site) renderLease(w http.ResponseWriter, r *http.Request, code int, form string, failed error) {
	actor := principalOf(r).Actor
	id, err := pathID(r)
	d := &leaseData{Names: map[realty.ID]string{}, Today: realty.DateOf(time.Now()).String(), Form: r.PostForm}
	if err == nil {
		d.Lease, err = s.Services.Leasing.Lease(r.Context(), actor, id)
	}
	if err == nil {
		d.Unit, err = s.Services.Property.Unit(r.Context(), actor, d.Lease.UnitID)
	}
	for _, lt := range d.Lease.Tenants {
		if err == nil {
			var t leasing.Tenant
			t, err = s.Services.Leasing.Tenant(r.Context(), actor, lt.TenantID)
			d.Names[lt.TenantID] = tenantName(t)
		}
	}
	if err == nil && actor.Can("invoice.read") {
		b, berr := s.Services.Ledger.LeaseBalance(r.Context(), actor, id)
		if berr == nil {
			d.Balance = &b
		} else if realty.KindOf(berr) != realty.NotFound {
			err = berr
		}
	}
	if err == nil && actor.Can("invoice.read") {
		dep, derr := s.Services.Leasing.LeaseDeposit(r.Context(), actor, id)
		if derr == nil {
			d.Deposit = &dep
		} else if realty.KindOf(derr) != realty.Forbidden {
			err = derr
		}
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	v := s.newView(r, "Lease of unit "+d.Unit.UnitNumber, d)
	if failed != nil {
		v = s.withErr(r, v, failed)
		v.Form = form
	}
	s.render(w, r, code, "lease", v)
}

// leaseAction runs one lifecycle step on the lease of the route and comes
// back to its page (with the refusal in place when the step is refused).
func (s *site) leaseAction(w http.ResponseWriter, r *http.Request, form string, do func(realty.Actor, realty.ID, url.Values) (leasing.Lease, error)) {
	id, err := pathID(r)
	if err == nil {
		err = r.ParseForm()
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	l, err := do(principalOf(r).Actor, id, r.PostForm)
	if err != nil {
		if k := realty.KindOf(err); k != realty.Invalid && k != realty.Conflict {
			s.fail(w, r, err)
			return
		}
		s.renderLease(w, r, status(err), form, err)
		return
	}
	s.redirect(w, r, "/leases/"+l.ID.String()+"?notice=saved")
}

// requiredDate reads a required date field.
func requiredDate(f url.Values, name string) (realty.Date, error) {
	d, err := dateField(f, name)
	if err == nil && d == nil {
		err = realty.FieldError(name, "is required")
	}
	if err != nil {
		return realty.Date{}, err
	}
	return *d, nil
}

// handleLeaseActivate activates a draft, occupying its unit
// (leasing.Service.Activate: lease.manage).
func (s *site) handleLeaseActivate(w http.ResponseWriter, r *http.Request) {
	s.leaseAction(w, r, "activate", func(a realty.Actor, id realty.ID, _ url.Values) (leasing.Lease, error) {
		return s.Services.Leasing.Activate(r.Context(), a, id)
	})
}

// handleLeaseRenew creates the successor of an active lease with its
// increase (leasing.Service.Renew: lease.manage) and shows the successor.
func (s *site) handleLeaseRenew(w http.ResponseWriter, r *http.Request) {
	s.leaseAction(w, r, "renew", func(a realty.Actor, id realty.ID, f url.Values) (leasing.Lease, error) {
		in := leasing.RenewInput{Activate: f.Get("activate") != ""}
		var err error
		if in.EndDate, err = dateField(f, "end_date"); err != nil {
			return leasing.Lease{}, err
		}
		if in.IncreasePct, err = decimalField(f, "increase_pct"); err != nil {
			return leasing.Lease{}, err
		}
		return s.Services.Leasing.Renew(r.Context(), a, id, in)
	})
}

// handleLeaseTerminate ends an active lease on a date, freeing its unit
// (leasing.Service.Terminate: lease.manage).
func (s *site) handleLeaseTerminate(w http.ResponseWriter, r *http.Request) {
	s.leaseAction(w, r, "terminate", func(a realty.Actor, id realty.ID, f url.Values) (leasing.Lease, error) {
		if err := a.Require("lease.manage"); err != nil {
			return leasing.Lease{}, err
		}
		date, err := requiredDate(f, "date")
		if err != nil {
			return leasing.Lease{}, err
		}
		return s.Services.Leasing.Terminate(r.Context(), a, id, date, strings.TrimSpace(f.Get("reason")))
	})
}

// handleLeaseMoveIn records the move-in date (leasing.Service.MoveIn).
func (s *site) handleLeaseMoveIn(w http.ResponseWriter, r *http.Request) {
	s.leaseMove(w, r, "move-in", s.Services.Leasing.MoveIn)
}

// handleLeaseMoveOut records the move-out date (leasing.Service.MoveOut).
func (s *site) handleLeaseMoveOut(w http.ResponseWriter, r *http.Request) {
	s.leaseMove(w, r, "move-out", s.Services.Leasing.MoveOut)
}

func (s *site) leaseMove(w http.ResponseWriter, r *http.Request, form string,
	move func(context.Context, realty.Actor, realty.ID, realty.Date) (leasing.Lease, error)) {
	s.leaseAction(w, r, form, func(a realty.Actor, id realty.ID, f url.Values) (leasing.Lease, error) {
		if err := a.Require("lease.manage"); err != nil {
			return leasing.Lease{}, err
		}
		date, err := requiredDate(f, "date")
		if err != nil {
			return leasing.Lease{}, err
		}
		return move(r.Context(), a, id, date)
	})
}
