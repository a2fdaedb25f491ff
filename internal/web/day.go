package web

import (
	"net/http"
	"time"

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
}

// handleDay shows the member's own day, whatever their role: today's
// appointments in the organization's zone (crm.Service.Appointments),
// overdue tasks (crm.Service.Tasks, mine), the new or notified matches of
// the clients assigned to them, best first (crm.Service.NewMatchesOfMine)
// and their hottest leads. client.read.
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
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "day", s.newView(r, "My day", d))
}
