package web

import (
	"crypto/tls"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
)

// TestPagesParse parses every template the way Mount does at start.
func TestPagesParse(t *testing.T) {
	t.Parallel()
	pages, err := parsePages()
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"home", "notfound", "error", "login", "mfa", "account", "accept",
		"members", "invitations", "roles", "apikeys", "audit"} {
		if pages[name] == nil {
			t.Errorf("page %q missing", name)
		}
	}
	for page, fragment := range map[string]string{"members": "member-row", "invitations": "invitation-row", "apikeys": "apikey-row", "error": "flash"} {
		if pages[page].Lookup(fragment) == nil {
			t.Errorf("page %q lacks fragment %q", page, fragment)
		}
	}
}

// TestSafeNext keeps sign-in redirects on this site.
func TestSafeNext(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"":                                 "/",
		"/admin/members":                   "/admin/members",
		"/admin/audit?tab=events&kind=x":   "/admin/audit?tab=events&kind=x",
		"https://evil.example":             "/",
		"https://evil.example/admin":       "/",
		"//evil.example":                   "/",
		"/\\evil.example":                  "/",
		"\\\\evil.example":                 "/",
		"javascript:alert(1)":              "/",
		"/ok\r\nLocation: https://evil":    "/",
		"evil.example":                     "/",
		"/%2F%2Fevil.example":              "/%2F%2Fevil.example",
		"http:/evil.example":               "/",
		"/login?next=https://evil.example": "/login?next=https://evil.example",
	} {
		if got := safeNext(in); got != want {
			t.Errorf("safeNext(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestCookieSecure sets Secure per REALTY_COOKIE_SECURE: always, never, or
// when the request came over TLS (auto, also the zero value).
func TestCookieSecure(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		setting string
		tls     bool
		want    bool
	}{
		{"always", false, true}, {"never", true, false}, {"auto", true, true}, {"auto", false, false}, {"", true, true},
	} {
		s := &site{Deps: Deps{CookieSecure: c.setting}}
		r := httptest.NewRequest(http.MethodPost, "/login", nil)
		if c.tls {
			r.TLS = &tls.ConnectionState{}
		}
		w := httptest.NewRecorder()
		s.setCookie(w, r, sessionCookie, "token", "/", 0)
		got := w.Result().Cookies()[0]
		if got.Secure != c.want || !got.HttpOnly || got.SameSite != http.SameSiteLaxMode || got.MaxAge != 0 {
			t.Errorf("%q tls=%v: cookie %+v, want Secure=%v HttpOnly SameSite=Lax session", c.setting, c.tls, got, c.want)
		}
	}
}

// TestTemplatesNeedNoInlineCode keeps every template within the
// Content-Security-Policy: no inline script, no style attribute, no event
// handler attribute (behaviour belongs in static files and hx- attributes).
func TestTemplatesNeedNoInlineCode(t *testing.T) {
	t.Parallel()
	inlineScript := regexp.MustCompile(`(?i)<script\b[^>]*>`)
	forbidden := regexp.MustCompile(`(?i)\sstyle\s*=|\son[a-z]+\s*=`)
	err := fs.WalkDir(templateFS, "templates", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(templateFS, path)
		if err != nil {
			return err
		}
		for _, tag := range inlineScript.FindAllString(string(b), -1) {
			if !strings.Contains(tag, " src=") {
				t.Errorf("%s: inline script %s", path, tag)
			}
		}
		for _, m := range forbidden.FindAllString(string(b), -1) {
			t.Errorf("%s: inline attribute %q", path, strings.TrimSpace(m))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
