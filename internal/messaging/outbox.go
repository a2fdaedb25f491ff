package messaging

import (
	"context"
	"fmt"
	"net/mail"
	"time"

	"github.com/jackc/pgx/v5"

	"realty"
	"realty/internal/postgres"
)

// Delivery statuses: queued (waiting for its first send), sending (handed
// to the sender, outcome not yet recorded), sent, failed (a retry is due at
// next_attempt_at) and dead (no further attempt: the last one failed, or a
// send was interrupted and is not repeated).
const (
	StatusQueued  = "queued"
	StatusSending = "sending"
	StatusSent    = "sent"
	StatusFailed  = "failed"
	StatusDead    = "dead"
)

// Delivery is one message in the outbox.
type Delivery struct {
	ID             realty.ID  `db:"id" json:"id"`
	Channel        string     `db:"channel" json:"channel" enum:"email,webhook"`
	Recipient      string     `db:"recipient" json:"recipient"`
	Kind           string     `db:"kind" json:"kind"`
	IdempotencyKey string     `db:"idempotency_key" json:"idempotency_key"`
	Status         string     `db:"status" json:"status" enum:"queued,sending,sent,failed,dead"`
	Attempts       int        `db:"attempts" json:"attempts"`
	MaxAttempts    int        `db:"max_attempts" json:"max_attempts"`
	LastError      *string    `db:"last_error" json:"last_error,omitempty"`
	NextAttemptAt  time.Time  `db:"next_attempt_at" json:"next_attempt_at"`
	SentAt         *time.Time `db:"sent_at" json:"sent_at,omitempty"`
	EndpointID     *realty.ID `db:"endpoint_id" json:"endpoint_id,omitempty" doc:"the webhook endpoint of a webhook delivery"`
	ResponseStatus *int       `db:"response_status" json:"response_status,omitempty" doc:"the receiver's last HTTP status (webhooks)"`
	ResponseBody   *string    `db:"response_body" json:"response_body,omitempty" doc:"the start of the receiver's last answer (webhooks)"`
	CreatedAt      time.Time  `db:"created_at" json:"created_at"`
}

const deliveryColumns = `id, channel, recipient, kind, idempotency_key, status, attempts, max_attempts,
	last_error, next_attempt_at, sent_at, created_at, endpoint_id, response_status, response_body`

// Email is an e-mail to queue.
type Email struct {
	To   string
	Kind string
	Data map[string]any
	// Key makes the e-mail idempotent within the organization: enqueueing
	// the same key again queues nothing and returns the first delivery.
	Key string
}

// EnqueueTx queues an e-mail in the caller's transaction, with the job
// that sends it, and returns the delivery's id (the existing one for a key
// queued before). Invalid naming to or kind.
func (s *Service) EnqueueTx(ctx context.Context, tx pgx.Tx, actor realty.Actor, e Email) (realty.ID, error) {
	if err := checkEmail(e); err != nil {
		return realty.ID{}, err
	}
	id := realty.NewID()
	var got realty.ID
	err := tx.QueryRow(ctx, `INSERT INTO messaging.deliveries (organization_id, id, channel, recipient, kind, data, idempotency_key, max_attempts)
		VALUES ($1, $2, 'email', $3, $4, $5, $6, $7)
		ON CONFLICT (organization_id, idempotency_key) DO UPDATE SET idempotency_key = EXCLUDED.idempotency_key
		RETURNING id`, actor.OrgID, id, e.To, e.Kind, orEmpty(e.Data), e.Key, s.opt.MaxAttempts).Scan(&got)
	if err != nil {
		return realty.ID{}, fmt.Errorf("enqueue delivery: %w", err)
	}
	if got != id {
		return got, nil
	}
	if _, err := s.jobs.InsertTx(ctx, tx, DeliverArgs{OrganizationID: actor.OrgID, DeliveryID: id}, nil); err != nil {
		return realty.ID{}, fmt.Errorf("enqueue delivery job: %w", err)
	}
	return id, nil
}

// checkEmail returns Invalid naming to or kind.
func checkEmail(e Email) error {
	if _, err := mail.ParseAddress(e.To); err != nil || len(e.To) > 254 {
		return realty.FieldError("to", "is not an e-mail address")
	}
	_, err := kindOf("kind", e.Kind)
	return err
}

// DeliveryFilter selects a page of the outbox.
type DeliveryFilter struct {
	Status string
	Cursor string
	Limit  int
}

// Deliveries returns the organization's outbox, newest first. Forbidden
// without delivery.read; Invalid naming status or cursor.
func (s *Service) Deliveries(ctx context.Context, actor realty.Actor, f DeliveryFilter) (Page[Delivery], error) {
	if err := actor.Require("delivery.read"); err != nil {
		return Page[Delivery]{}, err
	}
	switch f.Status {
	case "", StatusQueued, StatusSending, StatusSent, StatusFailed, StatusDead:
	default:
		return Page[Delivery]{}, realty.FieldError("status", "must be queued, sending, sent, failed or dead")
	}
	at, after, err := decodeCursor(f.Cursor)
	if err != nil {
		return Page[Delivery]{}, err
	}
	limit := min(max(f.Limit, 1), 100)
	items, err := postgres.ReadAll[Delivery](ctx, s.pool, actor, `SELECT `+deliveryColumns+`
		FROM messaging.deliveries WHERE organization_id = $1 AND ($2 = '' OR status = $2)
		AND ($3::timestamptz IS NULL OR (created_at, id) < ($3, $4))
		ORDER BY created_at DESC, id DESC LIMIT $5`, actor.OrgID, f.Status, at, after, limit+1)
	if err != nil {
		return Page[Delivery]{}, err
	}
	return page(items, limit, func(d Delivery) string { return encodeCursor(d.CreatedAt, d.ID) }), nil
}

func orEmpty(m map[string]any) map[string]any {
	if m == nil {
		return map[string]any{}
	}
	return m
}
