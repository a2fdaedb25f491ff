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
		m, err := s.org.MemberTx(ctx, tx, realty.System(actor.OrgID), n.Recipient)
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

func encodeCursor(at time.Time, id realty.ID) string {
	return postgres.EncodeCursor(at.UnixMicro(), id)
}

// decodeCursor reads a cursor of encodeCursor: nil, nil for none.
func decodeCursor(cursor string) (*time.Time, *realty.ID, error) {
	if cursor == "" {
		return nil, nil, nil
	}
	var micros int64
	var id realty.ID
	if err := postgres.DecodeCursor(cursor, &micros, &id); err != nil {
		return nil, nil, err
	}
	at := time.UnixMicro(micros)
	return &at, &id, nil
}

func page[T any](items []T, limit int, cursorOf func(T) string) Page[T] {
	p := Page[T]{Items: items}
	if p.Items == nil {
		p.Items = []T{}
	}
	if len(items) > limit {
		p.Items = items[:limit]
		p.NextCursor = cursorOf(items[limit-1])
	}
	return p
}

// Notifications returns the acting member's notifications, newest first.
// Forbidden without notification.read or without a member (an API key);
// Invalid naming cursor for a cursor this list did not make.
func (s *Service) Notifications(ctx context.Context, actor realty.Actor, f Filter) (Page[Notification], error) {
	me, err := member(actor)
	if err != nil {
		return Page[Notification]{}, err
	}
	at, after, err := decodeCursor(f.Cursor)
	if err != nil {
		return Page[Notification]{}, err
	}
	limit := min(max(f.Limit, 1), 100)
	items, err := postgres.ReadAll[Notification](ctx, s.pool, actor, `SELECT `+notificationColumns+`
		FROM messaging.notifications WHERE organization_id = $1 AND recipient_id = $2
		AND ($3::timestamptz IS NULL OR (created_at, id) < ($3, $4)) AND (NOT $5 OR read_at IS NULL)
		ORDER BY created_at DESC, id DESC LIMIT $6`, actor.OrgID, me, at, after, f.Unread, limit+1)
	if err != nil {
		return Page[Notification]{}, err
	}
	return page(items, limit, func(n Notification) string { return encodeCursor(n.CreatedAt, n.ID) }), nil
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
