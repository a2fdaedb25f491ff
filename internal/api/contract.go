package api

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"realty/internal/ledger"
	"realty/internal/problem"
	"reflect"
	"slices"
	"strconv"

	"github.com/danielgtaylor/huma/v2"
	"github.com/shopspring/decimal"
)

// The OpenAPI document is a contract that generic linters (Redocly's
// recommended rules, Spectral's oas rules) and Go generators (oapi-codegen)
// read; .ci/run lints it and sdk/go is generated from it. This file holds
// what makes it so: the document's metadata, stable schema names, the
// schemas of realty's own value types, and the error responses every
// operation declares, derived from its access rule and inputs.

// tagDescriptions describes every tag an operation may carry; an
// operation with a tag missing here fails to register.
var tagDescriptions = map[string]string{
	"System":        "The server's build and database versions.",
	"Auth":          "Signing in and out, two-factor authentication, session refresh and invitation acceptance.",
	"Account":       "The signed-in user's own profile, password, sessions and two-factor setup.",
	"Organizations": "The organizations a user belongs to and the current organization's settings.",
	"Members":       "The people of the current organization.",
	"Invitations":   "Invitations to join the current organization.",
	"Roles":         "Roles, the permissions they grant, and who holds them.",
	"API keys":      "Keys for programs acting in the current organization.",
	"Audit":         "The audit trail: row changes and security events.",
	"Properties":    "Managed properties, their buildings, units and media.",
	"Listings":      "Listings for sale or lease, open houses, MLS status mappings and MLS imports.",
	"Clients":       "The brokerage CRM: clients and leads, their stages, interactions, timeline, merging, and website lead capture.",
	"Tasks":         "Members' tasks, about a client, property or listing, with the overdue, today and upcoming views.",
	"Appointments":  "Agents' showings, meetings, inspections, open houses and calls, never overlapping for one agent, and each agent's iCalendar feed.",
	"Matches":       "Clients' saved preferences and the listings matched to them, each with its score and per-criterion breakdown.",
	"Ledger":        "The double-entry books: chart of accounts, journal entries and reversals, period close and the trial balance.",
	"Receivables":   "Invoices to tenants, payments received and their allocations, refunds and failed payments, tenant ledgers and AR aging; every money-moving POST takes an Idempotency-Key.",
	"Payables":      "Vendor bills and expenses, their approval by the organization's threshold, bill payments and charge-backs to tenants; every money-moving POST takes an Idempotency-Key.",
	"Leasing":       "Tenants and leases: drafts, activation (which occupies the unit), termination, renewal, move-in and move-out.",
	"Resident":      "A resident's own tenancy (the resident portal).",
	"Maintenance":   "Vendors and work orders: filing, assignment, the status from open to completed, comments, photos and response targets.",
	"Billing":       "The monthly billing run and its late fees (preview and run), and security deposits with their move-out disposition; every money-moving POST takes an Idempotency-Key.",
	"Reports":       "Financial statements from the journal (income statement, balance sheet, owner statement, general ledger detail), budgets with budget vs actual, CSV exports and saved reports e-mailed on a schedule.",
	"Notifications": "Your in-app notifications and how you are told about each kind, and the organization's outbox of e-mails.",
	"Deals":         "A brokerage's transactions: the stage machine with its guards and history, the pipeline board, participants, and the listing that follows its deal.",
	"Deal workflow": "Deals' milestones with due dates computed in calendar or business days, workflow templates with their compliance checklists, and the holiday calendar business days skip.",
	"Contracts":     "Deals' contracts drawn from templates with merge fields, their immutable PDF versions and amendments, and electronic signing through one-time links.",
	"Messages":      "Conversations between staff and tenants or vendors, with read state, and announcements to every tenant of a property, building or unit.",
	"Documents":     "Documents filed against a property, listing, client, deal, lease, unit or work order: versions, full-text search, share links for outside parties and the access log.",
	"Deal money":    "A deal's earnest money (trust deposits posted when received, released at closing, refunded on termination), its commission with splits by agents' plans and caps, the disbursement authorisation, and GCI by agent.",
}

// schemaNames renames schemas whose generated name is not a stable,
// descriptive one (generic types, anonymous request and response bodies).
// TestSchemaNames fails on any generated name left.
var schemaNames = map[string]string{
	"Page":                        "PropertyPage",
	"Set-response-targetsRequest": "ResponseTargetsBody",
	"PageNotification":            "NotificationPage",
	"PageDelivery":                "DeliveryPage",
	"Results":                     "ListingSearchPage",
	"Summary":                     "ListingSummary",
	"PageChange":                  "AuditChangePage",
	"PageEvent":                   "SecurityEventPage",
	"Change":                      "AuditChange",
	"Event":                       "SecurityEvent",
	"Import":                      "ListingImport",
	"ImportPage":                  "ListingImportPage",
	"Reject":                      "ImportReject",
	"Create-buildingRequest":      "BuildingBody",
	"List-mls-statusesResponse":   "MlsStatusList",
	"List-open-housesResponse":    "OpenHouseList",
	"Listing-historyResponse":     "ListingHistory",
	"Map-mls-statusRequest":       "MlsStatusMappingBody",
	"Settings":                    "CRMSettings",
	"Client":                      "CRMClient", // "Client" is the generated SDK's HTTP client
	"ErrorModel":                  "Problem",
	"ErrorDetail":                 "ProblemField",
}

func schemaNamer(t reflect.Type, hint string) string {
	name := huma.DefaultSchemaNamer(t, hint)
	if renamed, ok := schemaNames[name]; ok {
		return renamed
	}
	return name
}

// MoneyPattern is what every amount of money matches: a decimal string
// without exponent, as realty writes them ("1250000.00").
const MoneyPattern = `^-?[0-9]+(\.[0-9]+)?$`

// dateSchema and moneySchema stand in for realty.Date and decimal.Decimal
// in the document (both are strings in JSON).
type dateSchema struct{}

func (dateSchema) Schema(huma.Registry) *huma.Schema {
	return &huma.Schema{Type: huma.TypeString, Format: "date", MinLength: ptrTo(10), MaxLength: ptrTo(10),
		Description: "a calendar day, YYYY-MM-DD"}
}

type moneySchema struct{}

func (moneySchema) Schema(huma.Registry) *huma.Schema {
	return &huma.Schema{Type: huma.TypeString, Pattern: MoneyPattern, Examples: []any{"1250000.00"},
		Description: "an amount of money: a decimal string, never a JSON number, so no digit is lost"}
}

// contractConfig fills in the document's metadata and schema registry.
func contractConfig(cfg *huma.Config) {
	cfg.Info.Contact = &huma.Contact{Name: "realty maintainers"}
	cfg.Info.License = &huma.License{Name: "Proprietary", Identifier: "LicenseRef-realty"}
	cfg.Servers = []*huma.Server{{URL: "/", Description: "the realty server that serves this document"}}
	cfg.Security = []map[string][]string{{"bearer": {}}}
	for _, name := range slices.Sorted(maps.Keys(tagDescriptions)) {
		cfg.Tags = append(cfg.Tags, &huma.Tag{Name: name, Description: tagDescriptions[name]})
	}
	reg := huma.NewMapRegistry("#/components/schemas/", schemaNamer)
	registerSchemas(reg)
	reg.RegisterTypeAlias(reflect.TypeFor[decimal.Decimal](), reflect.TypeFor[moneySchema]())
	reg.RegisterTypeAlias(reflect.TypeFor[ledger.Money](), reflect.TypeFor[moneySchema]())
	cfg.Components.Schemas = reg
}

// declareContract completes op before it is registered: public operations
// say they need no credential, every tag must be described, and the error
// responses are derived from the access rule and the input type I.
func declareContract[I any](op *huma.Operation, rule Access) {
	if rule.Public {
		op.Security = []map[string][]string{}
	}
	for _, tag := range op.Tags {
		if _, ok := tagDescriptions[tag]; !ok {
			panic("api: operation " + op.OperationID + " has tag " + tag + " without a description in tagDescriptions")
		}
	}
	op.Errors = errorStatuses(op.Method, rule, inputsOf(reflect.TypeFor[I]()))
	checkPaging(op.OperationID, reflect.TypeFor[I]())
}

// MaxPageSize is the largest page of every cursor list in /api/v1: a
// limit above it is refused with a 422 naming limit (never clamped).
const MaxPageSize = 100

// checkPaging holds a cursor list's limit parameter to MaxPageSize: its
// maximum tag must say it (struct tags cannot name a constant).
func checkPaging(opID string, t reflect.Type) {
	for i := range t.NumField() {
		f := t.Field(i)
		if f.Tag.Get("query") == "limit" && f.Tag.Get("maximum") != strconv.Itoa(MaxPageSize) {
			panic(fmt.Sprintf("api: operation %s: limit's maximum tag is %q, want MaxPageSize (%d)", opID, f.Tag.Get("maximum"), MaxPageSize))
		}
	}
}

// inputs is what an operation's input type takes.
type inputs struct{ body, pathID, idempotent bool }

func inputsOf(t reflect.Type) inputs {
	var in inputs
	for i := range t.NumField() {
		f := t.Field(i)
		switch {
		case f.Name == "Body" || f.Name == "RawBody":
			in.body = true
		case f.Tag.Get("path") != "":
			in.pathID = true
		case f.Tag.Get("header") == "Idempotency-Key":
			in.idempotent = true
		case f.Anonymous && f.Type.Kind() == reflect.Struct:
			inner := inputsOf(f.Type)
			in.body, in.pathID, in.idempotent = in.body || inner.body, in.pathID || inner.pathID, in.idempotent || inner.idempotent
		}
	}
	return in
}

// errorStatuses are the 4xx statuses and the 503 an operation can answer
// (huma adds 500), each for a reason that holds for every operation of its
// kind:
//
//   - 422 for all: unknown query parameters are refused everywhere, and
//     parameters and bodies are validated;
//   - 503 for all: the database cannot be reached for the moment (retry
//     after Retry-After);
//   - 400, 413 and 415 with a body: malformed, past the server's limit, or
//     of a content type the operation does not read; 400 also without the
//     Idempotency-Key a money-moving operation requires;
//   - 401 unless public: no or a bad credential;
//   - 403 for user and permission operations: an API key where a user is
//     needed, a permission missing, or two-factor enrolment outstanding;
//   - 404 with a path id: no such resource in the organization;
//   - 409 for writes (not GET) that take a body or a path id: unique keys
//     and state transitions the database refuses;
//   - 401, 404 and 429 for public writes: they carry a password or token
//     that may be refused or name nothing (an unknown invitation), and
//     sign-in and its kin are throttled.
func errorStatuses(method string, rule Access, in inputs) []int {
	statuses := []int{http.StatusUnprocessableEntity, http.StatusServiceUnavailable}
	write := method != http.MethodGet && method != http.MethodHead
	if in.body {
		statuses = append(statuses, http.StatusBadRequest, http.StatusRequestEntityTooLarge, http.StatusUnsupportedMediaType)
	} else if in.idempotent {
		statuses = append(statuses, http.StatusBadRequest)
	}
	if !rule.Public {
		statuses = append(statuses, http.StatusUnauthorized)
	}
	if rule.User || rule.Permission != "" {
		statuses = append(statuses, http.StatusForbidden)
	}
	if in.pathID {
		statuses = append(statuses, http.StatusNotFound)
	}
	if write && (in.body || in.pathID) {
		statuses = append(statuses, http.StatusConflict)
	}
	if rule.Public && write {
		statuses = append(statuses, http.StatusUnauthorized, http.StatusNotFound, http.StatusTooManyRequests)
	}
	slices.Sort(statuses)
	return statuses
}

// pruneSchemas drops the schemas no part of the document refers to (huma
// registers some, such as multipart file parts, that it then writes inline).
//
// It also says what the problem "type" is: a relative reference
// (problem.Types), where huma's schema says an absolute URI.
func pruneSchemas(doc *huma.OpenAPI) {
	schemas := doc.Components.Schemas.Map()
	if p, ok := schemas["Problem"]; ok {
		p.Properties["type"].Format = "uri-reference"
		p.Properties["type"].Examples = []any{problem.TypeURI(http.StatusUnprocessableEntity)}
	}
	for {
		data, err := json.Marshal(doc)
		if err != nil {
			panic(err)
		}
		removed := false
		for name := range schemas {
			if !bytes.Contains(data, []byte(`"#/components/schemas/`+name+`"`)) {
				delete(schemas, name)
				removed = true
			}
		}
		if !removed {
			return
		}
	}
}
