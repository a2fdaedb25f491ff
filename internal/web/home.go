package web

import (
	"context"
	"net/http"
	"time"

	"realty/internal/postgres"
)

// homeData is what the home page shows.
type homeData struct {
	Title    string
	Version  string
	Database string
	Ready    bool
}

func (s *site) handleHome(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	d := homeData{Title: "realty", Version: s.Version}
	if err := s.Pool.QueryRow(ctx, "SHOW server_version").Scan(&d.Database); err == nil {
		d.Ready, _ = postgres.SchemaCurrent(ctx, s.Pool)
	}
	s.render(w, r, http.StatusOK, "home", d)
}

func (s *site) handleNotFound(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, http.StatusNotFound, "notfound", homeData{Title: "Not found", Version: s.Version})
}
