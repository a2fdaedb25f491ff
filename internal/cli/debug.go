package cli

import (
	"context"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"time"

	"realty/internal/server"
)

// startDebug serves Go's profiles on addr (REALTY_DEBUG_ADDR) until ctx
// ends. It is a listener of its own, so the profiles are never reachable
// at the public address. An address that cannot be listened on is an error.
func startDebug(ctx context.Context, addr string, log *slog.Logger) error {
	if addr == "" {
		return nil
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	return serveAside(ctx, addr, mux, log, "profiles served", "/debug/pprof/")
}

// startMetrics serves /metrics on addr (REALTY_METRICS_ADDR) until ctx
// ends, behind the token when one is set.
func startMetrics(ctx context.Context, addr, token string, m *server.Metrics, log *slog.Logger) error {
	if addr == "" {
		return nil
	}
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", server.MetricsHandler(m, token))
	return serveAside(ctx, addr, mux, log, "metrics served", "/metrics")
}

// serveAside serves h on a listener of its own at addr until ctx ends and
// logs msg with the URL of path.
func serveAside(ctx context.Context, addr string, h http.Handler, log *slog.Logger, msg, path string) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		<-ctx.Done()
		_ = srv.Close()
	}()
	go func() {
		if err := srv.Serve(ln); err != nil && err != http.ErrServerClosed {
			log.Warn(msg, "err", err)
		}
	}()
	log.Info(msg, "url", "http://"+ln.Addr().String()+path)
	return nil
}
