// Package maintenance holds vendors and work orders: a repair from the
// report (by staff, or by a resident from the portal) through assignment to
// a member or a vendor, the work and its completion, with a comment thread
// and photos. Each priority has a response target; an order still open
// past it notifies the organization's managers once (jobs.go). Residents
// see only the work orders of their own tenancy, checked here and again by
// row-level security (see docs/maintenance.md).
package maintenance

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"realty"
	"realty/internal/blob"
	"realty/internal/org"
	"realty/internal/postgres"
)

func init() {
	postgres.RegisterConstraints(map[string]postgres.Constraint{
		"maintenance.vendors_name_check":                  {Kind: realty.Invalid, Field: "name", Message: "must be 1 to 200 characters"},
		"maintenance.vendors_trade_check":                 {Kind: realty.Invalid, Field: "trade", Message: "must be one of " + tradeList},
		"maintenance.vendors_contact_name_check":          {Kind: realty.Invalid, Field: "contact_name", Message: "must be 1 to 200 characters"},
		"maintenance.vendors_email_check":                 {Kind: realty.Invalid, Field: "email", Message: "must be an e-mail address"},
		"maintenance.vendors_phone_check":                 {Kind: realty.Invalid, Field: "phone", Message: "must be a phone number in E.164 form"},
		"maintenance.vendors_tax_id_check":                {Kind: realty.Invalid, Field: "tax_id", Message: "must be 4 to 20 letters, digits or dashes"},
		"maintenance.vendors_rating_check":                {Kind: realty.Invalid, Field: "rating", Message: "must be between 1 and 5"},
		"maintenance.vendors_notes_check":                 {Kind: realty.Invalid, Field: "notes", Message: "at most 4000 characters"},
		"maintenance.vendors_preferred_active_check":      {Kind: realty.Invalid, Field: "preferred", Message: "an inactive vendor cannot be preferred"},
		"maintenance.vendors_preferred_key":               {Kind: realty.Conflict, Field: "preferred", Message: "another vendor is already preferred for this trade"},
		"maintenance.response_targets_priority_check":     {Kind: realty.Invalid, Field: "priority", Message: "must be emergency, high, normal or low"},
		"maintenance.response_targets_hours_check":        {Kind: realty.Invalid, Field: "hours", Message: "must be between 1 and 2160"},
		"maintenance.work_orders_source_check":            {Kind: realty.Invalid, Field: "source", Message: "must be staff or resident"},
		"maintenance.work_orders_title_check":             {Kind: realty.Invalid, Field: "title", Message: "must be 1 to 200 characters"},
		"maintenance.work_orders_description_check":       {Kind: realty.Invalid, Field: "description", Message: "at most 8000 characters"},
		"maintenance.work_orders_category_check":          {Kind: realty.Invalid, Field: "category", Message: "must be one of " + categoryList},
		"maintenance.work_orders_priority_check":          {Kind: realty.Invalid, Field: "priority", Message: "must be emergency, high, normal or low"},
		"maintenance.work_orders_status_check":            {Kind: realty.Invalid, Field: "status", Message: "must be open, assigned, in_progress, completed or canceled"},
		"maintenance.work_orders_entry_notes_check":       {Kind: realty.Invalid, Field: "entry_notes", Message: "at most 1000 characters"},
		"maintenance.work_orders_canceled_reason_check":   {Kind: realty.Invalid, Field: "reason", Message: "at most 500 characters"},
		"maintenance.work_orders_estimated_cost_check":    {Kind: realty.Invalid, Field: "estimated_cost", Message: "must not be negative"},
		"maintenance.work_orders_actual_cost_check":       {Kind: realty.Invalid, Field: "actual_cost", Message: "must not be negative"},
		"maintenance.work_orders_property_fkey":           {Kind: realty.Invalid, Field: "property_id", Message: "no such property"},
		"maintenance.work_orders_unit_fkey":               {Kind: realty.Invalid, Field: "unit_id", Message: "no such unit"},
		"maintenance.work_orders_tenant_fkey":             {Kind: realty.Invalid, Field: "tenant_id", Message: "no such tenant"},
		"maintenance.work_orders_assignee_fkey":           {Kind: realty.Invalid, Field: "assignee_id", Message: "no such member"},
		"maintenance.work_orders_vendor_fkey":             {Kind: realty.Invalid, Field: "vendor_id", Message: "no such vendor"},
		"maintenance.work_orders_one_assignee_check":      {Kind: realty.Invalid, Field: "vendor_id", Message: "assign a member or a vendor, not both"},
		"maintenance.work_orders_assigned_check":          {Kind: realty.Invalid, Field: "assignee_id", Message: "an assigned work order needs a member or a vendor"},
		"maintenance.work_orders_completed_check":         {Kind: realty.Invalid, Field: "status", Message: "a completed work order needs its completion time"},
		"maintenance.work_order_comments_body_check":      {Kind: realty.Invalid, Field: "body", Message: "must be 1 to 4000 characters"},
		"maintenance.work_order_comments_work_order_fkey": {Kind: realty.NotFound, Message: "work order not found"},
		"maintenance.work_order_photos_size_check":        {Kind: realty.Invalid, Field: "file", Message: "must not be negative in size"},
		"maintenance.work_order_photos_caption_check":     {Kind: realty.Invalid, Field: "caption", Message: "at most 500 characters"},
		"maintenance.work_order_photos_work_order_fkey":   {Kind: realty.NotFound, Message: "work order not found"},
	})
}

// Permissions are the maintenance domain's permissions. Residents hold
// only maintenance.request: their own unit's work orders.
var Permissions = []realty.Permission{
	{Name: "maintenance.read", Description: "See work orders and vendors (without tax ids)",
		Roles: []string{"property_manager", "maintenance", "accountant"}},
	{Name: "maintenance.write", Description: "File work orders, start and complete them, comment and add photos",
		Roles: []string{"property_manager", "maintenance"}},
	{Name: "maintenance.manage", Description: "Assign and cancel work orders, manage vendors and response targets; told of overdue work orders",
		Roles: []string{"property_manager"}},
	{Name: "vendor.tax_id", Description: "See and change vendors' tax ids",
		Roles: []string{"property_manager", "accountant"}},
	{Name: "maintenance.request", Description: "File and follow maintenance requests for one's own unit (the resident portal)",
		Roles: []string{"resident"}},
}

// Notifier tells members of overdue work orders (messaging.Service).
type Notifier interface {
	NotifyMember(ctx context.Context, tx pgx.Tx, actor realty.Actor, member realty.ID, kind string, data map[string]any) error
}

// Service is the maintenance domain.
type Service struct {
	pool     *postgres.Pool
	orgs     *org.Service
	blobs    blob.Store
	maxPhoto int64
	notify   Notifier
	now      func() time.Time
}

// New returns the maintenance service: photos go to blobs (at most
// maxPhoto bytes each, 10 MiB when zero), overdue work orders are told
// through notify; now is its clock (time.Now when nil).
func New(pool *postgres.Pool, orgs *org.Service, blobs blob.Store, maxPhoto int64, notify Notifier, now func() time.Time) *Service {
	if now == nil {
		now = time.Now
	}
	if maxPhoto <= 0 {
		maxPhoto = 10 << 20
	}
	return &Service{pool: pool, orgs: orgs, blobs: blobs, maxPhoto: maxPhoto, notify: notify, now: now}
}

// tx runs fn in a transaction scoped to actor.
func (s *Service) tx(ctx context.Context, actor realty.Actor, fn func(pgx.Tx) error) error {
	return postgres.Tx(ctx, s.pool, actor, fn)
}

// pageSize bounds a list's page: 1 to 100, 50 when unset.
func pageSize(n int) int {
	switch {
	case n <= 0:
		return 50
	case n > 100:
		return 100
	}
	return n
}
