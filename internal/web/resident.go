package web

import (
	"net/http"

	"realty/internal/leasing"
	"realty/internal/ledger"
)

// routesResident are the resident portal's pages: their tenancy and
// account, and one of their leases.
func (s *site) routesResident() []route {
	return []route{
		{"GET /resident", enrolled, s.handleResidentHome},
		{"GET /resident/leases/{id}", enrolled, s.handleResidentLease},
	}
}

// residentData is a resident's own tenancy and account.
type residentData struct {
	Tenancy leasing.Tenancy
	Account ledger.ResidentAccount
	Lease   *leasing.Lease
}

// handleResidentHome shows the resident their leases, open invoices,
// payments and balance (leasing.Service.Tenancy and
// ledger.Service.ResidentAccount: tenancy.own, only their own tenant).
func (s *site) handleResidentHome(w http.ResponseWriter, r *http.Request) {
	d, err := s.residentData(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "resident", s.newView(r, "Your home", d))
}

// handleResidentLease shows one lease of the resident's own tenancy
// (leasing.Service.MyLease): another tenant's lease is not found.
func (s *site) handleResidentLease(w http.ResponseWriter, r *http.Request) {
	actor := principalOf(r).Actor
	id, err := pathID(r)
	d := &residentData{}
	if err == nil {
		var l leasing.Lease
		l, err = s.Services.Leasing.MyLease(r.Context(), actor, id)
		d.Lease = &l
	}
	if err == nil {
		d.Account, err = s.Services.Ledger.ResidentAccount(r.Context(), actor)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "resident_lease", s.newView(r, "Your lease", d))
}

func (s *site) residentData(r *http.Request) (*residentData, error) {
	actor := principalOf(r).Actor
	t, err := s.Services.Leasing.Tenancy(r.Context(), actor)
	if err != nil {
		return nil, err
	}
	a, err := s.Services.Ledger.ResidentAccount(r.Context(), actor)
	return &residentData{Tenancy: t, Account: a}, err
}
