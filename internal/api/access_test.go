package api_test

import (
	"bytes"
	"context"
	"fmt"
	"mime/multipart"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"realty"
	"realty/internal/fixture/fixturetest"
	"realty/internal/identity"
)

// accessMatrix says, for every operation, who may call it — written out by
// hand, independently of the permission declarations it checks:
//
//	public — no credential needed (every caller gets the same answer)
//	any    — every credential: a signed-in persona or an API key
//	users  — every signed-in persona, no API key
//	else   — the system roles allowed, plus "key" when the test's API key
//	         (holding only member.read) is.
//
// A new operation without an entry fails TestAccessMatrix.
var accessMatrix = map[string]string{
	"get-version":                     "public",
	"login":                           "public",
	"login-mfa":                       "public",
	"refresh":                         "public",
	"accept-invitation":               "public",
	"me":                              "any",
	"logout":                          "users",
	"switch-organization":             "users",
	"update-profile":                  "users",
	"change-password":                 "users",
	"list-sessions":                   "users",
	"revoke-session":                  "users",
	"begin-mfa":                       "users",
	"confirm-mfa":                     "users",
	"disable-mfa":                     "users",
	"regenerate-recovery-codes":       "users",
	"list-my-organizations":           "users",
	"create-organization":             "users",
	"get-organization":                "owner admin broker agent property_manager accountant maintenance read_only",
	"update-organization":             "owner admin",
	"list-members":                    "owner admin broker agent property_manager accountant maintenance read_only key",
	"get-member":                      "owner admin broker agent property_manager accountant maintenance read_only key",
	"update-member":                   "owner admin",
	"remove-member":                   "owner admin",
	"list-invitations":                "owner admin broker agent property_manager accountant maintenance read_only key",
	"create-invitation":               "owner admin broker property_manager",
	"revoke-invitation":               "owner admin broker property_manager",
	"list-permissions":                "owner admin broker property_manager read_only",
	"list-roles":                      "owner admin broker property_manager read_only",
	"get-role":                        "owner admin broker property_manager read_only",
	"create-role":                     "owner admin",
	"update-role":                     "owner admin",
	"delete-role":                     "owner admin",
	"list-role-assignments":           "owner admin broker property_manager read_only",
	"create-role-assignment":          "owner admin broker property_manager",
	"delete-role-assignment":          "owner admin broker property_manager",
	"list-api-keys":                   "owner admin read_only",
	"create-api-key":                  "owner admin",
	"revoke-api-key":                  "owner admin",
	"list-audit-changes":              "owner admin read_only",
	"list-security-events":            "owner admin read_only",
	"list-properties":                 propertyReaders,
	"get-property":                    propertyReaders,
	"list-buildings":                  propertyReaders,
	"list-units":                      propertyReaders,
	"list-media":                      propertyReaders,
	"get-media-content":               propertyReaders,
	"create-property":                 propertyWriters,
	"replace-property":                propertyWriters,
	"delete-property":                 propertyWriters,
	"create-building":                 propertyWriters,
	"create-unit":                     propertyWriters,
	"replace-unit":                    propertyWriters,
	"upload-media":                    propertyWriters,
	"add-media-link":                  propertyWriters,
	"update-media":                    propertyWriters,
	"delete-media":                    propertyWriters,
	"search-listings":                 listingReaders,
	"get-listing":                     listingReaders,
	"listing-history":                 listingReaders,
	"list-open-houses":                listingReaders,
	"list-mls-statuses":               listingReaders,
	"create-listing":                  listingWriters,
	"update-listing":                  listingWriters,
	"schedule-open-house":             listingWriters,
	"cancel-open-house":               listingWriters,
	"map-mls-status":                  "owner admin broker",
	"create-listing-import":           listingImporters,
	"list-listing-imports":            listingImporters,
	"get-listing-import":              listingImporters,
	"list-clients":                    clientReaders,
	"get-client":                      clientReaders,
	"client-stage-history":            clientReaders,
	"client-score":                    clientReaders,
	"client-timeline":                 clientReaders,
	"list-interactions":               clientReaders,
	"list-tasks":                      clientReaders,
	"create-client":                   clientWriters,
	"update-client":                   clientWriters,
	"change-client-stage":             clientWriters,
	"log-interaction":                 clientWriters,
	"create-task":                     clientWriters,
	"update-task":                     clientWriters,
	"complete-task":                   clientWriters,
	"list-appointments":               clientReaders,
	"get-appointment":                 clientReaders,
	"book-appointment":                clientWriters,
	"update-appointment":              clientWriters,
	"set-appointment-status":          clientWriters,
	"get-calendar-feed":               clientReaders,
	"rotate-calendar-feed":            clientReaders,
	"revoke-calendar-feed":            clientReaders,
	"list-preferences":                clientReaders,
	"get-preference":                  clientReaders,
	"list-client-matches":             clientReaders,
	"get-match":                       clientReaders,
	"create-preference":               clientWriters,
	"replace-preference":              clientWriters,
	"delete-preference":               clientWriters,
	"set-match-status":                clientWriters,
	"assign-client":                   clientManagers,
	"merge-clients":                   clientManagers,
	"get-crm-settings":                clientManagers,
	"replace-crm-settings":            clientManagers,
	"capture-lead":                    "owner admin broker",
	"request-password-reset":          "public",
	"reset-password":                  "public",
	"verify-email":                    "public",
	"request-email-verification":      "users",
	"list-notifications":              staff,
	"count-unread-notifications":      staff,
	"mark-notification-read":          staff,
	"mark-all-notifications-read":     staff,
	"list-notification-preferences":   staff,
	"set-notification-preference":     staff,
	"list-deliveries":                 "owner admin read_only",
	"list-webhooks":                   "owner admin",
	"create-webhook":                  "owner admin",
	"rotate-webhook-secret":           "owner admin",
	"replay-delivery":                 "owner admin",
	"list-ledger-accounts":            ledgerReaders,
	"get-ledger-account":              ledgerReaders,
	"list-ledger-account-lines":       ledgerReaders,
	"get-journal-entry":               ledgerReaders,
	"list-accounting-periods":         ledgerReaders,
	"trial-balance":                   ledgerReaders,
	"create-ledger-account":           ledgerManagers,
	"replace-ledger-account":          ledgerManagers,
	"close-accounting-period":         ledgerManagers,
	"post-journal-entry":              ledgerPosters,
	"reverse-journal-entry":           ledgerPosters,
	"list-invoices":                   ledgerReaders,
	"get-invoice":                     ledgerReaders,
	"get-payment":                     ledgerReaders,
	"tenant-ledger":                   ledgerReaders,
	"lease-balance":                   ledgerReaders,
	"ar-aging":                        ledgerReaders,
	"income-statement":                ledgerReaders,
	"income-statement-csv":            ledgerReaders,
	"balance-sheet":                   ledgerReaders,
	"balance-sheet-csv":               ledgerReaders,
	"owner-statement":                 ledgerReaders,
	"owner-statement-csv":             ledgerReaders,
	"trial-balance-csv":               ledgerReaders,
	"general-ledger-csv":              ledgerReaders,
	"ar-aging-csv":                    ledgerReaders,
	"rent-roll-csv":                   leaseReaders,
	"list-budgets":                    ledgerReaders,
	"get-budget":                      ledgerReaders,
	"budget-vs-actual":                ledgerReaders,
	"budget-vs-actual-csv":            ledgerReaders,
	"create-budget":                   receivableClerks,
	"copy-budget-from-actuals":        receivableClerks,
	"set-budget-lines":                receivableClerks,
	"list-saved-reports":              ledgerReaders,
	"get-saved-report":                ledgerReaders,
	"run-saved-report-csv":            ledgerReaders,
	"create-saved-report":             receivableClerks,
	"replace-saved-report":            receivableClerks,
	"delete-saved-report":             receivableClerks,
	"create-invoice":                  receivableClerks,
	"issue-invoice":                   receivableClerks,
	"void-invoice":                    receivableClerks,
	"record-payment":                  receivableClerks,
	"allocate-payment":                receivableClerks,
	"refund-payment":                  receivableClerks,
	"fail-payment":                    receivableClerks,
	"apply-tenant-credit":             receivableClerks,
	"list-tenants":                    leaseReaders,
	"get-tenant":                      leaseReaders,
	"create-tenant":                   leaseManagers,
	"replace-tenant":                  leaseManagers,
	"set-tenant-status":               leaseManagers,
	"list-leases":                     leaseReaders,
	"get-lease":                       leaseReaders,
	"create-lease":                    leaseManagers,
	"replace-lease":                   leaseManagers,
	"activate-lease":                  leaseManagers,
	"terminate-lease":                 leaseManagers,
	"renew-lease":                     leaseManagers,
	"lease-move-in":                   leaseManagers,
	"lease-move-out":                  leaseManagers,
	"get-my-tenancy":                  "owner admin resident",
	"get-my-lease":                    "owner admin resident",
	"preview-billing":                 ledgerReaders,
	"run-billing":                     receivableClerks,
	"get-lease-deposit":               leaseReaders,
	"dispose-lease-deposit":           receivableClerks,
	"list-work-orders":                maintenanceReaders,
	"get-work-order":                  maintenanceReaders,
	"get-work-order-photo":            maintenanceReaders,
	"create-work-order":               maintenanceWriters,
	"start-work-order":                maintenanceWriters,
	"complete-work-order":             maintenanceWriters,
	"comment-work-order":              maintenanceWriters,
	"upload-work-order-photo":         maintenanceWriters,
	"assign-work-order":               maintenanceManagers,
	"cancel-work-order":               maintenanceManagers,
	"list-vendors":                    maintenanceReaders,
	"get-vendor":                      maintenanceReaders,
	"create-vendor":                   maintenanceManagers,
	"replace-vendor":                  maintenanceManagers,
	"get-response-targets":            maintenanceReaders,
	"set-response-targets":            maintenanceManagers,
	"list-my-work-orders":             residents,
	"submit-maintenance-request":      residents,
	"get-my-work-order":               residents,
	"comment-my-work-order":           residents,
	"upload-my-work-order-photo":      residents,
	"get-my-work-order-photo":         residents,
	"list-threads":                    "owner admin property_manager maintenance read_only",
	"get-thread":                      "owner admin property_manager maintenance read_only",
	"mark-thread-read":                "owner admin property_manager maintenance read_only",
	"create-thread":                   "owner admin property_manager maintenance",
	"reply-thread":                    "owner admin property_manager maintenance",
	"list-announcements":              "owner admin property_manager read_only",
	"get-announcement":                "owner admin property_manager read_only",
	"create-announcement":             "owner admin property_manager",
	"list-my-threads":                 "owner admin resident",
	"create-my-thread":                "owner admin resident",
	"get-my-thread":                   "owner admin resident",
	"reply-my-thread":                 "owner admin resident",
	"mark-my-thread-read":             "owner admin resident",
	"list-my-announcements":           "owner admin resident",
	"mark-my-announcement-read":       "owner admin resident",
	"list-bills":                      ledgerReaders,
	"get-bill":                        ledgerReaders,
	"create-bill":                     receivableClerks,
	"submit-bill":                     receivableClerks,
	"void-bill":                       receivableClerks,
	"approve-bill":                    "owner admin broker accountant",
	"pay-bill":                        receivableClerks,
	"get-ledger-settings":             ledgerReaders,
	"replace-ledger-settings":         ledgerManagers,
	"list-inspection-templates":       maintenanceReaders,
	"get-inspection-template":         maintenanceReaders,
	"create-inspection-template":      maintenanceManagers,
	"replace-inspection-template":     maintenanceManagers,
	"list-inspections":                maintenanceReaders,
	"get-inspection":                  maintenanceReaders,
	"get-inspection-photo":            maintenanceReaders,
	"compare-inspection":              maintenanceReaders,
	"get-lease-inspection-comparison": maintenanceReaders,
	"create-inspection":               maintenanceWriters,
	"update-inspection":               maintenanceWriters,
	"start-inspection":                maintenanceWriters,
	"complete-inspection":             maintenanceWriters,
	"update-inspection-items":         maintenanceWriters,
	"upload-inspection-photo":         maintenanceWriters,
	"delete-inspection":               maintenanceManagers,
	"list-deals":                      dealReaders,
	"get-deal-board":                  dealReaders,
	"get-deal":                        dealReaders,
	"deal-history":                    dealReaders,
	"list-deal-participants":          dealReaders,
	"create-deal":                     dealWriters,
	"update-deal":                     dealWriters,
	"move-deal":                       dealWriters,
	"add-deal-participant":            dealWriters,
	"remove-deal-participant":         dealWriters,
	"list-deal-milestones":            dealReaders,
	"apply-deal-template":             dealWriters,
	"complete-milestone":              dealWriters,
	"uncomplete-milestone":            dealWriters,
	"set-milestone-due":               dealWriters,
	"list-workflow-templates":         dealReaders,
	"get-workflow-template":           dealReaders,
	"create-workflow-template":        dealManagers,
	"replace-workflow-template":       dealManagers,
	"delete-workflow-template":        dealManagers,
	"list-holidays":                   dealReaders,
	"add-holiday":                     dealManagers,
	"remove-holiday":                  dealManagers,
	"list-contract-templates":         contractReaders,
	"get-contract-template":           contractReaders,
	"create-contract-template":        contractManagers,
	"replace-contract-template":       contractManagers,
	"list-deal-contracts":             contractReaders,
	"create-deal-contract":            contractWriters,
	"get-contract":                    contractReaders,
	"send-contract":                   contractWriters,
	"void-contract":                   contractWriters,
	"amend-contract":                  contractWriters,
	"add-contract-signer":             contractWriters,
	"remove-contract-signer":          contractWriters,
	"get-contract-version-pdf":        contractReaders,
	"create-valuation":                valuationWriters,
	"list-property-valuations":        valuationReaders,
	"get-valuation":                   valuationReaders,
	"list-adjustment-rates":           valuationReaders,
	"set-adjustment-rates":            "owner admin broker",
	"list-documents":                  documentReaders,
	"get-document":                    documentReaders,
	"list-document-versions":          documentReaders,
	"get-document-content":            documentReaders,
	"create-document":                 documentWriters,
	"update-document":                 documentWriters,
	"add-document-version":            documentWriters,
	"delete-document":                 documentManagers,
	"list-document-shares":            documentSharers,
	"create-document-share":           documentSharers,
	"revoke-document-share":           documentSharers,
	"get-document-access-log":         documentSharers,
	"list-escrow-deposits":            dealMoneyReaders,
	"create-escrow-deposit":           dealMoneyWriters,
	"receive-escrow-deposit":          dealMoneyWriters,
	"get-commission":                  dealMoneyReaders,
	"set-commission":                  dealMoneyWriters,
	"get-commission-authorization":    dealMoneyReaders,
	"list-agent-plans":                dealMoneyReaders,
	"set-agent-plan":                  dealMoneyManagers,
	"gci-by-agent":                    dealMoneyReaders,
	"pay-commission-split":            dealMoneyManagers,
}

const (
	propertyReaders  = "owner admin broker agent property_manager accountant maintenance read_only"
	propertyWriters  = "owner admin broker agent property_manager"
	listingReaders   = "owner admin broker agent property_manager accountant read_only"
	listingWriters   = "owner admin broker agent property_manager"
	listingImporters = "owner admin broker"
	clientReaders    = "owner admin broker agent read_only"
	clientWriters    = "owner admin broker agent"
	clientManagers   = "owner admin broker"
	staff            = "owner admin broker agent property_manager accountant maintenance read_only"
	ledgerReaders    = "owner admin broker property_manager accountant read_only"
	ledgerPosters    = "owner admin accountant"
	ledgerManagers   = "owner admin accountant"
	receivableClerks = "owner admin property_manager accountant"
	leaseReaders     = "owner admin property_manager accountant read_only"
	leaseManagers    = "owner admin property_manager"

	maintenanceReaders  = "owner admin property_manager maintenance accountant read_only"
	maintenanceWriters  = "owner admin property_manager maintenance"
	maintenanceManagers = "owner admin property_manager"
	residents           = "owner admin resident"

	dealReaders  = "owner admin broker agent read_only"
	dealWriters  = "owner admin broker agent"
	dealManagers = "owner admin broker"
	// deal.read is also read_only's; deal.write the broker's and the
	// agent's; deal.manage only the broker's.
	contractReaders   = "owner admin broker agent read_only"
	contractWriters   = "owner admin broker agent"
	contractManagers  = "owner admin broker"
	valuationReaders  = "owner admin broker agent read_only"
	valuationWriters  = "owner admin broker agent"
	documentReaders   = "owner admin broker agent property_manager accountant read_only"
	documentWriters   = "owner admin broker agent property_manager"
	documentSharers   = "owner admin broker agent property_manager"
	documentManagers  = "owner admin broker property_manager"
	dealMoneyReaders  = "owner admin broker agent read_only"
	dealMoneyWriters  = "owner admin broker agent"
	dealMoneyManagers = "owner admin broker"
)

// caller is one column of the matrix.
type caller struct {
	name       string // a role key, "anonymous", "key" or "token" (an access token of a key)
	credential string
}

// TestAccessMatrix calls every operation as every persona of one
// organization, anonymously, and with an API key holding one permission, and
// checks each answer against accessMatrix.
func TestAccessMatrix(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	_, key := h.apiKey(h.a, "member.read")
	_, tokenKey := h.apiKey(h.a, "member.read")
	tok, err := h.env.Identity.IssueToken(context.Background(), tokenKey[:15], tokenKey[16:], nil, identity.Client{})
	if err != nil {
		t.Fatal(err)
	}
	callers := []caller{{"anonymous", ""}, {"key", key}, {"token", tok.Token}} // an access token is judged as its key
	for _, r := range fixtureRoles(h) {
		callers = append(callers, caller{r, h.tokens["acme:"+r]})
	}
	reqs := newRequests(h)
	checked := 0
	for _, op := range h.operations() {
		rule, ok := accessMatrix[op.OperationID]
		if !ok {
			t.Errorf("operation %s (%s %s) has no entry in accessMatrix", op.OperationID, op.Method, op.Path)
			continue
		}
		var statuses []int
		for _, c := range callers {
			credential := c.credential
			if op.OperationID == "logout" && c.name != "anonymous" && c.name != "key" && c.name != "token" {
				credential = h.login(h.a.Personas[c.name].Email, "acme") // keep the shared token alive
			}
			path, body := reqs.build(op)
			status, resp := h.do(op.Method, path, credential, body)
			statuses = append(statuses, status)
			checked++
			if msg := judge(rule, c.name, status); msg != "" {
				t.Errorf("%s %s as %s: %d — %s: %.200s", op.Method, op.Path, c.name, status, msg, resp)
			}
			if _, declared := op.Responses[strconv.Itoa(status)]; status >= 400 && !declared {
				t.Errorf("%s answered %d as %s, a status its OpenAPI responses do not declare", op.OperationID, status, c.name)
			}
		}
		if rule == "public" && slices.Max(statuses) != slices.Min(statuses) {
			t.Errorf("public %s answered differently by caller: %v", op.OperationID, statuses)
		}
	}
	for id := range accessMatrix {
		if !slices.ContainsFunc(h.operations(), func(op *huma.Operation) bool { return op.OperationID == id }) {
			t.Errorf("accessMatrix names %s, which is not an operation", id)
		}
	}
	t.Logf("access matrix: %d operations × %d callers = %d requests checked", len(h.operations()), len(callers), checked)
}

func fixtureRoles(h *harness) []string {
	var roles []string
	for r := range h.a.Personas {
		roles = append(roles, r)
	}
	sort.Strings(roles)
	return roles
}

// judge returns why status is wrong for caller under rule, or "".
func judge(rule, caller string, status int) string {
	if caller == "token" {
		caller = "key"
	}
	if status >= 500 {
		return "server error"
	}
	allowed := false
	switch rule {
	case "public":
		return ""
	case "any":
		allowed = caller != "anonymous"
	case "users":
		allowed = caller != "anonymous" && caller != "key"
	default:
		allowed = slices.Contains(strings.Fields(rule), caller)
	}
	switch {
	case caller == "anonymous" && status != 401:
		return "want 401 without credential"
	case caller == "anonymous":
		return ""
	case allowed && (status == 401 || status == 403):
		return "allowed caller refused"
	case !allowed && status != 403:
		return "want 403"
	}
	return ""
}

// requests builds a plausible request for each operation: valid bodies where
// a caller is allowed to get past validation, random ids in paths (so
// destructive operations touch nothing), unique names for creations.
type requests struct {
	h       *harness
	agent   realty.ID
	reader  realty.ID
	counter atomic.Int64
}

// newRequests prepares targets; role grants go to a spare member who is not
// one of the callers, so the matrix never changes what a caller may do.
func newRequests(h *harness) *requests {
	ctx := context.Background()
	u, err := h.env.Identity.CreateUser(ctx, identity.NewUser{Email: "spare@acme.example", Password: fixturetest.Password})
	if err != nil {
		h.t.Fatal(err)
	}
	m, err := h.env.Org.AddMember(ctx, realty.System(h.a.Organization.ID), u.ID, "client", "")
	if err != nil {
		h.t.Fatal(err)
	}
	return &requests{h: h, agent: h.roleID(h.a, "agent"), reader: m.ID}
}

func (r *requests) build(op *huma.Operation) (string, any) {
	n := r.counter.Add(1)
	path := strings.ReplaceAll(op.Path, "{id}", realty.NewID().String())
	path = strings.NewReplacer("{kind}", "task.due", "{channel}", "email", "{day}", "2031-02-03").Replace(path)
	bodies := map[string]any{
		"login":                     map[string]any{"email": "owner@acme.example", "password": "correct horse battery staple"},
		"login-mfa":                 map[string]any{"mfa_token": "nope", "code": "000000"},
		"refresh":                   map[string]any{"refresh_token": "nope"},
		"accept-invitation":         map[string]any{"token": "inv_nope"},
		"switch-organization":       map[string]any{"organization": "acme"},
		"update-profile":            map[string]any{"first_name": "Same", "last_name": "Person"},
		"change-password":           map[string]any{"current_password": "wrong password!!", "new_password": "another long passphrase"},
		"confirm-mfa":               map[string]any{"code": "000000"},
		"disable-mfa":               map[string]any{"password": "wrong password!!", "code": "000000"},
		"regenerate-recovery-codes": map[string]any{"password": "wrong password!!"},
		"create-organization":       map[string]any{"name": "Spin-off", "slug": fmt.Sprintf("spin-off-%d", n)},
		"update-organization":       map[string]any{"name": "Org acme"},
		"update-member":             map[string]any{"title": "Same"},
		"create-invitation":         map[string]any{"email": fmt.Sprintf("invitee%d@example.com", n), "role_id": r.agent},
		"create-role":               map[string]any{"key": fmt.Sprintf("custom_%d", n), "name": "Custom", "permissions": []string{"member.read"}},
		"update-role":               map[string]any{"name": "Custom", "permissions": []string{"member.read"}},
		"create-role-assignment":    map[string]any{"member_id": r.reader, "role_id": r.agent},
		"create-api-key":            map[string]any{"name": "matrix", "permissions": []string{"member.read"}},
		"create-property":           map[string]any{"address_line1": "1 Matrix Way", "city": "Springfield"},
		"replace-property":          map[string]any{"address_line1": "1 Matrix Way", "city": "Springfield"},
		"create-building":           map[string]any{"name": fmt.Sprintf("Block %d", n)},
		"create-unit":               map[string]any{"unit_number": fmt.Sprintf("%d", n)},
		"replace-unit":              map[string]any{"unit_number": "1"},
		"upload-media":              photoUpload(),
		"create-document": pngUpload(map[string]string{"title": "Matrix", "category": "matrix", "entity_type": "property",
			"entity_id": realty.NewID().String()}),
		"add-document-version":  pngUpload(nil),
		"update-document":       map[string]any{"title": "Same", "category": "same", "visibility": "staff"},
		"create-document-share": map[string]any{},
		"add-media-link":        map[string]any{"kind": "video", "url": "https://video.example/tour"},
		"update-media":          map[string]any{"caption": "Front", "position": 0},
		"create-listing":        map[string]any{"property": map[string]any{"address_line1": "2 Matrix Way", "city": "Springfield"}, "list_price": "250000"},
		"update-listing":        map[string]any{"list_price": "260000"},
		"schedule-open-house":   map[string]any{"starts_at": "2030-05-01T14:00:00Z", "ends_at": "2030-05-01T16:00:00Z"},
		"map-mls-status":        map[string]any{"mls_status": "A", "standard_status": "Active"},
		"create-listing-import": importWithoutFile(), // refused before anything is stored or queued
		"create-client":         map[string]any{"first_name": "Matrix", "email": fmt.Sprintf("client%d@example.com", n)},
		"update-client":         map[string]any{"notes": "Same"},
		"change-client-stage":   map[string]any{"stage": "prospect"},
		"log-interaction":       map[string]any{"type": "call"},
		"assign-client":         map[string]any{},
		"merge-clients":         map[string]any{"duplicate_ids": []realty.ID{realty.NewID()}},
		"replace-crm-settings":  map[string]any{"pool_member_ids": []realty.ID{}},
		"capture-lead":          map[string]any{"first_name": "Lead", "email": fmt.Sprintf("lead%d@example.com", n)},
		"create-task":           map[string]any{"title": fmt.Sprintf("Task %d", n)},
		"update-task":           map[string]any{"title": "Same"},
		"book-appointment": map[string]any{"kind": "call", "title": "Matrix", // a slot of its own for every caller
			"starts_at": time.Date(2031, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(n) * time.Hour), "ends_at": time.Date(2031, 1, 1, 0, 30, 0, 0, time.UTC).Add(time.Duration(n) * time.Hour)},
		"update-appointment":          map[string]any{"title": "Same"},
		"set-appointment-status":      map[string]any{"status": "confirmed"},
		"create-preference":           map[string]any{"price_max": "400000"},
		"replace-preference":          map[string]any{"price_max": "400000"},
		"set-match-status":            map[string]any{"status": "viewed"},
		"set-notification-preference": map[string]any{"enabled": true},
		"create-webhook":              map[string]any{"url": "https://93.184.216.34/hook", "events": []string{"lead.created"}},
		"request-password-reset":      map[string]any{"email": fmt.Sprintf("nobody%d@acme.example", n)}, // each its own: the requests per address are limited
		"reset-password":              map[string]any{"token": "nope", "password": "another long passphrase"},
		"verify-email":                map[string]any{"token": "nope"},
		"create-ledger-account":       map[string]any{"code": fmt.Sprintf("M%d", n), "name": "Matrix", "type": "expense"},
		"replace-ledger-account":      map[string]any{"code": "M0", "name": "Matrix", "type": "expense"},
		"post-journal-entry":          map[string]any{"lines": []map[string]any{{"account_id": realty.NewID(), "debit": "1.00"}, {"account_id": realty.NewID(), "credit": "1.00"}}},
		"reverse-journal-entry":       map[string]any{},
		"close-accounting-period":     map[string]any{"period": "2020-01-01"},
		"create-invoice": map[string]any{"tenant_id": realty.NewID(), "due_date": "2026-03-01",
			"lines": []map[string]any{{"type": "rent", "description": "Rent", "amount": "10.00"}}},
		"record-payment":           map[string]any{"tenant_id": realty.NewID(), "method": "cash", "amount": "10.00"},
		"create-budget":            map[string]any{"year": 2000 + n%1000, "name": "Matrix"},
		"copy-budget-from-actuals": map[string]any{"year": 2500, "name": "Matrix copy", "change_pct": "0"},
		"set-budget-lines":         map[string]any{"lines": []any{}},
		"create-saved-report":      map[string]any{"name": fmt.Sprintf("Saved %d", n), "kind": "balance_sheet"},
		"replace-saved-report":     map[string]any{"name": "Same", "kind": "balance_sheet"},
		"allocate-payment":         map[string]any{},
		"refund-payment":           map[string]any{"amount": "1.00"},
		"create-tenant":            map[string]any{"first_name": "Matrix", "last_name": fmt.Sprintf("Tenant %d", n)},
		"replace-tenant":           map[string]any{"first_name": "Matrix", "last_name": "Tenant"},
		"set-tenant-status":        map[string]any{"status": "applicant"},
		"create-lease": map[string]any{"unit_id": realty.NewID(), "tenants": []map[string]any{{"tenant_id": realty.NewID()}},
			"start_date": "2031-01-01", "end_date": "2031-12-31", "rent": "1000.00"},
		"replace-lease": map[string]any{"unit_id": realty.NewID(), "tenants": []map[string]any{{"tenant_id": realty.NewID()}},
			"start_date": "2031-01-01", "end_date": "2031-12-31", "rent": "1000.00"},
		"terminate-lease":            map[string]any{"date": "2031-06-30"},
		"renew-lease":                map[string]any{"end_date": "2032-12-31"},
		"lease-move-in":              map[string]any{"date": "2031-01-01"},
		"lease-move-out":             map[string]any{"date": "2031-12-31"},
		"run-billing":                map[string]any{"period": "2031-01"},
		"dispose-lease-deposit":      map[string]any{"deductions": []map[string]any{{"reason": "Matrix", "amount": "1.00"}}},
		"create-work-order":          map[string]any{"unit_id": realty.NewID(), "title": "Matrix"},
		"complete-work-order":        map[string]any{},
		"cancel-work-order":          map[string]any{},
		"assign-work-order":          map[string]any{"vendor_id": realty.NewID()},
		"comment-work-order":         map[string]any{"body": "Matrix"},
		"upload-work-order-photo":    photoUpload(),
		"create-vendor":              map[string]any{"name": fmt.Sprintf("Vendor %d", n), "trade": "general"},
		"replace-vendor":             map[string]any{"name": "Vendor", "trade": "general"},
		"set-response-targets":       map[string]any{"items": []map[string]any{{"priority": "low", "hours": 168}}},
		"submit-maintenance-request": map[string]any{"unit_id": realty.NewID(), "title": "Matrix"},
		"comment-my-work-order":      map[string]any{"body": "Matrix"},
		"upload-my-work-order-photo": photoUpload(),
		"create-thread":              map[string]any{"tenant_id": realty.NewID(), "subject": "Matrix", "body": "Hello"},
		"reply-thread":               map[string]any{"body": "Hello"},
		"create-my-thread":           map[string]any{"subject": "Matrix", "body": "Hello"},
		"reply-my-thread":            map[string]any{"body": "Hello"},
		"create-announcement":        map[string]any{"title": "Matrix", "body": "Hello", "scope": "property", "property_id": realty.NewID()},
		"create-bill": map[string]any{"vendor_id": realty.NewID(),
			"lines": []map[string]any{{"account_id": realty.NewID(), "description": "Matrix", "amount": "1.00"}}},
		"pay-bill":                map[string]any{"amount": "1.00", "method": "check"},
		"replace-ledger-settings": map[string]any{"bill_approval_threshold": "1000.00"},
		"create-inspection-template": map[string]any{"name": fmt.Sprintf("Checklist %d", n),
			"rooms": []map[string]any{{"room": "Hall", "items": []string{"Door"}}}},
		"replace-inspection-template": map[string]any{"name": "Checklist", "rooms": []map[string]any{{"room": "Hall", "items": []string{"Door"}}}},
		"create-inspection":           map[string]any{"kind": "periodic", "unit_id": realty.NewID()},
		"update-inspection":           map[string]any{},
		"update-inspection-items":     map[string]any{"items": []map[string]any{{"id": realty.NewID(), "rating": "good"}}},
		"upload-inspection-photo":     photoUpload(),
		"create-deal":                 map[string]any{"title": fmt.Sprintf("Deal %d", n), "kind": "purchase", "side": "buyer"},
		"update-deal":                 map[string]any{"notes": "Same"},
		"move-deal":                   map[string]any{"to": "active"},
		"add-deal-participant":        map[string]any{"role": "attorney", "name": "Matrix Law"},
		"set-milestone-due":           map[string]any{},
		"create-workflow-template":    map[string]any{"name": fmt.Sprintf("Matrix %d", n), "kind": "lease", "side": "buyer", "milestones": []any{}},
		"replace-workflow-template":   map[string]any{"name": "Matrix", "milestones": []any{}},
		"add-holiday":                 map[string]any{"day": "2031-02-03", "name": "Matrix"},
		"create-contract-template":    map[string]any{"name": fmt.Sprintf("Template %d", n), "body": "Price {{deal.price}}"},
		"replace-contract-template":   map[string]any{"name": "Template", "body": "Price {{deal.price}}"},
		"create-deal-contract":        map[string]any{"template_id": realty.NewID(), "signers": []map[string]any{{"name": "B", "email": "b@example.com", "role": "buyer"}}},
		"void-contract":               map[string]any{},
		"add-contract-signer":         map[string]any{"name": "Matrix", "email": fmt.Sprintf("m%d@example.com", n), "role": "other"},
		"amend-contract":              map[string]any{"description": "Matrix", "body": "Matrix", "effective_date": "2031-01-01"},
		"create-valuation":            map[string]any{"radius_km": 1},
		"set-adjustment-rates": map[string]any{"market": "matrix", "per_area": "150", "per_bedroom": "10000", "per_bathroom": "7500",
			"per_year_of_age": "1000", "per_lot_unit": "2", "per_condition_step": "15000", "monthly_appreciation": "0.3"},
		"create-escrow-deposit":  map[string]any{"holder": "brokerage", "amount": "1000.00"},
		"receive-escrow-deposit": map[string]any{},
		"set-commission":         map[string]any{"gross_rate": "3"},
		"set-agent-plan":         map[string]any{"agent_split": "70"},
		"pay-commission-split":   map[string]any{},
	}
	return path, bodies[op.OperationID]
}

// importWithoutFile is an import upload lacking its file: allowed callers
// get past the access rule and are refused by validation.
func importWithoutFile() rawBody {
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	_ = w.WriteField("source", "MATRIX")
	_ = w.Close()
	return rawBody{contentType: w.FormDataContentType(), data: buf.Bytes()}
}
