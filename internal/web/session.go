package web

import (
	"context"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strings"

	"realty"
	"realty/internal/identity"
	"realty/internal/org"
)

// Cookie names. The session cookie carries the session token itself; the
// MFA cookie carries the short-lived token of a sign-in waiting for its
// second factor, and only the sign-in pages see it.
const (
	sessionCookie = "realty_session"
	mfaCookie     = "realty_mfa"
	mfaCookiePath = "/login"
)

type principalKey struct{}

// principalOf returns the request's signed-in principal, or nil for an
// anonymous request.
func principalOf(r *http.Request) *org.Principal {
	p, _ := r.Context().Value(principalKey{}).(*org.Principal)
	return p
}

// secure reports whether cookies set in answer to r carry Secure.
func (s *site) secure(r *http.Request) bool {
	switch s.CookieSecure {
	case "always":
		return true
	case "never":
		return false
	}
	return r.TLS != nil
}

// setCookie writes an HttpOnly, SameSite=Lax cookie; maxAge 0 makes it a
// browser-session cookie, a negative one deletes it.
func (s *site) setCookie(w http.ResponseWriter, r *http.Request, name, value, path string, maxAge int) {
	http.SetCookie(w, &http.Cookie{Name: name, Value: value, Path: path, MaxAge: maxAge,
		HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: s.secure(r)})
}

// resolve turns the session cookie into a principal. A missing, expired or
// revoked session is anonymous (nil, nil), and so is a cookie holding
// anything but a browser session (an API key is never accepted from a
// cookie). Other errors are the database's.
func (s *site) resolve(r *http.Request) (*org.Principal, bool, error) {
	c, err := r.Cookie(sessionCookie)
	if err != nil || c.Value == "" || s.Services.Org == nil {
		return nil, false, nil
	}
	if strings.HasPrefix(c.Value, "rk_") {
		return nil, true, nil // an API key: not even looked up
	}
	p, err := s.Services.Org.Authenticate(r.Context(), c.Value, clientOf(r))
	switch {
	case realty.KindOf(err) == realty.Unauthenticated:
		return nil, true, nil
	case err != nil:
		return nil, false, err
	case p.Session == nil || p.User == nil || p.Session.Kind != identity.KindBrowser:
		return nil, true, nil
	}
	return &p, false, nil
}

// access is how much a route needs from the caller.
type access int

const (
	anyone   access = iota // anonymous or signed in
	user                   // a signed-in user, even one who must still enrol in MFA
	enrolled               // a signed-in user free to act (no pending MFA enrolment)
)

// gate resolves the session and applies the route's access level before h
// runs: anonymous callers of a signed-in page go to the sign-in page, and a
// member who must enrol in MFA goes to the account page. Permissions are
// not checked here: every handler calls the domain method that checks them.
func (s *site) gate(level access, h http.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, stale, err := s.resolve(r)
		if stale {
			s.setCookie(w, r, sessionCookie, "", "/", -1)
		}
		if err != nil {
			s.fail(w, r, err)
			return
		}
		switch {
		case p == nil && level != anyone:
			s.toLogin(w, r)
			return
		case p != nil && level == enrolled && p.MFASetupRequired:
			s.redirect(w, r, "/account?notice=mfa-required")
			return
		}
		if p != nil {
			r = r.WithContext(context.WithValue(r.Context(), principalKey{}, p))
		}
		if err := r.ParseForm(); err != nil {
			s.fail(w, r, &realty.Error{Kind: realty.Invalid, Message: "the form could not be read", Err: err})
			return
		}
		if err := refuseNUL(r.Form); err != nil {
			s.fail(w, r, err)
			return
		}
		h(w, r)
	})
}

// toLogin sends the caller to the sign-in page, coming back to this page
// afterwards when it was a plain GET.
func (s *site) toLogin(w http.ResponseWriter, r *http.Request) {
	target := "/login"
	if r.Method == http.MethodGet && !isHTMX(r) {
		target += "?next=" + url.QueryEscape(r.URL.RequestURI())
	}
	s.redirect(w, r, target)
}

// redirect answers a form post (or a GET) with 303 See Other, or an htmx
// request with HX-Redirect so the whole page changes rather than a fragment.
func (s *site) redirect(w http.ResponseWriter, r *http.Request, target string) {
	if isHTMX(r) {
		w.Header().Set("HX-Redirect", target)
		w.WriteHeader(http.StatusNoContent)
		return
	}
	http.Redirect(w, r, target, http.StatusSeeOther)
}

// safeNext returns next when it is a path on this site, else "/": no
// scheme, no host, no protocol-relative "//" or "/\" (which browsers treat
// as another host), no control characters.
func safeNext(next string) string {
	if next == "" || next[0] != '/' || strings.HasPrefix(next, "//") || strings.HasPrefix(next, `/\`) {
		return "/"
	}
	if strings.ContainsFunc(next, func(c rune) bool { return c < 0x20 || c == 0x7f || c == '\\' }) {
		return "/"
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil {
		return "/"
	}
	return next
}

// clientOf describes the caller for throttling and the security log: the
// connection's address (forwarding headers are not trusted, as in the API)
// and the user agent.
func clientOf(r *http.Request) identity.Client {
	c := identity.Client{UserAgent: r.UserAgent()}
	if host, _, err := net.SplitHostPort(r.RemoteAddr); err == nil {
		c.IP, _ = netip.ParseAddr(host)
	}
	return c
}
