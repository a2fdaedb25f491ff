package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/shopspring/decimal"

	"realty"
	"realty/internal/property"
)

// routesCMA are the comparative market analysis pages: a property's CMAs
// with the form that runs one, and the printable CMA an agent hands a
// seller.
func (s *site) routesCMA() []route {
	return []route{
		{"GET /properties/{id}/cma", enrolled, s.handleCMAList},
		{"POST /properties/{id}/cma", enrolled, s.handleCMARun},
		{"GET /cma/{id}", enrolled, s.handleCMAShow},
	}
}

// cmaListData is a property's CMAs and the form to run another.
type cmaListData struct {
	Property   property.Property
	Valuations []property.Valuation
	Form       url.Values
}

// handleCMAList shows a property's CMAs (property.Service.Valuations:
// valuation.read, as GET /api/v1/properties/{id}/valuations).
func (s *site) handleCMAList(w http.ResponseWriter, r *http.Request) {
	d, err := s.cmaListData(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "cma_list", s.newView(r, "Market analysis · "+d.Property.AddressLine1, &d))
}

func (s *site) cmaListData(r *http.Request) (cmaListData, error) {
	actor := principalOf(r).Actor
	var d cmaListData
	id, err := pathID(r)
	if err == nil {
		d.Valuations, err = s.Services.Property.Valuations(r.Context(), actor, id)
	}
	if err == nil {
		d.Property, err = s.Services.Property.Get(r.Context(), actor, id)
	}
	return d, err
}

// handleCMARun runs a CMA with the form's options and shows it
// (property.Service.Valuate: valuation.write, as POST
// /api/v1/properties/{id}/valuations); a refusal shows the form again with
// the field at fault.
func (s *site) handleCMARun(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if err := r.ParseForm(); err != nil {
		s.fail(w, r, realty.FieldError("form", "unreadable form"))
		return
	}
	o, err := cmaOptions(r.PostForm)
	var v property.Valuation
	if err == nil {
		v, err = s.Services.Property.Valuate(r.Context(), principalOf(r).Actor, id, o)
	}
	if err != nil {
		s.cmaFormFailed(w, r, err)
		return
	}
	http.Redirect(w, r, "/cma/"+v.ID.String(), http.StatusSeeOther)
}

func (s *site) cmaFormFailed(w http.ResponseWriter, r *http.Request, err error) {
	if realty.KindOf(err) != realty.Invalid {
		s.fail(w, r, err)
		return
	}
	d, derr := s.cmaListData(r)
	if derr != nil {
		s.fail(w, r, derr)
		return
	}
	d.Form = r.PostForm
	s.render(w, r, http.StatusUnprocessableEntity, "cma_list", s.withErr(r, s.newView(r, "Market analysis · "+d.Property.AddressLine1, &d), err))
}

// cmaOptions reads the form's options; an empty field takes the default.
func cmaOptions(f url.Values) (property.Options, error) {
	var o property.Options
	var err error
	num := func(field string, dst *float64) {
		if v := strings.TrimSpace(f.Get(field)); v != "" && err == nil {
			if *dst, err = strconv.ParseFloat(v, 64); err != nil {
				err = realty.FieldError(field, "must be a number")
			}
		}
	}
	var months, comps float64
	num("radius_km", &o.RadiusKm)
	num("months", &months)
	num("max_comps", &comps)
	o.Months, o.MaxComps = int(months), int(comps)
	if v := strings.TrimSpace(f.Get("list_price")); v != "" && err == nil {
		p, perr := decimal.NewFromString(v)
		if perr != nil {
			err = realty.FieldError("list_price", "must be an amount")
		}
		o.ListPrice = &p
	}
	return o, err
}

// handleCMAShow is the printable CMA (property.Service.Valuation:
// valuation.read, as GET /api/v1/valuations/{id}).
func (s *site) handleCMAShow(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	var v property.Valuation
	if err == nil {
		v, err = s.Services.Property.Valuation(r.Context(), principalOf(r).Actor, id)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "cma", s.newView(r, "CMA · "+v.Subject.Address, &cmaView{v}))
}

// cmaView is a stored CMA as the page shows it.
type cmaView struct{ property.Valuation }

// Percent is the confidence in percent.
func (c cmaView) Percent() int {
	if c.Confidence == nil {
		return 0
	}
	return int(*c.Confidence*100 + 0.5)
}

// Amount is one comparable's adjustment for factor, or "" without one.
func (cmaView) Amount(comp property.Comparable, factor string) string {
	for _, a := range comp.Adjustments {
		if a.Factor == factor {
			sign := "+"
			if a.Amount.IsNegative() {
				sign = "−"
			}
			return sign + "$" + money(a.Amount.Abs().Round(0))
		}
	}
	return ""
}

// Share is a comparable's weight in percent.
func (cmaView) Share(comp property.Comparable) string {
	return strconv.FormatFloat(comp.Weight*100, 'f', 0, 64) + " %"
}

// Factors are the adjustment columns, in order.
func (cmaView) Factors() []string {
	return []string{"time", "living_area", "bedrooms", "bathrooms", "age", "lot", "condition"}
}
