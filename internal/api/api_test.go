package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/danielgtaylor/huma/v2"

	"realty"
	"realty/internal/api"
	"realty/internal/problem"
	"realty/internal/server"
)

// TestProblemMapping drives an operation that fails with each kind of error
// through huma and checks the status, the problem+json body, and that an
// internal error's text is logged with the request id but never shown.
func TestProblemMapping(t *testing.T) {
	t.Parallel()
	var logs bytes.Buffer
	log := server.NewLogger(&logs, "json", "info")
	mux := http.NewServeMux()
	a := api.Mount(mux, api.Deps{Log: log, Version: "test"})
	failures := map[string]error{
		"internal":  fmt.Errorf("load: %w", errors.New("pq: secret table detail")),
		"invalid":   realty.FieldError("list_price", "must be positive"),
		"notfound":  &realty.Error{Kind: realty.NotFound, Message: "listing not found"},
		"conflict":  &realty.Error{Kind: realty.Conflict, Message: "listing key taken"},
		"forbidden": &realty.Error{Kind: realty.Forbidden, Message: "missing permission listing.write"},
		"unauth":    &realty.Error{Kind: realty.Unauthenticated, Message: "sign in required"},
		"limited":   &realty.Error{Kind: realty.RateLimited, Message: "too many attempts"},
	}
	api.Register(a, huma.Operation{OperationID: "fail", Method: http.MethodGet, Path: "/api/v1/fail/{kind}"},
		api.Access{Public: true}, func(_ context.Context, in *struct {
			Kind string `path:"kind"`
		}) (*struct{}, error) {
			return nil, failures[in.Kind]
		})
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mux.ServeHTTP(w, r.WithContext(realty.WithRequestID(r.Context(), "req-42")))
	})
	cases := []struct {
		kind   string
		status int
		detail string
		field  string
	}{
		{"internal", 500, "internal error", ""},
		{"invalid", 422, "list_price: must be positive", "list_price"},
		{"notfound", 404, "listing not found", ""},
		{"conflict", 409, "listing key taken", ""},
		{"forbidden", 403, "missing permission listing.write", ""},
		{"unauth", 401, "sign in required", ""},
		{"limited", 429, "too many attempts", ""},
	}
	for _, c := range cases {
		t.Run("Err"+c.kind, func(t *testing.T) {
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, httptest.NewRequest("GET", "/api/v1/fail/"+c.kind, nil))
			if rec.Code != c.status {
				t.Fatalf("status %d, want %d: %s", rec.Code, c.status, rec.Body)
			}
			if ct := rec.Header().Get("Content-Type"); ct != "application/problem+json" {
				t.Errorf("content type %q", ct)
			}
			var m huma.ErrorModel
			if err := json.Unmarshal(rec.Body.Bytes(), &m); err != nil {
				t.Fatal(err)
			}
			if m.Detail != c.detail || m.Status != c.status || m.Type != problem.TypeURI(c.status) {
				t.Errorf("problem %+v, want detail %q", m, c.detail)
			}
			if c.field != "" && (len(m.Errors) != 1 || m.Errors[0].Location != c.field) {
				t.Errorf("errors %+v do not name %s", m.Errors, c.field)
			}
			if strings.Contains(rec.Body.String(), "secret") {
				t.Errorf("internal detail leaked: %s", rec.Body)
			}
		})
	}
	if !strings.Contains(logs.String(), "secret table detail") || !strings.Contains(logs.String(), "req-42") {
		t.Fatalf("internal error not logged with its request id: %s", logs.String())
	}
}
