package web

import (
	"net/http"
	"net/url"

	"realty"
	"realty/internal/messaging"
)

// routesResidentMessages are the resident's conversations with the manager
// and the announcements that reached their home.
func (s *site) routesResidentMessages() []route {
	return []route{
		{"GET /resident/messages", enrolled, s.handleResidentThreads},
		{"POST /resident/messages", enrolled, s.handleResidentThreadCreate},
		{"GET /resident/messages/{id}", enrolled, s.handleResidentThread},
		{"POST /resident/messages/{id}", enrolled, s.handleResidentReply},
		{"GET /resident/announcements", enrolled, s.handleResidentAnnouncements},
	}
}

// handleResidentThreads lists the resident's own threads with the form to
// start one (messaging.ResidentOnly, then Threads, fenced to their tenant).
func (s *site) handleResidentThreads(w http.ResponseWriter, r *http.Request) {
	s.residentThreads(w, r, http.StatusOK, nil, nil)
}

func (s *site) residentThreads(w http.ResponseWriter, r *http.Request, code int, form url.Values, refused error) {
	actor := principalOf(r).Actor
	// A member linked to no tenant (NotFound) has no threads yet.
	err := messaging.ResidentOnly(actor)
	p := messaging.Page[messaging.Thread]{Items: []messaging.Thread{}}
	if err == nil {
		p, err = s.Services.Messaging.Threads(r.Context(), actor, messaging.ThreadFilter{Cursor: r.URL.Query().Get("cursor"), Limit: 50})
	}
	if err != nil && realty.KindOf(err) != realty.NotFound {
		s.fail(w, r, err)
		return
	}
	d := threadsData{Threads: p, Portal: true, Form: form}
	if p.NextCursor != "" {
		d.Next = "/resident/messages?cursor=" + url.QueryEscape(p.NextCursor)
	}
	v := s.newView(r, "Your messages", d)
	if refused != nil {
		v = s.withErr(r, v, refused)
	}
	s.render(w, r, code, "threads", v)
}

// handleResidentThreadCreate starts a thread with the manager about the
// resident's own tenancy (messaging.Service.StartThread).
func (s *site) handleResidentThreadCreate(w http.ResponseWriter, r *http.Request) {
	actor := principalOf(r).Actor
	err := messaging.ResidentOnly(actor)
	if err == nil {
		err = r.ParseForm()
	}
	var t messaging.ThreadView
	if err == nil {
		t, err = s.Services.Messaging.StartThread(r.Context(), actor, messaging.NewThread{Subject: r.PostForm.Get("subject"), Body: r.PostForm.Get("body")})
	} else if realty.KindOf(err) == realty.NotFound {
		err = realty.FieldError("subject", "your account is linked to no tenancy yet: ask your property manager")
	}
	if realty.KindOf(err) == realty.Invalid {
		s.residentThreads(w, r, status(err), r.PostForm, err)
		return
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.redirect(w, r, "/resident/messages/"+t.ID.String())
}

// handleResidentThread shows one of the resident's threads and marks it
// read: another tenancy's thread is not found.
func (s *site) handleResidentThread(w http.ResponseWriter, r *http.Request) {
	if err := messaging.ResidentOnly(principalOf(r).Actor); err != nil {
		s.fail(w, r, err)
		return
	}
	s.showThread(w, r, true, http.StatusOK, nil, nil)
}

// handleResidentReply adds the resident's reply to their own thread.
func (s *site) handleResidentReply(w http.ResponseWriter, r *http.Request) {
	if err := messaging.ResidentOnly(principalOf(r).Actor); err != nil {
		s.fail(w, r, err)
		return
	}
	s.reply(w, r, true)
}

// receivedData is a page of the announcements that reached the resident.
type receivedData struct {
	Items messaging.Page[messaging.Received]
	Next  string
}

// handleResidentAnnouncements lists the announcements that reached the
// resident's home (messaging.Service.MyAnnouncements) and marks the
// unread ones read.
func (s *site) handleResidentAnnouncements(w http.ResponseWriter, r *http.Request) {
	actor := principalOf(r).Actor
	p, err := s.Services.Messaging.MyAnnouncements(r.Context(), actor, r.URL.Query().Get("cursor"), 20)
	if realty.KindOf(err) == realty.NotFound { // linked to no tenant: none yet
		p, err = messaging.Page[messaging.Received]{Items: []messaging.Received{}}, nil
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	for _, a := range p.Items {
		if a.ReadAt == nil {
			if err := s.Services.Messaging.MarkAnnouncementRead(r.Context(), actor, a.ID); err != nil {
				s.fail(w, r, err)
				return
			}
		}
	}
	d := receivedData{Items: p}
	if p.NextCursor != "" {
		d.Next = "/resident/announcements?cursor=" + url.QueryEscape(p.NextCursor)
	}
	s.render(w, r, http.StatusOK, "resident_announcements", s.newView(r, "Announcements", d))
}
