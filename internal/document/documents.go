package document

import (
	"context"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"realty"
	"realty/internal/postgres"
)

// Document is one filed document with its current version's file.
type Document struct {
	ID               realty.ID    `db:"id" json:"id"`
	Title            string       `db:"title" json:"title"`
	Category         string       `db:"category" json:"category"`
	EntityType       string       `db:"entity_type" json:"entity_type" enum:"property,listing,client,deal,lease,unit,work_order"`
	EntityID         realty.ID    `db:"entity_id" json:"entity_id"`
	PropertyID       *realty.ID   `db:"property_id" json:"property_id,omitempty"`
	Visibility       string       `db:"visibility" json:"visibility" enum:"staff,participants,public"`
	CurrentVersionID *realty.ID   `db:"current_version_id" json:"current_version_id,omitempty"`
	Version          int          `db:"version" json:"version" doc:"the current version's number"`
	FileName         string       `db:"file_name" json:"file_name"`
	ContentType      string       `db:"content_type" json:"content_type" doc:"sniffed from the bytes"`
	SizeBytes        int64        `db:"size_bytes" json:"size_bytes"`
	RetainUntil      *realty.Date `db:"retain_until" json:"retain_until,omitempty"`
	CreatedBy        *realty.ID   `db:"created_by" json:"created_by,omitempty"`
	CreatedAt        time.Time    `db:"created_at" json:"created_at"`
	UpdatedAt        time.Time    `db:"updated_at" json:"updated_at"`
}

// documentSelect reads documents joined to their current version.
const documentSelect = `SELECT d.id, d.title, d.category, d.entity_type, d.entity_id, d.property_id, d.visibility,
	d.current_version_id, v.version, v.file_name, v.content_type, v.size_bytes, d.retain_until, d.created_by,
	d.created_at, d.updated_at
	FROM document.documents d
	JOIN document.document_versions v ON v.organization_id = d.organization_id AND v.id = d.current_version_id`

// Input files a document. Visibility defaults to staff.
type Input struct {
	Title       string       `json:"title" maxLength:"200"`
	Category    string       `json:"category" maxLength:"60" doc:"a lower-case word, e.g. purchase_agreement, inspection_report"`
	EntityType  string       `json:"entity_type" enum:"property,listing,client,deal,lease,unit,work_order"`
	EntityID    realty.ID    `json:"entity_id"`
	Visibility  string       `json:"visibility,omitempty" enum:"staff,participants,public"`
	RetainUntil *realty.Date `json:"retain_until,omitempty"`
}

var errNotFound = &realty.Error{Kind: realty.NotFound, Message: "document not found"}

// Create files a new document with its first version from f. Errors:
// Forbidden without document.write; Invalid naming the field (entity_type,
// entity_id, title, category, visibility, file) for bad input, a file too
// large, empty or of a type not accepted; NotFound when the entity is not
// the actor's to see.
func (s *Service) Create(ctx context.Context, actor realty.Actor, in Input, f File) (Document, error) {
	if err := actor.Require("document.write"); err != nil {
		return Document{}, err
	}
	in.Title, in.Category = strings.TrimSpace(in.Title), strings.TrimSpace(in.Category)
	if in.Visibility == "" {
		in.Visibility = "staff"
	}
	if !slices.Contains(EntityTypes, in.EntityType) {
		return Document{}, realty.FieldError("entity_type", "must be one of "+entityList)
	}
	if in.EntityID.IsZero() {
		return Document{}, realty.FieldError("entity_id", "is required")
	}
	var propertyID *realty.ID
	if s.link != nil {
		var err error
		if propertyID, err = s.link(ctx, actor, in.EntityType, in.EntityID); err != nil {
			return Document{}, linkError(err)
		}
	}
	up, err := s.store(ctx, f)
	if err != nil {
		return Document{}, err
	}
	var out Document
	err = s.tx(ctx, actor, func(tx pgx.Tx) error {
		id := realty.NewID()
		_, err := tx.Exec(ctx, `INSERT INTO document.documents (organization_id, id, title, category, entity_type, entity_id,
			property_id, visibility, retain_until, created_by)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`, actor.OrgID, id, in.Title, in.Category, in.EntityType,
			in.EntityID, propertyID, in.Visibility, in.RetainUntil, memberOrNil(actor))
		if err != nil {
			return err
		}
		if _, err := insertVersionTx(ctx, tx, actor, id, in.Title, 1, up); err != nil {
			return err
		}
		out, err = getTx(ctx, tx, actor, id)
		return err
	})
	return out, err
}

// linkError names entity_id in a refusal of the linked entity.
func linkError(err error) error {
	switch realty.KindOf(err) {
	case realty.NotFound, realty.Invalid:
		return realty.FieldError("entity_id", "no such entity of this type that you can see")
	}
	return err
}

// Get returns one document. Errors: Forbidden without document.read;
// NotFound when it is not the organization's, is deleted, or lies outside
// the actor's property scope.
func (s *Service) Get(ctx context.Context, actor realty.Actor, id realty.ID) (Document, error) {
	if err := actor.Require("document.read"); err != nil {
		return Document{}, err
	}
	var out Document
	err := s.tx(ctx, actor, func(tx pgx.Tx) error {
		var err error
		out, err = getTx(ctx, tx, actor, id)
		return err
	})
	return out, err
}

// getTx reads one document the actor may see. NotFound otherwise.
func getTx(ctx context.Context, tx pgx.Tx, actor realty.Actor, id realty.ID) (Document, error) {
	rows, err := tx.Query(ctx, documentSelect+` WHERE d.organization_id = $1 AND d.id = $2 AND d.deleted_at IS NULL
		AND ($3::uuid[] IS NULL OR d.property_id = ANY($3))`, actor.OrgID, id, scopeArg(actor))
	if err != nil {
		return Document{}, err
	}
	d, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Document])
	if errors.Is(err, pgx.ErrNoRows) {
		return Document{}, errNotFound
	}
	return d, err
}

// Update is what can change on a filed document.
type Update struct {
	Title       string       `json:"title" maxLength:"200"`
	Category    string       `json:"category" maxLength:"60"`
	Visibility  string       `json:"visibility" enum:"staff,participants,public"`
	RetainUntil *realty.Date `json:"retain_until,omitempty"`
}

// Update changes a document's title, category and visibility (and its
// retention date, which needs document.manage to change). The search text
// follows the new title. Errors: Forbidden without document.write; NotFound
// as Get; Invalid naming the field.
func (s *Service) Update(ctx context.Context, actor realty.Actor, id realty.ID, in Update) (Document, error) {
	if err := actor.Require("document.write"); err != nil {
		return Document{}, err
	}
	var out Document
	err := s.tx(ctx, actor, func(tx pgx.Tx) error {
		cur, err := getTx(ctx, tx, actor, id)
		if err != nil {
			return err
		}
		if !sameDate(cur.RetainUntil, in.RetainUntil) {
			if err := actor.Require("document.manage"); err != nil {
				return err
			}
		}
		if _, err := tx.Exec(ctx, `UPDATE document.documents SET title = $3, category = $4, visibility = $5, retain_until = $6
			WHERE organization_id = $1 AND id = $2`, actor.OrgID, id, strings.TrimSpace(in.Title), strings.TrimSpace(in.Category),
			in.Visibility, in.RetainUntil); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE document.document_versions SET search_document = `+searchExpr("$3", "file_name", "extracted_text")+`
			WHERE organization_id = $1 AND document_id = $2 AND id = $4`, actor.OrgID, id, strings.TrimSpace(in.Title), cur.CurrentVersionID); err != nil {
			return err
		}
		out, err = getTx(ctx, tx, actor, id)
		return err
	})
	return out, err
}

func sameDate(a, b *realty.Date) bool {
	return (a == nil && b == nil) || (a != nil && b != nil && *a == *b)
}

// Delete marks a document deleted: it leaves every list, search and share
// link at once; its rows and bytes stay for the retention work to purge.
// Errors: Forbidden without document.manage; NotFound as Get.
func (s *Service) Delete(ctx context.Context, actor realty.Actor, id realty.ID) error {
	if err := actor.Require("document.manage"); err != nil {
		return err
	}
	return s.tx(ctx, actor, func(tx pgx.Tx) error {
		if _, err := getTx(ctx, tx, actor, id); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `UPDATE document.documents SET deleted_at = now() WHERE organization_id = $1 AND id = $2`, actor.OrgID, id)
		return err
	})
}

// CategoriesTx returns the sorted, distinct categories of the entity's
// current (not deleted) documents, inside tx: what a checklist asks of a
// deal's documents. Errors: Forbidden without document.read.
func (s *Service) CategoriesTx(ctx context.Context, tx pgx.Tx, actor realty.Actor, entityType string, entityID realty.ID) ([]string, error) {
	if err := actor.Require("document.read"); err != nil {
		return nil, err
	}
	rows, err := tx.Query(ctx, `SELECT DISTINCT category FROM document.documents
		WHERE organization_id = $1 AND entity_type = $2 AND entity_id = $3 AND deleted_at IS NULL AND current_version_id IS NOT NULL
		ORDER BY category`, actor.OrgID, entityType, entityID)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, pgx.RowTo[string])
}

// Categories is CategoriesTx in its own transaction.
func (s *Service) Categories(ctx context.Context, actor realty.Actor, entityType string, entityID realty.ID) ([]string, error) {
	var out []string
	err := s.tx(ctx, actor, func(tx pgx.Tx) error {
		var err error
		out, err = s.CategoriesTx(ctx, tx, actor, entityType, entityID)
		return err
	})
	return out, err
}

// readAll is postgres.ReadAll over the service's pool.
func readAll[T any](ctx context.Context, s *Service, actor realty.Actor, sql string, args ...any) ([]T, error) {
	return postgres.ReadAll[T](ctx, s.pool, actor, sql, args...)
}
