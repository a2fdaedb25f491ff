package web

import (
	"fmt"
	"net/http"
	"net/url"

	"realty/internal/messaging"
)

// routesNotifications are the routes of the notification bell's page.
func (s *site) routesNotifications() []route {
	return []route{
		{"GET /notifications", enrolled, s.handleNotifications},
		{"POST /notifications/{id}/read", enrolled, s.handleNotificationRead},
		{"POST /notifications/read-all", enrolled, s.handleNotificationsReadAll},
	}
}

// notificationsData is a page of the member's notifications.
type notificationsData struct {
	Items []notice
	Next  string
}

// notice is a notification as the page shows it: what it says and where
// it leads.
type notice struct {
	messaging.Notification
	Text string
	Link string
}

// handleNotifications lists the member's notifications, newest first
// (messaging.Service.Notifications: notification.read, as GET
// /api/v1/notifications).
func (s *site) handleNotifications(w http.ResponseWriter, r *http.Request) {
	p, err := s.Services.Messaging.Notifications(r.Context(), principalOf(r).Actor,
		messaging.Filter{Cursor: r.URL.Query().Get("cursor"), Limit: 50})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	d := notificationsData{}
	for _, n := range p.Items {
		d.Items = append(d.Items, describe(n))
	}
	if p.NextCursor != "" {
		d.Next = "/notifications?cursor=" + url.QueryEscape(p.NextCursor)
	}
	s.render(w, r, http.StatusOK, "notifications", s.newView(r, "Notifications", d))
}

// handleNotificationRead marks one notification read
// (messaging.Service.MarkRead) and goes where the form says: what the
// notification is about, or back to the list.
func (s *site) handleNotificationRead(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err == nil {
		err = r.ParseForm()
	}
	if err == nil {
		_, err = s.Services.Messaging.MarkRead(r.Context(), principalOf(r).Actor, id)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	next := safeNext(r.PostForm.Get("next"))
	if next == "/" {
		next = "/notifications"
	}
	s.redirect(w, r, next)
}

// handleNotificationsReadAll marks every notification of the member read
// (messaging.Service.MarkAllRead).
func (s *site) handleNotificationsReadAll(w http.ResponseWriter, r *http.Request) {
	if _, err := s.Services.Messaging.MarkAllRead(r.Context(), principalOf(r).Actor); err != nil {
		s.fail(w, r, err)
		return
	}
	s.redirect(w, r, "/notifications?notice=saved")
}

// describe words a notification from its kind and payload, and links it
// to the client, listing or task it is about.
func describe(n messaging.Notification) notice {
	out := notice{Notification: n, Text: kindText(n.Kind)}
	str := func(k string) string {
		if v, ok := n.Payload[k]; ok && v != nil {
			return fmt.Sprint(v)
		}
		return ""
	}
	for _, k := range []string{"name", "title", "client", "listing"} {
		if v := str(k); v != "" {
			out.Text += ": " + v
			break
		}
	}
	switch {
	case str("client_id") != "":
		out.Link = "/clients/" + url.PathEscape(str("client_id"))
	case str("listing_id") != "":
		out.Link = "/listings/" + url.PathEscape(str("listing_id"))
	case str("thread_id") != "":
		out.Link = "/messages/" + url.PathEscape(str("thread_id"))
	case str("task_id") != "":
		out.Link = "/tasks"
	}
	return out
}

// kindText is the description of a kind of notification.
func kindText(kind string) string {
	for _, k := range messaging.Kinds {
		if k.Name == kind {
			return k.Description
		}
	}
	return label(kind)
}
