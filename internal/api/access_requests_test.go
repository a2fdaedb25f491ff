package api_test

import (
	"bytes"
	"context"
	"fmt"
	"mime/multipart"
	"strings"
	"sync/atomic"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"realty"
	"realty/internal/fixture/fixturetest"
	"realty/internal/identity"
)

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
