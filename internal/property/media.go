package property

import (
	"context"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"realty"
	"realty/internal/postgres"
)

func init() {
	postgres.RegisterConstraints(map[string]postgres.Constraint{
		"property.media_kind_check":    {Kind: realty.Invalid, Field: "kind", Message: "must be photo, floor_plan, video, virtual_tour or document"},
		"property.media_property_fkey": {Kind: realty.NotFound, Message: "property not found"},
		"property.media_source_check":  {Kind: realty.Invalid, Field: "url", Message: "a medium is either an uploaded file or a link"},
	})
}

// Media is a photo, floor plan, video, virtual tour or document of a
// property.
type Media struct {
	ID          realty.ID  `db:"id" json:"id"`
	PropertyID  realty.ID  `db:"property_id" json:"property_id"`
	Kind        string     `db:"kind" json:"kind" enum:"photo,floor_plan,video,virtual_tour,document"`
	BlobKey     *string    `db:"blob_key" json:"-"`
	URL         *string    `db:"url" json:"url,omitempty" doc:"for videos and tours: the link"`
	ContentType *string    `db:"content_type" json:"content_type,omitempty"`
	SizeBytes   *int64     `db:"size_bytes" json:"size_bytes,omitempty"`
	Position    int        `db:"position" json:"position"`
	Caption     string     `db:"caption" json:"caption"`
	UploadedBy  *realty.ID `db:"uploaded_by" json:"uploaded_by,omitempty"`
	CreatedAt   time.Time  `db:"created_at" json:"created_at"`
	UpdatedAt   time.Time  `db:"updated_at" json:"updated_at"`
}

const mediaColumns = `id, property_id, kind, blob_key, url, content_type, size_bytes, position, caption, uploaded_by, created_at, updated_at`

// allowedTypes are the sniffed content types accepted for each kind of
// uploaded file; the declared type and file name are never trusted.
var allowedTypes = map[string][]string{
	"photo":      {"image/jpeg", "image/png", "image/webp", "image/gif"},
	"floor_plan": {"image/jpeg", "image/png", "image/webp", "application/pdf"},
	"document":   {"application/pdf", "text/plain; charset=utf-8"},
}

// Upload stores a file for a property and adds it last in order. The type is
// sniffed from the contents and must suit the kind; the size is limited. The
// same contents uploaded twice are stored once. NotFound for a property the
// actor cannot see; Invalid naming file or kind.
func (s *Service) Upload(ctx context.Context, actor realty.Actor, propertyID realty.ID, kind, caption string, r io.Reader) (Media, error) {
	if err := actor.Require("property.write"); err != nil {
		return Media{}, err
	}
	types, ok := allowedTypes[kind]
	if !ok {
		return Media{}, realty.FieldError("kind", "uploads must be photo, floor_plan or document")
	}
	if _, err := s.Get(ctx, actor, propertyID); err != nil {
		return Media{}, err
	}
	obj, err := s.blobs.Put(ctx, r, s.maxMedia)
	if err != nil {
		return Media{}, err
	}
	if !slices.Contains(types, obj.ContentType) {
		return Media{}, realty.FieldError("file", "is "+obj.ContentType+"; a "+kind+" must be one of "+strings.Join(types, ", "))
	}
	return s.insertMedia(ctx, actor, propertyID, kind, caption, &obj.Key, nil, &obj.ContentType, &obj.Size)
}

// maxLinkLength is the RESO Data Dictionary's length of a MediaURL, which
// the RESO endpoint declares.
const maxLinkLength = 8000

// AddLink adds a video or virtual tour by URL. Invalid naming url or kind.
func (s *Service) AddLink(ctx context.Context, actor realty.Actor, propertyID realty.ID, kind, caption, url string) (Media, error) {
	if err := actor.Require("property.write"); err != nil {
		return Media{}, err
	}
	if kind != "video" && kind != "virtual_tour" {
		return Media{}, realty.FieldError("kind", "links must be video or virtual_tour")
	}
	if !strings.HasPrefix(url, "https://") && !strings.HasPrefix(url, "http://") {
		return Media{}, realty.FieldError("url", "must be an http(s) URL")
	}
	if len(url) > maxLinkLength {
		return Media{}, realty.FieldError("url", "must be at most 8000 characters")
	}
	return s.insertMedia(ctx, actor, propertyID, kind, caption, nil, &url, nil, nil)
}

func (s *Service) insertMedia(ctx context.Context, actor realty.Actor, propertyID realty.ID, kind, caption string,
	key, url, contentType *string, size *int64) (Media, error) {
	var out Media
	err := postgres.Tx(ctx, s.pool, actor, func(tx pgx.Tx) error {
		if _, err := GetTx(ctx, tx, actor, propertyID); err != nil {
			return err
		}
		// The next position is read first: a subquery inside INSERT … VALUES
		// cannot be routed to one organization's shard on Citus. Two uploads
		// racing may share a position; the list breaks the tie by id.
		var position int
		if err := tx.QueryRow(ctx, `SELECT coalesce(max(position) + 1, 0) FROM property.media
			WHERE organization_id = $1 AND property_id = $2`, actor.OrgID, propertyID).Scan(&position); err != nil {
			return err
		}
		rows, err := tx.Query(ctx, `INSERT INTO property.media (organization_id, property_id, kind, blob_key, url, content_type,
			size_bytes, position, caption, uploaded_by)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
			RETURNING `+mediaColumns, actor.OrgID, propertyID, kind, key, url, contentType, size, position,
			strings.TrimSpace(caption), idPtr(actor.MemberID))
		if err != nil {
			return err
		}
		out, err = pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Media])
		return err
	})
	return out, err
}

func idPtr(id realty.ID) *realty.ID {
	if id.IsZero() {
		return nil
	}
	return &id
}

// MediaOf lists a property's media in order. NotFound for a property the
// actor cannot see.
func (s *Service) MediaOf(ctx context.Context, actor realty.Actor, propertyID realty.ID) ([]Media, error) {
	if _, err := s.Get(ctx, actor, propertyID); err != nil {
		return nil, err
	}
	return postgres.ReadAll[Media](ctx, s.pool, actor, `SELECT `+mediaColumns+` FROM property.media
		WHERE organization_id = $1 AND property_id = $2 ORDER BY position, id`, actor.OrgID, propertyID)
}

var errMediaNotFound = &realty.Error{Kind: realty.NotFound, Message: "media not found"}

// Medium returns one medium. NotFound when it belongs to a property the
// actor cannot see.
func (s *Service) Medium(ctx context.Context, actor realty.Actor, id realty.ID) (Media, error) {
	if err := actor.Require("property.read"); err != nil {
		return Media{}, err
	}
	rows, err := postgres.ReadAll[Media](ctx, s.pool, actor, `SELECT `+postgres.Prefix("m", mediaColumns)+` FROM property.media m
		JOIN property.properties p ON p.organization_id = m.organization_id AND p.id = m.property_id AND p.deleted_at IS NULL
		WHERE m.organization_id = $1 AND m.id = $2 AND ($3::uuid[] IS NULL OR m.property_id = ANY($3))`, actor.OrgID, id, scopeArg(actor))
	if err != nil {
		return Media{}, err
	}
	if len(rows) == 0 {
		return Media{}, errMediaNotFound
	}
	return rows[0], nil
}

// Content opens an uploaded medium's bytes. NotFound as Medium, and for a
// link (which has no bytes here).
func (s *Service) Content(ctx context.Context, actor realty.Actor, id realty.ID) (io.ReadSeekCloser, Media, error) {
	m, err := s.Medium(ctx, actor, id)
	if err != nil {
		return nil, Media{}, err
	}
	if m.BlobKey == nil {
		return nil, Media{}, errMediaNotFound
	}
	r, _, err := s.blobs.Open(ctx, *m.BlobKey)
	return r, m, err
}

// UpdateMedia changes a medium's caption and position. NotFound as Medium.
func (s *Service) UpdateMedia(ctx context.Context, actor realty.Actor, id realty.ID, caption string, position int) (Media, error) {
	if err := actor.Require("property.write"); err != nil {
		return Media{}, err
	}
	if _, err := s.Medium(ctx, actor, id); err != nil {
		return Media{}, err
	}
	var out Media
	err := postgres.Tx(ctx, s.pool, actor, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `UPDATE property.media SET caption = $3, position = $4 WHERE organization_id = $1 AND id = $2
			RETURNING `+mediaColumns, actor.OrgID, id, strings.TrimSpace(caption), position)
		if err != nil {
			return err
		}
		out, err = pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Media])
		return err
	})
	return out, err
}

// DeleteMedia removes a medium (the stored bytes stay: other media may share
// them). NotFound as Medium.
func (s *Service) DeleteMedia(ctx context.Context, actor realty.Actor, id realty.ID) error {
	if err := actor.Require("property.write"); err != nil {
		return err
	}
	if _, err := s.Medium(ctx, actor, id); err != nil {
		return err
	}
	return postgres.Tx(ctx, s.pool, actor, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `DELETE FROM property.media WHERE organization_id = $1 AND id = $2`, actor.OrgID, id)
		return err
	})
}
