package maintenance

import (
	"context"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/shopspring/decimal"

	"realty"
	"realty/internal/leasing"
	"realty/internal/ledger"
	"realty/internal/org"
	"realty/internal/property"
)

// Categories are the work orders' categories.
var Categories = []string{"plumbing", "electrical", "hvac", "appliance", "structural", "pest", "locks",
	"cleaning", "landscaping", "general", "other"}

var categoryList = strings.Join(Categories, ", ")

// WorkOrder is one repair or job at a property (and unit). Overdue is set
// when it is still open past its response target.
type WorkOrder struct {
	ID                realty.ID        `db:"id" json:"id"`
	PropertyID        realty.ID        `db:"property_id" json:"property_id"`
	UnitID            *realty.ID       `db:"unit_id" json:"unit_id,omitempty"`
	TenantID          *realty.ID       `db:"tenant_id" json:"tenant_id,omitempty"`
	TenantIDs         []realty.ID      `db:"tenant_ids" json:"-"`
	ReporterID        *realty.ID       `db:"reporter_id" json:"reporter_id,omitempty" doc:"the member (staff or resident) who filed it"`
	Source            string           `db:"source" json:"source" enum:"staff,resident"`
	Title             string           `db:"title" json:"title"`
	Description       *string          `db:"description" json:"description,omitempty"`
	Category          string           `db:"category" json:"category"`
	Priority          string           `db:"priority" json:"priority" enum:"emergency,high,normal,low"`
	Status            string           `db:"status" json:"status" enum:"open,assigned,in_progress,completed,canceled"`
	AssigneeID        *realty.ID       `db:"assignee_id" json:"assignee_id,omitempty"`
	VendorID          *realty.ID       `db:"vendor_id" json:"vendor_id,omitempty"`
	PermissionToEnter bool             `db:"permission_to_enter" json:"permission_to_enter"`
	EntryNotes        *string          `db:"entry_notes" json:"entry_notes,omitempty"`
	ScheduledAt       *time.Time       `db:"scheduled_at" json:"scheduled_at,omitempty"`
	CompletedAt       *time.Time       `db:"completed_at" json:"completed_at,omitempty"`
	CanceledReason    *string          `db:"canceled_reason" json:"canceled_reason,omitempty"`
	EstimatedCost     *decimal.Decimal `db:"estimated_cost" json:"estimated_cost,omitempty"`
	ActualCost        *decimal.Decimal `db:"actual_cost" json:"actual_cost,omitempty"`
	RespondBy         time.Time        `db:"respond_by" json:"respond_by" doc:"its response target: assigned by then"`
	Overdue           bool             `db:"overdue" json:"overdue"`
	CreatedAt         time.Time        `db:"created_at" json:"created_at"`
	UpdatedAt         time.Time        `db:"updated_at" json:"updated_at"`
}

// workOrderColumns select a work order as w; overdue compares with $now
// given as the named or positional argument the caller binds.
func workOrderColumns(now string) string {
	return `w.id, w.property_id, w.unit_id, w.tenant_id, w.tenant_ids, w.reporter_id, w.source, w.title, w.description,
	w.category, w.priority, w.status, w.assignee_id, w.vendor_id, w.permission_to_enter, w.entry_notes, w.scheduled_at,
	w.completed_at, w.canceled_reason, w.estimated_cost, w.actual_cost, w.respond_by,
	(w.status = 'open' AND w.respond_by < ` + now + `) AS overdue, w.created_at, w.updated_at`
}

// WorkOrderInput is what filing a work order takes. A unit names its
// property (PropertyID may then be omitted, and must agree if given).
type WorkOrderInput struct {
	PropertyID        *realty.ID
	UnitID            *realty.ID
	TenantID          *realty.ID
	Title             string
	Description       *string
	Category          string
	Priority          string
	PermissionToEnter bool
	EntryNotes        *string
	ScheduledAt       *time.Time
	EstimatedCost     *decimal.Decimal
}

// Create files a work order as staff (source staff, reported by the
// actor). Forbidden without maintenance.write; Invalid naming the field
// (property_id or unit_id for one the actor cannot see).
func (s *Service) Create(ctx context.Context, actor realty.Actor, in WorkOrderInput) (WorkOrder, error) {
	if err := actor.Require("maintenance.write"); err != nil {
		return WorkOrder{}, err
	}
	var out WorkOrder
	err := s.tx(ctx, actor, func(tx pgx.Tx) error {
		tenants, err := s.placeTx(ctx, tx, actor, &in)
		if err != nil {
			return err
		}
		out, err = s.insertTx(ctx, tx, actor, in, "staff", tenants)
		return err
	})
	return out, err
}

// placeTx checks the input's property and unit and fills the property from
// the unit; it returns the tenants of the unit's active lease today.
func (s *Service) placeTx(ctx context.Context, tx pgx.Tx, actor realty.Actor, in *WorkOrderInput) ([]realty.ID, error) {
	if in.UnitID == nil {
		if in.PropertyID == nil {
			return nil, realty.FieldError("property_id", "is required")
		}
		if _, err := property.GetTx(ctx, tx, actor, *in.PropertyID); err != nil {
			return nil, asField(err, "property_id", "no such property")
		}
		return []realty.ID{}, nil
	}
	u, err := property.UnitTx(ctx, tx, actor, *in.UnitID)
	if err != nil {
		return nil, asField(err, "unit_id", "no such unit")
	}
	if in.PropertyID != nil && *in.PropertyID != u.PropertyID {
		return nil, realty.FieldError("unit_id", "is not a unit of property_id")
	}
	in.PropertyID = &u.PropertyID
	day, err := s.orgTodayTx(ctx, tx, actor)
	if err != nil {
		return nil, err
	}
	return leasing.UnitTenantsTx(ctx, tx, actor, u.ID, day)
}

// orgTodayTx is today in the organization's time zone.
func (s *Service) orgTodayTx(ctx context.Context, tx pgx.Tx, actor realty.Actor) (realty.Date, error) {
	o, err := org.OrganizationTx(ctx, tx, actor)
	if err != nil {
		return realty.Date{}, err
	}
	return ledger.AccountingDate(s.now(), o.TimeZone)
}

// asField turns NotFound into Invalid naming field.
func asField(err error, field, reason string) error {
	if realty.KindOf(err) == realty.NotFound {
		return realty.FieldError(field, reason)
	}
	return err
}

func (s *Service) insertTx(ctx context.Context, tx pgx.Tx, actor realty.Actor, in WorkOrderInput, source string, tenants []realty.ID) (WorkOrder, error) {
	if strings.TrimSpace(in.Title) == "" {
		return WorkOrder{}, realty.FieldError("title", "is required")
	}
	in.Category = cmpOr(in.Category, "general")
	in.Priority = cmpOr(in.Priority, "normal")
	now := s.now()
	respondBy, err := respondByTx(ctx, tx, actor, in.Priority, now)
	if err != nil {
		return WorkOrder{}, err
	}
	rows, err := tx.Query(ctx, `INSERT INTO maintenance.work_orders AS w (organization_id, id, property_id, unit_id, tenant_id,
		tenant_ids, reporter_id, source, title, description, category, priority, permission_to_enter, entry_notes, scheduled_at,
		estimated_cost, respond_by, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, btrim($9), $10, $11, $12, $13, $14, $15, $16, $17, $18)
		RETURNING `+workOrderColumns("$18"), actor.OrgID, realty.NewID(), in.PropertyID, in.UnitID, in.TenantID, tenants,
		idPtr(actor.MemberID), source, in.Title, in.Description, in.Category, in.Priority, in.PermissionToEnter, in.EntryNotes,
		in.ScheduledAt, in.EstimatedCost, respondBy, now)
	if err != nil {
		return WorkOrder{}, err
	}
	return pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[WorkOrder])
}

func cmpOr(v, def string) string {
	if v == "" {
		return def
	}
	return v
}

func idPtr(id realty.ID) *realty.ID {
	if id.IsZero() {
		return nil
	}
	return &id
}

// fence is how a work-order read is narrowed for the actor: staff (with
// maintenance.read) by their property scope, a resident (with
// maintenance.request only) to their tenancy's work orders. Forbidden for
// anyone else.
type fence struct {
	scope  []realty.ID
	tenant *realty.ID
}

func fenceOf(actor realty.Actor) (fence, error) {
	if actor.Can("maintenance.read") {
		return fence{scope: actor.PropertyScope}, nil
	}
	if err := actor.Require("maintenance.request"); err != nil {
		return fence{}, err
	}
	t := actor.TenantID // the zero id, a tenancy of no one, when unlinked
	return fence{tenant: &t}, nil
}

// workOrderTx returns one work order the fence lets the actor see, locked
// for update when lock is set. NotFound otherwise.
func (s *Service) workOrderTx(ctx context.Context, tx pgx.Tx, actor realty.Actor, f fence, id realty.ID, lock bool) (WorkOrder, error) {
	q := `SELECT ` + workOrderColumns("$5") + ` FROM maintenance.work_orders w
		WHERE w.organization_id = $1 AND w.id = $2 AND ($3::uuid[] IS NULL OR w.property_id = ANY($3))
		  AND ($4::uuid IS NULL OR $4 = ANY(w.tenant_ids))`
	if lock {
		q += ` FOR UPDATE`
	}
	rows, err := tx.Query(ctx, q, actor.OrgID, id, f.scope, f.tenant, s.now())
	if err != nil {
		return WorkOrder{}, err
	}
	w, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[WorkOrder])
	return w, notFound(err, "work order")
}

// WorkOrder returns one work order: staff within their property scope, a
// resident only one of their tenancy. Forbidden without maintenance.read
// or maintenance.request; NotFound for one the actor may not see.
func (s *Service) WorkOrder(ctx context.Context, actor realty.Actor, id realty.ID) (WorkOrder, error) {
	f, err := fenceOf(actor)
	if err != nil {
		return WorkOrder{}, err
	}
	var out WorkOrder
	err = s.tx(ctx, actor, func(tx pgx.Tx) error {
		out, err = s.workOrderTx(ctx, tx, actor, f, id, false)
		return err
	})
	return out, err
}
