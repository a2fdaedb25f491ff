package web

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/shopspring/decimal"

	"realty"
	"realty/internal/crm"
)

// routesClientForm are the routes of the new-client and edit forms.
func (s *site) routesClientForm() []route {
	return []route{
		{"GET /clients/new", enrolled, s.handleClientNew},
		{"POST /clients", enrolled, s.handleClientCreate},
		{"GET /clients/{id}/edit", enrolled, s.handleClientEdit},
		{"POST /clients/{id}", enrolled, s.handleClientUpdate},
	}
}

// clientFormData is the new-client or edit form: the values as typed, the
// client when editing, and the existing client a duplicate names.
type clientFormData struct {
	Form      url.Values
	Client    *crm.Client
	Stages    []string
	Nurtures  []string
	Duplicate *realty.ID
	// DuplicateHidden says the duplicate is a client the actor may not
	// open (another agent's).
	DuplicateHidden bool
}

func (s *site) renderClientForm(w http.ResponseWriter, r *http.Request, code int, d clientFormData, err error) {
	d.Stages, d.Nurtures = crm.Stages, []string{"new", "hot", "warm", "cold"}
	title := "New client"
	if d.Client != nil {
		title = "Edit " + strings.TrimSpace(d.Client.FirstName+" "+d.Client.LastName)
	}
	if id, ok := crm.DuplicateOf(err); ok {
		d.Duplicate = &id
		_, gone := s.Services.CRM.Get(r.Context(), principalOf(r).Actor, id)
		d.DuplicateHidden = gone != nil
	}
	v := s.newView(r, title, &d)
	if err != nil {
		v = s.withErr(r, v, err)
	}
	s.render(w, r, code, "client_form", v)
}

// handleClientNew shows the empty form (client.write, as POST
// /api/v1/clients).
func (s *site) handleClientNew(w http.ResponseWriter, r *http.Request) {
	if err := principalOf(r).Actor.Require("client.write"); err != nil {
		s.fail(w, r, err)
		return
	}
	s.renderClientForm(w, r, http.StatusOK, clientFormData{Form: url.Values{"stage": {"lead"}, "nurture_status": {"new"}}}, nil)
}

// handleClientCreate adds the client or lead of the form (crm.Service.Create).
// A refused field comes back in place with 422; a duplicate with 409 and a
// link to the existing client.
func (s *site) handleClientCreate(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		s.fail(w, r, err)
		return
	}
	form := r.PostForm
	in, err := clientInput(form)
	var c crm.Client
	if err == nil {
		c, err = s.Services.CRM.Create(r.Context(), principalOf(r).Actor, in)
	}
	if err != nil {
		if k := realty.KindOf(err); k != realty.Invalid && k != realty.Conflict {
			s.fail(w, r, err)
			return
		}
		s.renderClientForm(w, r, status(err), clientFormData{Form: form}, err)
		return
	}
	s.redirect(w, r, "/clients/"+c.ID.String()+"?notice=saved")
}

// handleClientEdit shows the form filled from the client (client.write, as
// PATCH /api/v1/clients/{id}).
func (s *site) handleClientEdit(w http.ResponseWriter, r *http.Request) {
	actor := principalOf(r).Actor
	id, err := pathID(r)
	var c crm.Client
	if err == nil {
		err = actor.Require("client.write")
	}
	if err == nil {
		c, err = s.Services.CRM.Get(r.Context(), actor, id)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.renderClientForm(w, r, http.StatusOK, clientFormData{Form: clientForm(c), Client: &c}, nil)
}

// handleClientUpdate changes the client's facts (crm.Service.Update).
// Refused fields come back in place with 422; a duplicate with 409.
func (s *site) handleClientUpdate(w http.ResponseWriter, r *http.Request) {
	actor := principalOf(r).Actor
	id, err := pathID(r)
	var c crm.Client
	if err == nil {
		c, err = s.Services.CRM.Get(r.Context(), actor, id)
	}
	if err == nil {
		err = r.ParseForm()
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p, err := clientPatch(r.PostForm)
	if err == nil {
		_, err = s.Services.CRM.Update(r.Context(), actor, id, p)
	}
	if err != nil {
		if k := realty.KindOf(err); k != realty.Invalid && k != realty.Conflict {
			s.fail(w, r, err)
			return
		}
		s.renderClientForm(w, r, status(err), clientFormData{Form: r.PostForm, Client: &c}, err)
		return
	}
	s.redirect(w, r, "/clients/"+id.String()+"?notice=saved")
}

// clientInput reads the new-client form; Invalid naming a budget that is
// no amount.
func clientInput(form url.Values) (crm.Input, error) {
	p, err := clientPatch(form)
	if err != nil {
		return crm.Input{}, err
	}
	in := crm.Input{FirstName: form.Get("first_name"), LastName: form.Get("last_name"), Email: form.Get("email"),
		Phone: form.Get("phone"), Source: form.Get("source"), Stage: form.Get("stage"), NurtureStatus: form.Get("nurture_status"),
		BudgetMin: p.BudgetMin, BudgetMax: p.BudgetMax, Notes: form.Get("notes"),
		EmailConsent: form.Get("email_consent") != "", SMSConsent: form.Get("sms_consent") != ""}
	if p.Tags != nil {
		in.Tags = *p.Tags
	}
	return in, nil
}

// clientPatch reads the edit form: every field of it is set (a checkbox
// left unticked withdraws the consent); lists are comma-separated.
func clientPatch(form url.Values) (crm.Patch, error) {
	p := crm.Patch{FirstName: textField(form, "first_name"), LastName: textField(form, "last_name"),
		Email: textField(form, "email"), Phone: textField(form, "phone"), Source: nonEmpty(textField(form, "source")),
		NurtureStatus: nonEmpty(textField(form, "nurture_status")), Notes: textField(form, "notes")}
	email, sms := form.Get("email_consent") != "", form.Get("sms_consent") != ""
	p.EmailConsent, p.SMSConsent = &email, &sms
	var err error
	if p.BudgetMin, err = decimalField(form, "budget_min"); err != nil {
		return p, err
	}
	if p.BudgetMax, err = decimalField(form, "budget_max"); err != nil {
		return p, err
	}
	if _, ok := form["tags"]; ok {
		tags := []string{}
		for _, t := range strings.Split(form.Get("tags"), ",") {
			if t = strings.TrimSpace(t); t != "" {
				tags = append(tags, t)
			}
		}
		p.Tags = &tags
	}
	return p, nil
}

// clientForm is the edit form's values for c.
func clientForm(c crm.Client) url.Values {
	f := url.Values{"first_name": {c.FirstName}, "last_name": {c.LastName}, "source": {c.Source},
		"nurture_status": {c.NurtureStatus}, "tags": {strings.Join(c.Tags, ", ")}}
	set := func(name string, v *string) {
		if v != nil {
			f.Set(name, *v)
		}
	}
	set("email", c.Email)
	set("phone", c.Phone)
	set("notes", c.Notes)
	for name, d := range map[string]*decimal.Decimal{"budget_min": c.BudgetMin, "budget_max": c.BudgetMax} {
		if d != nil {
			f.Set(name, d.String())
		}
	}
	if c.EmailConsent {
		f.Set("email_consent", "on")
	}
	if c.SMSConsent {
		f.Set("sms_consent", "on")
	}
	return f
}
