package web

import (
	"net/http"
	"net/url"

	"realty"
	"realty/internal/leasing"
	"realty/internal/messaging"
)

// routesMessages are the staff inbox: threads with tenants and vendors.
func (s *site) routesMessages() []route {
	return []route{
		{"GET /messages", enrolled, s.handleThreads},
		{"GET /messages/new", enrolled, s.handleThreadNew},
		{"POST /messages", enrolled, s.handleThreadCreate},
		{"GET /messages/{id}", enrolled, s.handleThread},
		{"POST /messages/{id}", enrolled, s.handleThreadReply},
	}
}

// The staff pages check the staff permission first: the service would take
// a resident holding neither for a resident (their own threads).

// threadsData is a page of threads; Tenants names the tenants of a page's
// threads when the member may read them.
type threadsData struct {
	Threads messaging.Page[messaging.Thread]
	Tenants map[realty.ID]string
	Next    string
	// Portal is the resident's own inbox (links under /resident).
	Portal bool
	Form   url.Values
}

// Name is how a thread's party reads.
func (d threadsData) Name(t messaging.Thread) string {
	switch {
	case t.VendorID != nil:
		return "Vendor " + t.VendorID.String()[:8]
	case t.TenantID != nil && d.Tenants[*t.TenantID] != "":
		return d.Tenants[*t.TenantID]
	}
	return "Tenant"
}

// tenantNames returns the names of the organization's tenants when actor
// may read them (lease.read), nil otherwise.
func (s *site) tenantNames(r *http.Request) (map[realty.ID]string, []leasing.Tenant) {
	p, err := s.Services.Leasing.Tenants(r.Context(), principalOf(r).Actor, leasing.TenantFilter{Limit: 100})
	if err != nil {
		return nil, nil
	}
	names := map[realty.ID]string{}
	for _, t := range p.Items {
		names[t.ID] = tenantName(t)
	}
	return names, p.Items
}

// handleThreads lists the threads, most recently active first, with the
// member's unread counts (messaging.Service.Threads: message.read).
func (s *site) handleThreads(w http.ResponseWriter, r *http.Request) {
	if err := principalOf(r).Actor.Require("message.read"); err != nil {
		s.fail(w, r, err)
		return
	}
	p, err := s.Services.Messaging.Threads(r.Context(), principalOf(r).Actor, messaging.ThreadFilter{Cursor: r.URL.Query().Get("cursor"), Limit: 50})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	d := threadsData{Threads: p}
	d.Tenants, _ = s.tenantNames(r)
	if p.NextCursor != "" {
		d.Next = "/messages?cursor=" + url.QueryEscape(p.NextCursor)
	}
	s.render(w, r, http.StatusOK, "threads", s.newView(r, "Messages", d))
}

// threadFormData is the new-thread form: the tenants to pick from (a
// tenant id field for a member who may not list them).
type threadFormData struct {
	Tenants []leasing.Tenant
	Form    url.Values
}

// handleThreadNew shows the new-thread form (?tenant= picks the tenant).
func (s *site) handleThreadNew(w http.ResponseWriter, r *http.Request) {
	if err := principalOf(r).Actor.Require("message.send"); err != nil {
		s.fail(w, r, err)
		return
	}
	_, tenants := s.tenantNames(r)
	f := url.Values{"tenant_id": {r.URL.Query().Get("tenant")}}
	s.render(w, r, http.StatusOK, "thread_form", s.newView(r, "New message", threadFormData{Tenants: tenants, Form: f}))
}

// handleThreadCreate starts a thread (messaging.Service.StartThread:
// message.send) and shows it; refused input comes back on the form.
func (s *site) handleThreadCreate(w http.ResponseWriter, r *http.Request) {
	if err := principalOf(r).Actor.Require("message.send"); err != nil {
		s.fail(w, r, err)
		return
	}
	if err := r.ParseForm(); err != nil {
		s.fail(w, r, err)
		return
	}
	f := r.PostForm
	tenant, err := idField(f, "tenant_id")
	var t messaging.ThreadView
	if err == nil {
		t, err = s.Services.Messaging.StartThread(r.Context(), principalOf(r).Actor, messaging.NewThread{TenantID: tenant, Subject: f.Get("subject"), Body: f.Get("body")})
	}
	if err != nil {
		if realty.KindOf(err) != realty.Invalid {
			s.fail(w, r, err)
			return
		}
		_, tenants := s.tenantNames(r)
		s.render(w, r, status(err), "thread_form", s.withErr(r, s.newView(r, "New message", threadFormData{Tenants: tenants, Form: f}), err))
		return
	}
	s.redirect(w, r, "/messages/"+t.ID.String())
}

// threadData is one thread's page.
type threadData struct {
	Thread messaging.ThreadView
	Party  string
	Portal bool
	Form   url.Values
}

// handleThread shows a thread and marks it read for the member
// (messaging.Service.Thread and MarkThreadRead: message.read).
func (s *site) handleThread(w http.ResponseWriter, r *http.Request) {
	if err := principalOf(r).Actor.Require("message.read"); err != nil {
		s.fail(w, r, err)
		return
	}
	s.showThread(w, r, false, http.StatusOK, nil, nil)
}

func (s *site) showThread(w http.ResponseWriter, r *http.Request, portal bool, code int, form url.Values, refused error) {
	actor := principalOf(r).Actor
	id, err := pathID(r)
	var t messaging.ThreadView
	if err == nil {
		t, err = s.Services.Messaging.Thread(r.Context(), actor, id)
	}
	if err == nil && refused == nil {
		err = s.Services.Messaging.MarkThreadRead(r.Context(), actor, id)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	d := threadData{Thread: t, Portal: portal, Form: form, Party: "Your property manager"}
	if !portal {
		names, _ := s.tenantNames(r)
		d.Party = threadsData{Tenants: names}.Name(t.Thread)
	}
	v := s.newView(r, t.Subject, d)
	if refused != nil {
		v = s.withErr(r, v, refused)
	}
	s.render(w, r, code, "thread", v)
}

// handleThreadReply adds the member's reply (messaging.Service.Reply:
// message.send) and goes back to the thread.
func (s *site) handleThreadReply(w http.ResponseWriter, r *http.Request) {
	if err := principalOf(r).Actor.Require("message.send"); err != nil {
		s.fail(w, r, err)
		return
	}
	s.reply(w, r, false)
}

func (s *site) reply(w http.ResponseWriter, r *http.Request, portal bool) {
	id, err := pathID(r)
	if err == nil {
		err = r.ParseForm()
	}
	if err == nil {
		_, err = s.Services.Messaging.Reply(r.Context(), principalOf(r).Actor, id, r.PostForm.Get("body"))
	}
	if realty.KindOf(err) == realty.Invalid {
		s.showThread(w, r, portal, status(err), r.PostForm, err)
		return
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	base := "/messages/"
	if portal {
		base = "/resident/messages/"
	}
	s.redirect(w, r, base+id.String())
}
