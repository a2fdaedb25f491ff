// Package web is realty's dashboard: server-rendered html/template pages with
// htmx, parsed once at start from embedded files, and the static assets they
// use (vendored from npm, see static/VENDORED.md).
//
// Handlers are thin: they parse the form, call the one domain method that
// does the work (and checks the permission, exactly as the JSON API's
// operation of the same purpose does) and render. Browser sessions live in
// the realty_session cookie; cross-site form posts are refused by
// http.CrossOriginProtection, which the server wraps around everything.
package web

import (
	"embed"
	"encoding/json"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"net/url"
	"path"
	"slices"
	"strings"
	"time"

	"realty"
	"realty/internal/app"
)

//go:embed templates
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// Deps are what the dashboard's handlers call.
type Deps struct {
	Log      *slog.Logger
	Version  string
	Services app.Services
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
	for _, rt := range s.routes() {
		mux.Handle(rt.pattern, s.gate(rt.level, rt.handler))
	}
	return nil
}

type route struct {
	pattern string
	level   access
	handler http.HandlerFunc
}

// routes collects every page group's routes: each page-group file lists
// its own, with the access level its gate applies; permissions are checked
// by the domain call each handler makes.
func (s *site) routes() []route {
	var all []route
	for _, group := range []func() []route{
		s.routesHome, s.routesAuth, s.routesInvitations, s.routesAccount, s.routesMembers, s.routesRoles,
		s.routesAPIKeys, s.routesAudit, s.routesListings, s.routesListingEdit, s.routesProperties,
		s.routesClients, s.routesClientPage, s.routesClientForm, s.routesTasks, s.routesNotifications, s.routesMessages, s.routesResidentMessages, s.routesResidentNotifications, s.routesAnnouncements, s.routesAccountLinks,
		s.routesDay, s.routesCalendar, s.routesAppointments, s.routesMatches,
		s.routesTenants, s.routesRentLedger, s.routesLeases, s.routesDeposits, s.routesRentReports, s.routesRentBilling, s.routesBills, s.routesResident,
		s.routesMaintenance, s.routesVendors, s.routesResidentMaintenance, s.routesReports, s.routesBudgets, s.routesDashboard,
		s.routesInspections, s.routesDealFlow, s.routesDealMilestones,
		s.routesDealSign, s.routesDealContracts, s.routesCMA, s.routesDocuments, s.routesDocumentShare, s.routesDealMoney,
	} {
		all = append(all, group()...)
	}
	return all
}

// NotFound renders the dashboard's page for an address with nothing at it.
func NotFound(d Deps) (http.Handler, error) {
	pages, err := parsePages()
	if err != nil {
		return nil, err
	}
	s := &site{Deps: d, pages: pages}
	return s.gate(anyone, s.handleNotFound), nil
}

// parsePages parses templates/layout.html and the partials with each
// templates/pages/*.html into one template per page, named by the page's
// file name.
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
		"join":     strings.Join,
		"contains": slices.Contains[[]string],
		"when":     when,
		"text":     func(b json.RawMessage) string { return string(b) },
		"row":      func(v *view, it any) row { return row{V: v, It: it} },
		"past":     func(t time.Time) bool { return time.Now().After(t) },
		"money":    money,
		"label":    label,
		"plural":   plural,
		"labels":   joinLabels,
		"list":     func(s ...string) []string { return s },
		"fields":   fields,
		"deref":    func(p *int) int { return *p },
		"add1":     func(i int) int { return i + 1 },
		"deref64":  func(p *float64) float64 { return *p },
		"has":      func(v url.Values, name, value string) bool { return slices.Contains(v[name], value) },
	}
}

// parseDay reads a YYYY-MM-DD form value as the start of that day in UTC;
// nil when empty, Invalid naming field when malformed.
func parseDay(field, value string) (*time.Time, error) {
	if value == "" {
		return nil, nil
	}
	t, err := time.Parse(time.DateOnly, value)
	if err != nil {
		return nil, realty.FieldError(field, "is not a date (YYYY-MM-DD)")
	}
	return &t, nil
}

// pathID parses the {id} of the route; a malformed one is NotFound, like an
// unknown one.
func pathID(r *http.Request) (realty.ID, error) {
	id, err := realty.ParseID(r.PathValue("id"))
	if err != nil {
		return id, &realty.Error{Kind: realty.NotFound, Message: "not found"}
	}
	return id, nil
}

// pathForm is a form post's {id} and its parsed body: NotFound for an id
// that is none, Invalid for a body that does not parse.
func pathForm(r *http.Request) (realty.ID, url.Values, error) {
	id, err := pathID(r)
	if err == nil {
		err = r.ParseForm()
	}
	return id, r.PostForm, err
}

// cacheStatic lets browsers keep static files for an hour.
func cacheStatic(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "public, max-age=3600")
		next.ServeHTTP(w, r)
	})
}
