package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"image"
	"image/png"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/danielgtaylor/huma/v2"
	"github.com/shopspring/decimal"

	"realty"
	"realty/internal/api"
	"realty/internal/crm"
	"realty/internal/leasing"
	"realty/internal/ledger"
	"realty/internal/listing"
	"realty/internal/maintenance"
	"realty/internal/messaging"
	"realty/internal/org"
	"realty/internal/property"
)

func TestEveryOperationDeclaresAccess(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	for _, op := range h.operations() {
		rule, ok := op.Metadata["access"].(api.Access)
		if !ok {
			t.Errorf("%s declares no access rule", op.OperationID)
			continue
		}
		if !rule.Public && !rule.User && !rule.Authenticated && rule.Permission == "" {
			t.Errorf("%s declares an empty access rule", op.OperationID)
		}
		if rule.Permission != "" && !strings.Contains(rule.Permission, ".") {
			t.Errorf("%s: permission %q is not resource.action", op.OperationID, rule.Permission)
		}
	}
}

// globexIDs creates one resource of every kind in globex and returns their
// ids by the operation that takes such an id.
func globexIDs(t *testing.T, h *harness) map[string]realty.ID {
	ctx := context.Background()
	owner := h.b.Personas["owner"].Actor
	role, err := h.env.Org.CreateRole(ctx, owner, org.RoleInput{Key: "globex_only", Name: "Globex only", Permissions: []string{"member.read"}})
	if err != nil {
		t.Fatal(err)
	}
	inv, _, err := h.env.Messaging.Invite(ctx, owner, org.NewInvitation{Email: "someone@globex.example", RoleID: h.roleID(h.b, "agent")})
	if err != nil {
		t.Fatal(err)
	}
	as, err := h.env.Org.Assign(ctx, owner, org.NewAssignment{MemberID: h.b.Personas["read_only"].MemberID, RoleID: role.ID})
	if err != nil {
		t.Fatal(err)
	}
	key, _ := h.apiKey(h.b, "member.read")
	sessions, err := h.env.Identity.Sessions(ctx, h.b.Personas["owner"].User.ID)
	if err != nil || len(sessions) == 0 {
		t.Fatalf("globex owner sessions: %v %v", sessions, err)
	}
	member := h.b.Personas["agent"].MemberID
	l, err := h.env.Listing.Create(ctx, owner, listing.Input{Property: &property.Input{AddressLine1: "9 Globex Street", City: "Shelbyville"},
		Fields: listing.Fields{ListPrice: ptr(decimal.RequireFromString("300000"))}})
	if err != nil {
		t.Fatal(err)
	}
	unit, err := h.env.Property.CreateUnit(ctx, owner, l.PropertyID, property.UnitInput{UnitNumber: "1A"})
	if err != nil {
		t.Fatal(err)
	}
	media, err := h.env.Property.Upload(ctx, owner, l.PropertyID, "photo", "front", bytes.NewReader(pngBytes))
	if err != nil {
		t.Fatal(err)
	}
	oh, err := h.env.Listing.ScheduleOpenHouse(ctx, owner, l.ID, listing.OpenHouseInput{StartsAt: time.Now().Add(time.Hour), EndsAt: time.Now().Add(2 * time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	imp, err := h.env.Imports.Upload(ctx, owner, "globex.csv", strings.NewReader("ListingKey,ListPrice,UnparsedAddress,City\nG1,1,1 Globex Way,Shelbyville\n"), "", "GLOBEX")
	if err != nil {
		t.Fatal(err)
	}
	n, err := h.env.Messaging.Notify(ctx, owner, messaging.Notice{Recipient: member, Kind: "task.due", Payload: map[string]any{"title": "Globex task"}})
	if err != nil {
		t.Fatal(err)
	}
	outbox, err := h.env.Messaging.Deliveries(ctx, owner, messaging.DeliveryFilter{Limit: 10})
	if err != nil || len(outbox.Items) != 1 {
		t.Fatalf("globex outbox: %v %v", outbox.Items, err)
	}
	hook, _, err := h.env.Messaging.CreateEndpoint(ctx, owner, messaging.NewEndpoint{URL: "https://93.184.216.34/globex", Events: []string{"lead.created"}})
	if err != nil {
		t.Fatal(err)
	}
	prop := l.PropertyID
	client, err := h.env.CRM.Create(ctx, owner, crm.Input{FirstName: "Globex", Email: "client@globex.example"})
	if err != nil {
		t.Fatal(err)
	}
	task, err := h.env.CRM.CreateTask(ctx, owner, crm.TaskInput{Title: "Globex task", ClientID: &client.ID})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := h.env.CRM.LogInteraction(ctx, owner, client.ID, crm.InteractionInput{Type: "call", Notes: "globex call"}); err != nil {
		t.Fatal(err)
	}
	appt, err := h.env.CRM.Book(ctx, owner, crm.AppointmentInput{ClientID: &client.ID, Kind: "showing", Title: "Globex showing",
		StartsAt: time.Now().Add(time.Hour), EndsAt: time.Now().Add(2 * time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	pref, err := h.env.CRM.CreatePreference(ctx, owner, client.ID, crm.PreferenceInput{ListType: l.ListType, AlertFrequency: "never"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := h.env.CRM.MatchListing(ctx, owner.OrgID, l.ID); err != nil {
		t.Fatal(err)
	}
	matches, err := h.env.CRM.Matches(ctx, owner, client.ID, crm.MatchFilter{})
	if err != nil || len(matches.Items) != 1 {
		t.Fatalf("globex match: %+v %v", matches, err)
	}
	match := matches.Items[0].ID
	accounts, err := h.env.Ledger.Accounts(ctx, owner)
	if err != nil {
		t.Fatal(err)
	}
	entry, err := h.env.Ledger.Post(ctx, owner, ledger.Entry{Memo: "globex", Lines: []ledger.Line{
		{AccountID: accounts[0].ID, Debit: decimal.NewFromInt(5)}, {AccountID: accounts[1].ID, Credit: decimal.NewFromInt(5)}}})
	if err != nil {
		t.Fatal(err)
	}
	first, last := "Globex", "Tenant"
	ten, err := h.env.Leasing.CreateTenant(ctx, owner, leasing.TenantInput{FirstName: &first, LastName: &last})
	if err != nil {
		t.Fatal(err)
	}
	end := realty.Date{Year: 2031, Month: 12, Day: 31}
	lease, err := h.env.Leasing.CreateLease(ctx, owner, leasing.LeaseInput{UnitID: unit.ID, Tenants: []leasing.LeaseTenant{{TenantID: ten.ID}},
		StartDate: realty.Date{Year: 2031, Month: 1, Day: 1}, EndDate: &end, Rent: decimal.NewFromInt(900)})
	if err != nil {
		t.Fatal(err)
	}
	tenant, leaseID := ten.ID, lease.ID
	invoice, err := h.env.Ledger.CreateInvoice(ctx, owner, ledger.InvoiceInput{TenantID: tenant, LeaseID: &leaseID, DueDate: realty.DateOf(time.Now()),
		Lines: []ledger.InvoiceLineInput{{Type: "rent", Description: "Rent", Amount: decimal.NewFromInt(100)}}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := h.env.Ledger.IssueInvoice(ctx, owner, invoice.ID); err != nil {
		t.Fatal(err)
	}
	payment, err := h.env.Ledger.RecordPayment(ctx, owner, ledger.PaymentInput{TenantID: tenant, LeaseID: &leaseID, Method: "cash", Amount: decimal.NewFromInt(150)})
	if err != nil {
		t.Fatal(err)
	}
	pay := payment.Payment.ID
	thread, err := h.env.Messaging.StartThread(ctx, owner, messaging.NewThread{TenantID: &tenant, Subject: "Globex", Body: "Hello"})
	if err != nil {
		t.Fatal(err)
	}
	ann, err := h.env.Messaging.Announce(ctx, owner, messaging.NewAnnouncement{Title: "Globex", Body: "Notice",
		Scope: messaging.Scope{Kind: "property", PropertyID: prop}})
	if err != nil {
		t.Fatal(err)
	}
	bill := foreignBill(t, h)
	budget, err := h.env.Ledger.CreateBudget(ctx, owner, ledger.BudgetInput{Year: 2030, Name: "Globex 2030"})
	if err != nil {
		t.Fatal(err)
	}
	saved, err := h.env.Ledger.CreateSavedReport(ctx, owner, ledger.SavedReportInput{Name: "Globex books", Kind: "balance_sheet"})
	if err != nil {
		t.Fatal(err)
	}
	wo, err := h.env.Maintenance.Create(ctx, owner, maintenance.WorkOrderInput{UnitID: &unit.ID, Title: "Globex repair"})
	if err != nil {
		t.Fatal(err)
	}
	vendor, err := h.env.Maintenance.CreateVendor(ctx, owner, maintenance.VendorInput{Name: "Globex Plumbing", Trade: "plumbing", Active: true})
	if err != nil {
		t.Fatal(err)
	}
	var img bytes.Buffer
	if err := png.Encode(&img, image.NewGray(image.Rect(0, 0, 2, 2))); err != nil {
		t.Fatal(err)
	}
	photo, err := h.env.Maintenance.AddPhoto(ctx, owner, wo.ID, "", &img)
	if err != nil {
		t.Fatal(err)
	}
	return map[string]realty.ID{
		"get-thread": thread.ID, "reply-thread": thread.ID, "mark-thread-read": thread.ID,
		"get-my-thread": thread.ID, "reply-my-thread": thread.ID, "mark-my-thread-read": thread.ID,
		"get-announcement": ann.ID, "mark-my-announcement-read": ann.ID,
		"get-bill": bill, "submit-bill": bill, "approve-bill": bill, "void-bill": bill, "pay-bill": bill,
		"get-budget": budget.ID, "set-budget-lines": budget.ID, "budget-vs-actual": budget.ID, "budget-vs-actual-csv": budget.ID,
		"get-saved-report": saved.ID, "replace-saved-report": saved.ID, "delete-saved-report": saved.ID, "run-saved-report-csv": saved.ID,
		"general-ledger-csv": accounts[0].ID,
		"get-work-order":     wo.ID, "assign-work-order": wo.ID, "start-work-order": wo.ID, "complete-work-order": wo.ID,
		"cancel-work-order": wo.ID, "comment-work-order": wo.ID, "upload-work-order-photo": wo.ID,
		"get-my-work-order": wo.ID, "comment-my-work-order": wo.ID, "upload-my-work-order-photo": wo.ID,
		"get-work-order-photo": photo.ID, "get-my-work-order-photo": photo.ID,
		"get-vendor": vendor.ID, "replace-vendor": vendor.ID,
		"get-tenant": ten.ID, "replace-tenant": ten.ID, "set-tenant-status": ten.ID,
		"get-lease": lease.ID, "replace-lease": lease.ID, "activate-lease": lease.ID, "terminate-lease": lease.ID,
		"renew-lease": lease.ID, "lease-move-in": lease.ID, "lease-move-out": lease.ID, "get-my-lease": lease.ID,
		"get-invoice": invoice.ID, "issue-invoice": invoice.ID, "void-invoice": invoice.ID,
		"get-payment": pay, "allocate-payment": pay, "refund-payment": pay, "fail-payment": pay,
		"tenant-ledger": tenant, "apply-tenant-credit": tenant, "lease-balance": leaseID,
		"get-lease-deposit": leaseID, "dispose-lease-deposit": leaseID,
		"list-preferences": client.ID, "create-preference": client.ID, "list-client-matches": client.ID,
		"get-preference": pref.ID, "replace-preference": pref.ID, "delete-preference": pref.ID,
		"get-match": match, "set-match-status": match,
		"get-ledger-account": accounts[0].ID, "replace-ledger-account": accounts[0].ID, "list-ledger-account-lines": accounts[0].ID,
		"get-journal-entry": entry.ID, "reverse-journal-entry": entry.ID,
		"get-client": client.ID, "update-client": client.ID, "change-client-stage": client.ID, "client-stage-history": client.ID,
		"client-timeline": client.ID, "client-score": client.ID, "list-interactions": client.ID, "log-interaction": client.ID, "assign-client": client.ID,
		"merge-clients": client.ID, "update-task": task.ID, "complete-task": task.ID,
		"get-appointment": appt.ID, "update-appointment": appt.ID, "set-appointment-status": appt.ID,
		"rotate-webhook-secret": hook.ID, "replay-delivery": outbox.Items[0].ID,
		"globex delivery":        outbox.Items[0].ID,
		"mark-notification-read": *n.Notification,
		"get-listing-import":     imp.ID,
		"get-property":           prop, "replace-property": prop, "delete-property": prop, "list-buildings": prop, "create-building": prop,
		"list-units": prop, "create-unit": prop, "list-media": prop, "upload-media": prop, "add-media-link": prop,
		"replace-unit": unit.ID, "update-media": media.ID, "delete-media": media.ID, "get-media-content": media.ID,
		"get-listing": l.ID, "update-listing": l.ID, "listing-history": l.ID, "list-open-houses": l.ID, "schedule-open-house": l.ID,
		"cancel-open-house": oh.ID,
		"get-member":        member, "update-member": member, "remove-member": member,
		"get-role": role.ID, "update-role": role.ID, "delete-role": role.ID,
		"delete-role-assignment": as.ID, "revoke-invitation": inv.ID, "revoke-api-key": key.ID,
		"revoke-session": sessions[0].ID,
	}
}

// TestBOLA asks for another organization's resources by id, as that
// organization's peer with every permission: each answer must be the same 404
// as for an id that exists nowhere.
func TestBOLA(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	foreign := globexIDs(t, h)
	globexInspectionIDs(t, h, foreign)
	globexDealIDs(t, h, foreign)
	globexDealMilestoneIDs(t, h, foreign)
	globexContractIDs(t, h, foreign)
	globexValuationIDs(t, h, foreign)
	globexDocumentIDs(t, h, foreign)
	globexDealMoneyIDs(t, h, foreign)
	reqs := newRequests(h)
	owner := h.tokens["acme:owner"]
	probes := 0
	for _, op := range h.operations() {
		if !strings.Contains(op.Path, "{id}") {
			continue
		}
		id, ok := foreign[op.OperationID]
		if !ok {
			t.Errorf("%s takes an id but TestBOLA has no foreign one for it", op.OperationID)
			continue
		}
		_, body := reqs.build(op)
		do := h.do
		if slices.ContainsFunc(op.Parameters, func(p *huma.Param) bool { return p.Name == "Idempotency-Key" }) {
			do = func(method, path, cred string, body any) (int, []byte) {
				status, _, b := h.doKeyed(method, path, cred, realty.NewID().String(), body)
				return status, b
			}
		}
		s1, b1 := do(op.Method, strings.ReplaceAll(op.Path, "{id}", id.String()), owner, body)
		s2, b2 := do(op.Method, strings.ReplaceAll(op.Path, "{id}", realty.NewID().String()), owner, body)
		probes += 2
		if s1 != 404 || s2 != 404 || detail(b1) != detail(b2) {
			t.Errorf("%s: foreign id → %d %s; unknown id → %d %s; want the same 404", op.OperationID, s1, b1, s2, b2)
		}
	}
	// The foreign resources are untouched.
	members, err := h.env.Org.Members(context.Background(), h.b.Personas["owner"].Actor)
	if err != nil || len(members) != len(h.b.Personas) {
		t.Fatalf("globex members after probes: %d, %v", len(members), err)
	}
	t.Logf("BOLA: %d probes", probes)
}

func detail(body []byte) string {
	var p struct {
		Detail string `json:"detail"`
	}
	_ = json.Unmarshal(body, &p)
	return p.Detail
}

// TestIsolation lists everything as acme's owner and finds nothing of
// globex's, and refuses references from acme to globex's rows.
func TestIsolation(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	foreign := globexIDs(t, h)
	owner := h.tokens["acme:owner"]
	globexUser := h.b.Personas["owner"].User.ID.String()
	lists := []string{"/members", "/roles", "/invitations", "/api-keys", "/role-assignments", "/audit/changes?limit=100",
		"/audit/security-events?limit=100", "/organizations", "/organization", "/account/sessions", "/auth/me",
		"/clients?limit=100", "/tasks?limit=100", "/crm/settings",
		"/notifications?limit=100", "/deliveries?limit=100", "/webhooks"}
	for _, path := range lists {
		status, body := h.do("GET", "/api/v1"+path, owner, nil)
		if status != 200 {
			t.Errorf("GET %s: %d %s", path, status, body)
			continue
		}
		for op, id := range foreign {
			if strings.Contains(string(body), id.String()) {
				t.Errorf("GET %s shows globex's %s id %s", path, op, id)
			}
		}
		if strings.Contains(string(body), h.b.Organization.ID.String()) || strings.Contains(string(body), globexUser) {
			t.Errorf("GET %s shows globex or its owner", path)
		}
	}
	refs := []struct {
		path, field string
		body        map[string]any
	}{
		{"/invitations", "role_id", map[string]any{"email": "x@example.com", "role_id": foreign["get-role"]}},
		{"/role-assignments", "member_id", map[string]any{"member_id": foreign["get-member"], "role_id": h.roleID(h.a, "agent")}},
		{"/role-assignments", "role_id", map[string]any{"member_id": h.a.Personas["agent"].MemberID, "role_id": foreign["get-role"]}},
		{"/tasks", "client_id", map[string]any{"title": "x", "client_id": foreign["get-client"]}},
		{"/tasks", "listing_id", map[string]any{"title": "x", "listing_id": foreign["get-listing"]}},
		{"/tasks", "owner_id", map[string]any{"title": "x", "owner_id": foreign["get-member"]}},
		{"/clients", "assigned_agent_id", map[string]any{"first_name": "x", "assigned_agent_id": foreign["get-member"]}},
		{"/crm/settings", "member_ids", map[string]any{"pool_member_ids": []realty.ID{foreign["get-member"]}}},
	}
	for _, r := range refs {
		method := "POST"
		if r.path == "/crm/settings" {
			method = "PUT"
		}
		status, body := h.do(method, "/api/v1"+r.path, owner, r.body)
		if status != 422 || !strings.Contains(string(body), `"location":"`+r.field+`"`) {
			t.Errorf("POST %s referring to globex's %s: %d %s, want 422 naming it", r.path, r.field, status, body)
		}
	}
}

// TestMassAssignment sends fields a caller may never set; each request is
// refused and nothing changes.
func TestMassAssignment(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	owner := h.tokens["acme:owner"]
	agent := h.a.Personas["agent"].MemberID
	cases := []struct {
		method, path string
		body         map[string]any
	}{
		{"POST", "/roles", map[string]any{"key": "sneaky", "name": "S", "permissions": []string{"member.read"}, "organization_id": h.b.Organization.ID}},
		{"POST", "/roles", map[string]any{"key": "sneaky2", "name": "S", "permissions": []string{"member.read"}, "system": true}},
		{"PATCH", "/members/" + agent.String(), map[string]any{"title": "x", "status": "inactive"}},
		{"PATCH", "/members/" + agent.String(), map[string]any{"title": "x", "user_id": h.b.Personas["owner"].User.ID}},
		{"POST", "/api-keys", map[string]any{"name": "k", "permissions": []string{"member.read"}, "organization_id": h.b.Organization.ID}},
		{"PATCH", "/organization", map[string]any{"name": "Renamed", "id": h.b.Organization.ID}},
		{"PATCH", "/organization", map[string]any{"status": "closed"}},
		{"POST", "/organizations", map[string]any{"name": "N", "slug": "new-org", "owner_id": h.b.Personas["owner"].User.ID}},
		{"PATCH", "/account", map[string]any{"first_name": "A", "last_name": "B", "email": "owner@globex.example"}},
		{"PATCH", "/account", map[string]any{"first_name": "A", "last_name": "B", "status": "active", "mfa_enabled": true}},
	}
	for _, c := range cases {
		status, body := h.do(c.method, "/api/v1"+c.path, owner, c.body)
		if status != 422 {
			t.Errorf("%s %s with a protected field: %d %s, want 422", c.method, c.path, status, body)
		}
	}
	ctx := context.Background()
	roles, _ := h.env.Org.Roles(ctx, h.a.Personas["owner"].Actor)
	for _, r := range roles {
		if strings.HasPrefix(r.Key, "sneaky") {
			t.Errorf("role %s was created", r.Key)
		}
	}
	m, err := h.env.Org.Member(ctx, h.a.Personas["owner"].Actor, agent)
	if err != nil || m.Status != "active" || m.Title != "Sales associate" {
		t.Errorf("agent member changed: %+v %v", m, err)
	}
	o, err := h.env.Org.Organization(ctx, h.a.Personas["owner"].Actor)
	if err != nil || o.Name != "Org acme" || o.Status != "active" {
		t.Errorf("organization changed: %+v %v", o, err)
	}
	keys, _ := h.env.Identity.APIKeys(ctx, h.a.Personas["owner"].Actor)
	if len(keys) != 0 {
		t.Errorf("%d api keys created", len(keys))
	}
	u, _ := h.env.Identity.GetUser(ctx, h.a.Personas["owner"].User.ID)
	if u.Email != "owner@acme.example" || u.FirstName != "Olivia" {
		t.Errorf("user changed: %+v", u)
	}
}

func ptr[T any](v T) *T { return &v }
