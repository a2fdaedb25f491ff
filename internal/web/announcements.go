package web

import (
	"net/http"
	"net/url"

	"realty"
	"realty/internal/messaging"
	"realty/internal/property"
)

// routesAnnouncements are the staff's announcements to tenants.
func (s *site) routesAnnouncements() []route {
	return []route{
		{"GET /announcements", enrolled, s.handleAnnouncements},
		{"GET /announcements/new", enrolled, s.handleAnnouncementNew},
		{"POST /announcements", enrolled, s.handleAnnouncementCreate},
	}
}

// announcementsData is a page of announcements.
type announcementsData struct {
	Items messaging.Page[messaging.Announcement]
	Next  string
}

// handleAnnouncements lists the announcements, latest first
// (messaging.Service.Announcements: announcement.read).
func (s *site) handleAnnouncements(w http.ResponseWriter, r *http.Request) {
	p, err := s.Services.Messaging.Announcements(r.Context(), principalOf(r).Actor, messaging.AnnouncementFilter{Cursor: r.URL.Query().Get("cursor"), Limit: 50})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	d := announcementsData{Items: p}
	if p.NextCursor != "" {
		d.Next = "/announcements?cursor=" + url.QueryEscape(p.NextCursor)
	}
	s.render(w, r, http.StatusOK, "announcements", s.newView(r, "Announcements", d))
}

// announcementFormData is the scope picker: the properties, and the
// buildings and units of the chosen one.
type announcementFormData struct {
	Properties []property.Property
	Buildings  []property.Building
	Units      []property.Unit
	Form       url.Values
}

func (s *site) announcementForm(r *http.Request, f url.Values) (announcementFormData, error) {
	actor := principalOf(r).Actor
	d := announcementFormData{Form: f}
	ps, err := s.Services.Property.List(r.Context(), actor, property.Filter{Limit: 100})
	if err != nil {
		return d, err
	}
	d.Properties = ps.Items
	if pid, err := idField(f, "property_id"); err == nil && pid != nil {
		d.Buildings, _ = s.Services.Property.Buildings(r.Context(), actor, *pid)
		d.Units, _ = s.Services.Property.Units(r.Context(), actor, *pid)
	}
	return d, nil
}

// handleAnnouncementNew shows the form; ?property_id= fills the building
// and unit pickers with that property's.
func (s *site) handleAnnouncementNew(w http.ResponseWriter, r *http.Request) {
	if err := principalOf(r).Actor.Require("announcement.manage"); err != nil {
		s.fail(w, r, err)
		return
	}
	f := r.URL.Query()
	if f.Get("scope") == "" {
		f.Set("scope", "property")
	}
	d, err := s.announcementForm(r, f)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "announcement_form", s.newView(r, "New announcement", d))
}

// handleAnnouncementCreate publishes an announcement now
// (messaging.Service.Announce: announcement.manage); refused input comes
// back on the form, naming the field.
func (s *site) handleAnnouncementCreate(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		s.fail(w, r, err)
		return
	}
	f := r.PostForm
	sc := messaging.Scope{Kind: f.Get("scope")}
	pid, err := idField(f, "property_id")
	if err == nil && pid != nil {
		sc.PropertyID = *pid
	}
	if err == nil && sc.Kind == "building" {
		sc.BuildingID, err = idField(f, "building_id")
	}
	if err == nil && sc.Kind == "unit" {
		sc.UnitID, err = idField(f, "unit_id")
	}
	if err == nil {
		_, err = s.Services.Messaging.Announce(r.Context(), principalOf(r).Actor, messaging.NewAnnouncement{Title: f.Get("title"), Body: f.Get("body"), Scope: sc})
	}
	if err != nil {
		if realty.KindOf(err) != realty.Invalid {
			s.fail(w, r, err)
			return
		}
		d, ferr := s.announcementForm(r, f)
		if ferr != nil {
			s.fail(w, r, ferr)
			return
		}
		s.render(w, r, status(err), "announcement_form", s.withErr(r, s.newView(r, "New announcement", d), err))
		return
	}
	s.redirect(w, r, "/announcements?notice=saved")
}
