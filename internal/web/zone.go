package web

import (
	"net/http"
	"time"
)

// Local formats an instant (time.Time or *time.Time) in the time zone of
// the organization the member acts in, with the zone's abbreviation; "" for
// a nil time.
func (v *view) Local(t any) string {
	var at time.Time
	switch x := t.(type) {
	case time.Time:
		at = x
	case *time.Time:
		if x == nil {
			return ""
		}
		at = *x
	default:
		return ""
	}
	return at.In(v.Zone()).Format("2006-01-02 15:04 MST")
}

// Zone is the time zone of the organization the member acts in (UTC for a
// visitor, or a zone Go does not know).
func (v *view) Zone() *time.Location {
	if v.Active == nil {
		return time.UTC
	}
	return zoneNamed(v.Active.TimeZone)
}

func zoneNamed(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		return time.UTC
	}
	return loc
}

// zone is the time zone of the organization the signed-in member acts in,
// in which the forms' dates and times are read. A failure to read it is
// logged and reads them as UTC.
func (s *site) zone(r *http.Request) *time.Location {
	p := principalOf(r)
	if p == nil {
		return time.UTC
	}
	orgs, err := s.Services.Org.Memberships(r.Context(), p.User.ID)
	if err != nil {
		s.Log.ErrorContext(r.Context(), "read the organization's time zone", "err", err)
	}
	for _, o := range orgs {
		if o.ID == p.Actor.OrgID {
			return zoneNamed(o.TimeZone)
		}
	}
	return time.UTC
}
