// Package web is realty's dashboard: server-rendered html/template pages with
// htmx, parsed once at start from embedded files, and the static assets they
// use (vendored from npm, see static/VENDORED.md).
package web

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"path"
	"strings"

	"realty/internal/fixture"
	"realty/internal/postgres"
)

//go:embed templates
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// Deps are what the dashboard's handlers call.
type Deps struct {
	Log      *slog.Logger
	Pool     *postgres.Pool
	Version  string
	Services fixture.Services
	// CookieSecure is auto (Secure when served over TLS), always or never.
	CookieSecure string
}

// site holds the parsed pages and dependencies of the dashboard.
type site struct {
	Deps
	pages map[string]*template.Template
}

// Mount parses every template and registers the dashboard's routes on mux.
// It returns an error naming the template when one does not parse.
func Mount(mux *http.ServeMux, d Deps) error {
	pages, err := parsePages()
	if err != nil {
		return err
	}
	s := &site{Deps: d, pages: pages}
	static, _ := fs.Sub(staticFS, "static")
	mux.Handle("GET /static/", http.StripPrefix("/static/", cacheStatic(http.FileServerFS(static))))
	mux.HandleFunc("GET /{$}", s.handleHome)
	return nil
}

// NotFound renders the dashboard's page for an address with nothing at it.
func NotFound(d Deps) (http.Handler, error) {
	pages, err := parsePages()
	if err != nil {
		return nil, err
	}
	s := &site{Deps: d, pages: pages}
	return http.HandlerFunc(s.handleNotFound), nil
}

// parsePages parses templates/layout.html with each templates/pages/*.html
// into one template per page, named by the page's file name.
func parsePages() (map[string]*template.Template, error) {
	layout, err := template.New("layout.html").Funcs(funcs()).ParseFS(templateFS, "templates/layout.html", "templates/partials/*.html")
	if err != nil {
		return nil, fmt.Errorf("parse dashboard layout: %w", err)
	}
	files, err := fs.Glob(templateFS, "templates/pages/*.html")
	if err != nil || len(files) == 0 {
		return nil, fmt.Errorf("dashboard pages missing: %v", err)
	}
	pages := map[string]*template.Template{}
	for _, f := range files {
		t, err := template.Must(layout.Clone()).ParseFS(templateFS, f)
		if err != nil {
			return nil, fmt.Errorf("parse dashboard page %s: %w", f, err)
		}
		pages[strings.TrimSuffix(path.Base(f), ".html")] = t
	}
	return pages, nil
}

func funcs() template.FuncMap {
	return template.FuncMap{
		"join": strings.Join,
	}
}

// render writes page with data at status, buffering so a template error
// becomes a clean 500 rather than half a page.
func (s *site) render(w http.ResponseWriter, r *http.Request, status int, page string, data any) {
	t, ok := s.pages[page]
	if !ok {
		s.Log.ErrorContext(r.Context(), "unknown dashboard page", "page", page)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout.html", data); err != nil {
		s.Log.ErrorContext(r.Context(), "render dashboard page", "page", page, "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// cacheStatic lets browsers keep static files for an hour.
func cacheStatic(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "public, max-age=3600")
		next.ServeHTTP(w, r)
	})
}
