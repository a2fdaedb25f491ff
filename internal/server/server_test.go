package server_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5"

	"realty/internal/api"
	"realty/internal/app"
	"realty/internal/postgres"
	"realty/internal/postgres/pgtest"
	"realty/internal/server"
	"realty/internal/web"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

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

type setupResult struct {
	db   *pgtest.DB
	url  string
	logs *syncBuffer
}

func setup(t *testing.T) setupResult {
	t.Helper()
	return setupWith(t, func(*server.Options) {})
}

// setupWith is setup with options changed by edit before the server is made.
func setupWith(t *testing.T, edit func(*server.Options)) setupResult {
	t.Helper()
	db := pgtest.New(t)
	logs := &syncBuffer{}
	log := server.NewLogger(logs, "json", "debug")
	o := server.Options{
		Addr: "127.0.0.1:0", MaxBodyBytes: 4096,
		Log: log, Pool: db.Pool, Metrics: server.NewMetrics(db.Pool, log),
		API: api.Deps{Log: log, Version: "test", Services: app.Services{Pool: db.Pool}},
		Web: web.Deps{Log: log, Version: "test", Services: app.Services{Pool: db.Pool}},
	}
	edit(&o)
	srv, err := server.New(o)
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv.Handler)
	t.Cleanup(ts.Close)
	return setupResult{db: db, url: ts.URL, logs: logs}
}

type scenario struct {
	name        string
	method      string
	path        string
	header      map[string]string
	body        string
	status      int
	contentType string
	contains    []string
	lacks       []string
}

func (s setupResult) run(t *testing.T, c scenario) *http.Response {
	t.Helper()
	req, err := http.NewRequest(c.method, s.url+c.path, strings.NewReader(c.body))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range c.header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != c.status {
		t.Fatalf("%s %s = %d, want %d: %s", c.method, c.path, resp.StatusCode, c.status, body)
	}
	if c.contentType != "" && !strings.HasPrefix(resp.Header.Get("Content-Type"), c.contentType) {
		t.Errorf("content type %q, want %q", resp.Header.Get("Content-Type"), c.contentType)
	}
	for _, want := range c.contains {
		if !strings.Contains(string(body), want) {
			t.Errorf("body lacks %q: %.400s", want, body)
		}
	}
	for _, bad := range c.lacks {
		if strings.Contains(string(body), bad) {
			t.Errorf("body contains %q", bad)
		}
	}
	return resp
}

func TestEndpoints(t *testing.T) {
	t.Parallel()
	s := setup(t)
	big := strings.Repeat("x", 8192)
	scenarios := []scenario{
		{name: "OKHealthz", method: "GET", path: "/healthz", status: 200, contains: []string{`"ok"`}},
		{name: "OKReadyz", method: "GET", path: "/readyz", status: 200, contains: []string{`"ready"`}},
		{name: "OKVersion", method: "GET", path: "/api/v1/version", status: 200, contentType: "application/json",
			contains: []string{`"version":"test"`, `"postgres_version":"15`}},
		{name: "OKOpenAPI", method: "GET", path: "/api/openapi.json", status: 200,
			contains: []string{`"openapi": "3.1.0"`, `"/api/v1/version"`}, lacks: []string{`$schema`}},
		{name: "OKDocsServedLocally", method: "GET", path: "/api/docs", status: 200, contentType: "text/html",
			contains: []string{"/static/vendor/swagger-ui/swagger-ui-bundle.js"}, lacks: []string{"https://", "http://"}},
		{name: "OKDashboard", method: "GET", path: "/", status: 200, contentType: "text/html",
			contains: []string{"<h1>realty</h1>", `href="/login"`}, lacks: []string{"PostgreSQL"}},
		{name: "OKStatic", method: "GET", path: "/static/app.css", status: 200, contentType: "text/css"},
		{name: "ErrAPINotFound", method: "GET", path: "/api/v1/nothing-here", status: 404,
			contentType: "application/problem+json", contains: []string{`"status":404`}},
		{name: "ErrPageNotFound", method: "GET", path: "/nothing-here", status: 404, contentType: "text/html"},
		{name: "ErrUnknownQueryParameter", method: "GET", path: "/api/v1/version?sort=x", status: 422,
			contentType: "application/problem+json", contains: []string{"sort"}},
		{name: "ErrBodyTooLarge", method: "POST", path: "/api/v1/version", body: big, status: 413,
			contentType: "application/problem+json"},
		{name: "ErrCrossOriginPost", method: "POST", path: "/api/v1/version", status: 403,
			header: map[string]string{"Sec-Fetch-Site": "cross-site", "Origin": "https://evil.example"}},
		{name: "ErrMethodNotAllowed", method: "DELETE", path: "/healthz", status: 405},
	}
	for _, c := range scenarios {
		t.Run(c.name, func(t *testing.T) { s.run(t, c) })
	}
	t.Run("OKRequestIDEchoed", func(t *testing.T) {
		resp := s.run(t, scenario{method: "GET", path: "/healthz", status: 200, header: map[string]string{"X-Request-ID": "trace-abc-123"}})
		if got := resp.Header.Get("X-Request-ID"); got != "trace-abc-123" {
			t.Fatalf("request id %q", got)
		}
		resp = s.run(t, scenario{method: "GET", path: "/healthz", status: 200, header: map[string]string{"X-Request-ID": "bad id; drop table"}})
		if got := resp.Header.Get("X-Request-ID"); len(got) != 24 {
			t.Fatalf("malformed caller id kept or no fresh one made: %q", got)
		}
	})
	t.Run("OKMetrics", func(t *testing.T) {
		s.run(t, scenario{method: "GET", path: "/metrics", status: 200, contains: []string{
			`realty_http_request_duration_seconds_count{method="GET",route="GET /api/v1/version",status="200"}`,
			`realty_db_pool_max_connections 4`,
			`go_goroutines`,
		}})
	})
}

// TestContentSecurityPolicy: dashboard pages (signed in or sent to sign
// in), static files, the API docs and API responses, errors included, all
// carry the policy.
func TestContentSecurityPolicy(t *testing.T) {
	t.Parallel()
	s := setup(t)
	for _, path := range []string{"/", "/login", "/account", "/listings", "/admin/audit", "/nothing-here", "/static/app.css",
		"/api/docs", "/api/openapi.json", "/api/v1/version", "/api/v1/nothing-here", "/healthz"} {
		resp, err := http.Get(s.url + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if got := resp.Header.Get("Content-Security-Policy"); got != server.ContentSecurityPolicy {
			t.Errorf("GET %s (%d): Content-Security-Policy %q", path, resp.StatusCode, got)
		}
	}
	if !strings.Contains(server.ContentSecurityPolicy, "script-src 'self';") || strings.Contains(server.ContentSecurityPolicy, "unsafe") {
		t.Errorf("policy %q allows more than realty's own scripts", server.ContentSecurityPolicy)
	}
}

// TestReadyzSchemaBehind serves a database missing its newest River
// migration: /readyz must say so with 503.
func TestReadyzSchemaBehind(t *testing.T) {
	t.Parallel()
	s := setup(t)
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, s.db.AdminURL)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "DELETE FROM river.river_migration WHERE version = (SELECT max(version) FROM river.river_migration)"); err != nil {
		t.Fatal(err)
	}
	s.run(t, scenario{method: "GET", path: "/readyz", status: 503, contains: []string{"schema not current"}})
}

func TestNewLogger(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	log := server.NewLogger(&buf, "auto", "info")
	log.Debug("hidden")
	log.InfoContext(context.Background(), "shown")
	if strings.Contains(buf.String(), "hidden") || !strings.HasPrefix(buf.String(), "{") {
		t.Fatalf("auto on a buffer must be JSON at info: %s", buf.String())
	}
}

// TestReadyzBinariesUpgraded: /readyz says a restart is needed (503) while
// the binaries on disk report another version than the running server, and
// ready again once they match; binaries that cannot be run are a 503 too.
func TestReadyzBinariesUpgraded(t *testing.T) {
	t.Parallel()
	var onDisk struct {
		sync.Mutex
		num  int
		text string
		err  error
	}
	set := func(num int, text string, err error) {
		onDisk.Lock()
		defer onDisk.Unlock()
		onDisk.num, onDisk.text, onDisk.err = num, text, err
	}
	s := setupWith(t, func(o *server.Options) {
		o.Binaries = func(context.Context) (int, string, error) {
			onDisk.Lock()
			defer onDisk.Unlock()
			return onDisk.num, onDisk.text, onDisk.err
		}
	})
	running, err := postgres.ServerVersion(context.Background(), s.db.Pool)
	if err != nil {
		t.Fatal(err)
	}
	set(running.Num+1, "15.99 (upgraded)", nil)
	s.run(t, scenario{method: "GET", path: "/readyz", status: 503, contains: []string{"binaries on disk are 15.99 (upgraded)", "restart realty"}})
	set(running.Num, running.Text, nil)
	s.run(t, scenario{method: "GET", path: "/readyz", status: 200, contains: []string{`"ready"`}})
	set(0, "", errors.New("no postgres binary"))
	s.run(t, scenario{method: "GET", path: "/readyz", status: 503, contains: []string{"cannot be run"}})
}

// TestMetricsToken: with a token, /metrics on the main address answers 401
// without it or with another, and the metrics with it; with MetricsElsewhere
// the main address does not serve /metrics at all.
func TestMetricsToken(t *testing.T) {
	t.Parallel()
	s := setupWith(t, func(o *server.Options) { o.MetricsToken = "scrape-me" })
	s.run(t, scenario{method: "GET", path: "/metrics", status: 401, lacks: []string{"go_goroutines"}})
	s.run(t, scenario{method: "GET", path: "/metrics", header: map[string]string{"Authorization": "Bearer scrape-m3"}, status: 401})
	s.run(t, scenario{method: "GET", path: "/metrics", header: map[string]string{"Authorization": "Bearer scrape-me"}, status: 200,
		contains: []string{"go_goroutines"}})
	elsewhere := setupWith(t, func(o *server.Options) { o.MetricsElsewhere = true })
	elsewhere.run(t, scenario{method: "GET", path: "/metrics", status: 404, lacks: []string{"go_goroutines"}})
}
