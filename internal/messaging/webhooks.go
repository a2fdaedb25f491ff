package messaging

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"net/url"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"

	"realty"
	"realty/internal/postgres"
)

// Events an endpoint may subscribe to. Later domains add theirs.
var Events = []string{
	"lead.created", "lead.assigned", "client.stage_changed", "appointment.booked", "appointment.canceled",
	"match.created", "listing.price_changed", "listing.status_changed",
}

// Endpoint is a URL of the organization's that receives events.
type Endpoint struct {
	ID              realty.ID  `db:"id" json:"id"`
	URL             string     `db:"url" json:"url"`
	Events          []string   `db:"events" json:"events"`
	Active          bool       `db:"active" json:"active"`
	SecretRotatedAt *time.Time `db:"secret_rotated_at" json:"secret_rotated_at,omitempty"`
	CreatedAt       time.Time  `db:"created_at" json:"created_at"`
}

const endpointColumns = `id, url, events, active, secret_rotated_at, created_at`

// NewEndpoint registers a URL for events.
type NewEndpoint struct {
	URL    string
	Events []string
}

func newSecret() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return "whsec_" + base64.RawURLEncoding.EncodeToString(b)
}

// checkURL refuses a URL that is not http(s), and one naming a private,
// loopback or link-local address unless the configuration allows them.
func (s *Service) checkURL(ctx context.Context, raw string) error {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Hostname() == "" || len(raw) > 2048 {
		return realty.FieldError("url", "must be an http:// or https:// URL")
	}
	if s.opt.AllowPrivateWebhooks {
		return nil
	}
	if err := publicHost(ctx, u.Hostname()); err != nil {
		return realty.FieldError("url", err.Error())
	}
	return nil
}

// CreateEndpoint registers a webhook endpoint and returns it with its
// signing secret (shown only now). Forbidden without webhook.manage;
// Invalid naming url or events.
func (s *Service) CreateEndpoint(ctx context.Context, actor realty.Actor, in NewEndpoint) (Endpoint, string, error) {
	if err := actor.Require("webhook.manage"); err != nil {
		return Endpoint{}, "", err
	}
	if err := s.checkURL(ctx, in.URL); err != nil {
		return Endpoint{}, "", err
	}
	if len(in.Events) == 0 || slices.ContainsFunc(in.Events, func(e string) bool { return !slices.Contains(Events, e) }) {
		return Endpoint{}, "", realty.FieldError("events", "must name one or more of the events realty sends")
	}
	secret := newSecret()
	var out Endpoint
	err := postgres.Tx(ctx, s.pool, actor, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `INSERT INTO messaging.webhook_endpoints (organization_id, id, url, events, secret)
			VALUES ($1, $2, $3, $4, $5) RETURNING `+endpointColumns, actor.OrgID, realty.NewID(), in.URL, in.Events, secret)
		if err != nil {
			return err
		}
		out, err = pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Endpoint])
		return err
	})
	return out, secret, err
}

// Endpoints lists the organization's webhook endpoints. Forbidden without
// webhook.manage.
func (s *Service) Endpoints(ctx context.Context, actor realty.Actor) ([]Endpoint, error) {
	if err := actor.Require("webhook.manage"); err != nil {
		return nil, err
	}
	out, err := postgres.ReadAll[Endpoint](ctx, s.pool, actor, `SELECT `+endpointColumns+`
		FROM messaging.webhook_endpoints WHERE organization_id = $1 ORDER BY created_at, id`, actor.OrgID)
	if out == nil {
		out = []Endpoint{}
	}
	return out, err
}

// RotateSecret gives the endpoint a new secret and returns it. Until the
// next rotation, deliveries carry a signature with the previous secret too,
// so a receiver can switch over without losing events. NotFound for
// another organization's endpoint; Forbidden as CreateEndpoint.
func (s *Service) RotateSecret(ctx context.Context, actor realty.Actor, id realty.ID) (Endpoint, string, error) {
	if err := actor.Require("webhook.manage"); err != nil {
		return Endpoint{}, "", err
	}
	secret := newSecret()
	var out Endpoint
	err := postgres.Tx(ctx, s.pool, actor, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `UPDATE messaging.webhook_endpoints SET previous_secret = secret, secret = $3, secret_rotated_at = now()
			WHERE organization_id = $1 AND id = $2 RETURNING `+endpointColumns, actor.OrgID, id, secret)
		if err != nil {
			return err
		}
		out, err = pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Endpoint])
		if err == pgx.ErrNoRows {
			return &realty.Error{Kind: realty.NotFound, Message: "webhook endpoint not found"}
		}
		return err
	})
	return out, secret, err
}

// EmitTx queues event, with data, for every active endpoint of actor's
// organization subscribed to it, in the caller's transaction; key makes it
// idempotent per endpoint. Invalid naming event for an unknown one.
func (s *Service) EmitTx(ctx context.Context, tx pgx.Tx, actor realty.Actor, event, key string, data map[string]any) ([]realty.ID, error) {
	if !slices.Contains(Events, event) {
		return nil, realty.FieldError("event", "is not an event realty sends")
	}
	rows, err := tx.Query(ctx, `SELECT id, url FROM messaging.webhook_endpoints
		WHERE organization_id = $1 AND active AND $2 = ANY (events)`, actor.OrgID, event)
	if err != nil {
		return nil, err
	}
	type target struct {
		ID  realty.ID `db:"id"`
		URL string    `db:"url"`
	}
	targets, err := pgx.CollectRows(rows, pgx.RowToStructByName[target])
	if err != nil {
		return nil, err
	}
	var ids []realty.ID
	for _, t := range targets {
		id := realty.NewID()
		var got realty.ID
		err := tx.QueryRow(ctx, `INSERT INTO messaging.deliveries (organization_id, id, channel, recipient, kind, data, idempotency_key,
			max_attempts, endpoint_id) VALUES ($1, $2, 'webhook', $3, $4, $5, $6, $7, $8)
			ON CONFLICT (organization_id, idempotency_key) DO UPDATE SET idempotency_key = EXCLUDED.idempotency_key RETURNING id`,
			actor.OrgID, id, t.URL, event, orEmpty(data), "webhook:"+t.ID.String()+":"+key, s.opt.MaxAttempts, t.ID).Scan(&got)
		if err != nil {
			return nil, fmt.Errorf("queue webhook: %w", err)
		}
		if got == id {
			if _, err := s.jobs.InsertTx(ctx, tx, DeliverArgs{OrganizationID: actor.OrgID, DeliveryID: id}, nil); err != nil {
				return nil, err
			}
		}
		ids = append(ids, got)
	}
	return ids, nil
}

// Replay queues a finished or failed delivery again from its first attempt
// (an admin's answer to a dead letter). NotFound for another
// organization's delivery; Conflict for one queued or being sent; Forbidden
// without webhook.manage.
func (s *Service) Replay(ctx context.Context, actor realty.Actor, id realty.ID) (Delivery, error) {
	if err := actor.Require("webhook.manage"); err != nil {
		return Delivery{}, err
	}
	var out Delivery
	err := postgres.Tx(ctx, s.pool, actor, func(tx pgx.Tx) error {
		var status, channel string
		err := tx.QueryRow(ctx, `SELECT status, channel FROM messaging.deliveries WHERE organization_id = $1 AND id = $2 FOR UPDATE`,
			actor.OrgID, id).Scan(&status, &channel)
		if err == pgx.ErrNoRows {
			return &realty.Error{Kind: realty.NotFound, Message: "delivery not found"}
		}
		if err != nil {
			return err
		}
		if channel != "webhook" || status == StatusQueued || status == StatusSending {
			return &realty.Error{Kind: realty.Conflict, Message: "only a sent, failed or dead webhook delivery can be replayed"}
		}
		rows, err := tx.Query(ctx, `UPDATE messaging.deliveries SET status = 'queued', attempts = 0, next_attempt_at = now(),
			last_error = NULL WHERE organization_id = $1 AND id = $2 RETURNING `+deliveryColumns, actor.OrgID, id)
		if err != nil {
			return err
		}
		if out, err = pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Delivery]); err != nil {
			return err
		}
		_, err = s.jobs.InsertTx(ctx, tx, DeliverArgs{OrganizationID: actor.OrgID, DeliveryID: id, Replay: s.now().UnixNano()}, nil)
		return err
	})
	return out, err
}
