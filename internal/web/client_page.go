package web

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"realty"
	"realty/internal/crm"
	"realty/internal/listing"
)

// routesClientPage are the routes of one client's page and the forms on it.
func (s *site) routesClientPage() []route {
	return []route{
		{"GET /clients/{id}", enrolled, s.handleClientShow},
		{"POST /clients/{id}/interactions", enrolled, s.handleInteractionAdd},
		{"POST /clients/{id}/tasks", enrolled, s.handleClientTaskAdd},
		{"POST /clients/{id}/assign", enrolled, s.handleClientAssign},
	}
}

// clientData is the client page: the client, a page of its timeline, its
// open tasks and the names of the members it mentions.
type clientData struct {
	Client   crm.Client
	Timeline crm.Timeline
	Older    string
	Tasks    []crm.Task
	Agents   []realtyMember
	names    map[realty.ID]string
	Types    []string
	Form     url.Values
	// Prefs are the forms of the client's saved preferences, then the
	// form of a new one.
	Prefs         []prefForm
	Matches       []crm.Match
	Appointments  []apptRow
	Kinds         []string
	Statuses      []string
	PropertyTypes []string
	Score         crm.Score
}

// realtyMember is a member as a choice of the assign form.
type realtyMember struct {
	ID   realty.ID
	Name string
}

// Name is the name of the member id names, or "".
func (d *clientData) Name(id *realty.ID) string {
	if id == nil {
		return ""
	}
	return d.names[*id]
}

// MovesFrom are the stages the client may move to.
func (d *clientData) MovesFrom() []string {
	return slices.DeleteFunc(slices.Clone(crm.Stages), func(to string) bool { return !crm.CanMove(d.Client.Stage, to) })
}

// handleClientShow shows a client (crm.Service.Get: client.read; another
// agent's client is 404 to an agent), a page of its timeline (older pages
// by ?before=cursor) and its tasks.
func (s *site) handleClientShow(w http.ResponseWriter, r *http.Request) {
	s.renderClient(w, r, http.StatusOK, url.Values{}, nil)
}

// renderClient shows the client page with form as typed in the form that
// failed (err, with form naming which) at status.
func (s *site) renderClient(w http.ResponseWriter, r *http.Request, code int, form url.Values, failed error) {
	actor := principalOf(r).Actor
	id, err := pathID(r)
	d := &clientData{Types: crm.InteractionTypes, Form: form, Kinds: crm.AppointmentKinds, Statuses: crm.MatchStatuses,
		PropertyTypes: listing.PropertyTypes}
	if err == nil {
		d.Client, err = s.Services.CRM.Get(r.Context(), actor, id)
	}
	if err == nil {
		d.Timeline, err = s.Services.CRM.Timeline(r.Context(), actor, id, r.URL.Query().Get("before"), 20)
	}
	if err == nil {
		var tasks crm.TaskPage
		tasks, err = s.Services.CRM.Tasks(r.Context(), actor, crm.TaskFilter{ClientID: &id, Limit: 100})
		d.Tasks = tasks.Items
	}
	if err == nil {
		err = s.loadClientCRM(r, d, id, form)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if d.Timeline.NextCursor != "" {
		d.Older = "/clients/" + id.String() + "?before=" + url.QueryEscape(d.Timeline.NextCursor) + "#timeline"
	}
	members, names := s.memberNames(r.Context(), actor)
	d.names = names
	for _, m := range members {
		if m.Status == "active" && (slices.Contains(m.Roles, "agent") || slices.Contains(m.Roles, "broker")) {
			d.Agents = append(d.Agents, realtyMember{m.ID, names[m.ID]})
		}
	}
	v := s.newView(r, strings.TrimSpace(d.Client.FirstName+" "+d.Client.LastName), d)
	if failed != nil {
		v = s.withErr(r, v, failed)
		v.Form = form.Get("form")
	}
	s.render(w, r, code, "client", v)
}

// handleInteractionAdd logs a contact with the client
// (crm.Service.LogInteraction: client.write, as POST
// /api/v1/clients/{id}/interactions) and returns to its timeline; a refused
// field is shown in the form with 422.
func (s *site) handleInteractionAdd(w http.ResponseWriter, r *http.Request) {
	s.clientForm(w, r, "interaction", func(id realty.ID, form url.Values) error {
		at, err := dateTimeField(form, "occurred_at", s.zone(r))
		if err != nil {
			return err
		}
		in := crm.InteractionInput{Type: form.Get("type"), Notes: form.Get("notes"), Outcome: form.Get("outcome")}
		if at != nil {
			in.OccurredAt = *at
		}
		_, err = s.Services.CRM.LogInteraction(r.Context(), principalOf(r).Actor, id, in)
		return err
	})
}

// handleClientTaskAdd adds a task about the client, owned by the actor
// (crm.Service.CreateTask: client.write, as POST /api/v1/tasks).
func (s *site) handleClientTaskAdd(w http.ResponseWriter, r *http.Request) {
	s.clientForm(w, r, "task", func(id realty.ID, form url.Values) error {
		due, err := dateTimeField(form, "due_at", s.zone(r))
		if err != nil {
			return err
		}
		_, err = s.Services.CRM.CreateTask(r.Context(), principalOf(r).Actor, crm.TaskInput{Title: form.Get("title"),
			Description: form.Get("description"), Priority: form.Get("priority"), DueAt: due, ClientID: &id})
		return err
	})
}

// handleClientAssign gives the client to an agent, or to nobody
// (crm.Service.Assign: client.manage, as PUT /api/v1/clients/{id}/agent).
func (s *site) handleClientAssign(w http.ResponseWriter, r *http.Request) {
	s.clientForm(w, r, "assign", func(id realty.ID, form url.Values) error {
		agent, err := idField(form, "agent")
		if err == nil {
			_, err = s.Services.CRM.Assign(r.Context(), principalOf(r).Actor, id, agent)
		}
		return err
	})
}

// clientForm runs a form posted on the client page: do gets the client's
// id and the form; success returns to the page with "Saved.", a refused
// field shows the page again with the form as typed.
func (s *site) clientForm(w http.ResponseWriter, r *http.Request, name string, do func(realty.ID, url.Values) error) {
	id, err := pathID(r)
	if err == nil {
		err = r.ParseForm()
	}
	if err == nil {
		err = do(id, r.PostForm)
	}
	if err != nil {
		if realty.KindOf(err) != realty.Invalid {
			s.fail(w, r, err)
			return
		}
		form := r.PostForm
		form.Set("form", name)
		s.renderClient(w, r, status(err), form, err)
		return
	}
	s.redirect(w, r, "/clients/"+id.String()+"?notice=saved#"+name)
}

// dateTimeField reads a datetime-local value ("2026-03-01T14:30") as a
// time in loc; nil when empty, Invalid naming the field when malformed.
func dateTimeField(form url.Values, name string, loc *time.Location) (*time.Time, error) {
	s := strings.TrimSpace(form.Get(name))
	if s == "" {
		return nil, nil
	}
	for _, layout := range []string{"2006-01-02T15:04", "2006-01-02T15:04:05", time.DateOnly} {
		if t, err := time.ParseInLocation(layout, s, loc); err == nil {
			return &t, nil
		}
	}
	return nil, realty.FieldError(name, "is not a date and time (YYYY-MM-DDTHH:MM)")
}

// loadClientCRM fills the client page's preferences (each as its form,
// with what was typed when form names it), matches and appointments
// (crm.Service.Preferences, Matches, Appointments: client.read) and its
// lead score with the reasons (crm.Service.ClientScore, largest first).
func (s *site) loadClientCRM(r *http.Request, d *clientData, id realty.ID, form url.Values) error {
	actor := principalOf(r).Actor
	prefs, err := s.Services.CRM.Preferences(r.Context(), actor, id)
	if err != nil {
		return err
	}
	base := "/clients/" + id.String() + "/preferences"
	for i := range prefs {
		f := prefForm{Name: "pref-" + prefs[i].ID.String(), Action: base + "/" + prefs[i].ID.String(), Pref: &prefs[i], Values: preferenceValues(prefs[i])}
		d.Prefs = append(d.Prefs, f)
	}
	d.Prefs = append(d.Prefs, prefForm{Name: "pref-new", Action: base, Values: url.Values{"active": {"on"}}})
	for i := range d.Prefs {
		if d.Prefs[i].Name == form.Get("form") {
			d.Prefs[i].Values = form
		}
	}
	if d.Score, err = s.Services.CRM.ClientScore(r.Context(), actor, id); err != nil {
		return err
	}
	matches, err := s.Services.CRM.Matches(r.Context(), actor, id, crm.MatchFilter{Limit: 50})
	if err != nil {
		return err
	}
	d.Matches = matches.Items
	appts, err := s.Services.CRM.Appointments(r.Context(), actor, crm.AppointmentFilter{ClientID: &id, Limit: crm.MaxPage})
	d.Appointments = s.withClients(r.Context(), actor, appts.Items, "/clients/"+id.String()+"#appointments")
	return err
}
