package maintenance

import (
	"context"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"realty"
	"realty/internal/leasing"
	"realty/internal/postgres"
	"realty/internal/property"
)

func init() {
	postgres.RegisterConstraints(map[string]postgres.Constraint{
		"maintenance.inspection_templates_name_check":    {Kind: realty.Invalid, Field: "name", Message: "must be 1 to 200 characters"},
		"maintenance.inspection_templates_rooms_check":   {Kind: realty.Invalid, Field: "rooms", Message: "must be a list of rooms"},
		"maintenance.inspection_templates_name_key":      {Kind: realty.Conflict, Field: "name", Message: "another template has this name"},
		"maintenance.inspection_templates_default_key":   {Kind: realty.Conflict, Field: "is_default", Message: "another template is the default"},
		"maintenance.inspections_kind_check":             {Kind: realty.Invalid, Field: "kind", Message: "must be move_in, move_out or periodic"},
		"maintenance.inspections_status_check":           {Kind: realty.Invalid, Field: "status", Message: "must be scheduled, in_progress or completed"},
		"maintenance.inspections_notes_check":            {Kind: realty.Invalid, Field: "notes", Message: "at most 4000 characters"},
		"maintenance.inspections_property_fkey":          {Kind: realty.Invalid, Field: "property_id", Message: "no such property"},
		"maintenance.inspections_unit_fkey":              {Kind: realty.Invalid, Field: "unit_id", Message: "no such unit"},
		"maintenance.inspections_lease_fkey":             {Kind: realty.Invalid, Field: "lease_id", Message: "no such lease"},
		"maintenance.inspections_template_fkey":          {Kind: realty.Invalid, Field: "template_id", Message: "no such template"},
		"maintenance.inspections_inspector_fkey":         {Kind: realty.Invalid, Field: "inspector_id", Message: "no such member"},
		"maintenance.inspections_started_check":          {Kind: realty.Invalid, Field: "status", Message: "a started inspection needs its start time"},
		"maintenance.inspections_completed_check":        {Kind: realty.Invalid, Field: "status", Message: "a completed inspection needs its completion time"},
		"maintenance.inspection_items_room_check":        {Kind: realty.Invalid, Field: "room", Message: "must be 1 to 100 characters"},
		"maintenance.inspection_items_item_check":        {Kind: realty.Invalid, Field: "item", Message: "must be 1 to 100 characters"},
		"maintenance.inspection_items_rating_check":      {Kind: realty.Invalid, Field: "rating", Message: "must be " + ratingList},
		"maintenance.inspection_items_notes_check":       {Kind: realty.Invalid, Field: "notes", Message: "at most 2000 characters"},
		"maintenance.inspection_items_item_key":          {Kind: realty.Conflict, Field: "item", Message: "the room already has this item"},
		"maintenance.inspection_items_inspection_fkey":   {Kind: realty.NotFound, Message: "inspection not found"},
		"maintenance.inspection_photos_caption_check":    {Kind: realty.Invalid, Field: "caption", Message: "at most 500 characters"},
		"maintenance.inspection_photos_size_check":       {Kind: realty.Invalid, Field: "file", Message: "must not be negative in size"},
		"maintenance.inspection_photos_inspection_fkey":  {Kind: realty.NotFound, Message: "inspection not found"},
		"maintenance.inspection_photos_item_fkey":        {Kind: realty.Invalid, Field: "item_id", Message: "no such item"},
		"maintenance.inspections_created_by_fkey":        {Kind: realty.Invalid, Field: "created_by", Message: "no such member"},
		"maintenance.inspection_photos_uploaded_by_fkey": {Kind: realty.Invalid, Field: "uploaded_by", Message: "no such member"},
	})
}

// InspectionKinds are the kinds of inspection.
var InspectionKinds = []string{"move_in", "move_out", "periodic"}

// Ratings are an item's condition ratings, best first: a worse rating
// comes later in the list.
var Ratings = []string{"new", "good", "fair", "poor", "damaged"}

var ratingList = strings.Join(Ratings, ", ")

// ratingRank is a rating's place in Ratings (0 best), -1 for none.
func ratingRank(r *string) int {
	if r == nil {
		return -1
	}
	for i, x := range Ratings {
		if x == *r {
			return i
		}
	}
	return -1
}

// Inspection is one inspection of a unit: its kind, the lease (and its
// tenants) it belongs to, who inspects and when, and its status.
type Inspection struct {
	ID           realty.ID   `db:"id" json:"id"`
	Kind         string      `db:"kind" json:"kind" enum:"move_in,move_out,periodic"`
	PropertyID   realty.ID   `db:"property_id" json:"property_id"`
	UnitID       realty.ID   `db:"unit_id" json:"unit_id"`
	LeaseID      *realty.ID  `db:"lease_id" json:"lease_id,omitempty"`
	TenantIDs    []realty.ID `db:"tenant_ids" json:"tenant_ids" doc:"the lease's tenants"`
	TemplateID   *realty.ID  `db:"template_id" json:"template_id,omitempty"`
	TemplateName string      `db:"template_name" json:"template_name" doc:"the template its items were copied from"`
	InspectorID  *realty.ID  `db:"inspector_id" json:"inspector_id,omitempty"`
	Status       string      `db:"status" json:"status" enum:"scheduled,in_progress,completed"`
	ScheduledOn  realty.Date `db:"scheduled_on" json:"scheduled_on"`
	StartedAt    *time.Time  `db:"started_at" json:"started_at,omitempty"`
	CompletedAt  *time.Time  `db:"completed_at" json:"completed_at,omitempty"`
	Notes        *string     `db:"notes" json:"notes,omitempty"`
	CreatedBy    *realty.ID  `db:"created_by" json:"created_by,omitempty"`
	CreatedAt    time.Time   `db:"created_at" json:"created_at"`
	UpdatedAt    time.Time   `db:"updated_at" json:"updated_at"`
}

const inspectionColumns = `id, kind, property_id, unit_id, lease_id, tenant_ids, template_id, template_name, inspector_id, status,
	scheduled_on, started_at, completed_at, notes, created_by, created_at, updated_at`

// InspectionItem is one line of an inspection's checklist: the room, the item, its
// condition rating (none until rated) and notes.
type InspectionItem struct {
	ID           realty.ID `db:"id" json:"id"`
	InspectionID realty.ID `db:"inspection_id" json:"inspection_id"`
	Position     int       `db:"position" json:"position"`
	Room         string    `db:"room" json:"room"`
	Item         string    `db:"item" json:"item"`
	Rating       *string   `db:"rating" json:"rating,omitempty" enum:"new,good,fair,poor,damaged"`
	Notes        *string   `db:"notes" json:"notes,omitempty"`
	UpdatedAt    time.Time `db:"updated_at" json:"updated_at"`
}

const itemColumns = `id, inspection_id, position, room, item, rating, notes, updated_at`

// InspectionInput is what scheduling an inspection takes. Without a
// template the organization's default one is used.
type InspectionInput struct {
	Kind        string
	UnitID      *realty.ID
	LeaseID     *realty.ID
	TemplateID  *realty.ID
	InspectorID *realty.ID
	ScheduledOn *realty.Date
	Notes       *string
}

// CreateInspection schedules an inspection of a unit and copies the
// template's rooms and items into its checklist (the organization's
// default template, created on first use, when none is named). Forbidden
// without maintenance.write; Invalid naming kind, unit_id, lease_id (not
// a lease of the unit), template_id or inspector_id.
func (s *Service) CreateInspection(ctx context.Context, actor realty.Actor, in InspectionInput) (InspectionDetail, error) {
	if err := actor.Require("maintenance.write"); err != nil {
		return InspectionDetail{}, err
	}
	if !contains(InspectionKinds, in.Kind) {
		return InspectionDetail{}, realty.FieldError("kind", "must be move_in, move_out or periodic")
	}
	if in.UnitID == nil {
		return InspectionDetail{}, realty.FieldError("unit_id", "is required")
	}
	var out InspectionDetail
	err := s.tx(ctx, actor, func(tx pgx.Tx) error {
		u, err := property.UnitTx(ctx, tx, actor, *in.UnitID)
		if err != nil {
			return asField(err, "unit_id", "no such unit")
		}
		tenants, err := leaseTenantsTx(ctx, tx, actor, in.LeaseID, u.ID)
		if err != nil {
			return err
		}
		t, err := s.inspectionTemplateTx(ctx, tx, actor, in.TemplateID)
		if err != nil {
			return err
		}
		if in.ScheduledOn == nil {
			day, err := s.orgTodayTx(ctx, tx, actor)
			if err != nil {
				return err
			}
			in.ScheduledOn = &day
		}
		out, err = insertInspectionTx(ctx, tx, actor, in, u.PropertyID, tenants, t)
		return err
	})
	return out, err
}

// leaseTenantsTx checks that lease (when given) is a lease of unit and
// returns its tenants.
func leaseTenantsTx(ctx context.Context, tx pgx.Tx, actor realty.Actor, lease *realty.ID, unit realty.ID) ([]realty.ID, error) {
	if lease == nil {
		return []realty.ID{}, nil
	}
	l, err := leasing.LeaseTx(ctx, tx, actor, *lease)
	if err != nil {
		return nil, asField(err, "lease_id", "no such lease")
	}
	if l.UnitID != unit {
		return nil, realty.FieldError("lease_id", "is not a lease of unit_id")
	}
	ids := make([]realty.ID, len(l.Tenants))
	for i, t := range l.Tenants {
		ids[i] = t.TenantID
	}
	return ids, nil
}

func (s *Service) inspectionTemplateTx(ctx context.Context, tx pgx.Tx, actor realty.Actor, id *realty.ID) (Template, error) {
	if id == nil {
		return defaultTemplateTx(ctx, tx, actor)
	}
	t, err := templateTx(ctx, tx, actor, *id)
	return t, asField(err, "template_id", "no such template")
}

func insertInspectionTx(ctx context.Context, tx pgx.Tx, actor realty.Actor, in InspectionInput, prop realty.ID, tenants []realty.ID,
	t Template) (InspectionDetail, error) {
	rows, err := tx.Query(ctx, `INSERT INTO maintenance.inspections (organization_id, id, kind, property_id, unit_id, lease_id,
		tenant_ids, template_id, template_name, inspector_id, scheduled_on, notes, created_by)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING `+inspectionColumns,
		actor.OrgID, realty.NewID(), in.Kind, prop, *in.UnitID, in.LeaseID, tenants, t.ID, t.Name, in.InspectorID, *in.ScheduledOn,
		in.Notes, idPtr(actor.MemberID))
	if err != nil {
		return InspectionDetail{}, err
	}
	d := InspectionDetail{Photos: []InspectionPhoto{}}
	if d.Inspection, err = pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Inspection]); err != nil {
		return InspectionDetail{}, err
	}
	b := &pgx.Batch{}
	pos := 0
	for _, r := range t.Rooms {
		for _, it := range r.Items {
			b.Queue(`INSERT INTO maintenance.inspection_items (organization_id, id, inspection_id, position, room, item)
				VALUES ($1, $2, $3, $4, $5, $6)`, actor.OrgID, realty.NewID(), d.Inspection.ID, pos, r.Room, it)
			pos++
		}
	}
	if err := tx.SendBatch(ctx, b).Close(); err != nil {
		return InspectionDetail{}, err
	}
	d.Items, err = itemsTx(ctx, tx, actor, d.Inspection.ID)
	return d, err
}

func contains(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

// InspectionDetail is an inspection with its checklist (in template order)
// and photos.
type InspectionDetail struct {
	Inspection Inspection        `json:"inspection"`
	Items      []InspectionItem  `json:"items"`
	Photos     []InspectionPhoto `json:"photos"`
}

// inspectionTx returns one inspection within the actor's property scope,
// locked for update when lock is set. NotFound otherwise.
func inspectionTx(ctx context.Context, tx pgx.Tx, actor realty.Actor, id realty.ID, lock bool) (Inspection, error) {
	q := `SELECT ` + inspectionColumns + ` FROM maintenance.inspections
		WHERE organization_id = $1 AND id = $2 AND ($3::uuid[] IS NULL OR property_id = ANY($3))`
	if lock {
		q += ` FOR UPDATE`
	}
	rows, err := tx.Query(ctx, q, actor.OrgID, id, actor.PropertyScope)
	if err != nil {
		return Inspection{}, err
	}
	i, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Inspection])
	return i, notFound(err, "inspection")
}

func itemsTx(ctx context.Context, tx pgx.Tx, actor realty.Actor, id realty.ID) ([]InspectionItem, error) {
	rows, err := tx.Query(ctx, `SELECT `+itemColumns+` FROM maintenance.inspection_items
		WHERE organization_id = $1 AND inspection_id = $2 ORDER BY position, id`, actor.OrgID, id)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, pgx.RowToStructByName[InspectionItem])
}

func inspectionPhotosTx(ctx context.Context, tx pgx.Tx, actor realty.Actor, id realty.ID) ([]InspectionPhoto, error) {
	rows, err := tx.Query(ctx, `SELECT `+inspectionPhotoColumns+` FROM maintenance.inspection_photos
		WHERE organization_id = $1 AND inspection_id = $2 ORDER BY created_at, id`, actor.OrgID, id)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, pgx.RowToStructByName[InspectionPhoto])
}

// Inspection returns an inspection with its checklist and photos, within
// the actor's property scope. Forbidden without maintenance.read (residents
// see no inspection); NotFound.
func (s *Service) Inspection(ctx context.Context, actor realty.Actor, id realty.ID) (InspectionDetail, error) {
	if err := actor.Require("maintenance.read"); err != nil {
		return InspectionDetail{}, err
	}
	var out InspectionDetail
	err := s.tx(ctx, actor, func(tx pgx.Tx) error {
		var err error
		out, err = inspectionDetailTx(ctx, tx, actor, id)
		return err
	})
	return out, err
}

func inspectionDetailTx(ctx context.Context, tx pgx.Tx, actor realty.Actor, id realty.ID) (InspectionDetail, error) {
	var d InspectionDetail
	var err error
	if d.Inspection, err = inspectionTx(ctx, tx, actor, id, false); err != nil {
		return d, err
	}
	if d.Items, err = itemsTx(ctx, tx, actor, id); err != nil {
		return d, err
	}
	d.Photos, err = inspectionPhotosTx(ctx, tx, actor, id)
	return d, err
}
