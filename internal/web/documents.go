package web

import (
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"realty"
	"realty/internal/document"
)

// routesDocuments are the documents list with search and upload, and the
// document page with its versions, share links and access log.
func (s *site) routesDocuments() []route {
	return []route{
		{"GET /documents", enrolled, s.handleDocumentList},
		{"POST /documents", enrolled, s.handleDocumentCreate},
		{"GET /documents/{id}", enrolled, s.handleDocumentPage},
		{"POST /documents/{id}", enrolled, s.handleDocumentUpdate},
		{"POST /documents/{id}/versions", enrolled, s.handleDocumentVersion},
		{"GET /documents/{id}/content", enrolled, s.handleDocumentContent},
		{"POST /documents/{id}/shares", enrolled, s.handleDocumentShare},
		{"POST /documents/{id}/delete", enrolled, s.handleDocumentDelete},
		{"POST /document-shares/{id}/revoke", enrolled, s.handleDocumentShareRevoke},
	}
}

// documentsData is the list: the filter, the hits and the upload form.
type documentsData struct {
	Query url.Values
	Hits  []document.Hit
	// Next is the address of the next page, if any.
	Next     string
	Entities []string
	Form     url.Values
}

// handleDocumentList lists or searches documents (document.Service.List:
// document.read, as GET /api/v1/documents).
func (s *site) handleDocumentList(w http.ResponseWriter, r *http.Request) {
	s.renderDocuments(w, r, http.StatusOK, url.Values{"entity_type": {r.URL.Query().Get("entity_type")},
		"entity_id": {r.URL.Query().Get("entity_id")}, "visibility": {"staff"}}, nil)
}

func (s *site) renderDocuments(w http.ResponseWriter, r *http.Request, code int, form url.Values, failed error) {
	q := r.URL.Query()
	d := &documentsData{Query: q, Entities: document.EntityTypes, Form: form}
	f := document.Filter{Query: q.Get("q"), EntityType: q.Get("entity_type"), Category: strings.TrimSpace(q.Get("category")),
		Cursor: q.Get("cursor")}
	err := principalOf(r).Actor.Require("document.read")
	if id := q.Get("entity_id"); id != "" && err == nil {
		parsed, perr := realty.ParseID(id)
		if perr != nil {
			err = realty.FieldError("entity_id", "is not an id")
		}
		f.EntityID = &parsed
	}
	if err == nil {
		var page document.HitPage
		page, err = s.Services.Document.List(r.Context(), principalOf(r).Actor, f)
		if d.Hits = page.Items; page.NextCursor != "" {
			next := url.Values{}
			for k, v := range q {
				next[k] = v
			}
			next.Set("cursor", page.NextCursor)
			d.Next = "/documents?" + next.Encode()
		}
	}
	if err != nil && realty.KindOf(err) != realty.Invalid {
		s.fail(w, r, err)
		return
	}
	v := s.newView(r, "Documents", d)
	if err != nil {
		code, v = status(err), s.withErr(r, v, err)
		v.Form = "filter"
	} else if failed != nil {
		v = s.withErr(r, v, failed)
		v.Form = "upload"
	}
	s.render(w, r, code, "documents", v)
}

// handleDocumentCreate files an uploaded document (document.Service.Create:
// document.write, as POST /api/v1/documents); a refused field comes back in
// place.
func (s *site) handleDocumentCreate(w http.ResponseWriter, r *http.Request) {
	actor := principalOf(r).Actor
	if err := actor.Require("document.write"); err != nil {
		s.fail(w, r, err)
		return
	}
	up, ok := s.formFile(w, r)
	if !ok {
		return
	}
	if up.Body != nil {
		defer up.Body.(io.Closer).Close()
	}
	f := r.PostForm
	in := document.Input{Title: f.Get("title"), Category: f.Get("category"), EntityType: f.Get("entity_type"), Visibility: f.Get("visibility")}
	var doc document.Document
	var err error
	if in.EntityID, err = realty.ParseID(f.Get("entity_id")); err != nil {
		err = realty.FieldError("entity_id", "is not an id")
	} else {
		doc, err = s.Services.Document.Create(r.Context(), actor, in, up)
	}
	if err != nil {
		if realty.KindOf(err) != realty.Invalid {
			s.fail(w, r, err)
			return
		}
		s.renderDocuments(w, r, status(err), f, err)
		return
	}
	s.redirect(w, r, "/documents/"+doc.ID.String()+"?notice=saved")
}

// formFile reads the form's file (a File without Body when none was
// chosen, which the domain refuses naming file once it has checked the
// permission); false when the request was answered (a body too large).
func (s *site) formFile(w http.ResponseWriter, r *http.Request) (document.File, bool) {
	file, hdr, err := r.FormFile("file")
	switch {
	case status(err) == http.StatusRequestEntityTooLarge:
		s.fail(w, r, err)
		return document.File{}, false
	case err != nil:
		return document.File{}, true
	}
	return document.File{Name: hdr.Filename, Body: file}, true
}

// documentData is the document page.
type documentData struct {
	Doc      document.Document
	Versions []document.Version
	// Shares and Log are shown to holders of document.share.
	Shares []document.Share
	Log    []document.Access
	// Members names the members of the log and the versions.
	Members map[realty.ID]string
	// Link is a share link just made: shown once.
	Link string
}

// handleDocumentPage shows a document (document.Service.Get, Versions,
// Shares and AccessLog, as their GET /api/v1/documents/{id} operations).
func (s *site) handleDocumentPage(w http.ResponseWriter, r *http.Request) {
	s.renderDocument(w, r, http.StatusOK, "", "", nil)
}

func (s *site) renderDocument(w http.ResponseWriter, r *http.Request, code int, form, link string, failed error) {
	actor := principalOf(r).Actor
	id, err := pathID(r)
	d := &documentData{Link: link, Members: map[realty.ID]string{}}
	if err == nil {
		d.Doc, err = s.Services.Document.Get(r.Context(), actor, id)
	}
	if err == nil {
		d.Versions, err = s.Services.Document.Versions(r.Context(), actor, id)
	}
	if err == nil && actor.Can("document.share") {
		if d.Shares, err = s.Services.Document.Shares(r.Context(), actor, id); err == nil {
			d.Log, err = s.Services.Document.AccessLog(r.Context(), actor, id)
		}
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if members, err := s.Services.Org.Members(r.Context(), actor); err == nil {
		for _, m := range members {
			d.Members[m.ID] = strings.TrimSpace(m.FirstName + " " + m.LastName)
		}
	}
	v := s.newView(r, d.Doc.Title, d)
	if failed != nil {
		v = s.withErr(r, v, failed)
		v.Form = form
	}
	s.render(w, r, code, "document", v)
}

// documentFailed shows the page again with the refused form's error, or
// fails the request for an error no form can fix.
func (s *site) documentFailed(w http.ResponseWriter, r *http.Request, form string, err error) {
	if k := realty.KindOf(err); k != realty.Invalid && k != realty.Conflict {
		s.fail(w, r, err)
		return
	}
	s.renderDocument(w, r, status(err), form, "", err)
}

// handleDocumentUpdate changes title, category, visibility and retention
// (document.Service.Update: document.write, as PATCH /api/v1/documents/{id}).
func (s *site) handleDocumentUpdate(w http.ResponseWriter, r *http.Request) {
	id, f, err := pathForm(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	in := document.Update{Title: f.Get("title"), Category: f.Get("category"), Visibility: f.Get("visibility")}
	if v := f.Get("retain_until"); v != "" {
		day, perr := realty.ParseDate(v)
		if perr != nil {
			s.documentFailed(w, r, "edit", realty.FieldError("retain_until", "is not a date (YYYY-MM-DD)"))
			return
		}
		in.RetainUntil = &day
	}
	if _, err := s.Services.Document.Update(r.Context(), principalOf(r).Actor, id, in); err != nil {
		s.documentFailed(w, r, "edit", err)
		return
	}
	s.redirect(w, r, "/documents/"+id.String()+"?notice=saved")
}

// handleDocumentVersion uploads a new version (document.Service.AddVersion:
// document.write, as POST /api/v1/documents/{id}/versions).
func (s *site) handleDocumentVersion(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	up, ok := s.formFile(w, r)
	if !ok {
		return
	}
	if up.Body != nil {
		defer up.Body.(io.Closer).Close()
	}
	if _, err := s.Services.Document.AddVersion(r.Context(), principalOf(r).Actor, id, up); err != nil {
		s.documentFailed(w, r, "version", err)
		return
	}
	s.redirect(w, r, "/documents/"+id.String()+"?notice=saved")
}

// handleDocumentContent sends a version's file, logged as a view when
// inline=1, else a download (document.Service.Open: document.read, as GET
// /api/v1/documents/{id}/content).
func (s *site) handleDocumentContent(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	version, _ := strconv.Atoi(r.URL.Query().Get("version"))
	inline := r.URL.Query().Get("inline") == "1"
	f, v, err := s.Services.Document.Open(r.Context(), principalOf(r).Actor, id, max(version, 0), inline, clientOf(r))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	defer f.Close()
	serveDocument(w, r, f, v.ContentType, v.FileName, v.CreatedAt, inline)
}

// handleDocumentShare makes a share link and shows it once
// (document.Service.CreateShare: document.share, as POST
// /api/v1/documents/{id}/shares).
func (s *site) handleDocumentShare(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if err := r.ParseForm(); err != nil {
		s.fail(w, r, err)
		return
	}
	f := r.PostForm
	in := document.ShareInput{Label: f.Get("label"), Password: f.Get("password")}
	if in.ExpiresInDays, err = intOr(f.Get("expires_in_days"), "expires_in_days"); err == nil {
		var n int
		if n, err = intOr(f.Get("max_downloads"), "max_downloads"); err == nil && n != 0 {
			in.MaxDownloads = &n
		}
	}
	var token string
	if err == nil {
		_, token, err = s.Services.Document.CreateShare(r.Context(), principalOf(r).Actor, id, in)
	}
	if err != nil {
		s.documentFailed(w, r, "share", err)
		return
	}
	s.renderDocument(w, r, http.StatusCreated, "", shareLink(r, token), nil)
}

// intOr parses an optional whole number of a form (0 when empty), Invalid
// naming field.
func intOr(v, field string) (int, error) {
	if strings.TrimSpace(v) == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(strings.TrimSpace(v))
	if err != nil {
		return 0, realty.FieldError(field, "must be a whole number")
	}
	return n, nil
}

// shareLink is the absolute address of the share page of token.
func shareLink(r *http.Request, token string) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host + "/shared/" + url.PathEscape(token)
}

// handleDocumentShareRevoke ends a share link (document.Service.RevokeShare:
// document.share, as DELETE /api/v1/document-shares/{id}).
func (s *site) handleDocumentShareRevoke(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	sh, err := s.Services.Document.RevokeShare(r.Context(), principalOf(r).Actor, id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.redirect(w, r, "/documents/"+sh.DocumentID.String()+"?notice=revoked")
}

// handleDocumentDelete deletes a document (document.Service.Delete:
// document.manage, as DELETE /api/v1/documents/{id}).
func (s *site) handleDocumentDelete(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err == nil {
		err = s.Services.Document.Delete(r.Context(), principalOf(r).Actor, id)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.redirect(w, r, "/documents?notice=deleted")
}

// Who names a member of the organization ("" for none, "a former member"
// for one no longer listed).
func (d *documentData) Who(id *realty.ID) string {
	if id == nil {
		return ""
	}
	if n, ok := d.Members[*id]; ok && n != "" {
		return n
	}
	return "a member"
}

// documentsSection is what the "documents-section" partial shows on an
// entity's page (a deal, a property…): its current documents.
type documentsSection struct {
	EntityType string
	EntityID   realty.ID
	Docs       []document.Hit
	CanWrite   bool
}

// loadDocumentsSection reads an entity's documents for its page's section
// (document.Service.List: document.read); nil, and no section, when the
// actor may not read documents.
func (s *site) loadDocumentsSection(r *http.Request, entityType string, id realty.ID) (*documentsSection, error) {
	actor := principalOf(r).Actor
	if !actor.Can("document.read") {
		return nil, nil
	}
	page, err := s.Services.Document.List(r.Context(), actor, document.Filter{EntityType: entityType, EntityID: &id})
	if err != nil {
		return nil, err
	}
	return &documentsSection{EntityType: entityType, EntityID: id, Docs: page.Items, CanWrite: actor.Can("document.write")}, nil
}
