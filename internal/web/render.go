package web

import (
	"bytes"
	"net/http"

	"realty"
	"realty/internal/identity"
	"realty/internal/org"
	"realty/internal/postgres"
	"realty/internal/problem"
)

// view is what every page's template sees: what the layout needs (who is
// signed in, their organizations, the notice or error to show) and the
// page's own data in Data.
type view struct {
	Title   string
	Version string
	// Path is the current page, where the organization switcher returns.
	Path string
	// User is nil for an anonymous visitor.
	User             *identity.User
	Actor            realty.Actor
	MFASetupRequired bool
	Orgs             []org.Membership
	Active           *org.Membership
	// Bell says the member has notifications (notification.read); Unread
	// is how many are unread.
	Bell   bool
	Unread int
	Notice string
	Error  string
	Fields map[string]string
	// Form names the form on the page that Fields belong to ("" for a page
	// with one form).
	Form string
	Data any
}

// FieldError returns the reason the field of form was refused, or "".
func (v *view) FieldError(form, field string) string {
	if v.Form != form {
		return ""
	}
	return v.Fields[field]
}

// Can reports whether the signed-in actor holds perm. Pages use it only to
// hide what the actor may not use; every handler still calls the domain
// method, which checks the permission itself.
func (v *view) Can(perm string) bool { return v.User != nil && v.Actor.Can(perm) }

// notices are the fixed messages a redirect may ask a page to show, so a
// link can never put arbitrary text on the page.
var notices = map[string]string{
	"signed-out":       "You are signed out.",
	"password":         "Your password is changed. Your other sessions are signed out.",
	"mfa-off":          "Two-factor authentication is off.",
	"mfa-required":     "Your organization requires two-factor authentication for your role: enrol below to continue.",
	"session-revoked":  "The session is signed out.",
	"switched":         "You now act in this organization.",
	"saved":            "Saved.",
	"payment-recorded": "Payment recorded and applied to the oldest open invoices.",
	"paid":             "Payment recorded.",
	"removed":          "Removed.",
	"revoked":          "Revoked.",
	"deleted":          "Deleted.",
	"assigned":         "Role granted.",
	"withdrawn":        "Role withdrawn.",
	"accepted":         "Invitation accepted.",
	"reset-sent":       "If an account has this address, a link to choose a new password is on its way. It works once, within an hour.",
	"reset":            "Your password is changed and every session of your account is signed out. Sign in with the new password.",
	"verified":         "Your e-mail address is confirmed.",
	"verify-sent":      "A link confirming your address is on its way.",
	"deposit-disposed": "The deposit is disposed of: the deductions are charged and paid from it, the rest is refunded.",
}

// newView builds the layout's part of a page for r. A failure to list the
// user's organizations only costs the switcher; it is logged.
func (s *site) newView(r *http.Request, title string, data any) *view {
	v := s.bareView(r)
	v.Title, v.Version, v.Path, v.Data = title, s.Version, r.URL.Path, data
	v.Notice = notices[r.URL.Query().Get("notice")]
	if v.User == nil {
		return v
	}
	orgs, err := s.Services.Org.Memberships(r.Context(), v.User.ID)
	if err != nil {
		s.Log.ErrorContext(r.Context(), "list memberships for the switcher", "err", err)
	}
	v.Orgs = orgs
	if v.Can("notification.read") && !v.Actor.MemberID.IsZero() && !v.MFASetupRequired {
		n, err := s.Services.Messaging.UnreadCount(r.Context(), v.Actor)
		if err != nil {
			s.Log.ErrorContext(r.Context(), "count unread notifications for the bell", "err", err)
		}
		v.Bell, v.Unread = err == nil, n
	}
	for i := range orgs {
		if orgs[i].ID == v.Actor.OrgID {
			v.Active = &orgs[i]
		}
	}
	return v
}

// bareView is a view with only who is signed in: enough for a table row
// rendered alone.
func (s *site) bareView(r *http.Request) *view {
	v := &view{}
	if p := principalOf(r); p != nil {
		v.User, v.Actor, v.MFASetupRequired = p.User, p.Actor, p.MFASetupRequired
	}
	return v
}

// withErr sets the error message and field reasons of err on v; an unknown
// error shows only "internal error" and is logged with the request id.
func (s *site) withErr(r *http.Request, v *view, err error) *view {
	if realty.KindOf(err) == realty.Internal {
		s.Log.ErrorContext(r.Context(), "internal error", "path", r.URL.Path, "err", err)
	}
	v.Error, v.Fields = realty.MessageOf(err), realty.FieldsOf(err)
	return v
}

// status is the HTTP status of err, as the API answers it.
func status(err error) int { return problem.Status(err) }

// fail answers a request whose domain call failed: to the sign-in page when
// the session ended, else the error page (or, for htmx, the message swapped
// into the page's flash area) with the status of the error's kind. A
// database that cannot be reached is a 503 with Retry-After, as in the API.
func (s *site) fail(w http.ResponseWriter, r *http.Request, err error) {
	err = postgres.MapUnreachable(err)
	switch realty.KindOf(err) {
	case realty.Unauthenticated:
		s.toLogin(w, r)
		return
	case realty.Unavailable:
		w.Header().Set("Retry-After", "1")
	}
	v := s.withErr(r, &view{}, err)
	if isHTMX(r) {
		w.Header().Set("HX-Retarget", "#flash")
		w.Header().Set("HX-Reswap", "innerHTML")
		s.fragment(w, r, status(err), "error", "flash", v)
		return
	}
	page := s.newView(r, http.StatusText(status(err)), nil)
	page.Error = v.Error
	s.render(w, r, status(err), "error", page)
}

// render writes page with data at status, buffering so a template error
// becomes a clean 500 rather than half a page.
func (s *site) render(w http.ResponseWriter, r *http.Request, status int, page string, data any) {
	s.execute(w, r, status, page, "layout.html", data)
}

// fragment writes one named template of page: the piece htmx swaps in.
func (s *site) fragment(w http.ResponseWriter, r *http.Request, status int, page, name string, data any) {
	s.execute(w, r, status, page, name, data)
}

func (s *site) execute(w http.ResponseWriter, r *http.Request, status int, page, name string, data any) {
	t, ok := s.pages[page]
	if !ok {
		s.Log.ErrorContext(r.Context(), "unknown dashboard page", "page", page)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, name, data); err != nil {
		s.Log.ErrorContext(r.Context(), "render dashboard page", "page", page, "template", name, "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// row is what a table row's template sees: the item and the page's view
// (for permission checks), so a row renders the same in the page and alone.
type row struct {
	V  *view
	It any
}

// isHTMX reports whether htmx sent r and wants a fragment back.
func isHTMX(r *http.Request) bool { return r.Header.Get("HX-Request") != "" }
