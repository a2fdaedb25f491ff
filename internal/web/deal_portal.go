package web

import (
	"net/http"

	"realty"
	"realty/internal/deal"
	"realty/internal/document"
)

// dealPortalData is the participant's portal: the deals they follow and,
// by deal, the documents shared with the deal's participants.
type dealPortalData struct {
	Deals []deal.FollowedDeal
	docs  map[realty.ID][]document.Document
}

// Documents are the documents of deal id shared with its participants.
func (d *dealPortalData) Documents(id realty.ID) []document.Document { return d.docs[id] }

// handleDealsFollowed shows a participant the deals they take part in,
// read-only: stage, dates, the stages reached (deal.Service.Following:
// taking part is the permission) and the documents shared with them
// (document.Service.SharedWith, never staff-only ones), each downloaded
// through /documents/{id}/content, which logs the access as theirs.
func (s *site) handleDealsFollowed(w http.ResponseWriter, r *http.Request) {
	ctx, actor := r.Context(), principalOf(r).Actor
	d := &dealPortalData{docs: map[realty.ID][]document.Document{}}
	var err error
	d.Deals, err = s.Services.Deal.Following(ctx, actor)
	for _, x := range d.Deals {
		if err == nil {
			d.docs[x.ID], err = s.Services.Document.SharedWith(ctx, actor, "deal", x.ID)
		}
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "deal_portal", s.newView(r, "Your deals", d))
}
