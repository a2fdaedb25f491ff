package api

import (
	"log/slog"
	"net/http"
	"strings"

	"realty"
	"realty/internal/crm"
	"realty/internal/problem"
)

// CalendarPath is where agents' iCalendar feeds live:
// CalendarPath + token + ".ics", public (the secret token is the
// credential), so calendar apps can subscribe without a session.
const CalendarPath = "/calendar/"

// mountCalendar serves the feeds. An unknown, rotated or revoked token is a
// plain 404, the same answer as a malformed one.
func mountCalendar(mux *http.ServeMux, svc *crm.Service, log *slog.Logger) {
	mux.HandleFunc("GET "+CalendarPath+"{file}", func(w http.ResponseWriter, r *http.Request) {
		token, ok := strings.CutSuffix(r.PathValue("file"), ".ics")
		if !ok {
			http.NotFound(w, r)
			return
		}
		ics, err := svc.Calendar(r.Context(), token)
		if err != nil {
			status := problem.Status(err)
			if status == http.StatusInternalServerError && log != nil {
				log.ErrorContext(r.Context(), "calendar feed", "err", err)
			}
			http.Error(w, realty.MessageOf(err), status)
			return
		}
		w.Header().Set("Content-Type", "text/calendar; charset=utf-8")
		w.Header().Set("Cache-Control", "private, no-store")
		w.Header().Set("Referrer-Policy", "no-referrer")
		_, _ = w.Write(ics)
	})
}
