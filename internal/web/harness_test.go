package web_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	"realty"
	"realty/internal/api"
	"realty/internal/fixture/fixturetest"
	"realty/internal/postgres/pgtest"
	"realty/internal/server"
	"realty/internal/web"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// harness is the real handler tree (server.New: API, dashboard and every
// middleware, cross-origin protection included) over a fresh database.
type harness struct {
	t    *testing.T
	env  fixturetest.Env
	url  string
	logs *syncBuffer
}

// syncBuffer is a log sink safe for the server's goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func newHarness(t *testing.T) *harness {
	t.Helper()
	env := fixturetest.New(t)
	logs := &syncBuffer{}
	log := server.NewLogger(logs, "json", "error")
	srv, err := server.New(server.Options{Addr: "127.0.0.1:0", MaxBodyBytes: 1 << 20, Log: log, Pool: env.Pool,
		Metrics: server.NewMetrics(env.Pool, log),
		API:     api.Deps{Log: log, Version: "test", Services: env.Services},
		Web:     web.Deps{Log: log, Version: "test", Services: env.Services, CookieSecure: "auto"}})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv.Handler)
	t.Cleanup(ts.Close)
	return &harness{t: t, env: env, url: ts.URL, logs: logs}
}

// reply is a response with its body read.
type reply struct {
	*http.Response
	body string
}

// cookie returns the cookie the response set, or nil.
func (r reply) cookie(name string) *http.Cookie {
	for _, c := range r.Cookies() {
		if c.Name == name {
			return c
		}
	}
	return nil
}

// do sends a request as a same-origin browser would, with the form (a POST
// body; nil for none), the cookies and extra headers, following no
// redirect.
func (h *harness) do(method, path string, form url.Values, cookies []*http.Cookie, header ...string) reply {
	h.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, h.url+path, body)
	if err != nil {
		h.t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	for _, c := range cookies {
		req.AddCookie(&http.Cookie{Name: c.Name, Value: c.Value})
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Do(req)
	if err != nil {
		h.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return reply{Response: resp, body: string(b)}
}

// get fetches path with the session cookie (none when nil).
func (h *harness) get(path string, session *http.Cookie) reply {
	h.t.Helper()
	return h.do(http.MethodGet, path, nil, cookies(session))
}

// post sends a form with the session cookie (none when nil).
func (h *harness) post(path string, form url.Values, session *http.Cookie, header ...string) reply {
	h.t.Helper()
	if form == nil {
		form = url.Values{}
	}
	return h.do(http.MethodPost, path, form, cookies(session), header...)
}

func cookies(c *http.Cookie) []*http.Cookie {
	if c == nil {
		return nil
	}
	return []*http.Cookie{c}
}

// login signs in through the sign-in form and returns the session cookie.
func (h *harness) login(email, slug string) *http.Cookie {
	h.t.Helper()
	r := h.post("/login", url.Values{"email": {email}, "password": {fixturetest.Password}, "organization": {slug}}, nil)
	c := r.cookie("realty_session")
	if r.StatusCode != http.StatusSeeOther || c == nil || c.Value == "" {
		h.t.Fatalf("login %s: %d, cookie %v: %.300s", email, r.StatusCode, c, r.body)
	}
	return c
}

// expect fails the test unless r has status and its body holds every want.
func expect(t *testing.T, r reply, status int, want ...string) {
	t.Helper()
	if r.StatusCode != status {
		t.Fatalf("%s %s = %d, want %d: %.600s", r.Request.Method, r.Request.URL.Path, r.StatusCode, status, r.body)
	}
	for _, w := range want {
		if !strings.Contains(r.body, w) {
			t.Errorf("%s %s: body lacks %q: %.600s", r.Request.Method, r.Request.URL.Path, w, r.body)
		}
	}
}

// roleID returns the id of the role with key in the organization.
func (h *harness) roleID(orgID realty.ID, key string) realty.ID {
	h.t.Helper()
	roles, err := h.env.Org.Roles(context.Background(), realty.System(orgID))
	if err != nil {
		h.t.Fatal(err)
	}
	for _, r := range roles {
		if r.Key == key {
			return r.ID
		}
	}
	h.t.Fatalf("no role %s", key)
	return realty.ID{}
}
