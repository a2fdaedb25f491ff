package messaging

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"realty"
	"realty/internal/postgres"
)

// NoMailRecheck is how long a job waits before looking again while no
// SMTP server is configured (the delivery stays queued meanwhile).
const NoMailRecheck = 10 * time.Minute

// Attempt is what one Deliver call left: the delivery's status and, when
// it is to be tried again, when.
type Attempt struct {
	Status  string
	RetryAt time.Time
}

// claimed is a delivery taken for one send.
type claimed struct {
	Status        string         `db:"status"`
	Recipient     string         `db:"recipient"`
	Kind          string         `db:"kind"`
	Data          map[string]any `db:"data"`
	Attempts      int            `db:"attempts"`
	MaxAttempts   int            `db:"max_attempts"`
	NextAttemptAt time.Time      `db:"next_attempt_at"`
	Channel       string         `db:"channel"`
	EndpointID    *realty.ID     `db:"endpoint_id"`
}

// Deliver makes one attempt at a delivery, at most once each (see
// docs/messaging.md): it records the delivery as sending in a committed
// transaction of its own, hands the message to the sender, then records
// the outcome. A delivery found sending was interrupted after it may have
// been handed over and is marked dead, never sent again. A failure the
// server certainly did not accept is retried after Options.Backoff until
// Options.MaxAttempts; one it may have accepted is dead at once. An error
// means the database could not be reached (the job is retried as a whole).
func (s *Service) Deliver(ctx context.Context, orgID, id realty.ID) (Attempt, error) {
	b := boxOf(orgID)
	d, a, err := s.claim(ctx, b, id)
	if err != nil || a.Status != StatusSending {
		return a, err
	}
	if d.Channel == "webhook" {
		return s.deliverWebhook(ctx, b, id, d)
	}
	name := "realty"
	if !orgID.IsZero() {
		o, err := s.org.Organization(ctx, b.actor)
		if err != nil {
			return Attempt{}, err
		}
		name = o.Name
	}
	r, err := Render(d.Kind, View{Organization: name, Data: d.Data})
	if err != nil {
		return s.finish(ctx, b, id, d, err, true)
	}
	err = s.opt.Mail.Send(ctx, Mail{From: s.opt.From, To: d.Recipient, Subject: r.Subject, Text: r.Text, HTML: r.HTML,
		MessageID: id.String() + "@realty"})
	if err == nil && s.afterSend != nil {
		if err := s.afterSend(ctx); err != nil {
			return Attempt{}, err
		}
	}
	return s.finish(ctx, b, id, d, err, errors.Is(err, ErrMaybeSent))
}

// box is one outbox: an organization's (messaging.deliveries), or the
// account e-mails' of no organization (messaging.account_deliveries).
type box struct {
	actor    realty.Actor
	table    string
	key      string // the condition naming one delivery by @org and @id
	endpoint string // the endpoint_id column, or NULL where there is none
}

func boxOf(orgID realty.ID) box {
	if orgID.IsZero() {
		return box{table: "messaging.account_deliveries", key: "id = @id", endpoint: "NULL::uuid AS endpoint_id"}
	}
	return box{actor: realty.System(orgID), table: "messaging.deliveries", key: "organization_id = @org AND id = @id", endpoint: "endpoint_id"}
}

func (b box) args(id realty.ID) pgx.NamedArgs {
	return pgx.NamedArgs{"org": b.actor.OrgID, "id": id}
}

// claim locks the delivery and, when an attempt is due, marks it sending
// and commits. The Attempt says sending when the caller is to send.
func (s *Service) claim(ctx context.Context, b box, id realty.ID) (claimed, Attempt, error) {
	var d claimed
	var a Attempt
	err := postgres.Tx(ctx, s.pool, b.actor, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `SELECT status, recipient, kind, data, attempts, max_attempts, next_attempt_at, channel, `+b.endpoint+`
			FROM `+b.table+` WHERE `+b.key+` FOR UPDATE`, b.args(id))
		if err != nil {
			return err
		}
		if d, err = pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[claimed]); err != nil {
			return fmt.Errorf("delivery %s: %w", id, err)
		}
		switch {
		case d.Status == StatusSent || d.Status == StatusDead:
			a.Status = d.Status
			return nil
		case d.Status == StatusSending:
			a.Status = StatusDead
			return setStatus(ctx, tx, b, id, StatusDead, "interrupted after it may have been handed to the SMTP server; not sent again", nil)
		case d.Channel == "email" && s.opt.Mail == nil:
			a = Attempt{Status: d.Status, RetryAt: s.now().Add(NoMailRecheck)}
			return nil
		case d.NextAttemptAt.After(s.now()):
			a = Attempt{Status: d.Status, RetryAt: d.NextAttemptAt}
			return nil
		}
		a.Status = StatusSending
		d.Attempts++
		_, err = tx.Exec(ctx, `UPDATE `+b.table+` SET status = 'sending', attempts = attempts + 1, sending_at = now(), updated_at = now()
			WHERE `+b.key, b.args(id))
		return err
	})
	return d, a, err
}

// finish records a send's outcome: sent, dead (final, or the last attempt
// failed) or failed with its next attempt. The record is written even when
// ctx ends, so a sent message is not taken for an interrupted one.
func (s *Service) finish(ctx context.Context, b box, id realty.ID, d claimed, sendErr error, final bool) (Attempt, error) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	a := Attempt{Status: StatusSent}
	var msg string
	var next *time.Time
	switch {
	case sendErr == nil:
	case final || d.Attempts >= d.MaxAttempts:
		a.Status, msg = StatusDead, sendErr.Error()
	default:
		a = Attempt{Status: StatusFailed, RetryAt: s.now().Add(s.opt.Backoff(d.Attempts))}
		msg, next = sendErr.Error(), &a.RetryAt
	}
	if sendErr != nil {
		s.opt.Log.WarnContext(ctx, "delivery failed", "delivery", id, "attempt", d.Attempts, "status", a.Status, "error", sendErr)
	}
	err := postgres.Tx(ctx, s.pool, b.actor, func(tx pgx.Tx) error {
		return setStatus(ctx, tx, b, id, a.Status, msg, next)
	})
	return a, err
}

// setStatus records a delivery's new status, its error (empty: none) and
// when a failed one is next tried.
func setStatus(ctx context.Context, tx pgx.Tx, b box, id realty.ID, status, msg string, next *time.Time) error {
	var lastErr *string
	if msg != "" {
		msg = truncate(msg, 2000)
		lastErr = &msg
	}
	args := b.args(id)
	args["status"], args["error"], args["next"] = status, lastErr, next
	// A finished delivery's data (which may hold a link with a secret) is
	// not kept.
	_, err := tx.Exec(ctx, `UPDATE `+b.table+` SET status = @status, last_error = @error, updated_at = now(),
		data = CASE WHEN @status IN ('sent', 'dead') AND channel = 'email' THEN '{}' ELSE data END,
		next_attempt_at = coalesce(@next, next_attempt_at), sent_at = CASE WHEN @status = 'sent' THEN now() END
		WHERE `+b.key, args)
	return err
}

func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n])
}
