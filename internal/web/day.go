package web

import (
	"net/http"
	"time"

	"realty"

	"realty/internal/crm"
)

// routesDay are the routes of the agent's day.
func (s *site) routesDay() []route {
	return []route{
		{"GET /day", enrolled, s.handleDay},
	}
}

// dayData is the agent's day: their own appointments of today, overdue
// tasks, new matches of their clients and their hottest leads.
type dayData struct {
	Date         time.Time
	Appointments []apptRow
	Overdue      []crm.Task
	MoreOverdue  bool
	Matches      []crm.AgentMatch
	Leads        []hotLead
}

// hotLead is one of the agent's open clients with its score and the
// reasons that weigh most.
type hotLead struct {
	crm.Client
	Reasons []crm.Reason
}

// hotLeads is how many leads the day shows, and how many reasons each.
const hotLeads, hotReasons = 5, 3

// handleDay shows the member's own day, whatever their role: today's
// appointments in the organization's zone (crm.Service.Appointments),
// overdue tasks (crm.Service.Tasks, mine), the new or notified matches of
// the clients assigned to them, best first (crm.Service.NewMatchesOfMine)
// and their hottest leads: the open clients assigned to them with the
// highest lead score (crm.Service.List sorted by score), each with its
// weightiest reasons (crm.Service.ClientScore). client.read.
func (s *site) handleDay(w http.ResponseWriter, r *http.Request) {
	actor := principalOf(r).Actor
	now := time.Now().In(s.zone(r))
	start := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, now.Location())
	end := start.AddDate(0, 0, 1)
	d := &dayData{Date: start}
	me := actor.MemberID
	page, err := s.Services.CRM.Appointments(r.Context(), actor, crm.AppointmentFilter{AgentID: &me, From: &start, To: &end, Limit: crm.MaxPage})
	if err == nil {
		d.Appointments = s.withClients(r.Context(), actor, page.Items, "/day")
		var tasks crm.TaskPage
		tasks, err = s.Services.CRM.Tasks(r.Context(), actor, crm.TaskFilter{Mine: true, View: "overdue", Limit: crm.MaxPage})
		d.Overdue, d.MoreOverdue = tasks.Items, tasks.NextCursor != ""
	}
	if err == nil {
		d.Matches, err = s.Services.CRM.NewMatchesOfMine(r.Context(), actor, 20)
	}
	if err == nil {
		d.Leads, err = s.hottest(r, &me)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "day", s.newView(r, "My day", d))
}

// hottest returns the agent's open clients (neither closed nor lost) with
// a score, highest first, each with its top reasons.
func (s *site) hottest(r *http.Request, agent *realty.ID) ([]hotLead, error) {
	actor := principalOf(r).Actor
	p, err := s.Services.CRM.List(r.Context(), actor, crm.Filter{AgentID: agent, Sort: "score", Limit: 4 * hotLeads})
	if err != nil {
		return nil, err
	}
	var out []hotLead
	for _, c := range p.Items {
		if c.LeadScore == nil || c.Stage == "closed" || c.Stage == "lost" || len(out) == hotLeads {
			continue
		}
		sc, err := s.Services.CRM.ClientScore(r.Context(), actor, c.ID)
		if err != nil {
			return nil, err
		}
		out = append(out, hotLead{Client: c, Reasons: sc.Reasons[:min(hotReasons, len(sc.Reasons))]})
	}
	return out, nil
}
