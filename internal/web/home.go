package web

import (
	"context"
	"net/http"
	"time"

	"realty/internal/postgres"
)

// routesHome are the routes of the start page.
func (s *site) routesHome() []route {
	return []route{
		{"GET /{$}", anyone, s.handleHome},
	}
}

// homeData is what the home page shows: the system's status, for anyone.
type homeData struct {
	Database string
	Ready    bool
}

// handleHome shows the system status to anyone and greets a signed-in user.
func (s *site) handleHome(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	var d homeData
	if err := s.Services.Pool.QueryRow(ctx, "SHOW server_version").Scan(&d.Database); err == nil {
		d.Ready, _ = postgres.SchemaCurrent(ctx, s.Services.Pool)
	}
	s.render(w, r, http.StatusOK, "home", s.newView(r, "", d))
}

func (s *site) handleNotFound(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, http.StatusNotFound, "notfound", s.newView(r, "Not found", nil))
}
