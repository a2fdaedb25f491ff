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

// InspectionPhoto is a picture of an inspection or of one of its items,
// its file in the blob store.
type InspectionPhoto struct {
	ID           realty.ID  `db:"id" json:"id"`
	InspectionID realty.ID  `db:"inspection_id" json:"inspection_id"`
	ItemID       *realty.ID `db:"item_id" json:"item_id,omitempty"`
	BlobKey      string     `db:"blob_key" json:"-"`
	ContentType  string     `db:"content_type" json:"content_type"`
	SizeBytes    int64      `db:"size_bytes" json:"size_bytes"`
	Caption      string     `db:"caption" json:"caption"`
	UploadedBy   *realty.ID `db:"uploaded_by" json:"uploaded_by,omitempty"`
	CreatedAt    time.Time  `db:"created_at" json:"created_at"`
	UpdatedAt    time.Time  `db:"updated_at" json:"updated_at"`
}

const inspectionPhotoColumns = `id, inspection_id, item_id, blob_key, content_type, size_bytes, caption, uploaded_by, created_at, updated_at`

// AddInspectionPhoto stores a picture of an inspection not yet completed,
// of one of its items when itemID is set. The type is sniffed from the
// contents (JPEG, PNG, WebP or GIF) and the size is limited. Forbidden
// without maintenance.write; NotFound; Conflict naming status once
// completed; Invalid naming file, caption or item_id.
func (s *Service) AddInspectionPhoto(ctx context.Context, actor realty.Actor, id realty.ID, itemID *realty.ID, caption string,
	r io.Reader) (InspectionPhoto, error) {
	if err := actor.Require("maintenance.write"); err != nil {
		return InspectionPhoto{}, err
	}
	if _, err := s.Inspection(ctx, actor, id); err != nil {
		return InspectionPhoto{}, err
	}
	obj, err := s.blobs.Put(ctx, r, s.maxPhoto)
	if err != nil {
		return InspectionPhoto{}, err
	}
	if !slices.Contains(photoTypes, obj.ContentType) {
		return InspectionPhoto{}, realty.FieldError("file", "is "+obj.ContentType+"; a photo must be one of "+strings.Join(photoTypes, ", "))
	}
	var out InspectionPhoto
	err = s.tx(ctx, actor, func(tx pgx.Tx) error {
		if _, err := lockOpen(ctx, tx, actor, id, "add photos"); err != nil {
			return err
		}
		if itemID != nil {
			var n int
			if err := tx.QueryRow(ctx, `SELECT count(*) FROM maintenance.inspection_items
				WHERE organization_id = $1 AND inspection_id = $2 AND id = $3`, actor.OrgID, id, *itemID).Scan(&n); err != nil {
				return err
			}
			if n == 0 {
				return realty.FieldError("item_id", "is not an item of this inspection")
			}
		}
		rows, err := tx.Query(ctx, `INSERT INTO maintenance.inspection_photos (organization_id, id, inspection_id, item_id, blob_key,
			content_type, size_bytes, caption, uploaded_by) VALUES ($1, $2, $3, $4, $5, $6, $7, btrim($8), $9)
			RETURNING `+inspectionPhotoColumns, actor.OrgID, realty.NewID(), id, itemID, obj.Key, obj.ContentType, obj.Size,
			caption, idPtr(actor.MemberID))
		if err != nil {
			return err
		}
		out, err = pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[InspectionPhoto])
		return err
	})
	return out, err
}

// InspectionPhotoContent opens an inspection photo's file. Forbidden
// without maintenance.read; NotFound for a photo of an inspection outside
// the actor's property scope.
func (s *Service) InspectionPhotoContent(ctx context.Context, actor realty.Actor, photoID realty.ID) (io.ReadSeekCloser, InspectionPhoto, error) {
	if err := actor.Require("maintenance.read"); err != nil {
		return nil, InspectionPhoto{}, err
	}
	var p InspectionPhoto
	err := s.tx(ctx, actor, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `SELECT `+inspectionPhotoColumns+` FROM maintenance.inspection_photos
			WHERE organization_id = $1 AND id = $2`, actor.OrgID, photoID)
		if err != nil {
			return err
		}
		if p, err = pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[InspectionPhoto]); err != nil {
			return notFound(err, "photo")
		}
		_, err = inspectionTx(ctx, tx, actor, p.InspectionID, false)
		return asNotFound(err, "photo")
	})
	if err != nil {
		return nil, InspectionPhoto{}, err
	}
	rc, _, err := s.blobs.Open(ctx, p.BlobKey)
	return rc, p, err
}
