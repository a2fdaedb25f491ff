package web

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"realty"
	"realty/internal/crm"
)

// routesCalendar are the routes of the week calendar and of the member's
// calendar feed.
func (s *site) routesCalendar() []route {
	return []route{
		{"GET /calendar", enrolled, s.handleCalendar},
		{"POST /appointments", enrolled, s.handleCalendarBook},
		{"POST /account/calendar-feed", enrolled, s.handleFeedRotate},
		{"POST /account/calendar-feed/revoke", enrolled, s.handleFeedRevoke},
	}
}

// calendarData is a week of one agent's appointments.
type calendarData struct {
	Week      string // ISO week, 2026-W49
	Prev      string
	Next      string
	Days      []calendarDay
	Agent     realty.ID
	Agents    []realtyMember
	AgentName string
	Kinds     []string
	Form      url.Values
	// Clients are the agent's clients, the book form's choices.
	Clients []crm.Client
}

// calendarDay is one day of the week with its appointments by start.
type calendarDay struct {
	Date  time.Time
	Today bool
	Items []apptRow
}

// Link is the calendar of week w for the page's agent.
func (d *calendarData) Link(week string) string {
	q := url.Values{"week": {week}}
	if d.Agents != nil {
		q.Set("agent", d.Agent.String())
	}
	return "/calendar?" + q.Encode()
}

// handleCalendar shows a week (?week=2026-W49, or the week holding
// ?start=YYYY-MM-DD, this week by default) of the member's appointments in
// the organization's zone (crm.Service.Appointments: client.read); a member
// holding client.manage may pick an agent (?agent=id).
func (s *site) handleCalendar(w http.ResponseWriter, r *http.Request) {
	s.renderCalendar(w, r, http.StatusOK, r.URL.Query(), url.Values{}, nil)
}

// renderCalendar shows the calendar the query q asks for, with the book
// form as typed and its error when failed is set.
func (s *site) renderCalendar(w http.ResponseWriter, r *http.Request, code int, q, form url.Values, failed error) {
	actor := principalOf(r).Actor
	loc := s.zone(r)
	err := actor.Require("client.read")
	var monday time.Time
	if err == nil {
		monday, err = weekStart(q, time.Now().In(loc), loc)
	}
	d := &calendarData{Kinds: crm.AppointmentKinds, Form: form, Agent: actor.MemberID}
	if err == nil && actor.Can("client.manage") {
		d.Agents = []realtyMember{}
		var agent *realty.ID
		if agent, err = idField(q, "agent"); agent != nil {
			d.Agent = *agent
		}
	}
	var page crm.AppointmentPage
	if err == nil {
		end := monday.AddDate(0, 0, 7)
		page, err = s.Services.CRM.Appointments(r.Context(), actor, crm.AppointmentFilter{AgentID: &d.Agent, From: &monday, To: &end, Limit: crm.MaxPage})
	}
	if err == nil && actor.Can("client.write") {
		var clients crm.ClientPage
		clients, err = s.Services.CRM.List(r.Context(), actor, crm.Filter{AgentID: &d.Agent, Limit: crm.MaxPage})
		d.Clients = clients.Items
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	d.fill(monday, time.Now().In(loc), s.withClients(r.Context(), actor, page.Items, d.Link(isoWeek(monday))))
	members, names := s.memberNames(r.Context(), actor)
	d.AgentName = names[d.Agent]
	if d.Agents != nil {
		for _, m := range members {
			if m.Status == "active" && (slices.Contains(m.Roles, "agent") || slices.Contains(m.Roles, "broker")) {
				d.Agents = append(d.Agents, realtyMember{m.ID, names[m.ID]})
			}
		}
	}
	v := s.newView(r, "Calendar", d)
	if failed != nil {
		v = s.withErr(r, v, failed)
		v.Form = "book"
	}
	s.render(w, r, code, "calendar", v)
}

// fill lays the appointments out on the seven days from monday.
func (d *calendarData) fill(monday, now time.Time, items []apptRow) {
	d.Week, d.Prev, d.Next = isoWeek(monday), isoWeek(monday.AddDate(0, 0, -7)), isoWeek(monday.AddDate(0, 0, 7))
	for i := range 7 {
		day := monday.AddDate(0, 0, i)
		cd := calendarDay{Date: day, Today: sameDay(day, now)}
		for _, a := range items {
			if sameDay(a.StartsAt.In(day.Location()), day) || i == 0 && a.StartsAt.Before(day) {
				cd.Items = append(cd.Items, a)
			}
		}
		d.Days = append(d.Days, cd)
	}
}

func sameDay(a, b time.Time) bool {
	return a.Year() == b.Year() && a.YearDay() == b.YearDay()
}

// weekStart is the Monday 00:00 in loc of the week q names by week
// (ISO, 2026-W49) or start (a date in it); the week of now by default.
// Invalid naming week or start.
func weekStart(q url.Values, now time.Time, loc *time.Location) (time.Time, error) {
	day := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, loc)
	if w := q.Get("week"); w != "" {
		year, week, ok := strings.Cut(w, "-W")
		y, yerr := strconv.Atoi(year)
		n, nerr := strconv.Atoi(week)
		if !ok || yerr != nil || nerr != nil || y < 1900 || y > 9999 || n < 1 || n > 53 {
			return time.Time{}, realty.FieldError("week", "is not an ISO week (YYYY-Www)")
		}
		jan4 := time.Date(y, 1, 4, 0, 0, 0, 0, loc)
		day = jan4.AddDate(0, 0, (n-1)*7)
	} else if st := q.Get("start"); st != "" {
		t, err := time.ParseInLocation(time.DateOnly, st, loc)
		if err != nil {
			return time.Time{}, realty.FieldError("start", "is not a date (YYYY-MM-DD)")
		}
		day = t
	}
	back := (int(day.Weekday()) + 6) % 7
	return day.AddDate(0, 0, -back), nil
}

// isoWeek names the ISO week holding t: 2026-W49.
func isoWeek(t time.Time) string {
	y, w := t.ISOWeek()
	return fmt.Sprintf("%04d-W%02d", y, w)
}

// handleCalendarBook books an appointment from the week calendar
// (crm.Service.Book: client.write; for another agent client.manage) and
// shows the week it starts in; a clash is 409 with the calendar again, the
// clashing appointment named beside the start.
func (s *site) handleCalendarBook(w http.ResponseWriter, r *http.Request) {
	loc := s.zone(r)
	var in crm.AppointmentInput
	err := principalOf(r).Actor.Require("client.write")
	if err == nil {
		in, err = bookingInput(r.PostForm, loc)
	}
	var a crm.Appointment
	if err == nil {
		a, err = s.Services.CRM.Book(r.Context(), principalOf(r).Actor, in)
	}
	q := url.Values{}
	if agent := r.PostForm.Get("agent_id"); agent != "" {
		q.Set("agent", agent)
	}
	if err != nil {
		if k := realty.KindOf(err); k != realty.Invalid && k != realty.Conflict {
			s.fail(w, r, err)
			return
		}
		if !in.StartsAt.IsZero() {
			q.Set("week", isoWeek(in.StartsAt.In(loc)))
		}
		s.renderCalendar(w, r, status(err), q, r.PostForm, err)
		return
	}
	q.Set("week", isoWeek(a.StartsAt.In(loc)))
	q.Set("notice", "saved")
	s.redirect(w, r, "/calendar?"+q.Encode())
}
