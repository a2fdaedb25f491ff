package web

import (
	"io"
	"mime"
	"net/http"
	"time"

	"realty"
	"realty/internal/document"
)

// routesDocumentShare is the public page a share link opens, and its
// download. Anyone may use them: the token is the credential. The
// document service limits them per client address and password attempts
// per link, like the other public endpoints.
func (s *site) routesDocumentShare() []route {
	return []route{
		{"GET /shared/{token}", anyone, s.handleSharedDocument},
		{"POST /shared/{token}", anyone, s.handleSharedDownload},
	}
}

// sharedData is the share page: what the link shows, or why it is refused.
type sharedData struct {
	Token  string
	Shared document.Shared
	// Refused is why the link opens nothing (empty when it works).
	Refused string
}

// handleSharedDocument shows what a share link opens, logging the view
// (document.Service.ViewShare); a refused link says why.
func (s *site) handleSharedDocument(w http.ResponseWriter, r *http.Request) {
	d := sharedData{Token: r.PathValue("token")}
	var err error
	d.Shared, err = s.Services.Document.ViewShare(r.Context(), d.Token, clientOf(r))
	if err != nil {
		s.renderShared(w, r, d, err)
		return
	}
	s.renderShared(w, r, d, nil)
}

// handleSharedDownload sends the shared file once the link (and its
// password) is accepted (document.Service.DownloadShare); otherwise the
// page again with the reason.
func (s *site) handleSharedDownload(w http.ResponseWriter, r *http.Request) {
	d := sharedData{Token: r.PathValue("token")}
	f, shared, err := s.Services.Document.DownloadShare(r.Context(), d.Token, r.PostFormValue("password"), clientOf(r))
	if err != nil {
		if realty.KindOf(err) == realty.Unauthenticated {
			d.Shared.NeedsPassword = true
			err = realty.FieldError("password", realty.MessageOf(err))
		}
		s.renderShared(w, r, d, err)
		return
	}
	defer f.Close()
	serveDocument(w, r, f, shared.ContentType, shared.FileName, time.Time{}, false)
}

func (s *site) renderShared(w http.ResponseWriter, r *http.Request, d sharedData, err error) {
	code := http.StatusOK
	v := s.newView(r, "Shared document", &d)
	if err != nil {
		code = status(err)
		if realty.KindOf(err) == realty.Invalid {
			code = http.StatusUnauthorized
		} else {
			d.Refused = realty.MessageOf(err)
		}
		v = s.withErr(r, v, err)
	}
	w.Header().Set("Referrer-Policy", "no-referrer") // the token is in the address
	w.Header().Set("Cache-Control", "no-store")
	s.render(w, r, code, "shared_document", v)
}

// serveDocument sends a document's bytes with their sniffed type, inline
// or as an attachment under their cleaned name; never sniffed again by the
// browser.
func serveDocument(w http.ResponseWriter, r *http.Request, f io.ReadSeeker, contentType, name string, modified time.Time, inline bool) {
	kind := "attachment"
	if inline {
		kind = "inline"
	}
	w.Header().Set("Content-Type", contentType)
	w.Header().Set("Content-Disposition", mime.FormatMediaType(kind, map[string]string{"filename": name}))
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Cache-Control", "private, no-store")
	http.ServeContent(w, r, "", modified, f)
}
