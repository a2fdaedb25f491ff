package messaging

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"

	"realty"
	"realty/internal/postgres"
)

// Announcement is a notice to every tenant of a property, building or unit,
// delivered at its publish time.
type Announcement struct {
	ID          realty.ID  `db:"id" json:"id"`
	Title       string     `db:"title" json:"title"`
	Body        string     `db:"body" json:"body"`
	Scope       string     `db:"scope" json:"scope" enum:"property,building,unit"`
	PropertyID  realty.ID  `db:"property_id" json:"property_id"`
	BuildingID  *realty.ID `db:"building_id" json:"building_id,omitempty"`
	UnitID      *realty.ID `db:"unit_id" json:"unit_id,omitempty"`
	PublishAt   time.Time  `db:"publish_at" json:"publish_at"`
	DeliveredAt *time.Time `db:"delivered_at" json:"delivered_at,omitempty" doc:"when its delivery ran; unset until the publish time"`
	Recipients  int        `db:"recipients" json:"recipients" doc:"tenants it reached"`
	CreatedBy   realty.ID  `db:"created_by" json:"created_by"`
	CreatedAt   time.Time  `db:"created_at" json:"created_at"`
}

const announcementColumns = `id, title, body, scope, property_id, building_id, unit_id, publish_at, delivered_at, recipients, created_by, created_at`

// NewAnnouncement is what publishing an announcement takes; PublishAt nil
// means now.
type NewAnnouncement struct {
	Title     string
	Body      string
	Scope     Scope
	PublishAt *time.Time
}

var errAnnouncementNotFound = &realty.Error{Kind: realty.NotFound, Message: "announcement not found"}

// Announce records an announcement and queues its delivery for its publish
// time (AnnounceArgs). Forbidden without announcement.manage or a member;
// Invalid naming title, body, scope, property_id, building_id or unit_id.
func (s *Service) Announce(ctx context.Context, actor realty.Actor, in NewAnnouncement) (Announcement, error) {
	if err := actor.Require("announcement.manage"); err != nil {
		return Announcement{}, err
	}
	if actor.MemberID.IsZero() {
		return Announcement{}, &realty.Error{Kind: realty.Forbidden, Message: "announcements are published by members; this credential acts for none"}
	}
	var err error
	if in.Title, err = text("title", in.Title, 200); err != nil {
		return Announcement{}, err
	}
	if in.Body, err = text("body", in.Body, 20000); err != nil {
		return Announcement{}, err
	}
	if err := in.Scope.check(); err != nil {
		return Announcement{}, err
	}
	if !actor.InScope(in.Scope.PropertyID) {
		return Announcement{}, realty.FieldError("property_id", "no such property")
	}
	at := s.now()
	if in.PublishAt != nil && in.PublishAt.After(at) {
		at = *in.PublishAt
	}
	var out Announcement
	err = postgres.Tx(ctx, s.pool, actor, func(tx pgx.Tx) error {
		sc := in.Scope
		rows, err := tx.Query(ctx, `INSERT INTO messaging.announcements (organization_id, id, title, body, scope, property_id, building_id, unit_id,
			publish_at, created_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING `+announcementColumns,
			actor.OrgID, realty.NewID(), in.Title, in.Body, sc.Kind, sc.PropertyID, sc.BuildingID, sc.UnitID, at, actor.MemberID)
		if err != nil {
			return err
		}
		if out, err = pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Announcement]); err != nil {
			return err
		}
		if _, err := s.audience().ResidentsTx(ctx, tx, actor, sc); err != nil {
			if realty.KindOf(err) == realty.NotFound {
				return realty.FieldError("property_id", "no such property")
			}
			return err
		}
		_, err = s.jobs.InsertTx(ctx, tx, AnnounceArgs{OrganizationID: actor.OrgID, AnnouncementID: out.ID},
			&river.InsertOpts{ScheduledAt: at})
		return err
	})
	return out, err
}

// AnnouncementFilter selects a page of announcements, latest publish time
// first.
type AnnouncementFilter struct {
	PropertyID *realty.ID
	Cursor     string
	Limit      int
}

// Announcements lists the organization's announcements (of the actor's
// properties when property-scoped). Forbidden without announcement.read;
// Invalid naming cursor.
func (s *Service) Announcements(ctx context.Context, actor realty.Actor, f AnnouncementFilter) (Page[Announcement], error) {
	if err := actor.Require("announcement.read"); err != nil {
		return Page[Announcement]{}, err
	}
	at, after, err := decodeCursor(f.Cursor)
	if err != nil {
		return Page[Announcement]{}, err
	}
	limit := min(max(f.Limit, 1), 100)
	items, err := postgres.ReadAll[Announcement](ctx, s.pool, actor, `SELECT `+announcementColumns+` FROM messaging.announcements
		WHERE organization_id = $1 AND ($2::uuid IS NULL OR property_id = $2) AND ($3::uuid[] IS NULL OR property_id = ANY($3))
		AND ($4::timestamptz IS NULL OR (publish_at, id) < ($4, $5))
		ORDER BY publish_at DESC, id DESC LIMIT $6`, actor.OrgID, f.PropertyID, actor.PropertyScope, at, after, limit+1)
	if err != nil {
		return Page[Announcement]{}, err
	}
	return page(items, limit, func(a Announcement) string { return encodeCursor(a.PublishAt, a.ID) }), nil
}

// Announcement returns one announcement. Forbidden without
// announcement.read; NotFound for one the actor cannot see.
func (s *Service) Announcement(ctx context.Context, actor realty.Actor, id realty.ID) (Announcement, error) {
	if err := actor.Require("announcement.read"); err != nil {
		return Announcement{}, err
	}
	items, err := postgres.ReadAll[Announcement](ctx, s.pool, actor, `SELECT `+announcementColumns+` FROM messaging.announcements
		WHERE organization_id = $1 AND id = $2 AND ($3::uuid[] IS NULL OR property_id = ANY($3))`, actor.OrgID, id, actor.PropertyScope)
	if err != nil {
		return Announcement{}, err
	}
	if len(items) == 0 {
		return Announcement{}, errAnnouncementNotFound
	}
	return items[0], nil
}
