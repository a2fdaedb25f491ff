package messaging

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"realty"
	"realty/internal/postgres"
)

// Received is an announcement as it reached a tenant.
type Received struct {
	ID        realty.ID  `db:"announcement_id" json:"id"`
	Title     string     `db:"title" json:"title"`
	Body      string     `db:"body" json:"body"`
	PublishAt time.Time  `db:"publish_at" json:"publish_at"`
	ReadAt    *time.Time `db:"read_at" json:"read_at,omitempty"`
}

// residentTenant returns the resident's tenant; errors as ResidentOnly.
func residentTenant(actor realty.Actor) (realty.ID, error) {
	if err := ResidentOnly(actor); err != nil {
		return realty.ID{}, err
	}
	return actor.TenantID, nil
}

// MyAnnouncements lists the announcements that reached the resident's
// tenancy, latest first. Errors as ResidentOnly;
// Invalid naming cursor.
func (s *Service) MyAnnouncements(ctx context.Context, actor realty.Actor, cursor string, limit int) (Page[Received], error) {
	tenant, err := residentTenant(actor)
	if err != nil {
		return Page[Received]{}, err
	}
	at, after, err := decodeCursor(cursor)
	if err != nil {
		return Page[Received]{}, err
	}
	limit = min(max(limit, 1), 100)
	items, err := postgres.ReadAll[Received](ctx, s.pool, actor, `SELECT announcement_id, title, body, publish_at, read_at
		FROM messaging.announcement_recipients WHERE organization_id = $1 AND tenant_id = $2
		AND ($3::timestamptz IS NULL OR (publish_at, announcement_id) < ($3, $4))
		ORDER BY publish_at DESC, announcement_id DESC LIMIT $5`, actor.OrgID, tenant, at, after, limit+1)
	if err != nil {
		return Page[Received]{}, err
	}
	return page(items, limit, func(r Received) string { return encodeCursor(r.PublishAt, r.ID) }), nil
}

// MarkAnnouncementRead marks an announcement read for the resident's
// tenancy. NotFound for one that did not reach it; errors as
// ResidentOnly.
func (s *Service) MarkAnnouncementRead(ctx context.Context, actor realty.Actor, id realty.ID) error {
	tenant, err := residentTenant(actor)
	if err != nil {
		return err
	}
	return postgres.Tx(ctx, s.pool, actor, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE messaging.announcement_recipients SET read_at = coalesce(read_at, now()), updated_at = now()
			WHERE organization_id = $1 AND tenant_id = $2 AND announcement_id = $3`, actor.OrgID, tenant, id)
		if err == nil && tag.RowsAffected() == 0 {
			return errAnnouncementNotFound
		}
		return err
	})
}
