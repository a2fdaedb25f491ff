package server

import (
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"net/http"
	"regexp"
	"runtime/debug"
	"strconv"
	"time"

	"realty"
)

// validRequestID limits a caller-supplied X-Request-ID to what is safe in
// logs and in the audit trail.
var validRequestID = regexp.MustCompile(`^[A-Za-z0-9._-]{8,64}$`)

// withRequestID gives every request an id (the caller's X-Request-ID when
// well-formed, else a fresh one), carried in the context and echoed in the
// response.
func withRequestID(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := r.Header.Get("X-Request-ID")
		if !validRequestID.MatchString(id) {
			var b [12]byte
			_, _ = rand.Read(b[:])
			id = hex.EncodeToString(b[:])
		}
		w.Header().Set("X-Request-ID", id)
		next.ServeHTTP(w, r.WithContext(realty.WithRequestID(r.Context(), id)))
	})
}

// withRecover turns a panic into a logged 500, never a dropped connection.
func withRecover(log *slog.Logger, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				log.ErrorContext(r.Context(), "panic serving request", "panic", v, "stack", string(debug.Stack()))
				w.Header().Set("Content-Type", "application/problem+json")
				w.WriteHeader(http.StatusInternalServerError)
				_, _ = w.Write([]byte(`{"status":500,"title":"Internal Server Error","detail":"internal error"}`))
			}
		}()
		next.ServeHTTP(w, r)
	})
}

// ContentSecurityPolicy is the policy every response carries: pages run
// and style only realty's own files (the dashboard has no inline script or
// style, and htmx is told not to inject its indicator styles), images may
// also be data: and blob: URLs (previews), forms post only here, and no
// other site may frame a page.
const ContentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; " +
	"object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"

// withSecurityHeaders sets the headers every response carries.
func withSecurityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", ContentSecurityPolicy)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "same-origin")
		next.ServeHTTP(w, r)
	})
}

// withBodyLimit caps request bodies; reading past the cap fails, and the
// handlers answer 413.
func withBodyLimit(limit int64, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.ContentLength > limit {
			w.Header().Set("Content-Type", "application/problem+json")
			w.WriteHeader(http.StatusRequestEntityTooLarge)
			_, _ = w.Write([]byte(`{"status":413,"title":"Request Entity Too Large","detail":"request body exceeds ` +
				strconv.FormatInt(limit, 10) + ` bytes"}`))
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, limit)
		next.ServeHTTP(w, r)
	})
}

// statusWriter records the status a handler wrote and the body bytes.
type statusWriter struct {
	http.ResponseWriter
	status int
	bytes  int64
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(b)
	w.bytes += int64(n)
	return n, err
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// withObservation logs each request (with its caller, as the code that
// authenticates it notes in the context) and records its duration by route. It
// must wrap the ServeMux directly: the mux sets r.Pattern on the request it is
// given, which is how the route is known after the fact.
func withObservation(log *slog.Logger, m *Metrics, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w}
		ctx, caller := realty.WithCaller(r.Context())
		r = r.WithContext(ctx)
		next.ServeHTTP(sw, r)
		if sw.status == 0 {
			sw.status = http.StatusOK
		}
		took := time.Since(start)
		route := r.Pattern
		if route == "" {
			route = "unmatched"
		}
		m.observe(route, r.Method, sw.status, took)
		level := slog.LevelDebug
		if sw.status >= 500 {
			level = slog.LevelError
		}
		if !log.Enabled(r.Context(), level) {
			return
		}
		attrs := []any{"method", r.Method, "path", r.URL.Path, "route", route, "status", sw.status,
			"duration_ms", float64(took.Microseconds()) / 1000, "bytes", sw.bytes, "remote", r.RemoteAddr}
		log.Log(r.Context(), level, "request", append(attrs, callerAttrs(caller)...)...)
	})
}

// callerAttrs are the log attributes of the request's caller: none for an
// anonymous request.
func callerAttrs(c *realty.Caller) []any {
	var out []any
	for _, a := range []struct {
		key string
		id  realty.ID
	}{{"org", c.OrgID}, {"user", c.UserID}, {"api_key", c.APIKeyID}} {
		if !a.id.IsZero() {
			out = append(out, a.key, a.id.String())
		}
	}
	return out
}
