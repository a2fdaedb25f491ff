package api_test

import (
	"context"
	"encoding/json"
	"net/http"
	"os"
	"realty"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/danielgtaylor/huma/v2"

	"realty/internal/api"
	"realty/internal/crm"
	"realty/internal/problem"
)

// TestSchemaNames holds the document's schemas to stable, descriptive
// names: no name huma makes up for an anonymous body (operation id plus
// Request or Response) and no bare generic name.
func TestSchemaNames(t *testing.T) {
	t.Parallel()
	a := api.Mount(http.NewServeMux(), api.Deps{Version: "test"})
	good := regexp.MustCompile(`^[A-Z][A-Za-z0-9]*$`)
	generic := []string{"Page", "Results", "Summary", "Change", "Event", "Import", "Reject", "ErrorModel", "ErrorDetail"}
	names := 0
	for name := range a.OpenAPI().Components.Schemas.Map() {
		names++
		if !good.MatchString(name) || slices.Contains(generic, name) ||
			strings.HasSuffix(name, "Request") || strings.HasSuffix(name, "Response") {
			t.Errorf("schema %q has a generated or generic name: name it in api.schemaNames", name)
		}
	}
	if names < 20 {
		t.Fatalf("only %d schemas: the walk is broken", names)
	}
}

// TestDeclaredErrors checks each operation's error responses against its
// access rule and path, read from the document itself: every operation may
// answer 422, only public ones never 401, path ids give 404.
func TestDeclaredErrors(t *testing.T) {
	t.Parallel()
	a := api.Mount(http.NewServeMux(), api.Deps{Version: "test"})
	for _, op := range operationsOf(a) {
		public := op.Security != nil && len(op.Security) == 0
		has := func(status int) bool { _, ok := op.Responses[strconv.Itoa(status)]; return ok }
		for status, want := range map[int]bool{
			http.StatusUnprocessableEntity: true,
			http.StatusUnauthorized:        !public,
			http.StatusNotFound:            strings.Contains(op.Path, "{"),
			http.StatusBadRequest:          op.RequestBody != nil,
			http.StatusInternalServerError: true,
			http.StatusServiceUnavailable:  true,
		} {
			if want && !has(status) {
				t.Errorf("%s declares no %d response", op.OperationID, status)
			}
		}
		if public && op.Method == http.MethodGet && has(http.StatusUnauthorized) {
			t.Errorf("public %s declares 401", op.OperationID)
		}
		for code, res := range op.Responses {
			if code >= "400" && res.Content["application/problem+json"] == nil {
				t.Errorf("%s: response %s is not problem+json", op.OperationID, code)
			}
		}
	}
}

func operationsOf(a huma.API) []*huma.Operation {
	var ops []*huma.Operation
	for _, item := range a.OpenAPI().Paths {
		for _, op := range []*huma.Operation{item.Get, item.Post, item.Put, item.Patch, item.Delete} {
			if op != nil {
				ops = append(ops, op)
			}
		}
	}
	return ops
}

// unpagedLists are the lists of /api/v1 that answer every item at once,
// each bounded by what it lists; docs/api.md gives the same reasons.
var unpagedLists = map[string]string{
	"list-sessions":                   "the signed-in user's own sessions",
	"list-api-keys":                   "an organization's API keys",
	"list-invitations":                "an organization's open invitations",
	"list-members":                    "an organization's members",
	"list-my-organizations":           "the organizations one user belongs to",
	"list-permissions":                "the fixed catalogue of permissions",
	"list-roles":                      "an organization's roles",
	"list-role-assignments":           "role assignments, of one member when filtered",
	"list-buildings":                  "one property's buildings",
	"list-units":                      "one property's units",
	"list-preferences":                "one client's saved preferences",
	"list-media":                      "one property's media",
	"list-vendors":                    "an organization's vendors (at most 1,000)",
	"get-response-targets":            "the four priorities' response targets",
	"listing-history":                 "one listing's status and price changes",
	"list-open-houses":                "one listing's open houses",
	"list-mls-statuses":               "an organization's MLS status mappings",
	"client-stage-history":            "one client's stage changes",
	"list-notification-preferences":   "one member's preference for each kind of notification realty sends",
	"list-webhooks":                   "an organization's webhook endpoints",
	"list-ledger-accounts":            "an organization's chart of accounts",
	"list-accounting-periods":         "an organization's closed months",
	"list-budgets":                    "an organization's budgets, one per property (or the organization) and year",
	"list-saved-reports":              "an organization's saved reports",
	"list-inspection-templates":       "an organization's checklist templates",
	"get-inspection":                  "one inspection's checklist (its template's items, at most 40 rooms of 60)",
	"compare-inspection":              "one move-out's checklist against its move-in",
	"get-lease-inspection-comparison": "one move-out's checklist against its move-in",
	"list-contract-templates":         "an organization's contract templates",
	"list-deal-contracts":             "one deal's contracts",
	"list-property-valuations":        "one property's CMAs, the newest 100",
	"list-adjustment-rates":           "an organization's markets' adjustment rates",
	"list-deal-participants":          "one deal's participants",
	"deal-history":                    "one deal's stage history",
	"list-deal-milestones":            "one deal's milestones",
	"list-workflow-templates":         "an organization's workflow templates",
	"list-holidays":                   "an organization's holiday calendar for one year",
	"list-document-versions":          "one document's versions",
	"list-document-shares":            "one document's share links",
	"get-document-access-log":         "one document's newest 500 accesses",
	"list-escrow-deposits":            "one deal's earnest money deposits",
	"list-agent-plans":                "an organization's agents' commission plans, one per member",
	"gci-by-agent":                    "one row per agent with a commission closed in the year",
}

// TestCursorLists finds every list operation in the document (a GET whose
// answer has items) and requires each to be paged by cursor with limit at
// most api.MaxPageSize (a larger limit is a 422 naming limit, the maximum
// is served) or to be one of unpagedLists, which docs/api.md must name.
func TestCursorLists(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	docs, err := os.ReadFile("../../docs/api.md")
	if err != nil {
		t.Fatal(err)
	}
	owner := h.tokens["acme:owner"]
	client, err := h.env.CRM.Create(context.Background(), h.a.Personas["owner"].Actor, crm.Input{FirstName: "Paged"})
	if err != nil {
		t.Fatal(err)
	}
	// pathIDs fill the path of paged lists under a resource.
	accounts, err := h.env.Ledger.Accounts(context.Background(), h.a.Personas["owner"].Actor)
	if err != nil {
		t.Fatal(err)
	}
	tenant := h.env.Tenant(t, h.a, "Paged")
	h.openInvoice(h.a, tenant, "2026-03-01", "10.00")
	pathIDs := map[string]realty.ID{"client-timeline": client.ID, "list-interactions": client.ID, "list-client-matches": client.ID,
		"list-ledger-account-lines": accounts[0].ID, "tenant-ledger": tenant}
	lists := 0
	for _, op := range h.operations() {
		props := successProperties(h.api, op)
		if op.Method != http.MethodGet || props["items"] == nil {
			continue
		}
		lists++
		if _, ok := unpagedLists[op.OperationID]; ok {
			if props["next_cursor"] != nil {
				t.Errorf("%s is paged, but listed in unpagedLists", op.OperationID)
			}
			if !strings.Contains(string(docs), "`"+op.OperationID+"`") {
				t.Errorf("docs/api.md does not name the unpaged list %s", op.OperationID)
			}
			continue
		}
		t.Run(op.OperationID, func(t *testing.T) {
			if props["next_cursor"] == nil || !hasParam(op, "cursor") || !hasParam(op, "limit") {
				t.Fatalf("%s lists items without next_cursor, cursor and limit: page it, or add it to unpagedLists and docs/api.md", op.OperationID)
			}
			path := op.Path
			if strings.Contains(path, "{") {
				id, ok := pathIDs[op.OperationID]
				if !ok {
					t.Fatalf("%s: a paged list under a path id; add its id to pathIDs", op.OperationID)
				}
				path = strings.ReplaceAll(path, "{id}", id.String())
			}
			status, body := h.do("GET", path+"?limit="+strconv.Itoa(api.MaxPageSize+1), owner, nil)
			var p huma.ErrorModel
			_ = json.Unmarshal(body, &p)
			if status != http.StatusUnprocessableEntity || p.Type != problem.TypeURI(status) ||
				len(p.Errors) != 1 || !strings.HasSuffix(p.Errors[0].Location, "limit") {
				t.Errorf("limit=%d: %d %s, want a 422 naming limit", api.MaxPageSize+1, status, body)
			}
			if status, body := h.do("GET", path+"?limit="+strconv.Itoa(api.MaxPageSize), owner, nil); status != http.StatusOK {
				t.Errorf("limit=%d: %d %s", api.MaxPageSize, status, body)
			}
		})
	}
	for id := range unpagedLists {
		if !slices.ContainsFunc(h.operations(), func(op *huma.Operation) bool { return op.OperationID == id }) {
			t.Errorf("unpagedLists names %s, which is not an operation", id)
		}
	}
	if !strings.Contains(string(docs), "MaxPageSize") || !strings.Contains(string(docs), strconv.Itoa(api.MaxPageSize)) {
		t.Errorf("docs/api.md does not state MaxPageSize (%d)", api.MaxPageSize)
	}
	if lists < len(unpagedLists)+5 {
		t.Fatalf("found %d lists: the walk is broken", lists)
	}
}

// successProperties returns the properties of op's 2xx JSON body.
func successProperties(a huma.API, op *huma.Operation) map[string]*huma.Schema {
	res := op.Responses["200"]
	if res == nil || res.Content["application/json"] == nil {
		return nil
	}
	s := res.Content["application/json"].Schema
	if s.Ref != "" {
		s = a.OpenAPI().Components.Schemas.SchemaFromRef(s.Ref)
	}
	return s.Properties
}

func hasParam(op *huma.Operation, name string) bool {
	return slices.ContainsFunc(op.Parameters, func(p *huma.Param) bool { return p.Name == name && p.In == "query" })
}

// TestProblemTypesServed checks the problem type of errors huma itself
// answers (validation, malformed bodies) and of the API's catch-all, and
// that each type's path describes it.
func TestProblemTypesServed(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	owner := h.tokens["acme:owner"]
	for _, c := range []struct {
		name, method, path string
		body               any
		status             int
	}{
		{"Validation", "GET", "/api/v1/properties?limit=0", nil, 422},
		{"UnknownParameter", "GET", "/api/v1/properties?colour=red", nil, 422},
		{"Malformed", "POST", "/api/v1/properties", rawBody{"application/json", []byte("{")}, 400},
		{"NoRoute", "GET", "/api/v1/nothing-here", nil, 404},
		{"NotFound", "GET", "/api/v1/properties/00000000-0000-0000-0000-000000000000", nil, 404},
		{"Method", "PATCH", "/api/v1/version", nil, 405},
		{"Unauthenticated", "GET", "/api/v1/properties", nil, 401},
	} {
		t.Run(c.name, func(t *testing.T) {
			credential := owner
			if c.status == 401 {
				credential = ""
			}
			status, body := h.do(c.method, c.path, credential, c.body)
			var p huma.ErrorModel
			if err := json.Unmarshal(body, &p); err != nil || status != c.status {
				t.Fatalf("%d %s, want %d", status, body, c.status)
			}
			if p.Type != problem.TypeURI(c.status) || p.Type == "about:blank" {
				t.Errorf("type %q, want %q", p.Type, problem.TypeURI(c.status))
			}
			status, page := h.do("GET", p.Type, "", nil)
			if status != 200 || !strings.Contains(string(page), strconv.Itoa(c.status)) {
				t.Errorf("GET %s: %d %s", p.Type, status, page)
			}
		})
	}
}
