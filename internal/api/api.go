// Package api is realty's JSON API at /api/v1, built with huma: typed inputs
// and outputs, validation, RFC 9457 problem+json errors mapped from
// realty.Error, and the OpenAPI document at /api/openapi.json with its docs at
// /api/docs. Handlers parse, call one domain method and render.
package api

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"maps"
	"net/http"
	"realty/internal/app"
	"realty/internal/postgres"
	"realty/internal/problem"
	"slices"
	"sync"

	"github.com/danielgtaylor/huma/v2"
	"github.com/danielgtaylor/huma/v2/adapters/humago"

	"realty"
)

// Prefix is where the API's operations live.
const Prefix = "/api/v1"

// ContractVersion is the OpenAPI document's info.version: the version of
// the contract under Prefix, not of the build (GET /version says that), so
// the document changes only when the contract does.
const ContractVersion = "1.0.0"

// Deps are what the API's handlers call: the services, and the build
// version GET /version states. Uploaded MLS files run through Services.Imports.
type Deps struct {
	Log     *slog.Logger
	Version string
	app.Services
}

// Mount registers every operation on mux, plus the OpenAPI document and the
// docs page, and returns the huma API (for tests that walk its operations).
func Mount(mux *http.ServeMux, d Deps) huma.API {
	mapErrorsOnce.Do(installErrorMapping)
	cfg := huma.DefaultConfig("realty API", ContractVersion)
	cfg.CreateHooks = nil // no $schema field in every body
	cfg.Formats = map[string]huma.Format{"application/json": jsonFormat, "json": jsonFormat}
	cfg.OpenAPIPath, cfg.DocsPath, cfg.SchemasPath = "", "", ""
	cfg.RejectUnknownQueryParameters = true
	cfg.Info.Description = "Brokerage CRM, listings, deals and property management. Errors are RFC 9457 problem+json."
	contractConfig(&cfg)
	cfg.Components.SecuritySchemes = map[string]*huma.SecurityScheme{
		"bearer": {Type: "http", Scheme: "bearer", Description: "a session token from /auth/login, an API key rk_…, or an access token rat_… issued for a key at /reso/oauth/token"},
	}
	a := humago.New(mux, cfg)
	a.UseMiddleware(func(ctx huma.Context, next func(huma.Context)) {
		next(huma.WithValue(ctx, loggerKey{}, d.Log))
	}, withClient, withQuery, authenticate(a, d.Org, d.Limits))
	for _, routes := range []func(huma.API, Deps){
		routeSystem, routeAuth, routeAccount, routeOrganizations, routeMembers, routeInvitations,
		routeRoles, routeAPIKeys, routeAudit, routeProperties, routeListings, routeImports,
		routeClients, routeTasks, routeAppointments, routeMatches, routeNotifications, routeMessages, routeAccountMail, routeLedger, routeInvoices, routeBills,
		routeTenants, routeLeases, routeTenancy, routeBilling, routeReports, routeBudgets,
		routeWorkOrders, routeMyWorkOrders, routeVendors,
		routeInspectionTemplates, routeInspections, routeDealFlow,
		routeDealMilestones, routeDealContracts, routeValuations, routeDocuments, routeDealMoney,
	} {
		routes(a, d)
	}
	pruneSchemas(a.OpenAPI())
	mux.HandleFunc("GET /api/openapi.json", func(w http.ResponseWriter, _ *http.Request) {
		doc, err := Document(a)
		if err != nil {
			http.Error(w, "internal error", http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(doc)
	})
	mux.HandleFunc("GET /api/docs", handleDocs)
	mux.HandleFunc("GET /problems/{name}", handleProblemType)
	mountCalendar(mux, d.CRM, d.Log)
	return a
}

// Document is a's OpenAPI document as /api/openapi.json serves it:
// indented JSON, keys in a stable order, ending in a newline.
func Document(a huma.API) ([]byte, error) {
	doc, err := json.MarshalIndent(a.OpenAPI(), "", "  ")
	return append(doc, '\n'), err
}

// WriteNoRoute answers a request under /api/ that names no operation (status
// 404) or names one with another method (405), as problem+json like every
// other API error.
func WriteNoRoute(w http.ResponseWriter, status int) {
	detail := "no such API operation"
	if status == http.StatusMethodNotAllowed {
		detail = "method not allowed for this operation"
	}
	w.Header().Set("Content-Type", "application/problem+json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(huma.ErrorModel{Type: problem.TypeURI(status), Status: status, Title: http.StatusText(status), Detail: detail})
}

type loggerKey struct{}

var mapErrorsOnce sync.Once

// installErrorMapping makes huma render every handler error through
// problem: the one place a realty.Error becomes an HTTP status.
func installErrorMapping() {
	fallback := huma.NewErrorWithContext
	huma.NewErrorWithContext = func(hctx huma.Context, status int, msg string, errs ...error) huma.StatusError {
		for _, err := range errs {
			if err == nil {
				continue
			}
			var re *realty.Error
			if errors.As(err, &re) || status >= 500 {
				return withRetryAfter(hctx, toProblem(hctx.Context(), err))
			}
		}
		if status >= 500 {
			return toProblem(hctx.Context(), errors.New(msg))
		}
		err := fallback(hctx, status, msg, errs...)
		if m, ok := err.(*huma.ErrorModel); ok {
			m.Type = problem.TypeURI(m.Status)
			clipValues(m)
		}
		return err
	}
}

// maxEchoedValue is the longest refused value a validation error repeats
// back: a 10,000-item list or a megabyte string is named, not returned.
const maxEchoedValue = 200

// clipValues drops from m's errors the refused values too long to repeat.
func clipValues(m *huma.ErrorModel) {
	for _, d := range m.Errors {
		if d == nil || d.Value == nil {
			continue
		}
		if b, err := json.Marshal(d.Value); err != nil || len(b) > maxEchoedValue {
			d.Value = nil
		}
	}
}

// withRetryAfter adds Retry-After to a 503 (the database unavailable): a
// client may try again in a second.
func withRetryAfter(hctx huma.Context, se huma.StatusError) huma.StatusError {
	if se.GetStatus() == http.StatusServiceUnavailable {
		hctx.SetHeader("Retry-After", "1")
	}
	return se
}

// toProblem renders err as problem+json: the caller-safe message and the fields
// at fault. A database that cannot be reached is Unavailable (503) wherever
// the failure surfaced (postgres.MapUnreachable). An Internal error is logged
// with the request id and shown only as "internal error".
func toProblem(ctx context.Context, err error) huma.StatusError {
	err = postgres.MapUnreachable(err)
	status := problem.Status(err)
	if status == http.StatusInternalServerError {
		if log, ok := ctx.Value(loggerKey{}).(*slog.Logger); ok {
			log.ErrorContext(ctx, "internal error", "err", err)
		}
	}
	m := &huma.ErrorModel{Type: problem.TypeURI(status), Status: status, Title: http.StatusText(status), Detail: realty.MessageOf(err)}
	if status == http.StatusRequestEntityTooLarge {
		m.Detail = "request body too large"
	}
	fields := realty.FieldsOf(err)
	for _, field := range slices.Sorted(maps.Keys(fields)) {
		m.Errors = append(m.Errors, &huma.ErrorDetail{Location: field, Message: fields[field]})
	}
	return m
}
