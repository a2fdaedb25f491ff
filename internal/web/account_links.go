package web

import (
	"net/http"

	"realty"
)

// routesAccountLinks are the pages the account e-mails link to: asking for
// a password reset link, choosing a new password with it, confirming an
// address, and asking for a confirmation link.
func (s *site) routesAccountLinks() []route {
	return []route{
		{"GET /forgot-password", anyone, s.handleForgotShow},
		{"POST /forgot-password", anyone, s.handleForgotSubmit},
		{"GET /reset-password", anyone, s.handleResetShow},
		{"POST /reset-password", anyone, s.handleResetSubmit},
		{"GET /verify-email", anyone, s.handleVerifyShow},
		{"POST /verify-email", anyone, s.handleVerifySubmit},
		{"POST /account/verify-email", user, s.handleVerifyRequest},
	}
}

// tokenData is a page reached from an e-mailed link: its token, and whether
// the token was refused (the page then offers a new link).
type tokenData struct {
	Token   string
	Refused bool
	Email   string
}

// handleForgotShow shows the form asking for a reset link.
func (s *site) handleForgotShow(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, http.StatusOK, "forgot", s.newView(r, "Forgot your password", tokenData{}))
}

// handleForgotSubmit asks for a reset link (messaging.Service.RequestPasswordReset,
// as POST /api/v1/auth/password-reset): the answer is the same whether or
// not the address has an account; only a malformed address is refused.
func (s *site) handleForgotSubmit(w http.ResponseWriter, r *http.Request) {
	email := r.PostFormValue("email")
	if err := s.Services.Messaging.RequestPasswordReset(r.Context(), email, clientOf(r).IP); err != nil {
		if realty.KindOf(err) != realty.Invalid {
			s.fail(w, r, err)
			return
		}
		v := s.withErr(r, s.newView(r, "Forgot your password", tokenData{Email: email}), err)
		s.render(w, r, status(err), "forgot", v)
		return
	}
	s.redirect(w, r, "/forgot-password?notice=reset-sent")
}

// handleResetShow shows the form choosing a new password for the link's
// token; the token is checked when the form is sent (opening the link
// spends nothing, so a mail scanner fetching it does no harm).
func (s *site) handleResetShow(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, http.StatusOK, "reset", s.newView(r, "Choose a new password", tokenData{Token: r.URL.Query().Get("token")}))
}

// handleResetSubmit sets the new password with the token
// (identity.Service.ResetPasswordWithToken, as POST
// /api/v1/auth/password-reset/confirm): once, within the hour, signing the
// account out everywhere; then to the sign-in page. A used or expired link
// is 422 with a way to ask for a new one; a refused password is 422 beside
// the field.
func (s *site) handleResetSubmit(w http.ResponseWriter, r *http.Request) {
	token, password := r.PostFormValue("token"), r.PostFormValue("password")
	var err error = realty.FieldError("confirm", "does not match the password")
	if password == r.PostFormValue("confirm") {
		err = s.Services.Identity.ResetPasswordWithToken(r.Context(), token, password, clientOf(r))
	}
	if err != nil {
		if realty.KindOf(err) != realty.Invalid {
			s.fail(w, r, err)
			return
		}
		d := tokenData{Token: token, Refused: realty.FieldsOf(err)["token"] != ""}
		s.render(w, r, status(err), "reset", s.withErr(r, s.newView(r, "Choose a new password", d), err))
		return
	}
	if principalOf(r) != nil {
		s.setCookie(w, r, sessionCookie, "", "/", -1) // every session of the account is signed out
	}
	s.redirect(w, r, "/login?notice=reset")
}

// handleVerifyShow shows the confirmation button for the link's token
// (opening the link confirms nothing by itself, for the same reason).
func (s *site) handleVerifyShow(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, http.StatusOK, "verify", s.newView(r, "Confirm your e-mail address", tokenData{Token: r.URL.Query().Get("token")}))
}

// handleVerifySubmit confirms the address (identity.Service.VerifyEmail, as
// POST /api/v1/auth/verify-email); a used, expired or outdated link is 422.
func (s *site) handleVerifySubmit(w http.ResponseWriter, r *http.Request) {
	token := r.PostFormValue("token")
	if err := s.Services.Identity.VerifyEmail(r.Context(), token); err != nil {
		if realty.KindOf(err) != realty.Invalid {
			s.fail(w, r, err)
			return
		}
		d := tokenData{Token: token, Refused: true}
		s.render(w, r, status(err), "verify", s.withErr(r, s.newView(r, "Confirm your e-mail address", d), err))
		return
	}
	if principalOf(r) != nil {
		s.redirect(w, r, "/account?notice=verified")
		return
	}
	s.redirect(w, r, "/login?notice=verified")
}

// handleVerifyRequest e-mails the signed-in user a confirmation link
// (messaging.Service.RequestEmailVerification, as POST
// /api/v1/account/email-verification).
func (s *site) handleVerifyRequest(w http.ResponseWriter, r *http.Request) {
	if err := s.Services.Messaging.RequestEmailVerification(r.Context(), principalOf(r).Actor, clientOf(r).IP); err != nil {
		s.fail(w, r, err)
		return
	}
	s.redirect(w, r, "/account?notice=verify-sent")
}
