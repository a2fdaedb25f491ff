package web

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"time"

	"realty"
	"realty/internal/crm"
)

// routesAppointments are the forms that change an appointment, posted from
// the agent's day, the week calendar and the client page.
func (s *site) routesAppointments() []route {
	return []route{
		{"POST /clients/{id}/appointments", enrolled, s.handleClientBook},
		{"POST /appointments/{id}/status", enrolled, s.handleAppointmentStatus},
	}
}

// apptRow is an appointment as the pages list it: with its client's name.
type apptRow struct {
	crm.Appointment
	Client string
	// Next is the page its status form returns to.
	Next string
}

// Upcoming reports whether the appointment has not ended yet.
func (a apptRow) Upcoming() bool { return time.Now().Before(a.EndsAt) }

// Open reports whether the appointment may still be completed, marked as a
// no-show or canceled.
func (a apptRow) Open() bool { return a.Status == "scheduled" || a.Status == "confirmed" }

// withClients names the clients of appointments (crm.Service.Get, once per
// client; a client the actor may not open is shown without a name) and
// sets the page their forms return to.
func (s *site) withClients(ctx context.Context, actor realty.Actor, items []crm.Appointment, next string) []apptRow {
	names := map[realty.ID]string{}
	out := make([]apptRow, 0, len(items))
	for _, a := range items {
		row := apptRow{Appointment: a, Next: next}
		if a.ClientID != nil {
			name, ok := names[*a.ClientID]
			if !ok {
				if c, err := s.Services.CRM.Get(ctx, actor, *a.ClientID); err == nil {
					name = strings.TrimSpace(c.FirstName + " " + c.LastName)
				}
				names[*a.ClientID] = name
			}
			row.Client = name
		}
		out = append(out, row)
	}
	return out
}

// bookingInput reads the book form (kind, title, client, listing, starts_at,
// ends_at, agent, location, notes) with times in loc; Invalid naming the
// field.
func bookingInput(form url.Values, loc *time.Location) (crm.AppointmentInput, error) {
	in := crm.AppointmentInput{Kind: form.Get("kind"), Title: strings.TrimSpace(form.Get("title")),
		Location: form.Get("location"), Notes: form.Get("notes")}
	var err error
	if in.AgentID, err = idField(form, "agent_id"); err != nil {
		return in, err
	}
	if in.ClientID, err = idField(form, "client_id"); err != nil {
		return in, err
	}
	if in.ListingID, err = idField(form, "listing_id"); err != nil {
		return in, err
	}
	for name, dst := range map[string]*time.Time{"starts_at": &in.StartsAt, "ends_at": &in.EndsAt} {
		t, err := dateTimeField(form, name, loc)
		if err != nil {
			return in, err
		}
		if t == nil {
			return in, realty.FieldError(name, "is required")
		}
		*dst = *t
	}
	return in, nil
}

// handleClientBook books an appointment with the client
// (crm.Service.Book: client.write, as POST /api/v1/appointments); a clash
// is shown beside the start with 409 naming the appointment in the way.
func (s *site) handleClientBook(w http.ResponseWriter, r *http.Request) {
	s.clientForm(w, r, "appointment", func(id realty.ID, form url.Values) error {
		if err := principalOf(r).Actor.Require("client.write"); err != nil {
			return err
		}
		in, err := bookingInput(form, s.zone(r))
		if err != nil {
			return err
		}
		in.ClientID = &id
		_, err = s.Services.CRM.Book(r.Context(), principalOf(r).Actor, in)
		return err
	})
}

// handleAppointmentStatus completes, marks as a no-show or cancels an
// appointment (crm.Service.SetAppointmentStatus: client.write; another
// agent's is 404 to an agent) and returns to the page the form names: the
// agent's day, the calendar or a client page.
func (s *site) handleAppointmentStatus(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err == nil {
		_, err = s.Services.CRM.SetAppointmentStatus(r.Context(), principalOf(r).Actor, id,
			r.PostForm.Get("status"), r.PostForm.Get("cancellation_reason"), nil)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.redirect(w, r, noticeBefore(crmNext(r.PostForm.Get("next"), "/day"), "saved"))
}

// crmNext is next when it is one of the CRM pages a form returns to, else
// fallback.
func crmNext(next, fallback string) string {
	next = safeNext(next)
	for _, p := range []string{"/day", "/calendar", "/clients/"} {
		if next == p || strings.HasPrefix(next, p+"?") || strings.HasPrefix(next, p+"#") || strings.HasSuffix(p, "/") && strings.HasPrefix(next, p) {
			return next
		}
	}
	return fallback
}

// noticeBefore is withNotice for a path that may end in a #fragment: the
// notice goes in the query, the fragment stays last.
func noticeBefore(path, key string) string {
	base, frag, ok := strings.Cut(path, "#")
	if !ok {
		return withNotice(path, key)
	}
	return withNotice(base, key) + "#" + frag
}
