package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/danielgtaylor/huma/v2"

	"realty"
	"realty/internal/api"
	"realty/internal/fixture"
	"realty/internal/fixture/fixturetest"
	"realty/internal/identity"
	"realty/internal/postgres/pgtest"
	"realty/internal/server"
	"realty/internal/web"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// harness is a real server over a fresh database holding two organizations
// (acme and globex) with one persona per system role each, all signed in.
type harness struct {
	t      *testing.T
	env    fixturetest.Env
	url    string
	a, b   fixture.Org
	tokens map[string]string // "<slug>:<role>" → session token
	api    huma.API
}

func newHarness(t *testing.T) *harness {
	t.Helper()
	env := fixturetest.New(t)
	h := &harness{t: t, env: env, a: env.Organization(t, "acme"), b: env.Organization(t, "globex"), tokens: map[string]string{}}
	log := server.NewLogger(io.Discard, "json", "error")
	deps := api.Deps{Log: log, Version: "test", Services: env.Services}
	srv, err := server.New(server.Options{Addr: "127.0.0.1:0", MaxBodyBytes: 1 << 20, Log: log, Pool: env.Pool,
		Metrics: server.NewMetrics(env.Pool, log), API: deps, Web: web.Deps{Log: log, Version: "test", Services: env.Services}})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv.Handler)
	t.Cleanup(ts.Close)
	h.url = ts.URL
	h.api = api.Mount(http.NewServeMux(), deps) // the same operations, for walking them
	for _, o := range []fixture.Org{h.a, h.b} {
		for role, p := range o.Personas {
			h.tokens[o.Organization.Slug+":"+role] = h.login(p.Email, o.Organization.Slug)
		}
	}
	return h
}

// login signs in through the API and returns the session token.
func (h *harness) login(email, slug string) string {
	h.t.Helper()
	status, body := h.do("POST", "/api/v1/auth/login", "", map[string]any{"email": email, "password": fixturetest.Password, "organization": slug})
	if status != 200 {
		h.t.Fatalf("login %s: %d %s", email, status, body)
	}
	var out struct {
		Token string `json:"token"`
	}
	if err := json.Unmarshal(body, &out); err != nil || out.Token == "" {
		h.t.Fatalf("login %s: no token in %s", email, body)
	}
	return out.Token
}

// do sends a request with an optional bearer credential and JSON body.
func (h *harness) do(method, path, credential string, body any) (int, []byte) {
	h.t.Helper()
	var r io.Reader
	contentType := "application/json"
	switch b := body.(type) {
	case nil:
	case rawBody:
		r, contentType = bytes.NewReader(b.data), b.contentType
	default:
		data, err := json.Marshal(body)
		if err != nil {
			h.t.Fatal(err)
		}
		r = bytes.NewReader(data)
	}
	req, err := http.NewRequest(method, h.url+path, r)
	if err != nil {
		h.t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", contentType)
	}
	if credential != "" {
		req.Header.Set("Authorization", "Bearer "+credential)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		h.t.Fatal(err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, out
}

// apiKey makes a key in org o, created by its owner, holding perms.
func (h *harness) apiKey(o fixture.Org, perms ...string) (identity.APIKey, string) {
	h.t.Helper()
	k, secret, err := h.env.Identity.CreateAPIKey(context.Background(), o.Personas["owner"].Actor,
		identity.NewAPIKey{Name: "test key", Permissions: perms}, identity.Client{})
	if err != nil {
		h.t.Fatal(err)
	}
	return k, secret
}

// roleID returns the id of the role with key in org o.
func (h *harness) roleID(o fixture.Org, key string) realty.ID {
	h.t.Helper()
	roles, err := h.env.Org.Roles(context.Background(), o.Personas["owner"].Actor)
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

// operations lists every registered operation: id, method, path.
func (h *harness) operations() []*huma.Operation {
	var ops []*huma.Operation
	for _, item := range h.api.OpenAPI().Paths {
		for _, op := range []*huma.Operation{item.Get, item.Post, item.Put, item.Patch, item.Delete} {
			if op != nil {
				ops = append(ops, op)
			}
		}
	}
	return ops
}

// rawBody is a request body sent as is.
type rawBody struct {
	contentType string
	data        []byte
}

// pngBytes is a minimal PNG header: enough for content sniffing.
var pngBytes = append([]byte("\x89PNG\r\n\x1a\n"), bytes.Repeat([]byte{0}, 64)...)

// photoUpload is a multipart upload of a small PNG as a photo.
func photoUpload() rawBody {
	return pngUpload(map[string]string{"kind": "photo", "caption": "Front"})
}

// pngUpload is a multipart upload of a small PNG with the given form fields.
func pngUpload(fields map[string]string) rawBody {
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	for k, v := range fields {
		_ = w.WriteField(k, v)
	}
	part, _ := w.CreateFormFile("file", "front.png")
	_, _ = part.Write(pngBytes)
	_ = w.Close()
	return rawBody{contentType: w.FormDataContentType(), data: buf.Bytes()}
}
