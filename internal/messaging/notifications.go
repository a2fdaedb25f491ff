package messaging

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"realty"
	"realty/internal/postgres"
)

// Notification is one in-app notice to a member.
type Notification struct {
	ID        realty.ID      `db:"id" json:"id"`
	Kind      string         `db:"kind" json:"kind"`
	Payload   map[string]any `db:"payload" json:"payload" doc:"what the notice is about; its fields depend on kind"`
	ReadAt    *time.Time     `db:"read_at" json:"read_at,omitempty"`
	CreatedAt time.Time      `db:"created_at" json:"created_at"`
}

const notificationColumns = `id, kind, payload, read_at, created_at`

// Notice is something to tell one member: it becomes an in-app
// notification and an e-mail, each as the member's preferences for its kind
// say.
type Notice struct {
	Recipient realty.ID
	Kind      string
	Payload   map[string]any
}

// Notified says what NotifyTx made.
type Notified struct {
	Notification *realty.ID
	Delivery     *realty.ID
}

// NotifyTx tells a member of actor's organization about something, in the
// caller's transaction: an in-app notification and an e-mail delivery (with
// its job) as the member's preferences allow. Invalid naming kind for an
// unknown or account kind, recipient_id for a member of no such id.
func (s *Service) NotifyTx(ctx context.Context, tx pgx.Tx, actor realty.Actor, n Notice) (Notified, error) {
	k, err := kindOf("kind", n.Kind)
	if err != nil {
		return Notified{}, err
	}
	if k.Account {
		return Notified{}, realty.FieldError("kind", "is an account e-mail, not a notification")
	}
	if n.Payload == nil {
		n.Payload = map[string]any{}
	}
	prefs, err := preferencesOf(ctx, tx, actor.OrgID, n.Recipient)
	if err != nil {
		return Notified{}, err
	}
	var out Notified
	id := realty.NewID()
	if prefs.enabled(k, ChannelInApp) {
		if _, err := tx.Exec(ctx, `INSERT INTO messaging.notifications (organization_id, id, recipient_id, kind, payload)
			VALUES ($1, $2, $3, $4, $5)`, actor.OrgID, id, n.Recipient, k.Name, n.Payload); err != nil {
			return Notified{}, fmt.Errorf("notify: %w", err)
		}
		out.Notification = &id
	}
	if prefs.enabled(k, ChannelEmail) {
		m, err := s.org.Member(ctx, realty.System(actor.OrgID), n.Recipient)
		if err != nil {
			return Notified{}, err
		}
		d, err := s.EnqueueTx(ctx, tx, actor, Email{To: m.Email, Kind: k.Name, Data: n.Payload, Key: "notification:" + id.String() + ":email"})
		if err != nil {
			return Notified{}, err
		}
		out.Delivery = &d
	}
	return out, nil
}

// Notify is NotifyTx in a transaction of its own.
func (s *Service) Notify(ctx context.Context, actor realty.Actor, n Notice) (Notified, error) {
	var out Notified
	err := postgres.Tx(ctx, s.pool, actor, func(tx pgx.Tx) error {
		var err error
		out, err = s.NotifyTx(ctx, tx, actor, n)
		return err
	})
	return out, err
}

// Filter selects a page of the member's notifications.
type Filter struct {
	Unread bool
	Cursor string
	Limit  int
}

// Page is one page of a list, with the cursor of the next when there is one.
type Page[T any] struct {
	Items      []T    `json:"items"`
	NextCursor string `json:"next_cursor,omitempty"`
}

// Notifications returns the acting member's notifications, newest first.
// Forbidden without notification.read or without a member (an API key);
// Invalid naming cursor for a cursor this list did not make.
func (s *Service) Notifications(ctx context.Context, actor realty.Actor, f Filter) (Page[Notification], error) {
	me, err := member(actor)
	if err != nil {
		return Page[Notification]{}, err
	}
	var after *realty.ID
	if f.Cursor != "" {
		var id realty.ID
		if err := postgres.DecodeCursor(f.Cursor, &id); err != nil {
			return Page[Notification]{}, err
		}
		after = &id
	}
	limit := min(max(f.Limit, 1), 100)
	items, err := postgres.ReadAll[Notification](ctx, s.pool, actor, `SELECT `+notificationColumns+`
		FROM messaging.notifications WHERE organization_id = $1 AND recipient_id = $2
		AND ($3::uuid IS NULL OR id < $3) AND (NOT $4 OR read_at IS NULL)
		ORDER BY id DESC LIMIT $5`, actor.OrgID, me, after, f.Unread, limit+1)
	if err != nil {
		return Page[Notification]{}, err
	}
	p := Page[Notification]{Items: items}
	if p.Items == nil {
		p.Items = []Notification{}
	}
	if len(items) > limit {
		p.Items = items[:limit]
		p.NextCursor = postgres.EncodeCursor(items[limit-1].ID)
	}
	return p, nil
}

// UnreadCount returns how many of the acting member's notifications are
// unread. Errors as Notifications.
func (s *Service) UnreadCount(ctx context.Context, actor realty.Actor) (int, error) {
	me, err := member(actor)
	if err != nil {
		return 0, err
	}
	var n int
	err = postgres.Read(ctx, s.pool, actor, func(rows pgx.Rows) error {
		n, err = pgx.CollectExactlyOneRow(rows, pgx.RowTo[int])
		return err
	}, `SELECT count(*)::int FROM messaging.notifications WHERE organization_id = $1 AND recipient_id = $2 AND read_at IS NULL`, actor.OrgID, me)
	return n, err
}

// MarkRead marks one of the acting member's notifications read (once: a
// second call keeps the first time). NotFound for another member's or
// organization's notification; errors as Notifications.
func (s *Service) MarkRead(ctx context.Context, actor realty.Actor, id realty.ID) (Notification, error) {
	me, err := member(actor)
	if err != nil {
		return Notification{}, err
	}
	var out Notification
	err = postgres.Tx(ctx, s.pool, actor, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `UPDATE messaging.notifications SET read_at = coalesce(read_at, now())
			WHERE organization_id = $1 AND recipient_id = $2 AND id = $3 RETURNING `+notificationColumns, actor.OrgID, me, id)
		if err != nil {
			return err
		}
		out, err = pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Notification])
		if err == pgx.ErrNoRows {
			return &realty.Error{Kind: realty.NotFound, Message: "notification not found"}
		}
		return err
	})
	return out, err
}

// MarkAllRead marks every unread notification of the acting member read and
// returns how many there were. Errors as Notifications.
func (s *Service) MarkAllRead(ctx context.Context, actor realty.Actor) (int64, error) {
	me, err := member(actor)
	if err != nil {
		return 0, err
	}
	var n int64
	err = postgres.Tx(ctx, s.pool, actor, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE messaging.notifications SET read_at = now()
			WHERE organization_id = $1 AND recipient_id = $2 AND read_at IS NULL`, actor.OrgID, me)
		n = tag.RowsAffected()
		return err
	})
	return n, err
}
