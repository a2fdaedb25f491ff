package web

import (
	"net/http"
	"net/url"
	"strings"

	"realty"
	"realty/internal/property"
)

// routesProperties are the routes of the portfolio: properties, their buildings, units and media.
func (s *site) routesProperties() []route {
	return []route{
		{"GET /properties", enrolled, s.handlePropertyList},
		{"GET /properties/{id}", enrolled, s.handlePropertyShow},
		{"POST /properties/{id}/buildings", enrolled, s.handleBuildingCreate},
		{"POST /properties/{id}/units", enrolled, s.handleUnitCreate},
		{"POST /properties/{id}/media", enrolled, s.handleMediaUpload},
		{"GET /media/{id}/content", enrolled, s.handleMediaContent},
	}
}

// propertiesData is the portfolio list.
type propertiesData struct {
	Page  property.Page
	City  string
	Q     string
	Next  string
	Total int
}

// handlePropertyList lists the portfolio (property.Service.List:
// property.read, as GET /api/v1/properties).
func (s *site) handlePropertyList(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	d := propertiesData{City: q.Get("city"), Q: q.Get("q")}
	var err error
	d.Page, err = s.Services.Property.List(r.Context(), principalOf(r).Actor,
		property.Filter{City: d.City, Q: d.Q, Cursor: q.Get("cursor"), Limit: 50})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if d.Page.NextCursor != "" {
		d.Next = "/properties?" + url.Values{"city": {d.City}, "q": {d.Q}, "cursor": {d.Page.NextCursor}}.Encode()
	}
	s.render(w, r, http.StatusOK, "properties", s.newView(r, "Properties", &d))
}

// propertyData is one property's page: its buildings, units and media.
type propertyData struct {
	Property  property.Property
	Buildings []property.Building
	Units     []property.Unit
	Media     []property.Media
	// Documents are the property's documents, for holders of document.read.
	Documents *documentsSection
	// Form holds what was typed into the form (Form of the view names it)
	// that was refused.
	Form url.Values
}

// UnitStatuses are the statuses a unit may have.
func (propertyData) UnitStatuses() []string { return property.UnitStatuses }

// BuildingName names a unit's building.
func (d propertyData) BuildingName(id *realty.ID) string {
	for _, b := range d.Buildings {
		if id != nil && b.ID == *id {
			return b.Name
		}
	}
	return ""
}

// handlePropertyShow shows a property with its buildings, units (with
// their status) and media (property.read, as GET /api/v1/properties/{id}).
func (s *site) handlePropertyShow(w http.ResponseWriter, r *http.Request) {
	d, err := s.propertyData(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "property", s.newView(r, d.Property.AddressLine1, &d))
}

func (s *site) propertyData(r *http.Request) (propertyData, error) {
	actor := principalOf(r).Actor
	var d propertyData
	id, err := pathID(r)
	if err == nil {
		d.Property, err = s.Services.Property.Get(r.Context(), actor, id)
	}
	if err == nil {
		d.Buildings, err = s.Services.Property.Buildings(r.Context(), actor, id)
	}
	if err == nil {
		d.Units, err = s.Services.Property.Units(r.Context(), actor, id)
	}
	if err == nil {
		d.Media, err = s.Services.Property.MediaOf(r.Context(), actor, id)
	}
	if err == nil {
		d.Documents, err = s.loadDocumentsSection(r, "property", id)
	}
	return d, err
}

// propertyFormFailed answers a refused form on the property page: the page
// again, with the form's errors in place (status 422 or 409); any other
// failure is the error page.
func (s *site) propertyFormFailed(w http.ResponseWriter, r *http.Request, form string, err error) {
	if k := realty.KindOf(err); k != realty.Invalid && k != realty.Conflict {
		s.fail(w, r, err)
		return
	}
	d, derr := s.propertyData(r)
	if derr != nil {
		s.fail(w, r, derr)
		return
	}
	d.Form = r.PostForm
	v := s.withErr(r, s.newView(r, d.Property.AddressLine1, &d), err)
	v.Form = form
	s.render(w, r, status(err), "property", v)
}

// handleBuildingCreate adds a building (property.write, as POST
// /api/v1/properties/{id}/buildings).
func (s *site) handleBuildingCreate(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	in := property.BuildingInput{Name: strings.TrimSpace(r.PostFormValue("name"))}
	if in.Floors, err = intField(r.PostForm, "floors"); err == nil {
		_, err = s.Services.Property.CreateBuilding(r.Context(), principalOf(r).Actor, id, in)
	}
	if err != nil {
		s.propertyFormFailed(w, r, "building", err)
		return
	}
	s.redirect(w, r, "/properties/"+id.String()+"?notice=saved")
}

// handleUnitCreate adds a unit (property.write, as POST
// /api/v1/properties/{id}/units).
func (s *site) handleUnitCreate(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	in, err := unitInput(r)
	if err == nil {
		_, err = s.Services.Property.CreateUnit(r.Context(), principalOf(r).Actor, id, in)
	}
	if err != nil {
		s.propertyFormFailed(w, r, "unit", err)
		return
	}
	s.redirect(w, r, "/properties/"+id.String()+"?notice=saved")
}

func unitInput(r *http.Request) (property.UnitInput, error) {
	if err := r.ParseForm(); err != nil {
		return property.UnitInput{}, err
	}
	f := r.PostForm
	in := property.UnitInput{UnitNumber: strings.TrimSpace(f.Get("unit_number")), Status: f.Get("status")}
	var err error
	for _, p := range []func() error{
		func() error { in.BuildingID, err = idField(f, "building_id"); return err },
		func() error { in.Bedrooms, err = intField(f, "bedrooms"); return err },
		func() error { in.Bathrooms, err = floatField(f, "bathrooms"); return err },
		func() error { in.MarketRent, err = decimalField(f, "market_rent"); return err },
		func() error {
			in.AvailabilityDate, err = parseDay("availability_date", f.Get("availability_date"))
			return err
		},
	} {
		if err := p(); err != nil {
			return in, err
		}
	}
	return in, nil
}

// handleMediaUpload stores an uploaded photo, floor plan or document
// (property.Service.Upload: property.write, as POST
// /api/v1/properties/{id}/media). A file of the wrong type or too large is
// refused in place.
func (s *site) handleMediaUpload(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	file, _, err := r.FormFile("file")
	if err != nil {
		if status(err) == http.StatusRequestEntityTooLarge {
			s.fail(w, r, err)
			return
		}
		s.propertyFormFailed(w, r, "media", realty.FieldError("file", "choose a file to upload"))
		return
	}
	defer file.Close()
	_, err = s.Services.Property.Upload(r.Context(), principalOf(r).Actor, id, r.PostFormValue("kind"), r.PostFormValue("caption"), file)
	if err != nil {
		s.propertyFormFailed(w, r, "media", err)
		return
	}
	s.redirect(w, r, "/properties/"+id.String()+"?notice=saved")
}
