package web

import (
	"net/http"
	"net/url"
	"strings"

	"realty"
	"realty/internal/listing"
	"realty/internal/property"
)

// routesListingEdit are the routes of the listing forms.
func (s *site) routesListingEdit() []route {
	return []route{
		{"GET /listings/new", enrolled, s.handleListingNew},
		{"POST /listings", enrolled, s.handleListingCreate},
		{"GET /listings/{id}/edit", enrolled, s.handleListingEdit},
		{"POST /listings/{id}", enrolled, s.handleListingUpdate},
	}
}

// listingFormData is the create or edit form: the values as typed and, when
// editing, the listing.
type listingFormData struct {
	Form          url.Values
	Listing       *listing.Listing
	Statuses      []string
	PropertyTypes []string
}

func (s *site) renderListingForm(w http.ResponseWriter, r *http.Request, status int, d listingFormData, err error) {
	d.Statuses, d.PropertyTypes = listing.StandardStatuses, listing.PropertyTypes
	title := "New listing"
	if d.Listing != nil {
		title = "Edit " + d.Listing.StreetAddress
	}
	v := s.newView(r, title, &d)
	if err != nil {
		v = s.withErr(r, v, err)
	}
	s.render(w, r, status, "listing_form", v)
}

// handleListingNew shows the empty form (listing.write, as POST
// /api/v1/listings).
func (s *site) handleListingNew(w http.ResponseWriter, r *http.Request) {
	if err := principalOf(r).Actor.Require("listing.write"); err != nil {
		s.fail(w, r, err)
		return
	}
	s.renderListingForm(w, r, http.StatusOK, listingFormData{Form: url.Values{"standard_status": {"Active"},
		"property_type": {"Residential"}, "list_type": {"sale"}}}, nil)
}

// handleListingCreate lists a property described in the form
// (listing.Service.Create). Refused fields come back in place with 422.
func (s *site) handleListingCreate(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		s.fail(w, r, err)
		return
	}
	form := r.PostForm
	in, err := listingInput(form)
	var l listing.Listing
	if err == nil {
		l, err = s.Services.Listing.Create(r.Context(), principalOf(r).Actor, in)
	}
	if err != nil {
		if k := realty.KindOf(err); k != realty.Invalid && k != realty.Conflict {
			s.fail(w, r, err)
			return
		}
		s.renderListingForm(w, r, status(err), listingFormData{Form: form}, err)
		return
	}
	s.redirect(w, r, "/listings/"+l.ID.String()+"?notice=saved")
}

func listingInput(form url.Values) (listing.Input, error) {
	fields, err := listingFields(form)
	if err != nil {
		return listing.Input{}, err
	}
	lat, err := floatField(form, "latitude")
	if err != nil {
		return listing.Input{}, err
	}
	lng, err := floatField(form, "longitude")
	if err != nil {
		return listing.Input{}, err
	}
	p := &property.Input{AddressLine1: strings.TrimSpace(form.Get("address_line1")), City: strings.TrimSpace(form.Get("city")),
		StateProvince: strings.TrimSpace(form.Get("state_province")), PostalCode: nonEmpty(textField(form, "postal_code")),
		Latitude: lat, Longitude: lng}
	return listing.Input{Property: p, ListingKey: strings.TrimSpace(form.Get("listing_key")), ListType: form.Get("list_type"), Fields: fields}, nil
}

// handleListingEdit shows the form filled from the listing (listing.write,
// as PATCH /api/v1/listings/{id}).
func (s *site) handleListingEdit(w http.ResponseWriter, r *http.Request) {
	actor := principalOf(r).Actor
	id, err := pathID(r)
	var l listing.Listing
	if err == nil {
		err = actor.Require("listing.write")
	}
	if err == nil {
		l, err = s.Services.Listing.Get(r.Context(), actor, id)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.renderListingForm(w, r, http.StatusOK, listingFormData{Form: listingForm(l), Listing: &l}, nil)
}

// handleListingUpdate changes the listing (listing.Service.Update: agents
// their own listings, brokers every one). A price or status change writes
// the listing's history. Refused fields come back in place with 422.
func (s *site) handleListingUpdate(w http.ResponseWriter, r *http.Request) {
	actor := principalOf(r).Actor
	id, err := pathID(r)
	var l listing.Listing
	if err == nil {
		l, err = s.Services.Listing.Get(r.Context(), actor, id)
	}
	if err == nil {
		err = r.ParseForm()
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	fields, err := listingFields(r.PostForm)
	if err == nil {
		_, err = s.Services.Listing.Update(r.Context(), actor, id, fields)
	}
	if err != nil {
		if k := realty.KindOf(err); k != realty.Invalid && k != realty.Conflict {
			s.fail(w, r, err)
			return
		}
		s.renderListingForm(w, r, status(err), listingFormData{Form: r.PostForm, Listing: &l}, err)
		return
	}
	s.redirect(w, r, "/listings/"+id.String()+"?notice=saved")
}
