package web

import (
	"net/http"
	"net/url"
	"strings"

	"realty"
	"realty/internal/identity"
	"realty/internal/org"
)

// routesAuth are the routes of signing in and out and choosing the organization to act in.
func (s *site) routesAuth() []route {
	return []route{
		{"GET /login", anyone, s.handleLoginShow},
		{"POST /login", anyone, s.handleLoginSubmit},
		{"GET /login/mfa", anyone, s.handleMFAShow},
		{"POST /login/mfa", anyone, s.handleMFASubmit},
		{"POST /logout", anyone, s.handleLogout},
		{"POST /switch", user, s.handleOrganizationSwitch},
	}
}

// loginForm is what the sign-in pages show back: never the password.
type loginForm struct {
	Email        string
	Organization string
	Next         string
}

// handleLoginShow shows the sign-in form; a signed-in user goes on to next.
func (s *site) handleLoginShow(w http.ResponseWriter, r *http.Request) {
	next := safeNext(r.URL.Query().Get("next"))
	if principalOf(r) != nil {
		http.Redirect(w, r, next, http.StatusSeeOther)
		return
	}
	s.render(w, r, http.StatusOK, "login", s.newView(r, "Sign in", loginForm{Next: next}))
}

// handleLoginSubmit signs in with email, password and an optional
// organization slug (org.Service.Login). Wrong credentials and throttling
// are shown on the form with their status (401, 429); a user with MFA goes
// on to the second step, holding the waiting token in a short-lived cookie
// only the sign-in pages receive.
func (s *site) handleLoginSubmit(w http.ResponseWriter, r *http.Request) {
	f := loginForm{Email: strings.TrimSpace(r.PostFormValue("email")), Organization: r.PostFormValue("organization"),
		Next: safeNext(r.PostFormValue("next"))}
	res, err := s.Services.Org.Login(r.Context(), org.LoginInput{Email: f.Email, Password: r.PostFormValue("password"),
		Organization: f.Organization, Kind: identity.KindBrowser, Client: clientOf(r)})
	if err != nil {
		s.render(w, r, status(err), "login", s.withErr(r, s.newView(r, "Sign in", f), err))
		return
	}
	if res.MFAToken != "" {
		s.setCookie(w, r, mfaCookie, res.MFAToken, mfaCookiePath, int(identity.MFATokenLifetime.Seconds()))
		http.Redirect(w, r, "/login/mfa?next="+url.QueryEscape(f.Next), http.StatusSeeOther)
		return
	}
	s.startSession(w, r, res.Tokens.Token, f.Next)
}

// startSession sets the session cookie — a browser-session cookie, whose
// token the server expires by idle time and lifetime — and goes on to next.
func (s *site) startSession(w http.ResponseWriter, r *http.Request, token, next string) {
	s.setCookie(w, r, sessionCookie, token, "/", 0)
	http.Redirect(w, r, safeNext(next), http.StatusSeeOther)
}

// handleMFAShow asks for the second factor of a sign-in in progress.
func (s *site) handleMFAShow(w http.ResponseWriter, r *http.Request) {
	next := safeNext(r.URL.Query().Get("next"))
	if c, err := r.Cookie(mfaCookie); err != nil || c.Value == "" {
		http.Redirect(w, r, "/login?next="+url.QueryEscape(next), http.StatusSeeOther)
		return
	}
	s.render(w, r, http.StatusOK, "mfa", s.newView(r, "Two-factor authentication", loginForm{Next: next}))
}

// handleMFASubmit completes the sign-in with a 6-digit code or a recovery
// code (identity.Service.VerifyMFA), which replaces the waiting token with a
// new session token. An expired sign-in starts over at the first step.
func (s *site) handleMFASubmit(w http.ResponseWriter, r *http.Request) {
	f := loginForm{Next: safeNext(r.PostFormValue("next"))}
	c, err := r.Cookie(mfaCookie)
	if err != nil || c.Value == "" {
		http.Redirect(w, r, "/login?next="+url.QueryEscape(f.Next), http.StatusSeeOther)
		return
	}
	t, err := s.Services.Identity.VerifyMFA(r.Context(), c.Value, strings.TrimSpace(r.PostFormValue("code")),
		strings.TrimSpace(r.PostFormValue("recovery_code")), clientOf(r))
	switch {
	case realty.KindOf(err) == realty.Unauthenticated:
		s.setCookie(w, r, mfaCookie, "", mfaCookiePath, -1)
		s.render(w, r, status(err), "login", s.withErr(r, s.newView(r, "Sign in", f), err))
		return
	case err != nil:
		s.render(w, r, status(err), "mfa", s.withErr(r, s.newView(r, "Two-factor authentication", f), err))
		return
	}
	s.setCookie(w, r, mfaCookie, "", mfaCookiePath, -1)
	s.startSession(w, r, t.Token, f.Next)
}

// handleLogout revokes the session (identity.Service.Logout) and clears the
// cookie; without a live session it only clears the cookie.
func (s *site) handleLogout(w http.ResponseWriter, r *http.Request) {
	if p := principalOf(r); p != nil {
		if err := s.Services.Identity.Logout(r.Context(), *p.Session, clientOf(r)); err != nil {
			s.fail(w, r, err)
			return
		}
	}
	s.setCookie(w, r, sessionCookie, "", "/", -1)
	s.redirect(w, r, "/login?notice=signed-out")
}

// handleOrganizationSwitch makes the session act in another of the user's
// organizations (org.Service.SwitchOrganization) and returns to the page
// the switcher was on.
func (s *site) handleOrganizationSwitch(w http.ResponseWriter, r *http.Request) {
	if _, err := s.Services.Org.SwitchOrganization(r.Context(), *principalOf(r), r.PostFormValue("organization")); err != nil {
		s.fail(w, r, err)
		return
	}
	s.redirect(w, r, withNotice(safeNext(r.PostFormValue("next")), "switched"))
}

// withNotice adds the notice key to a local path's query.
func withNotice(path, key string) string {
	if strings.Contains(path, "?") {
		return path + "&notice=" + key
	}
	return path + "?notice=" + key
}
