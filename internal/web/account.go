package web

import (
	"net/http"

	"realty"
	"realty/internal/identity"
)

// routesAccount are the routes of the signed-in user's own account: password, MFA and sessions; open to a user who must still enrol in MFA.
func (s *site) routesAccount() []route {
	return []route{
		{"GET /account", user, s.handleAccountShow},
		{"POST /account/password", user, s.handlePasswordChange},
		{"POST /account/mfa", user, s.handleMFABegin},
		{"POST /account/mfa/confirm", user, s.handleMFAConfirm},
		{"POST /account/mfa/disable", user, s.handleMFADisable},
		{"POST /account/mfa/recovery-codes", user, s.handleRecoveryCodesRegenerate},
		{"POST /account/sessions/{id}/revoke", user, s.handleSessionRevoke},
	}
}

// accountData is the account page: the user, their sessions, and what an
// MFA step just produced (shown once, never stored here).
type accountData struct {
	Me             identity.User
	Sessions       []identity.Session
	CurrentSession realty.ID
	RecoveryLeft   int
	// Verified says the user's address is confirmed.
	Verified bool
	// Enrolment is the secret of an enrolment in progress.
	Enrolment *identity.Enrolment
	// RecoveryCodes are new codes, shown only in answer to the step that
	// made them.
	RecoveryCodes []string
	// Form names the form the page's field errors belong to.
	Form string
	// Feed is the calendar-feed section, for a member who reads clients.
	Feed *feedData
}

// showAccount renders the account page at status with d, and err's message
// and field reasons when set. Every signed-in user may see their own.
func (s *site) showAccount(w http.ResponseWriter, r *http.Request, status int, d accountData, err error) {
	p := principalOf(r)
	me, lerr := s.Services.Identity.GetUser(r.Context(), p.User.ID)
	if lerr == nil {
		d.Sessions, lerr = s.Services.Identity.Sessions(r.Context(), p.User.ID)
	}
	if lerr == nil {
		d.Verified, lerr = s.Services.Identity.EmailVerified(r.Context(), p.User.ID)
	}
	if lerr == nil {
		lerr = s.loadFeed(r, &d)
	}
	if lerr == nil && me.MFAEnabled {
		d.RecoveryLeft, lerr = s.Services.Identity.RecoveryCodesLeft(r.Context(), p.User.ID)
	}
	if lerr != nil {
		s.fail(w, r, lerr)
		return
	}
	d.Me, d.CurrentSession = me, p.Session.ID
	v := s.newView(r, "Account", d)
	if err != nil {
		s.withErr(r, v, err).Form = d.Form
	}
	s.render(w, r, status, "account", v)
}

// handleAccountShow shows the account page.
func (s *site) handleAccountShow(w http.ResponseWriter, r *http.Request) {
	s.showAccount(w, r, http.StatusOK, accountData{}, nil)
}

// handlePasswordChange changes the password after checking the current one
// (identity.Service.ChangePassword), which signs out every other session.
func (s *site) handlePasswordChange(w http.ResponseWriter, r *http.Request) {
	p := principalOf(r)
	err := s.Services.Identity.ChangePassword(r.Context(), p.Actor, p.Session.ID,
		r.PostFormValue("current_password"), r.PostFormValue("new_password"), clientOf(r))
	if err != nil {
		s.showAccount(w, r, status(err), accountData{Form: "password"}, err)
		return
	}
	s.redirect(w, r, "/account?notice=password")
}

// handleMFABegin starts enrolment (identity.Service.BeginMFA) and shows the
// new secret, as text and as an otpauth:// URL, with the form confirming it.
func (s *site) handleMFABegin(w http.ResponseWriter, r *http.Request) {
	e, err := s.Services.Identity.BeginMFA(r.Context(), principalOf(r).Actor)
	if err != nil {
		s.showAccount(w, r, status(err), accountData{Form: "mfa-begin"}, err)
		return
	}
	s.showAccount(w, r, http.StatusOK, accountData{Enrolment: &e}, nil)
}

// handleMFAConfirm turns MFA on with a first code (identity.Service.
// ConfirmMFA) and shows the recovery codes, once. A wrong code shows the
// secret again (sent back by the form) so the user can retry.
func (s *site) handleMFAConfirm(w http.ResponseWriter, r *http.Request) {
	codes, err := s.Services.Identity.ConfirmMFA(r.Context(), principalOf(r).Actor, r.PostFormValue("code"), clientOf(r))
	if err != nil {
		d := accountData{Form: "mfa-confirm"}
		if secret := r.PostFormValue("secret"); secret != "" {
			d.Enrolment = &identity.Enrolment{Secret: secret, OTPAuthURL: r.PostFormValue("otpauth_url")}
		}
		s.showAccount(w, r, status(err), d, err)
		return
	}
	s.showAccount(w, r, http.StatusOK, accountData{RecoveryCodes: codes}, nil)
}

// handleMFADisable turns MFA off after the password and a code or recovery
// code (identity.Service.DisableMFA).
func (s *site) handleMFADisable(w http.ResponseWriter, r *http.Request) {
	err := s.Services.Identity.DisableMFA(r.Context(), principalOf(r).Actor, r.PostFormValue("current_password"),
		r.PostFormValue("code"), r.PostFormValue("recovery_code"), clientOf(r))
	if err != nil {
		s.showAccount(w, r, status(err), accountData{Form: "mfa-disable"}, err)
		return
	}
	s.redirect(w, r, "/account?notice=mfa-off")
}

// handleRecoveryCodesRegenerate replaces the recovery codes after the
// password (identity.Service.RegenerateRecoveryCodes) and shows them once.
func (s *site) handleRecoveryCodesRegenerate(w http.ResponseWriter, r *http.Request) {
	codes, err := s.Services.Identity.RegenerateRecoveryCodes(r.Context(), principalOf(r).Actor,
		r.PostFormValue("current_password"), clientOf(r))
	if err != nil {
		s.showAccount(w, r, status(err), accountData{Form: "recovery"}, err)
		return
	}
	s.showAccount(w, r, http.StatusOK, accountData{RecoveryCodes: codes}, nil)
}

// handleSessionRevoke signs out one of the user's own sessions
// (identity.Service.RevokeSession; another user's is NotFound). Revoking the
// current one signs out here too. htmx gets an empty body, removing the row.
func (s *site) handleSessionRevoke(w http.ResponseWriter, r *http.Request) {
	p := principalOf(r)
	id, err := pathID(r)
	if err == nil {
		err = s.Services.Identity.RevokeSession(r.Context(), p.User.ID, id, clientOf(r))
	}
	switch {
	case err != nil:
		s.fail(w, r, err)
	case id == p.Session.ID:
		s.setCookie(w, r, sessionCookie, "", "/", -1)
		s.redirect(w, r, "/login?notice=signed-out")
	case isHTMX(r):
		w.WriteHeader(http.StatusOK)
	default:
		s.redirect(w, r, "/account?notice=session-revoked")
	}
}
