package web

import (
	"net/http"

	"realty"
	"realty/internal/messaging"
)

// routesResidentNotifications are the resident's notification choices:
// e-mail on or off for announcements and for messages from the manager.
func (s *site) routesResidentNotifications() []route {
	return []route{
		{"GET /resident/notifications", enrolled, s.handleResidentNotifications},
		{"POST /resident/notifications", enrolled, s.handleResidentNotificationsSave},
	}
}

// residentNotificationsData is the choices page; Linked is false for a
// member linked to no tenancy yet (nothing to choose).
type residentNotificationsData struct {
	Preferences []messaging.Preference
	Linked      bool
}

// handleResidentNotifications shows the resident's own choices
// (messaging.Service.ResidentPreferences).
func (s *site) handleResidentNotifications(w http.ResponseWriter, r *http.Request) {
	s.renderResidentNotifications(w, r, http.StatusOK, nil)
}

func (s *site) renderResidentNotifications(w http.ResponseWriter, r *http.Request, code int, failed error) {
	prefs, err := s.Services.Messaging.ResidentPreferences(r.Context(), principalOf(r).Actor)
	d := residentNotificationsData{Preferences: prefs, Linked: err == nil}
	if err != nil && realty.KindOf(err) != realty.NotFound { // NotFound: linked to no tenancy yet
		s.fail(w, r, err)
		return
	}
	v := s.newView(r, "Notifications", d)
	if failed != nil {
		v = s.withErr(r, v, failed)
	}
	s.render(w, r, code, "resident_notifications", v)
}

// handleResidentNotificationsSave stores the form's choices for the
// resident's own member (messaging.Service.SetResidentPreferences): each
// kind of messaging.ResidentKinds is e-mailed when the form's "email"
// values name it, and not when they do not.
func (s *site) handleResidentNotificationsSave(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		s.fail(w, r, err)
		return
	}
	email := map[string]bool{}
	for _, k := range messaging.ResidentKinds {
		email[k] = false
	}
	for _, k := range r.PostForm["email"] {
		email[k] = true
	}
	_, err := s.Services.Messaging.SetResidentPreferences(r.Context(), principalOf(r).Actor, email)
	if realty.KindOf(err) == realty.Invalid {
		s.renderResidentNotifications(w, r, status(err), err)
		return
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.redirect(w, r, "/resident/notifications?notice=saved")
}
