package web

import (
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestFailUnreachable answers a page whose database call found the
// database gone with 503 and Retry-After, as the API does, not 500; an
// htmx request gets the same status on its flash fragment.
func TestFailUnreachable(t *testing.T) {
	t.Parallel()
	pages, err := parsePages()
	if err != nil {
		t.Fatal(err)
	}
	s := &site{Deps: Deps{Log: slog.New(slog.NewTextHandler(io.Discard, nil))}, pages: pages}
	for _, htmx := range []bool{false, true} {
		r := httptest.NewRequest(http.MethodGet, "/properties", nil)
		if htmx {
			r.Header.Set("HX-Request", "true")
		}
		w := httptest.NewRecorder()
		s.fail(w, r, fmt.Errorf("list properties: %w", io.ErrUnexpectedEOF))
		if w.Code != http.StatusServiceUnavailable || w.Header().Get("Retry-After") != "1" {
			t.Errorf("htmx=%v: status %d, Retry-After %q; want 503 and 1", htmx, w.Code, w.Header().Get("Retry-After"))
		}
		if !strings.Contains(w.Body.String(), "unavailable") {
			t.Errorf("htmx=%v: body does not say the database is unavailable:\n%s", htmx, w.Body.String())
		}
	}
	w := httptest.NewRecorder()
	s.fail(w, httptest.NewRequest(http.MethodGet, "/properties", nil), fmt.Errorf("a bug"))
	if w.Code != http.StatusInternalServerError || w.Header().Get("Retry-After") != "" {
		t.Errorf("an internal error: status %d, Retry-After %q; want 500 and none", w.Code, w.Header().Get("Retry-After"))
	}
}
