package web_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"realty"
	"realty/internal/fixture/fixturetest"
	"realty/internal/identity"
	"realty/internal/org"
)

// TestLogin signs in through the form: the session cookie is HttpOnly,
// SameSite=Lax, for the whole site, a browser-session cookie, not Secure
// over plain HTTP, and every sign-in gets a new token.
func TestLogin(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	o := h.env.Organization(t, "acme")
	owner := o.Personas["owner"]

	t.Run("OKCookie", func(t *testing.T) {
		r := h.post("/login", url.Values{"email": {owner.Email}, "password": {fixturetest.Password}}, nil)
		expect(t, r, http.StatusSeeOther)
		c := r.cookie("realty_session")
		if c == nil || !c.HttpOnly || c.SameSite != http.SameSiteLaxMode || c.Path != "/" || c.MaxAge != 0 || !c.Expires.IsZero() || c.Secure {
			t.Fatalf("session cookie %+v, want HttpOnly SameSite=Lax Path=/ session cookie, not Secure over HTTP", c)
		}
		if !strings.Contains(r.Header.Get("Set-Cookie"), "HttpOnly") || !strings.Contains(r.Header.Get("Set-Cookie"), "SameSite=Lax") {
			t.Fatalf("Set-Cookie %q", r.Header.Get("Set-Cookie"))
		}
		if loc := r.Header.Get("Location"); loc != "/" {
			t.Fatalf("redirect to %q, want /", loc)
		}
		expect(t, h.get("/", c), http.StatusOK, "Welcome, Olivia Owner", "Org acme", "current")
	})
	t.Run("OKNewTokenEachTime", func(t *testing.T) {
		first, second := h.login(owner.Email, ""), h.login(owner.Email, "")
		if first.Value == second.Value {
			t.Fatal("a second sign-in reused the token")
		}
		expect(t, h.get("/account", first), http.StatusOK, owner.Email)
		expect(t, h.get("/account", second), http.StatusOK, owner.Email)
	})
	t.Run("OKAnonymousHome", func(t *testing.T) {
		r := h.get("/", nil)
		expect(t, r, http.StatusOK, "<h1>realty</h1>", `href="/login"`)
		if strings.Contains(r.body, "Welcome") {
			t.Fatal("anonymous visitor greeted")
		}
	})
}

// TestLoginErrors shows a failed sign-in on the form with its status: the
// same message for a wrong password and an unknown email.
func TestLoginErrors(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	owner := h.env.Organization(t, "acme").Personas["owner"]
	t.Run("ErrSameMessageForBadEmailAndPassword", func(t *testing.T) {
		bad := h.post("/login", url.Values{"email": {owner.Email}, "password": {"wrong password here"}}, nil)
		unknown := h.post("/login", url.Values{"email": {"nobody@acme.example"}, "password": {fixturetest.Password}}, nil)
		for _, r := range []reply{bad, unknown} {
			expect(t, r, http.StatusUnauthorized, "invalid email or password", `value="`)
			if r.cookie("realty_session") != nil {
				t.Fatal("failed sign-in set a session cookie")
			}
		}
	})
	t.Run("ErrNotMemberOfOrganization", func(t *testing.T) {
		r := h.post("/login", url.Values{"email": {owner.Email}, "password": {fixturetest.Password}, "organization": {"globex"}}, nil)
		expect(t, r, http.StatusUnprocessableEntity, `class="field-error"`, "not a member of an organization with this slug")
	})
	t.Run("ErrAPICredentialInCookie", func(t *testing.T) {
		res, err := h.env.Org.Login(context.Background(), org.LoginInput{Email: owner.Email, Password: fixturetest.Password, Kind: identity.KindAPI})
		if err != nil {
			t.Fatal(err)
		}
		_, key, err := h.env.Identity.CreateAPIKey(context.Background(), owner.Actor, identity.NewAPIKey{Name: "k", Permissions: []string{"member.read"}}, identity.Client{})
		if err != nil {
			t.Fatal(err)
		}
		for _, credential := range []string{res.Tokens.Token, key} {
			expect(t, h.get("/admin/members", &http.Cookie{Name: "realty_session", Value: credential}), http.StatusSeeOther)
		}
	})
	t.Run("ErrGarbageCookieIsAnonymous", func(t *testing.T) {
		r := h.get("/account", &http.Cookie{Name: "realty_session", Value: "not-a-token"})
		expect(t, r, http.StatusSeeOther)
		if c := r.cookie("realty_session"); c == nil || c.MaxAge >= 0 {
			t.Fatalf("stale cookie not cleared: %+v", c)
		}
	})
}

// TestLoginThrottled shows the throttling message on the form, with 429,
// never a 500.
func TestLoginThrottled(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	o := h.env.Organization(t, "acme")
	form := url.Values{"email": {o.Personas["agent"].Email}, "password": {"not the password at all"}}
	var last reply
	for range 7 {
		last = h.post("/login", form, nil)
	}
	expect(t, last, http.StatusTooManyRequests, "too many failed sign-in attempts")
}

// TestLogout revokes the session: the old cookie then leads to the sign-in
// page.
func TestLogout(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	o := h.env.Organization(t, "acme")
	c := h.login(o.Personas["owner"].Email, "acme")
	expect(t, h.get("/account", c), http.StatusOK)

	r := h.post("/logout", nil, c)
	expect(t, r, http.StatusSeeOther)
	if cleared := r.cookie("realty_session"); cleared == nil || cleared.MaxAge >= 0 {
		t.Fatalf("logout did not clear the cookie: %+v", cleared)
	}
	r = h.get("/account", c)
	expect(t, r, http.StatusSeeOther)
	if loc := r.Header.Get("Location"); loc != "/login?next=%2Faccount" {
		t.Fatalf("old cookie redirected to %q", loc)
	}
	expect(t, h.get("/admin/members", c), http.StatusSeeOther)
}

// TestOpenRedirect follows next only within the site.
func TestOpenRedirect(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	o := h.env.Organization(t, "acme")
	email := o.Personas["owner"].Email
	for next, want := range map[string]string{
		"https://evil.example": "/", "//evil.example/x": "/", `/\evil.example`: "/",
		"/admin/members": "/admin/members",
	} {
		r := h.post("/login", url.Values{"email": {email}, "password": {fixturetest.Password}, "next": {next}}, nil)
		expect(t, r, http.StatusSeeOther)
		if loc := r.Header.Get("Location"); loc != want {
			t.Errorf("next=%q redirected to %q, want %q", next, loc, want)
		}
	}
	r := h.get("/login?next=https://evil.example", nil)
	expect(t, r, http.StatusOK, `name="next" value="/"`)
	if strings.Contains(r.body, "evil.example") {
		t.Fatal("the sign-in form carries the foreign next")
	}
	r = h.get("/login?next=https://evil.example", h.login(email, ""))
	if loc := r.Header.Get("Location"); r.StatusCode != http.StatusSeeOther || loc != "/" {
		t.Fatalf("signed-in GET /login sent to %q", loc)
	}
}

// TestCrossSitePost is refused by cross-origin protection before any
// handler runs: the session survives a cross-site logout.
func TestCrossSitePost(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	o := h.env.Organization(t, "acme")
	c := h.login(o.Personas["owner"].Email, "acme")
	for _, path := range []string{"/logout", "/admin/api-keys", "/login"} {
		r := h.post(path, url.Values{"name": {"stolen"}}, c, "Sec-Fetch-Site", "cross-site", "Origin", "https://evil.example")
		expect(t, r, http.StatusForbidden)
	}
	expect(t, h.get("/account", c), http.StatusOK)
}

// TestMFA enrols through the account page, then signs in with the second
// step: a wrong code is shown on the form, a recovery code works.
func TestMFA(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	o := h.env.Organization(t, "acme")
	email := o.Personas["broker"].Email
	c := h.login(email, "")

	r := h.post("/account/mfa", nil, c)
	expect(t, r, http.StatusOK, "otpauth://totp/", `id="mfa-secret"`)
	secret := regexp.MustCompile(`id="mfa-secret">([A-Z2-7]+)<`).FindStringSubmatch(r.body)[1]
	expect(t, h.post("/account/mfa/confirm", url.Values{"code": {"000000"}, "secret": {secret}}, c),
		http.StatusUnprocessableEntity, `class="field-error"`, secret)
	code, err := totp.GenerateCode(secret, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	r = h.post("/account/mfa/confirm", url.Values{"code": {code}}, c)
	expect(t, r, http.StatusOK, `id="recovery-codes"`)
	codes := regexp.MustCompile(`<li><code>([^<]+)</code></li>`).FindAllStringSubmatch(r.body, -1)
	if len(codes) != 10 {
		t.Fatalf("%d recovery codes shown, want 10", len(codes))
	}
	expect(t, h.get("/account", c), http.StatusOK, "10 unused recovery codes")

	r = h.post("/login", url.Values{"email": {email}, "password": {fixturetest.Password}, "next": {"/account"}}, nil)
	expect(t, r, http.StatusSeeOther)
	pending := r.cookie("realty_mfa")
	if r.cookie("realty_session") != nil || pending == nil || !pending.HttpOnly || pending.Path != "/login" {
		t.Fatalf("MFA sign-in: session %v, pending %+v", r.cookie("realty_session"), pending)
	}
	expect(t, h.do(http.MethodGet, r.Header.Get("Location"), nil, []*http.Cookie{pending}), http.StatusOK, `name="code"`)
	expect(t, h.do(http.MethodPost, "/login/mfa", url.Values{"code": {"000000"}, "next": {"/account"}}, []*http.Cookie{pending}),
		http.StatusUnprocessableEntity, `class="field-error"`)
	r = h.do(http.MethodPost, "/login/mfa", url.Values{"recovery_code": {codes[0][1]}, "next": {"/account"}}, []*http.Cookie{pending})
	expect(t, r, http.StatusSeeOther)
	if r.Header.Get("Location") != "/account" || r.cookie("realty_session") == nil {
		t.Fatalf("second step: %s, cookie %v", r.Header.Get("Location"), r.cookie("realty_session"))
	}
	expect(t, h.get("/account", r.cookie("realty_session")), http.StatusOK, "9 unused recovery codes")
}

// TestMFASetupRequired sends a member who must enrol to the account page
// from every other signed-in page.
func TestMFASetupRequired(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	o := h.env.Organization(t, "acme")
	roles := []string{"agent"}
	if _, err := h.env.Org.UpdateOrganization(context.Background(), o.Personas["owner"].Actor, org.OrganizationPatch{MFARequiredRoles: &roles}); err != nil {
		t.Fatal(err)
	}
	c := h.login(o.Personas["agent"].Email, "")
	r := h.get("/admin/members", c)
	if r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != "/account?notice=mfa-required" {
		t.Fatalf("GET /admin/members = %d to %q", r.StatusCode, r.Header.Get("Location"))
	}
	expect(t, h.get("/account?notice=mfa-required", c), http.StatusOK, "requires two-factor authentication", `id="mfa-begin"`)
	if strings.Contains(h.get("/account", c).body, `href="/admin/members"`) {
		t.Fatal("links shown to a member without permissions until enrolment")
	}
}

// TestSwitchOrganization moves the session to another of the user's
// organizations and refuses one they do not belong to.
func TestSwitchOrganization(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	a, b := h.env.Organization(t, "acme"), h.env.Organization(t, "globex")
	owner := a.Personas["owner"]
	if _, err := h.env.Org.AddMember(context.Background(), realty.System(b.Organization.ID), owner.User.ID, "agent", ""); err != nil {
		t.Fatal(err)
	}
	c := h.login(owner.Email, "acme")
	expect(t, h.get("/admin/api-keys", c), http.StatusOK)
	expect(t, h.get("/", c), http.StatusOK, `<option value="globex">Org globex</option>`, "you act in <strong>Org acme</strong>")

	r := h.post("/switch", url.Values{"organization": {"globex"}, "next": {"/admin/members"}}, c)
	expect(t, r, http.StatusSeeOther)
	if loc := r.Header.Get("Location"); loc != "/admin/members?notice=switched" {
		t.Fatalf("switch redirected to %q", loc)
	}
	expect(t, h.get("/", c), http.StatusOK, "you act in <strong>Org globex</strong>")
	expect(t, h.get("/admin/api-keys", c), http.StatusForbidden, "missing permission apikey.read")
	expect(t, h.post("/switch", url.Values{"organization": {"initech"}}, c), http.StatusUnprocessableEntity, "not a member")
	expect(t, h.post("/switch", url.Values{"organization": {"acme"}, "next": {"https://evil.example"}}, c), http.StatusSeeOther)
}

// TestInternalError shows an unknown error as "internal error" with 500,
// never its text, and logs it with the request id.
func TestInternalError(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	o := h.env.Organization(t, "acme")
	c := h.login(o.Personas["owner"].Email, "")
	h.env.Pool.Close() // every database call now fails with an unknown error
	for _, r := range []reply{
		h.get("/account", c),
		h.post("/login", url.Values{"email": {o.Personas["owner"].Email}, "password": {fixturetest.Password}}, nil),
	} {
		expect(t, r, http.StatusInternalServerError, "internal error")
		if strings.Contains(r.body, "closed") {
			t.Fatalf("the error's text is shown: %.400s", r.body)
		}
		if id := r.Header.Get("X-Request-ID"); id == "" || !strings.Contains(h.logs.String(), `"request_id":"`+id+`"`) {
			t.Fatalf("request %s not logged: %s", id, h.logs.String())
		}
	}
}
