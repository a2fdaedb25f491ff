package maintenance

import (
	"context"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"realty"
)

// Comment is one message of a work order's thread. Internal comments are
// staff notes residents never see.
type Comment struct {
	ID          realty.ID   `db:"id" json:"id"`
	WorkOrderID realty.ID   `db:"work_order_id" json:"work_order_id"`
	TenantIDs   []realty.ID `db:"tenant_ids" json:"-"`
	AuthorID    *realty.ID  `db:"author_id" json:"author_id,omitempty"`
	Body        string      `db:"body" json:"body"`
	Internal    bool        `db:"internal" json:"internal"`
	CreatedAt   time.Time   `db:"created_at" json:"created_at"`
	UpdatedAt   time.Time   `db:"updated_at" json:"updated_at"`
}

const commentColumns = `id, work_order_id, tenant_ids, author_id, body, internal, created_at, updated_at`

// Photo is a picture of a work order, its file in the blob store.
type Photo struct {
	ID          realty.ID   `db:"id" json:"id"`
	WorkOrderID realty.ID   `db:"work_order_id" json:"work_order_id"`
	TenantIDs   []realty.ID `db:"tenant_ids" json:"-"`
	BlobKey     string      `db:"blob_key" json:"-"`
	ContentType string      `db:"content_type" json:"content_type"`
	SizeBytes   int64       `db:"size_bytes" json:"size_bytes"`
	Caption     string      `db:"caption" json:"caption"`
	UploadedBy  *realty.ID  `db:"uploaded_by" json:"uploaded_by,omitempty"`
	CreatedAt   time.Time   `db:"created_at" json:"created_at"`
	UpdatedAt   time.Time   `db:"updated_at" json:"updated_at"`
}

const photoColumns = `id, work_order_id, tenant_ids, blob_key, content_type, size_bytes, caption, uploaded_by, created_at, updated_at`

// photoTypes are the sniffed content types a photo may have.
var photoTypes = []string{"image/jpeg", "image/png", "image/webp", "image/gif"}

// WorkOrderDetail is a work order with its thread and photos, oldest first.
type WorkOrderDetail struct {
	WorkOrder WorkOrder `json:"work_order"`
	Comments  []Comment `json:"comments"`
	Photos    []Photo   `json:"photos"`
}

// Detail returns a work order with its comments and photos; a resident
// sees no internal comments. Errors as WorkOrder.
func (s *Service) Detail(ctx context.Context, actor realty.Actor, id realty.ID) (WorkOrderDetail, error) {
	f, err := fenceOf(actor)
	if err != nil {
		return WorkOrderDetail{}, err
	}
	var out WorkOrderDetail
	err = s.tx(ctx, actor, func(tx pgx.Tx) error {
		if out.WorkOrder, err = s.workOrderTx(ctx, tx, actor, f, id, false); err != nil {
			return err
		}
		rows, err := tx.Query(ctx, `SELECT `+commentColumns+` FROM maintenance.work_order_comments
			WHERE organization_id = $1 AND work_order_id = $2 AND ($3 OR NOT internal) ORDER BY created_at, id`,
			actor.OrgID, id, f.tenant == nil)
		if err != nil {
			return err
		}
		if out.Comments, err = pgx.CollectRows(rows, pgx.RowToStructByName[Comment]); err != nil {
			return err
		}
		rows, err = tx.Query(ctx, `SELECT `+photoColumns+` FROM maintenance.work_order_photos
			WHERE organization_id = $1 AND work_order_id = $2 ORDER BY created_at, id`, actor.OrgID, id)
		if err != nil {
			return err
		}
		out.Photos, err = pgx.CollectRows(rows, pgx.RowToStructByName[Photo])
		return err
	})
	return out, err
}

// requireThread is the permission to add to a work order's thread: staff
// need maintenance.write, residents maintenance.request (their own
// tenancy's orders only, by the fence).
func requireThread(actor realty.Actor) (fence, error) {
	if !actor.Can("maintenance.write") && !actor.Can("maintenance.request") {
		return fence{}, actor.Require("maintenance.write")
	}
	return fenceOf(actor)
}

// AddComment adds a comment to a work order's thread; internal (staff
// only) notes are for staff. Forbidden without maintenance.write or
// maintenance.request, and for a resident's internal note; NotFound for a
// work order the actor may not see; Invalid naming body.
func (s *Service) AddComment(ctx context.Context, actor realty.Actor, id realty.ID, body string, internal bool) (Comment, error) {
	f, err := requireThread(actor)
	if err != nil {
		return Comment{}, err
	}
	if internal && f.tenant != nil {
		return Comment{}, &realty.Error{Kind: realty.Forbidden, Message: "internal notes are for staff",
			Fields: map[string]string{"internal": "is for staff"}}
	}
	var out Comment
	err = s.tx(ctx, actor, func(tx pgx.Tx) error {
		w, err := s.workOrderTx(ctx, tx, actor, f, id, false)
		if err != nil {
			return err
		}
		rows, err := tx.Query(ctx, `INSERT INTO maintenance.work_order_comments (organization_id, id, work_order_id, tenant_ids,
			author_id, body, internal) VALUES ($1, $2, $3, $4, $5, btrim($6), $7) RETURNING `+commentColumns,
			actor.OrgID, realty.NewID(), id, w.TenantIDs, idPtr(actor.MemberID), body, internal)
		if err != nil {
			return err
		}
		out, err = pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Comment])
		return err
	})
	return out, err
}

// AddPhoto stores a picture of a work order. The type is sniffed from the
// contents (JPEG, PNG, WebP or GIF) and the size is limited. Forbidden and
// NotFound as AddComment; Invalid naming file or caption.
func (s *Service) AddPhoto(ctx context.Context, actor realty.Actor, id realty.ID, caption string, r io.Reader) (Photo, error) {
	f, err := requireThread(actor)
	if err != nil {
		return Photo{}, err
	}
	if _, err := s.WorkOrder(ctx, actor, id); err != nil {
		return Photo{}, err
	}
	obj, err := s.blobs.Put(ctx, r, s.maxPhoto)
	if err != nil {
		return Photo{}, err
	}
	if !slices.Contains(photoTypes, obj.ContentType) {
		return Photo{}, realty.FieldError("file", "is "+obj.ContentType+"; a photo must be one of "+strings.Join(photoTypes, ", "))
	}
	var out Photo
	err = s.tx(ctx, actor, func(tx pgx.Tx) error {
		w, err := s.workOrderTx(ctx, tx, actor, f, id, false)
		if err != nil {
			return err
		}
		rows, err := tx.Query(ctx, `INSERT INTO maintenance.work_order_photos (organization_id, id, work_order_id, tenant_ids,
			blob_key, content_type, size_bytes, caption, uploaded_by) VALUES ($1, $2, $3, $4, $5, $6, $7, btrim($8), $9)
			RETURNING `+photoColumns, actor.OrgID, realty.NewID(), id, w.TenantIDs, obj.Key, obj.ContentType, obj.Size,
			caption, idPtr(actor.MemberID))
		if err != nil {
			return err
		}
		out, err = pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Photo])
		return err
	})
	return out, err
}

// PhotoContent opens a photo's file. Forbidden without maintenance.read or
// maintenance.request; NotFound for a photo of a work order the actor may
// not see.
func (s *Service) PhotoContent(ctx context.Context, actor realty.Actor, photoID realty.ID) (io.ReadSeekCloser, Photo, error) {
	f, err := fenceOf(actor)
	if err != nil {
		return nil, Photo{}, err
	}
	var p Photo
	err = s.tx(ctx, actor, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `SELECT `+photoColumns+` FROM maintenance.work_order_photos WHERE organization_id = $1 AND id = $2`,
			actor.OrgID, photoID)
		if err != nil {
			return err
		}
		if p, err = pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Photo]); err != nil {
			return notFound(err, "photo")
		}
		_, err = s.workOrderTx(ctx, tx, actor, f, p.WorkOrderID, false)
		return asNotFound(err, "photo")
	})
	if err != nil {
		return nil, Photo{}, err
	}
	rc, _, err := s.blobs.Open(ctx, p.BlobKey)
	return rc, p, err
}

func asNotFound(err error, what string) error {
	if realty.KindOf(err) == realty.NotFound {
		return &realty.Error{Kind: realty.NotFound, Message: what + " not found"}
	}
	return err
}
