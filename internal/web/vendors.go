package web

import (
	"net/http"
	"net/url"

	"realty"
	"realty/internal/maintenance"
)

// routesVendors are the vendor list and its add form.
func (s *site) routesVendors() []route {
	return []route{
		{"GET /vendors", enrolled, s.handleVendorList},
		{"POST /vendors", enrolled, s.handleVendorCreate},
	}
}

// vendorsData is the vendor list, the trades to filter by and the add form
// as typed.
type vendorsData struct {
	Vendors []maintenance.Vendor
	Trades  []string
	Trade   string
	Form    url.Values
}

// handleVendorList lists the vendors by name, with their insurance warning
// (maintenance.Service.Vendors: maintenance.read, as GET /api/v1/vendors).
func (s *site) handleVendorList(w http.ResponseWriter, r *http.Request) {
	d, err := s.vendorsData(r, url.Values{"active": {"on"}})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "vendors", s.newView(r, "Vendors", d))
}

func (s *site) vendorsData(r *http.Request, form url.Values) (*vendorsData, error) {
	d := &vendorsData{Trades: maintenance.Trades, Trade: r.URL.Query().Get("trade"), Form: form}
	var err error
	d.Vendors, err = s.Services.Maintenance.Vendors(r.Context(), principalOf(r).Actor, maintenance.VendorFilter{Trade: d.Trade})
	return d, err
}

// handleVendorCreate adds the form's vendor (maintenance.Service.CreateVendor:
// maintenance.manage); a refused field comes back in place.
func (s *site) handleVendorCreate(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		s.fail(w, r, err)
		return
	}
	f := r.PostForm
	in := maintenance.VendorInput{Name: f.Get("name"), Trade: f.Get("trade"), ContactName: nonEmpty(textField(f, "contact_name")),
		Email: nonEmpty(textField(f, "email")), Phone: nonEmpty(textField(f, "phone")), TaxID: nonEmpty(textField(f, "tax_id")),
		Preferred: f.Get("preferred") == "on", Active: f.Get("active") == "on", Notes: nonEmpty(textField(f, "notes"))}
	var err error
	if in.Rating, err = intField(f, "rating"); err == nil {
		var day *realty.Date
		if v := f.Get("insurance_expiry"); v != "" {
			d, perr := realty.ParseDate(v)
			day, err = &d, perr
			if perr != nil {
				err = realty.FieldError("insurance_expiry", "is not a date (YYYY-MM-DD)")
			}
		}
		in.InsuranceExpiry = day
	}
	if err == nil {
		_, err = s.Services.Maintenance.CreateVendor(r.Context(), principalOf(r).Actor, in)
	}
	if err != nil {
		if k := realty.KindOf(err); k != realty.Invalid && k != realty.Conflict {
			s.fail(w, r, err)
			return
		}
		d, derr := s.vendorsData(r, f)
		if derr != nil {
			s.fail(w, r, derr)
			return
		}
		s.render(w, r, status(err), "vendors", s.withErr(r, s.newView(r, "Vendors", d), err))
		return
	}
	s.redirect(w, r, "/vendors?notice=saved")
}
