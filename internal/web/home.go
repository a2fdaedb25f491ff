package web

import (
	"context"
	"net/http"
	"slices"

	"realty"
	"realty/internal/listing"
	"realty/internal/property"
)

// routesHome are the routes of the start page.
func (s *site) routesHome() []route {
	return []route{
		{"GET /{$}", anyone, s.handleHome},
	}
}

// homeData is the start page of a signed-in member: a panel per domain
// whose work the member does, each filled by that domain's overview.
type homeData struct {
	Listings   *listing.Overview
	Properties *property.Overview
}

// ListingsFirst reports whether the listings panel leads: for a member who
// sees the organization's listings, has listings of their own, or has no
// portfolio panel. A member who works properties and lists nothing sees
// the portfolio first.
func (d homeData) ListingsFirst() bool {
	return d.Listings != nil && (!d.Listings.Own || d.Listings.Total > 0 || d.Properties == nil)
}

// SearchableStatus reports whether the listing search offers status as a
// filter (the start page links a status to its search only then).
func (homeData) SearchableStatus(status string) bool {
	return slices.Contains(listing.SearchableStatuses, status)
}

// homePanel is one panel of the start page: shown to a member holding
// perm, filled by one domain read method. A new domain adds a row.
type homePanel struct {
	perm string
	load func(ctx context.Context, s *site, actor realty.Actor, d *homeData) error
}

var homePanels = []homePanel{
	// Listing work: agents, brokers and whoever lists properties.
	{"listing.write", func(ctx context.Context, s *site, actor realty.Actor, d *homeData) error {
		o, err := s.Services.Listing.Overview(ctx, actor)
		d.Listings = &o
		return err
	}},
	// The portfolio: anyone who sees the properties.
	{"property.read", func(ctx context.Context, s *site, actor realty.Actor, d *homeData) error {
		o, err := s.Services.Property.Overview(ctx, actor)
		d.Properties = &o
		return err
	}},
}

// handleHome shows a visitor what realty is, and a signed-in member their
// start page: the panels their permissions call for (listing.Service.Overview,
// property.Service.Overview) and the pages they may use; a member without
// staff pages (a resident, a client) sees what their portal will hold. A
// member who must still enrol in MFA sees only the greeting.
func (s *site) handleHome(w http.ResponseWriter, r *http.Request) {
	p := principalOf(r)
	if p == nil {
		s.render(w, r, http.StatusOK, "home", s.newView(r, "", nil))
		return
	}
	d := &homeData{}
	if !p.MFASetupRequired {
		for _, panel := range homePanels {
			if !p.Actor.Can(panel.perm) {
				continue
			}
			if err := panel.load(r.Context(), s, p.Actor, d); err != nil {
				s.fail(w, r, err)
				return
			}
		}
	}
	s.render(w, r, http.StatusOK, "home", s.newView(r, "Start", d))
}

func (s *site) handleNotFound(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, http.StatusNotFound, "notfound", s.newView(r, "Not found", nil))
}
