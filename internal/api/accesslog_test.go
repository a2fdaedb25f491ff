package api_test

import (
	"bufio"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"realty/internal/api"
	"realty/internal/reso"
	"realty/internal/server"
	"realty/internal/web"
)

// lockedBuffer is a log sink safe for the server's goroutines.
type lockedBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestAccessLogCaller: each request's log line names the remote address,
// the response's bytes and the caller as the API and RESO authentication
// resolved it: organization and user for a session, organization and API
// key for a key, none for an anonymous request.
func TestAccessLogCaller(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	logs := &lockedBuffer{}
	log := server.NewLogger(logs, "json", "debug")
	srv, err := server.New(server.Options{Addr: "127.0.0.1:0", MaxBodyBytes: 1 << 20, Log: log, Pool: h.env.Pool,
		Metrics: server.NewMetrics(h.env.Pool, log),
		API:     api.Deps{Log: log, Version: "test", Services: h.env.Services},
		Web:     web.Deps{Log: log, Version: "test", Services: h.env.Services},
		RESO:    reso.Deps{Log: log, Pool: h.env.Pool, Org: h.env.Org}})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv.Handler)
	t.Cleanup(ts.Close)
	key, secret := h.apiKey(h.a, "listing.read")
	owner := h.a.Personas["owner"].Actor
	orgID := h.a.Organization.ID.String()

	cases := []struct {
		path, credential string
		want             map[string]string // attributes the line must carry ("" : must lack)
	}{
		{"/api/v1/account/sessions", h.tokens["acme:owner"], map[string]string{"org": orgID, "user": owner.UserID.String(), "api_key": ""}},
		{"/api/v1/listings", secret, map[string]string{"org": orgID, "api_key": key.ID.String(), "user": ""}},
		{"/reso/odata/Property?$top=1", secret, map[string]string{"org": orgID, "api_key": key.ID.String(), "user": ""}},
		{"/api/v1/version", "", map[string]string{"org": "", "user": "", "api_key": ""}},
	}
	for _, c := range cases {
		req, _ := http.NewRequest("GET", ts.URL+c.path, nil)
		req.Header.Set("X-Request-ID", "accesslog-"+strings.NewReplacer("/", "-", "?", "-", "$", "-", "=", "-").Replace(c.path))
		if c.credential != "" {
			req.Header.Set("Authorization", "Bearer "+c.credential)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Fatalf("GET %s: %d %s", c.path, resp.StatusCode, body)
		}
		line := requestLine(t, logs.String(), resp.Header.Get("X-Request-ID"))
		if got, _ := line["bytes"].(float64); int(got) != len(body) {
			t.Errorf("GET %s: bytes %v, want %d", c.path, line["bytes"], len(body))
		}
		if remote, _ := line["remote"].(string); !strings.HasPrefix(remote, "127.0.0.1:") {
			t.Errorf("GET %s: remote %q", c.path, remote)
		}
		for k, want := range c.want {
			if got, _ := line[k].(string); got != want {
				t.Errorf("GET %s: %s = %q, want %q (line %v)", c.path, k, got, want, line)
			}
		}
	}
}

// requestLine finds the access log line of a request id.
func requestLine(t *testing.T, logs, requestID string) map[string]any {
	t.Helper()
	sc := bufio.NewScanner(strings.NewReader(logs))
	for sc.Scan() {
		var m map[string]any
		if json.Unmarshal(sc.Bytes(), &m) == nil && m["msg"] == "request" && m["request_id"] == requestID {
			return m
		}
	}
	t.Fatalf("no access log line for request %s in:\n%s", requestID, logs)
	return nil
}
