package document

import (
	"context"
	"slices"
	"strings"

	"github.com/jackc/pgx/v5"

	"realty"
)

// FileTx files a new document with its first version from f inside the
// caller's transaction tx, for a domain that generates a document as part
// of its own change (a deal's closing files its commission disbursement
// authorisation). The caller has checked its own permission and vouches
// for the entity and its property propertyID; FileTx checks no document
// permission. The bytes are stored (content-addressed) before the rows are
// written, so a rolled-back caller leaves at most an unreferenced blob. It
// returns the document's id. Errors: Invalid naming the field (entity_type,
// title, category, visibility, file) as Create.
func (s *Service) FileTx(ctx context.Context, tx pgx.Tx, actor realty.Actor, in Input, propertyID *realty.ID, f File) (realty.ID, error) {
	in.Title, in.Category = strings.TrimSpace(in.Title), strings.TrimSpace(in.Category)
	if in.Visibility == "" {
		in.Visibility = "staff"
	}
	if !slices.Contains(EntityTypes, in.EntityType) {
		return realty.ID{}, realty.FieldError("entity_type", "must be one of "+entityList)
	}
	up, err := s.store(ctx, f)
	if err != nil {
		return realty.ID{}, err
	}
	id := realty.NewID()
	_, err = tx.Exec(ctx, `INSERT INTO document.documents (organization_id, id, title, category, entity_type, entity_id,
		property_id, visibility, retain_until, created_by)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`, actor.OrgID, id, in.Title, in.Category, in.EntityType,
		in.EntityID, propertyID, in.Visibility, in.RetainUntil, memberOrNil(actor))
	if err != nil {
		return realty.ID{}, err
	}
	if _, err := insertVersionTx(ctx, tx, actor, id, in.Title, 1, up); err != nil {
		return realty.ID{}, err
	}
	return id, nil
}
