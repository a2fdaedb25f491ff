package web

import (
	"net/http"

	"realty/internal/crm"
)

// feedData is the calendar-feed section of the account page: whether the
// member has a feed, and its address only in the answer that made it.
type feedData struct {
	crm.CalendarFeed
	URL string
}

// loadFeed fills the calendar-feed section for a member who reads clients
// (crm.Service.Feed); others have no section.
func (s *site) loadFeed(r *http.Request, d *accountData) error {
	p := principalOf(r)
	if p.MFASetupRequired || !p.Actor.Can("client.read") || p.Actor.MemberID.IsZero() {
		return nil
	}
	f, err := s.Services.CRM.Feed(r.Context(), p.Actor)
	if err != nil {
		return err
	}
	if d.Feed == nil {
		d.Feed = &feedData{}
	}
	d.Feed.CalendarFeed.Active, d.Feed.CalendarFeed.CreatedAt = f.Active, f.CreatedAt
	return nil
}

// handleFeedRotate makes a new calendar feed address (crm.Service.RotateFeed:
// client.read, as POST /api/v1/calendar-feed) and shows it once on the
// account page; the previous address stops working. The address is
// api.CalendarPath + token + ".ics" on this host.
func (s *site) handleFeedRotate(w http.ResponseWriter, r *http.Request) {
	f, err := s.Services.CRM.RotateFeed(r.Context(), principalOf(r).Actor)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	d := accountData{Feed: &feedData{URL: scheme + "://" + r.Host + "/calendar/" + f.Token + ".ics"}}
	s.showAccount(w, r, http.StatusOK, d, nil)
}

// handleFeedRevoke ends the member's calendar feed (crm.Service.RevokeFeed).
func (s *site) handleFeedRevoke(w http.ResponseWriter, r *http.Request) {
	if err := s.Services.CRM.RevokeFeed(r.Context(), principalOf(r).Actor); err != nil {
		s.fail(w, r, err)
		return
	}
	s.redirect(w, r, "/account?notice=revoked#calendar-feed")
}
