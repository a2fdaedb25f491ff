package web

import (
	"net/http"
	"net/url"

	"realty"
	"realty/internal/listing"
	"realty/internal/org"
	"realty/internal/property"
)

// routesListings are the routes of searching and reading listings (the edit forms are in listing_edit.go).
func (s *site) routesListings() []route {
	return []route{
		{"GET /listings", enrolled, s.handleListingSearch},
		{"GET /listings/{id}", enrolled, s.handleListingShow},
		{"GET /listings/{id}/photo", enrolled, s.handleListingPhoto},
	}
}

// listingsData is the search page: the form as typed, the page of results
// and the link to the next one.
type listingsData struct {
	Form          url.Values
	Results       listing.Results
	Next          string
	Statuses      []string
	PropertyTypes []string
	Sorts         []string
	Agents        []org.Member
}

// handleListingSearch searches listings (listing.Service.Search:
// listing.read, as GET /api/v1/listings). A filter that does not parse or
// that the search refuses is shown beside its field with status 422.
func (s *site) handleListingSearch(w http.ResponseWriter, r *http.Request) {
	actor := principalOf(r).Actor
	form := r.URL.Query()
	d := listingsData{Form: form, Statuses: listing.SearchableStatuses, PropertyTypes: listing.PropertyTypes,
		Sorts: []string{"newest", "price_asc", "price_desc", "distance", "relevance"}}
	if err := actor.Require("listing.read"); err != nil {
		s.fail(w, r, err)
		return
	}
	d.Agents, _ = s.Services.Org.Members(r.Context(), actor) // only the agent filter's choices: without member.read it is typed
	q, err := searchQuery(form)
	if err == nil {
		d.Results, err = s.Services.Listing.Search(r.Context(), actor, q)
	}
	v := s.newView(r, "Listings", &d)
	if err != nil {
		if realty.KindOf(err) != realty.Invalid {
			s.fail(w, r, err)
			return
		}
		s.render(w, r, http.StatusUnprocessableEntity, "listings", s.withErr(r, v, err))
		return
	}
	if d.Results.NextCursor != "" {
		next := url.Values{}
		for k, vs := range form {
			next[k] = vs
		}
		next.Set("cursor", d.Results.NextCursor)
		d.Next = "/listings?" + next.Encode()
	}
	if isHTMX(r) {
		s.fragment(w, r, http.StatusOK, "listings", "results", v)
		return
	}
	s.render(w, r, http.StatusOK, "listings", v)
}

// listingData is the listing page.
type listingData struct {
	Listing    listing.Listing
	History    []listing.HistoryEntry
	OpenHouses []listing.OpenHouse
	Media      []property.Media
}

// handleListingShow shows one listing with its history and open houses
// (listing.read, as GET /api/v1/listings/{id}); its property's photos when
// the actor may see the property. Another organization's listing is 404.
func (s *site) handleListingShow(w http.ResponseWriter, r *http.Request) {
	actor := principalOf(r).Actor
	id, err := pathID(r)
	var d listingData
	if err == nil {
		d.Listing, err = s.Services.Listing.Get(r.Context(), actor, id)
	}
	if err == nil {
		d.History, err = s.Services.Listing.History(r.Context(), actor, id)
	}
	if err == nil {
		d.OpenHouses, err = s.Services.Listing.OpenHouses(r.Context(), actor, id)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if actor.Can("property.read") {
		d.Media, _ = s.Services.Property.MediaOf(r.Context(), actor, d.Listing.PropertyID)
	}
	s.render(w, r, http.StatusOK, "listing", s.newView(r, d.Listing.StreetAddress, &d))
}

// handleListingPhoto sends a listing's primary photo (listing.read: the
// listing is read first, so another organization's is 404).
func (s *site) handleListingPhoto(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	var l listing.Listing
	if err == nil {
		l, err = s.Services.Listing.Get(r.Context(), principalOf(r).Actor, id)
	}
	if err == nil && l.PrimaryPhoto == nil {
		err = &realty.Error{Kind: realty.NotFound, Message: "this listing has no photo"}
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	f, obj, err := s.Services.Blobs.Open(r.Context(), *l.PrimaryPhoto)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	defer f.Close()
	w.Header().Set("Content-Type", obj.ContentType)
	w.Header().Set("Cache-Control", "private, max-age=3600")
	http.ServeContent(w, r, "", l.ModificationTimestamp, f)
}

// handleMediaContent sends an uploaded file (property.Service.Content:
// property.read, as GET /api/v1/media/{id}/content).
func (s *site) handleMediaContent(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	f, m, err := s.Services.Property.Content(r.Context(), principalOf(r).Actor, id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	defer f.Close()
	if m.ContentType != nil {
		w.Header().Set("Content-Type", *m.ContentType)
	}
	w.Header().Set("Cache-Control", "private, max-age=3600")
	w.Header().Set("Content-Disposition", "inline")
	http.ServeContent(w, r, "", m.UpdatedAt, f)
}
