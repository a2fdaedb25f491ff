package web

import (
	"net/http"
	"strconv"
	"strings"

	"realty/internal/deal"
)

// routesDealSign are the outside signer's pages: public, reached through
// the one-time link e-mailed to them (?token=sig_…), no session needed.
// Each request is limited per client address (deal.SignPerIP).
func (s *site) routesDealSign() []route {
	return []route{
		{"GET " + deal.SignPath, anyone, s.handleSignShow},
		{"GET " + deal.SignPath + "/document", anyone, s.handleSignDocument},
		{"POST " + deal.SignPath, anyone, s.handleSignSubmit},
	}
}

// signData is the signing page.
type signData struct {
	Token     string
	Signing   deal.Signing
	Consent   string
	TypedName string
	// Signed is set once the signature is recorded; Executed when it was
	// the last one required.
	Signed   bool
	Executed bool
	// Statement is what ticking the consent box agrees to.
	Statement string
}

// signClient is where a signing request came from: the connection's
// address and the user agent.
func signClient(r *http.Request) deal.SigningClient {
	c := clientOf(r)
	return deal.SigningClient{IP: c.IP, UserAgent: c.UserAgent}
}

// handleSignShow shows the exact version the link's signer signs, with the
// consent box and the typed-name field (deal.Contracts.OpenSigning, which
// records the view). A refused link shows why, with its status.
func (s *site) handleSignShow(w http.ResponseWriter, r *http.Request) {
	d := signData{Token: strings.TrimSpace(r.URL.Query().Get("token"))}
	sg, err := s.Services.Contracts.OpenSigning(r.Context(), d.Token, signClient(r))
	d.Signing = sg
	s.showSign(w, r, http.StatusOK, d, err)
}

// handleSignDocument answers the PDF of the version the link's signer
// signs, checked against its SHA-256.
func (s *site) handleSignDocument(w http.ResponseWriter, r *http.Request) {
	b, v, err := s.Services.Contracts.SigningDocument(r.Context(), strings.TrimSpace(r.URL.Query().Get("token")), signClient(r))
	if err != nil {
		s.showSign(w, r, status(err), signData{}, err)
		return
	}
	w.Header().Set("Content-Type", "application/pdf")
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.Header().Set("Content-Disposition", `inline; filename="contract-v`+strconv.Itoa(v.Number)+`.pdf"`)
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write(b)
}

// handleSignSubmit records the signature (deal.Contracts.Sign): the
// consent, the typed name and the SHA-256 of the version the page showed.
func (s *site) handleSignSubmit(w http.ResponseWriter, r *http.Request) {
	d := signData{Token: strings.TrimSpace(r.PostFormValue("token")), Consent: r.PostFormValue("consent"),
		TypedName: r.PostFormValue("typed_name")}
	res, err := s.Services.Contracts.Sign(r.Context(), d.Token, deal.SignInput{Consent: d.Consent == "yes", TypedName: d.TypedName,
		SHA256: r.PostFormValue("sha256")}, signClient(r))
	if err != nil {
		// Show the document again (when the link still opens) beside the error.
		if sg, oerr := s.Services.Contracts.OpenSigning(r.Context(), d.Token, signClient(r)); oerr == nil {
			d.Signing = sg
		}
		s.showSign(w, r, status(err), d, err)
		return
	}
	d.Signing, d.Signed, d.Executed = res.Signing, true, res.Executed
	s.showSign(w, r, http.StatusOK, d, nil)
}

func (s *site) showSign(w http.ResponseWriter, r *http.Request, st int, d signData, err error) {
	d.Statement = deal.ConsentStatement
	v := s.newView(r, "Sign a document", d)
	if err != nil {
		s.withErr(r, v, err)
		if st == http.StatusOK {
			st = status(err)
		}
	}
	s.render(w, r, st, "deal_sign", v)
}
