package web

import (
	"net/http"
	"net/url"
	"strings"

	"realty"
	"realty/internal/audit"
	"realty/internal/org"
)

// routesAudit are the routes of the audit log.
func (s *site) routesAudit() []route {
	return []route{
		{"GET /admin/audit", enrolled, s.handleAuditList},
	}
}

// auditData is the audit log viewer: one tab of row changes or security
// events, filtered, one page at a time.
type auditData struct {
	Tab     string // "changes" or "events"
	Filter  auditForm
	Changes []audit.Change
	Events  []audit.Event
	// NextURL continues the list after this page ("" at the end).
	NextURL string
	// Members fill the user filter and name users; nil when the actor may
	// not read members.
	Members []org.Member
}

// auditForm is the filter as typed: dates are YYYY-MM-DD, "to" inclusive.
type auditForm struct {
	Table, Kind, User, From, To, Cursor string
}

// UserName names the user with id, or shows the id when unknown.
func (d auditData) UserName(id *realty.ID) string {
	if id == nil {
		return ""
	}
	for _, m := range d.Members {
		if m.UserID == *id {
			return m.Email
		}
	}
	return id.String()
}

// parse turns the form into the audit filter, Invalid naming the field at
// fault.
func (f auditForm) parse() (audit.Filter, error) {
	out := audit.Filter{Table: strings.TrimSpace(f.Table), Kind: strings.TrimSpace(f.Kind), Cursor: f.Cursor}
	if f.User != "" {
		id, err := realty.ParseID(f.User)
		if err != nil {
			return out, realty.FieldError("user", "is not a valid user id")
		}
		out.UserID = &id
	}
	var err error
	if out.From, err = parseDay("from", f.From); err != nil {
		return out, err
	}
	if out.To, err = parseDay("to", f.To); err != nil || out.To == nil {
		return out, err
	}
	end := out.To.AddDate(0, 0, 1) // the form's "to" day is included
	out.To = &end
	return out, nil
}

// query is the form as a query string, with cursor for the next page.
func (f auditForm) query(tab, cursor string) string {
	q := url.Values{"tab": {tab}}
	for k, v := range map[string]string{"table": f.Table, "kind": f.Kind, "user": f.User, "from": f.From, "to": f.To, "cursor": cursor} {
		if v != "" {
			q.Set(k, v)
		}
	}
	return q.Encode()
}

// handleAuditList shows a page of row changes or security events
// (audit.Service.Changes or Events: audit.read, as GET
// /api/v1/audit/changes and /api/v1/audit/security-events).
func (s *site) handleAuditList(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	d := auditData{Tab: "changes", Filter: auditForm{Table: q.Get("table"), Kind: q.Get("kind"), User: q.Get("user"),
		From: q.Get("from"), To: q.Get("to"), Cursor: q.Get("cursor")}}
	if q.Get("tab") == "events" {
		d.Tab = "events"
	}
	actor := principalOf(r).Actor
	f, ferr := d.Filter.parse()
	var next string
	var err error
	switch {
	case ferr != nil:
		_, err = s.Services.Audit.Changes(r.Context(), actor, audit.Filter{Limit: 1}) // the permission still decides first
	case d.Tab == "events":
		var p audit.Page[audit.Event]
		p, err = s.Services.Audit.Events(r.Context(), actor, f)
		d.Events, next = p.Items, p.NextCursor
	default:
		var p audit.Page[audit.Change]
		p, err = s.Services.Audit.Changes(r.Context(), actor, f)
		d.Changes, next = p.Items, p.NextCursor
	}
	if err == nil {
		d.Members, err = s.Services.Org.Members(r.Context(), actor)
		if realty.KindOf(err) == realty.Forbidden {
			d.Members, err = nil, nil
		}
	}
	s.showAudit(w, r, d, next, err, ferr)
}

// showAudit renders the viewer: a refused or failed read is the error page;
// a bad filter or cursor is shown on the form (422).
func (s *site) showAudit(w http.ResponseWriter, r *http.Request, d auditData, next string, err, ferr error) {
	if ferr == nil && realty.KindOf(err) == realty.Invalid {
		err, ferr = nil, err // a cursor not from this viewer
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if next != "" {
		d.NextURL = "/admin/audit?" + d.Filter.query(d.Tab, next)
	}
	v := s.newView(r, "Audit log", d)
	st := http.StatusOK
	if ferr != nil {
		s.withErr(r, v, ferr)
		st = status(ferr)
	}
	s.render(w, r, st, "audit", v)
}
