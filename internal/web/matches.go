package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"realty"
	"realty/internal/crm"
)

// routesMatches are the forms of saved preferences and matches.
func (s *site) routesMatches() []route {
	return []route{
		{"POST /clients/{id}/preferences", enrolled, s.handlePreferenceAdd},
		{"POST /clients/{id}/preferences/{pref}", enrolled, s.handlePreferenceSave},
		{"POST /clients/{id}/preferences/{pref}/delete", enrolled, s.handlePreferenceDelete},
		{"POST /matches/{id}/status", enrolled, s.handleMatchStatus},
	}
}

// prefForm is one preference form of the client page: its name (the
// Form its field errors belong to), where it posts and its values.
type prefForm struct {
	Name   string
	Action string
	Pref   *crm.ClientPreference
	Values url.Values
}

// preferenceInput reads a preference form: comma-separated lists, the
// property types as checkboxes; Invalid naming the field.
func preferenceInput(form url.Values) (crm.PreferenceInput, error) {
	in := crm.PreferenceInput{Name: form.Get("name"), ListType: form.Get("list_type"), AlertFrequency: form.Get("alert_frequency"),
		PropertyTypes: form["property_types"], Cities: commaList(form, "cities"), PostalCodes: commaList(form, "postal_codes"),
		Features: commaList(form, "features"), Keywords: commaList(form, "keywords")}
	active := form.Get("active") != ""
	in.Active = &active
	var err error
	if in.PriceMin, err = decimalField(form, "price_min"); err != nil {
		return in, err
	}
	if in.PriceMax, err = decimalField(form, "price_max"); err != nil {
		return in, err
	}
	if in.BedroomsMin, err = intField(form, "bedrooms_min"); err != nil {
		return in, err
	}
	for name, dst := range map[string]**float64{"bathrooms_min": &in.BathroomsMin, "centre_lat": &in.CentreLat, "centre_lon": &in.CentreLon,
		"radius_km": &in.RadiusKm, "living_area_min": &in.LivingAreaMin, "living_area_max": &in.LivingAreaMax} {
		if *dst, err = floatField(form, name); err != nil {
			return in, err
		}
	}
	return in, nil
}

// commaList splits a comma-separated form value, dropping empty items.
func commaList(form url.Values, name string) []string {
	out := []string{}
	for _, v := range strings.Split(form.Get(name), ",") {
		if v = strings.TrimSpace(v); v != "" {
			out = append(out, v)
		}
	}
	return out
}

// preferenceValues is a stored preference as its form's values.
func preferenceValues(p crm.ClientPreference) url.Values {
	v := url.Values{"name": {p.Name}, "list_type": {p.ListType}, "alert_frequency": {p.AlertFrequency},
		"property_types": p.PropertyTypes, "cities": {strings.Join(p.Cities, ", ")}, "postal_codes": {strings.Join(p.PostalCodes, ", ")},
		"features": {strings.Join(p.Features, ", ")}, "keywords": {strings.Join(p.Keywords, ", ")}}
	if p.Active {
		v.Set("active", "on")
	}
	if p.PriceMin != nil {
		v.Set("price_min", p.PriceMin.String())
	}
	if p.PriceMax != nil {
		v.Set("price_max", p.PriceMax.String())
	}
	if p.BedroomsMin != nil {
		v.Set("bedrooms_min", strconv.Itoa(*p.BedroomsMin))
	}
	for name, f := range map[string]*float64{"bathrooms_min": p.BathroomsMin, "centre_lat": p.CentreLat, "centre_lon": p.CentreLon,
		"radius_km": p.RadiusKm, "living_area_min": p.LivingAreaMin, "living_area_max": p.LivingAreaMax} {
		if f != nil {
			v.Set(name, strconv.FormatFloat(*f, 'f', -1, 64))
		}
	}
	return v
}

// handlePreferenceAdd saves a new preference for the client
// (crm.Service.CreatePreference: client.write, as POST
// /api/v1/clients/{id}/preferences); a refused field is shown beside it.
func (s *site) handlePreferenceAdd(w http.ResponseWriter, r *http.Request) {
	s.clientForm(w, r, "pref-new", func(id realty.ID, form url.Values) error {
		if err := principalOf(r).Actor.Require("client.write"); err != nil {
			return err
		}
		in, err := preferenceInput(form)
		if err == nil {
			_, err = s.Services.CRM.CreatePreference(r.Context(), principalOf(r).Actor, id, in)
		}
		return err
	})
}

// handlePreferenceSave replaces a preference's criteria
// (crm.Service.UpdatePreference: client.write; one of a client the actor
// does not see is 404).
func (s *site) handlePreferenceSave(w http.ResponseWriter, r *http.Request) {
	pref, perr := realty.ParseID(r.PathValue("pref"))
	s.clientForm(w, r, "pref-"+r.PathValue("pref"), func(id realty.ID, form url.Values) error {
		if perr != nil {
			return errPrefNotFound
		}
		err := s.ownPreference(r, id, pref)
		var in crm.PreferenceInput
		if err == nil {
			in, err = preferenceInput(form)
		}
		if err == nil {
			_, err = s.Services.CRM.UpdatePreference(r.Context(), principalOf(r).Actor, pref, in)
		}
		return err
	})
}

// handlePreferenceDelete deletes a preference and its matches
// (crm.Service.DeletePreference: client.write).
func (s *site) handlePreferenceDelete(w http.ResponseWriter, r *http.Request) {
	pref, perr := realty.ParseID(r.PathValue("pref"))
	s.clientForm(w, r, "preferences", func(id realty.ID, _ url.Values) error {
		if perr != nil {
			return errPrefNotFound
		}
		err := s.ownPreference(r, id, pref)
		if err == nil {
			err = s.Services.CRM.DeletePreference(r.Context(), principalOf(r).Actor, pref)
		}
		return err
	})
}

var errPrefNotFound = &realty.Error{Kind: realty.NotFound, Message: "preference not found"}

// ownPreference checks that preference pref belongs to client (it is
// NotFound under another client's address).
func (s *site) ownPreference(r *http.Request, client, pref realty.ID) error {
	actor := principalOf(r).Actor
	if err := actor.Require("client.write"); err != nil {
		return err
	}
	p, err := s.Services.CRM.ClientPreference(r.Context(), actor, pref)
	if err == nil && p.ClientID != client {
		err = errPrefNotFound
	}
	return err
}

// handleMatchStatus records what the client made of a match
// (crm.Service.SetMatchStatus: client.write; a match of a client the actor
// does not see is 404) and returns to the agent's day or the client page.
func (s *site) handleMatchStatus(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	var m crm.Match
	if err == nil {
		m, err = s.Services.CRM.SetMatchStatus(r.Context(), principalOf(r).Actor, id, r.PostForm.Get("status"))
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.redirect(w, r, noticeBefore(crmNext(r.PostForm.Get("next"), "/clients/"+m.ClientID.String()+"#matches"), "saved"))
}
