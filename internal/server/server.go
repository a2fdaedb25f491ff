// Package server builds realty's HTTP server: the middleware every request
// passes, health and metrics endpoints, and the JSON API and dashboard
// mounted on one ServeMux.
package server

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"realty/internal/api"
	"realty/internal/postgres"
	"realty/internal/reso"
	"realty/internal/web"
)

// Options configure the server.
type Options struct {
	Addr         string
	MaxBodyBytes int64
	ReadTimeout  time.Duration
	WriteTimeout time.Duration
	IdleTimeout  time.Duration

	Log     *slog.Logger
	Pool    *postgres.Pool
	Metrics *Metrics
	// MetricsToken, when set, is the bearer token /metrics requires.
	MetricsToken string
	// MetricsElsewhere leaves /metrics off this server: it is served on a
	// listener of its own (MetricsHandler).
	MetricsElsewhere bool
	// Binaries, when set, reports the version of the PostgreSQL binaries a
	// restart would run; /readyz fails while the running server differs.
	Binaries postgres.OnDisk
	API      api.Deps
	Web      web.Deps
	RESO     reso.Deps
}

// New returns the configured http.Server. It fails when the dashboard's
// templates do not parse, so a broken build never starts serving.
func New(o Options) (*http.Server, error) {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", handleHealthz)
	mux.Handle("GET /readyz", readyz(o.Pool, o.Binaries))
	if !o.MetricsElsewhere {
		mux.Handle("GET /metrics", MetricsHandler(o.Metrics, o.MetricsToken))
	}
	api.Mount(mux, o.API)
	reso.Mount(mux, o.RESO)
	if err := web.Mount(mux, o.Web); err != nil {
		return nil, err
	}
	page404, err := web.NotFound(o.Web)
	if err != nil {
		return nil, err
	}
	mux.Handle("/", noRoute(mux, page404))

	var h http.Handler = http.NewCrossOriginProtection().Handler(mux)
	h = withObservation(o.Log, o.Metrics, h)
	h = withBodyLimit(o.MaxBodyBytes, h)
	h = withSecurityHeaders(h)
	h = withRequestID(h)
	h = withRecover(o.Log, h)
	return &http.Server{
		Addr:              o.Addr,
		Handler:           h,
		ReadTimeout:       o.ReadTimeout,
		ReadHeaderTimeout: 10 * time.Second,
		WriteTimeout:      o.WriteTimeout,
		IdleTimeout:       o.IdleTimeout,
		ErrorLog:          slog.NewLogLogger(o.Log.Handler(), slog.LevelWarn),
	}, nil
}

// noRoute answers what no pattern matched: 405 with Allow when the path
// exists for other methods, else 404; problem+json under /api/, the
// dashboard's page elsewhere.
func noRoute(mux *http.ServeMux, page404 http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var allow []string
		for _, m := range []string{"GET", "POST", "PUT", "PATCH", "DELETE"} {
			probe := r.Clone(r.Context())
			probe.Method = m
			if _, pattern := mux.Handler(probe); pattern != "/" && pattern != "" && m != r.Method {
				allow = append(allow, m)
			}
		}
		status := http.StatusNotFound
		if len(allow) > 0 {
			status = http.StatusMethodNotAllowed
			w.Header().Set("Allow", strings.Join(allow, ", "))
		}
		switch {
		case strings.HasPrefix(r.URL.Path, "/api/"):
			api.WriteNoRoute(w, status)
		case status == http.StatusMethodNotAllowed:
			http.Error(w, "method not allowed", status)
		default:
			page404.ServeHTTP(w, r)
		}
	})
}

func handleHealthz(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

// readyz answers 200 when the database answers, its schema is current and
// (with binaries) the running server is the one on disk, 503 with the
// reason otherwise.
func readyz(pool *postgres.Pool, binaries postgres.OnDisk) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		if err := pool.Ping(ctx); err != nil {
			writeJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "unavailable", "reason": "database unreachable"})
			return
		}
		current, err := postgres.SchemaCurrent(ctx, pool)
		if err != nil || !current {
			writeJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "unavailable", "reason": "database schema not current"})
			return
		}
		if binaries != nil {
			reason, err := postgres.RestartNeeded(ctx, pool, binaries)
			if err != nil {
				reason = "database unreachable"
			}
			if reason != "" {
				writeJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "unavailable", "reason": reason})
				return
			}
		}
		writeJSON(w, http.StatusOK, map[string]string{"status": "ready"})
	})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
