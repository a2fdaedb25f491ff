package web

import (
	"net/http"
	"strings"

	"realty/internal/crm"
)

// routesTasks are the routes of "my tasks".
func (s *site) routesTasks() []route {
	return []route{
		{"GET /tasks", enrolled, s.handleTasks},
		{"POST /tasks/{id}/complete", enrolled, s.handleTaskComplete},
	}
}

// taskGroup is one view of "my tasks": overdue, today or upcoming.
type taskGroup struct {
	View  string
	Tasks []crm.Task
	More  bool
}

// handleTasks shows the actor's own unfinished tasks by due time, in the
// three views of crm.Service.Tasks (client.read, as GET /api/v1/tasks?mine=true&view=…).
func (s *site) handleTasks(w http.ResponseWriter, r *http.Request) {
	actor := principalOf(r).Actor
	var groups []taskGroup
	for _, view := range crm.TaskViews {
		p, err := s.Services.CRM.Tasks(r.Context(), actor, crm.TaskFilter{Mine: true, View: view, Limit: crm.MaxPage})
		if err != nil {
			s.fail(w, r, err)
			return
		}
		groups = append(groups, taskGroup{View: view, Tasks: p.Items, More: p.NextCursor != ""})
	}
	s.render(w, r, http.StatusOK, "tasks", s.newView(r, "My tasks", groups))
}

// handleTaskComplete marks a task done (crm.Service.CompleteTask:
// client.write; another member's task is 404 to an agent) and returns to
// the page the form names, "my tasks" by default.
func (s *site) handleTaskComplete(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err == nil {
		err = r.ParseForm()
	}
	if err == nil {
		_, err = s.Services.CRM.CompleteTask(r.Context(), principalOf(r).Actor, id)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	next := safeNext(r.PostForm.Get("next"))
	if next == "/" || !strings.HasPrefix(next, "/clients/") && !strings.HasPrefix(next, "/tasks") {
		next = "/tasks"
	}
	s.redirect(w, r, withNotice(next, "saved"))
}
