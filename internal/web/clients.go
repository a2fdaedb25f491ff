package web

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"realty"
	"realty/internal/crm"
	"realty/internal/org"
)

// routesClients are the routes of the client list and its stage board (the
// client page is in client_page.go, the forms in client_form.go).
func (s *site) routesClients() []route {
	return []route{
		{"GET /clients", enrolled, s.handleClients},
		{"POST /clients/{id}/stage", enrolled, s.handleClientStage},
	}
}

// clientFilters are the query parameters of the list that narrow it.
var clientFilters = []string{"stage", "nurture", "agent", "tag", "source", "q"}

// clientsData is the client list or the stage board: the filters as typed,
// one page of clients (the list) or a column per stage (the board).
type clientsData struct {
	Form     url.Values
	Board    bool
	Items    []crm.Client
	Columns  []boardColumn
	Next     string
	Stages   []string
	Nurtures []string
	Agents   []org.Member
	names    map[realty.ID]string
	// Back is this view's address, where a move on the board returns.
	Back string
}

// boardColumn is one stage of the board.
type boardColumn struct {
	Stage   string
	Clients []crm.Client
	More    bool
}

// AgentName is the name of the member id names, or "".
func (d *clientsData) AgentName(id *realty.ID) string {
	if id == nil {
		return ""
	}
	return d.names[*id]
}

// MovesFrom are the stages a client in stage may move to.
func (*clientsData) MovesFrom(stage string) []string {
	return slices.DeleteFunc(slices.Clone(crm.Stages), func(to string) bool { return !crm.CanMove(stage, to) })
}

// handleClients lists the clients the actor may see (crm.Service.List:
// client.read, as GET /api/v1/clients), filtered and searched, a page at a
// time; with view=board, as a column per stage.
func (s *site) handleClients(w http.ResponseWriter, r *http.Request) {
	s.renderClients(w, r, r.URL.Query(), nil)
}

// renderClients shows the list or board for form; failed is the error of
// a move that was refused, shown above the board.
func (s *site) renderClients(w http.ResponseWriter, r *http.Request, form url.Values, failed error) {
	actor := principalOf(r).Actor
	d := &clientsData{Form: form, Board: form.Get("view") == "board", Stages: crm.Stages,
		Nurtures: []string{"new", "hot", "warm", "cold"}, Back: "/clients?" + keep(form, "view", "cursor").Encode()}
	err := actor.Require("client.read")
	var f crm.Filter
	if err == nil {
		f, err = clientFilter(form)
	}
	if err == nil {
		err = s.loadClients(r.Context(), actor, d, f)
	}
	v := s.newView(r, "Clients", d)
	if err != nil {
		if realty.KindOf(err) != realty.Invalid {
			s.fail(w, r, err)
			return
		}
		s.render(w, r, http.StatusUnprocessableEntity, "clients", s.withErr(r, v, err))
		return
	}
	code := http.StatusOK
	if failed != nil {
		v, code = s.withErr(r, v, failed), status(failed)
	}
	s.render(w, r, code, "clients", v)
}

// loadClients fills the page (or the board's columns) and the agents'
// names.
func (s *site) loadClients(ctx context.Context, actor realty.Actor, d *clientsData, f crm.Filter) error {
	d.Agents, d.names = s.memberNames(ctx, actor)
	if !d.Board {
		p, err := s.Services.CRM.List(ctx, actor, f)
		d.Items = p.Items
		if p.NextCursor != "" {
			d.Next = "/clients?" + keep(d.Form, "cursor").Encode() + "&cursor=" + url.QueryEscape(p.NextCursor)
		}
		return err
	}
	stages := crm.Stages
	if f.Stage != "" {
		stages = []string{f.Stage}
	}
	for _, stage := range stages {
		f.Stage, f.Cursor = stage, ""
		p, err := s.Services.CRM.List(ctx, actor, f)
		if err != nil {
			return err
		}
		d.Columns = append(d.Columns, boardColumn{Stage: stage, Clients: p.Items, More: p.NextCursor != ""})
	}
	return nil
}

// memberNames lists the organization's members (the agent filter's
// choices) and their names by id; empty without member.read, when the
// page shows ids only where it must.
func (s *site) memberNames(ctx context.Context, actor realty.Actor) ([]org.Member, map[realty.ID]string) {
	members, _ := s.Services.Org.Members(ctx, actor)
	names := map[realty.ID]string{}
	for _, m := range members {
		names[m.ID] = strings.TrimSpace(m.FirstName + " " + m.LastName)
	}
	return members, names
}

// clientFilter reads the list's filters; Invalid naming agent for an agent
// that is no id.
func clientFilter(form url.Values) (crm.Filter, error) {
	agent, err := idField(form, "agent")
	return crm.Filter{Stage: form.Get("stage"), NurtureStatus: form.Get("nurture"), AgentID: agent,
		Tag: strings.TrimSpace(form.Get("tag")), Source: strings.TrimSpace(form.Get("source")),
		Q: form.Get("q"), Cursor: form.Get("cursor"), Sort: form.Get("sort")}, err
}

// keep returns form without the named parameters and without empty ones.
func keep(form url.Values, drop ...string) url.Values {
	out := url.Values{}
	for k, vs := range form {
		if !slices.Contains(drop, k) && len(vs) > 0 && vs[0] != "" {
			out[k] = vs
		}
	}
	return out
}

// handleClientStage moves a client to another stage from the board or the
// client page (crm.Service.ChangeStageFrom: client.write, as POST
// /api/v1/clients/{id}/stage): refused when the client left the stage the
// form showed. It returns to the view the form came from; a refusal is
// shown on the board, or on the client page, with its status.
func (s *site) handleClientStage(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err == nil {
		err = r.ParseForm()
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	back := safeNext(r.PostForm.Get("next"))
	_, _, err = s.Services.CRM.ChangeStageFrom(r.Context(), principalOf(r).Actor, id, r.PostForm.Get("from"),
		r.PostForm.Get("stage"), r.PostForm.Get("reason"))
	if err != nil {
		k := realty.KindOf(err)
		switch {
		case isHTMX(r) || (k != realty.Invalid && k != realty.Conflict):
			s.fail(w, r, err)
		case strings.HasPrefix(back, "/clients?"):
			u, _ := url.Parse(back)
			s.renderClients(w, r, u.Query(), err)
		default:
			form := r.PostForm
			form.Set("form", "stage")
			s.renderClient(w, r, status(err), form, err)
		}
		return
	}
	s.redirect(w, r, withNotice(back, "saved"))
}
