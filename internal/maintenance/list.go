package maintenance

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"realty"
	"realty/internal/postgres"
)

// Filter narrows a work order list; zero fields do not filter. Overdue
// keeps the open orders past their response target; Active keeps those
// still to be done (open, assigned or in progress). Own keeps only the
// caller's own tenancy's orders whatever else they may see (the portal's
// list). Cursor continues a previous page.
type Filter struct {
	Own        bool
	Status     string
	Priority   string
	PropertyID *realty.ID
	UnitID     *realty.ID
	Overdue    bool
	Active     bool
	Cursor     string
	Limit      int
}

// WorkOrderPage is a page of work orders, newest first.
type WorkOrderPage struct {
	Items      []WorkOrder `json:"items"`
	NextCursor string      `json:"next_cursor,omitempty"`
}

// List lists work orders, newest first, Limit (1–100, default 50) a page:
// staff's within their property scope, a resident's only those of their
// tenancy (and with Own, anyone's only their own tenancy's, which needs
// maintenance.request). Forbidden without maintenance.read or maintenance.request;
// Invalid naming cursor, status or priority.
func (s *Service) List(ctx context.Context, actor realty.Actor, f Filter) (WorkOrderPage, error) {
	fc, err := fenceOf(actor)
	if err != nil {
		return WorkOrderPage{}, err
	}
	if f.Own {
		if err := actor.Require("maintenance.request"); err != nil {
			return WorkOrderPage{}, err
		}
		t := actor.TenantID
		fc = fence{tenant: &t}
	}
	if err := checkFilter(f); err != nil {
		return WorkOrderPage{}, err
	}
	f.Limit = pageSize(f.Limit)
	after, afterID := time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC), realty.ID{}
	if f.Cursor != "" {
		if err := postgres.DecodeCursor(f.Cursor, &after, &afterID); err != nil {
			return WorkOrderPage{}, err
		}
	}
	items, err := postgres.ReadAll[WorkOrder](ctx, s.pool, actor, `SELECT `+workOrderColumns("@now")+` FROM maintenance.work_orders w
		WHERE w.organization_id = @org AND (@scope::uuid[] IS NULL OR w.property_id = ANY(@scope))
		  AND (@tenant::uuid IS NULL OR @tenant = ANY(w.tenant_ids))
		  AND (@status = '' OR w.status = @status) AND (@priority = '' OR w.priority = @priority)
		  AND (@property::uuid IS NULL OR w.property_id = @property) AND (@unit::uuid IS NULL OR w.unit_id = @unit)
		  AND (NOT @overdue OR (w.status = 'open' AND w.respond_by < @now))
		  AND (NOT @active OR w.status IN ('open', 'assigned', 'in_progress'))
		  AND (w.created_at, w.id) < (@after, @after_id)
		ORDER BY w.created_at DESC, w.id DESC LIMIT @limit`,
		pgx.NamedArgs{"org": actor.OrgID, "scope": fc.scope, "tenant": fc.tenant, "status": f.Status, "priority": f.Priority,
			"property": f.PropertyID, "unit": f.UnitID, "overdue": f.Overdue, "active": f.Active, "now": s.now(), "after": after,
			"after_id": afterID, "limit": f.Limit + 1})
	if err != nil {
		return WorkOrderPage{}, err
	}
	page := WorkOrderPage{Items: items}
	if page.Items == nil {
		page.Items = []WorkOrder{}
	}
	if len(items) > f.Limit {
		page.Items = items[:f.Limit]
		last := page.Items[f.Limit-1]
		page.NextCursor = postgres.EncodeCursor(last.CreatedAt, last.ID)
	}
	return page, nil
}

func checkFilter(f Filter) error {
	if f.Status != "" && next[f.Status] == nil {
		return realty.FieldError("status", "must be open, assigned, in_progress, completed or canceled")
	}
	if f.Priority != "" && DefaultTargets[f.Priority] == 0 {
		return realty.FieldError("priority", "must be emergency, high, normal or low")
	}
	return nil
}
