package web

import (
	"net/http"
	"slices"
	"strings"
	"time"

	"realty"
	"realty/internal/leasing"
	"realty/internal/ledger"
	"realty/internal/property"
)

// routesRentReports are the rent roll and AR aging pages.
func (s *site) routesRentReports() []route {
	return []route{
		{"GET /rent-roll", enrolled, s.handleRentRoll},
		{"GET /aging", enrolled, s.handleAging},
	}
}

// rentRollData is one property's rent roll and the properties to choose
// from.
type rentRollData struct {
	Properties []property.Property
	Property   *property.Property
	Roll       leasing.RentRoll
}

// handleRentRoll shows the rent roll of the property of the query (the
// first leased property by name when none is chosen): every unit with its active lease,
// tenant, dates, rent, balance and status (leasing.Service.RentRoll:
// lease.read and invoice.read).
func (s *site) handleRentRoll(w http.ResponseWriter, r *http.Request) {
	actor := principalOf(r).Actor
	if err := actor.Require("lease.read"); err != nil {
		s.fail(w, r, err)
		return
	}
	d, err := s.rentRollChoice(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if d.Property != nil {
		d.Roll, err = s.Services.Leasing.RentRoll(r.Context(), actor, d.Property.ID,
			leasing.RentRollSources{Units: s.Services.Property.Units, Balances: s.Services.Ledger.LeaseBalances})
		if err != nil {
			s.fail(w, r, err)
			return
		}
	}
	s.render(w, r, http.StatusOK, "rent_roll", s.newView(r, "Rent roll", d))
}

// agingData is AR aging as of a day, with the tenants' names.
type agingData struct {
	Aging ledger.Aging
	Names map[realty.ID]string
}

// Name is the tenant's name, or its id when it cannot be read.
func (d agingData) Name(id *realty.ID) string {
	if id == nil {
		return ""
	}
	if n, ok := d.Names[*id]; ok {
		return n
	}
	return id.String()
}

// handleAging shows AR aging as of the day of the query (today by
// default), per tenant and in total (ledger.Service.Aging: invoice.read).
func (s *site) handleAging(w http.ResponseWriter, r *http.Request) {
	actor := principalOf(r).Actor
	asOf := realty.DateOf(time.Now())
	err := actor.Require("invoice.read")
	var day *realty.Date
	if err == nil {
		day, err = dateField(r.URL.Query(), "as_of")
	}
	if err == nil && day != nil {
		asOf = *day
	}
	d := &agingData{Names: map[realty.ID]string{}}
	if err == nil {
		d.Aging, err = s.Services.Ledger.Aging(r.Context(), actor, asOf)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if actor.Can("lease.read") {
		ids := make([]realty.ID, 0, len(d.Aging.Tenants))
		for _, row := range d.Aging.Tenants {
			ids = append(ids, *row.TenantID)
		}
		if names, err := s.Services.Leasing.TenantNames(r.Context(), actor, ids); err == nil {
			d.Names = names
		}
	}
	s.render(w, r, http.StatusOK, "aging", s.newView(r, "AR aging", d))
}

// rentRollChoice is the rent roll page's property list (the properties
// with leases, by name) and the property shown: the one of the query, else
// the first of the list.
func (s *site) rentRollChoice(r *http.Request) (*rentRollData, error) {
	actor := principalOf(r).Actor
	ids, err := s.Services.Leasing.LeasedProperties(r.Context(), actor)
	if err != nil {
		return nil, err
	}
	d := &rentRollData{}
	chosen := r.URL.Query().Get("property")
	if id, perr := realty.ParseID(chosen); perr == nil && !slices.Contains(ids, id) {
		ids = append(ids, id)
	} else if perr != nil && chosen != "" {
		return nil, &realty.Error{Kind: realty.NotFound, Message: "property not found"}
	}
	for _, id := range ids {
		p, err := s.Services.Property.Get(r.Context(), actor, id)
		if err != nil {
			return nil, err
		}
		d.Properties = append(d.Properties, p)
	}
	slices.SortFunc(d.Properties, func(a, b property.Property) int { return strings.Compare(propertyLabel(a), propertyLabel(b)) })
	for i := range d.Properties {
		if d.Properties[i].ID.String() == chosen || (chosen == "" && i == 0) {
			d.Property = &d.Properties[i]
		}
	}
	return d, nil
}

func propertyLabel(p property.Property) string {
	if p.Name != "" {
		return p.Name
	}
	return p.AddressLine1
}
