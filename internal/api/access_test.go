package api_test

import (
	"context"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/danielgtaylor/huma/v2"

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
