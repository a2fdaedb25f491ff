package messaging

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"

	"realty"
	"realty/internal/postgres"
)

// AnnounceArgs is the job that delivers one announcement at its publish
// time.
type AnnounceArgs struct {
	OrganizationID realty.ID `json:"organization_id"`
	AnnouncementID realty.ID `json:"announcement_id"`
}

// Kind names the job in River.
func (AnnounceArgs) Kind() string { return "messaging.announce" }

// InsertOpts keep one job per announcement.
func (AnnounceArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{MaxAttempts: 10, UniqueOpts: river.UniqueOpts{ByArgs: true}}
}

// AnnounceWorker delivers announcements.
type AnnounceWorker struct {
	river.WorkerDefaults[AnnounceArgs]
	Messaging *Service
}

// Work delivers the announcement, or sleeps until its publish time.
func (w *AnnounceWorker) Work(ctx context.Context, job *river.Job[AnnounceArgs]) error {
	d, err := w.Messaging.DeliverAnnouncement(ctx, job.Args.OrganizationID, job.Args.AnnouncementID)
	if err != nil {
		return err
	}
	if !d.DueAt.IsZero() {
		return river.JobSnooze(max(time.Until(d.DueAt), 0))
	}
	return nil
}

// Delivered says what one DeliverAnnouncement call did.
type Delivered struct {
	// Reached is how many tenants this call reached (0 when an earlier
	// call reached them all).
	Reached int
	// DueAt is the publish time when it has not come yet (nothing sent).
	DueAt time.Time
}

// DeliverAnnouncement delivers an announcement to every tenant on an
// active lease in its scope, once each however often it runs: each tenant
// gets a recipient row (unique per announcement and tenant) with an in-app
// notification and an e-mail as the resident's preferences say, all in one
// transaction. NotFound for no such announcement.
func (s *Service) DeliverAnnouncement(ctx context.Context, orgID, id realty.ID) (Delivered, error) {
	actor := realty.System(orgID)
	var out Delivered
	err := postgres.Tx(ctx, s.pool, actor, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `SELECT `+announcementColumns+` FROM messaging.announcements
			WHERE organization_id = $1 AND id = $2 FOR UPDATE`, orgID, id)
		if err != nil {
			return err
		}
		a, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Announcement])
		if err == pgx.ErrNoRows {
			return errAnnouncementNotFound
		} else if err != nil {
			return err
		}
		if a.PublishAt.After(s.now()) {
			out.DueAt = a.PublishAt
			return nil
		}
		residents, err := s.audience().ResidentsTx(ctx, tx, actor, Scope{Kind: a.Scope, PropertyID: a.PropertyID, BuildingID: a.BuildingID, UnitID: a.UnitID})
		if err != nil {
			return err
		}
		for _, r := range residents {
			reached, err := s.reach(ctx, tx, actor, a, r)
			if err != nil {
				return err
			}
			if reached {
				out.Reached++
			}
		}
		_, err = tx.Exec(ctx, `UPDATE messaging.announcements SET delivered_at = coalesce(delivered_at, now()),
			recipients = recipients + $3, updated_at = now() WHERE organization_id = $1 AND id = $2`, orgID, id, out.Reached)
		return err
	})
	return out, err
}

// reach records announcement a for resident r and notifies them, unless a
// reached them before (false).
func (s *Service) reach(ctx context.Context, tx pgx.Tx, actor realty.Actor, a Announcement, r Resident) (bool, error) {
	rid := realty.NewID()
	tag, err := tx.Exec(ctx, `INSERT INTO messaging.announcement_recipients (organization_id, id, announcement_id, tenant_id, member_id,
		title, body, publish_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
		ON CONFLICT (organization_id, announcement_id, tenant_id) DO NOTHING`,
		actor.OrgID, rid, a.ID, r.TenantID, r.MemberID, a.Title, a.Body, a.PublishAt)
	if err != nil || tag.RowsAffected() == 0 {
		return false, err
	}
	data := map[string]any{"title": a.Title, "body": a.Body, "announcement_id": a.ID.String(),
		"link": s.opt.PublicURL + "/resident/announcements"}
	n, err := s.tellResident(ctx, tx, actor, r, "announcement.published", "announcement:"+a.ID.String()+":"+r.TenantID.String(), data)
	if err != nil {
		return false, err
	}
	_, err = tx.Exec(ctx, `UPDATE messaging.announcement_recipients SET notification_id = $3, delivery_id = $4
		WHERE organization_id = $1 AND id = $2`, actor.OrgID, rid, n.Notification, n.Delivery)
	return err == nil, err
}
