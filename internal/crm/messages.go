package crm

import (
	"context"
	"fmt"
	"realty/internal/postgres"

	"github.com/jackc/pgx/v5"

	"realty"
)

// messageSubjects say in a line what each kind of e-mail to a client is
// about, for their timeline (the e-mail itself is rendered by messaging
// from its template).
var messageSubjects = map[string]func(data map[string]any) string{
	"match.alert": func(d map[string]any) string { return fmt.Sprintf("A listing for you: %v", d["listing"]) },
	"match.digest": func(d map[string]any) string {
		return fmt.Sprintf("%v new listings for %q", d["count"], fmt.Sprint(d["preference"]))
	},
}

// clientMessage is an e-mail queued to a client, to be kept on their
// timeline: its kind, what it said (data), the outbox's id (delivery) and
// its idempotency key.
type clientMessage struct {
	client, delivery realty.ID
	kind, key        string
	data             map[string]any
}

// subject says in a line what the e-mail is about.
func (m clientMessage) subject() string {
	subject := m.kind
	if f, ok := messageSubjects[m.kind]; ok {
		subject = f(m.data)
	}
	if r := []rune(subject); len(r) > 300 {
		subject = string(r[:299]) + "…"
	}
	return subject
}

// recordMessages keeps, in the transaction that queued them, that the
// clients were sent the e-mails, in one statement (an e-mail queued again,
// by its idempotency key, is recorded once).
func recordMessages(ctx context.Context, tx pgx.Tx, org realty.ID, msgs []clientMessage) error {
	if len(msgs) == 0 {
		return nil
	}
	n := len(msgs)
	ids, clients, deliveries := make([]realty.ID, n), make([]realty.ID, n), make([]realty.ID, n)
	kinds, subjects, keys := make([]string, n), make([]string, n), make([]string, n)
	for i, m := range msgs {
		ids[i], clients[i], deliveries[i] = realty.NewID(), m.client, m.delivery
		kinds[i], subjects[i], keys[i] = m.kind, m.subject(), m.key
	}
	_, err := tx.Exec(ctx, `INSERT INTO crm.client_messages (organization_id, id, client_id, channel, kind, subject, delivery_id, delivery_key)
		SELECT $1, u.id, u.client, 'email', u.kind, u.subject, u.delivery, u.key
		FROM unnest($2::uuid[], $3::uuid[], $4::text[], $5::text[], $6::uuid[], $7::text[]) AS u (id, client, kind, subject, delivery, key)
		ON CONFLICT (organization_id, delivery_key) DO NOTHING`, org, ids, clients, kinds, subjects, deliveries, keys)
	return err
}

func init() {
	postgres.RegisterConstraints(map[string]postgres.Constraint{
		"crm.client_messages_channel_check": {Kind: realty.Invalid, Field: "channel", Message: "must be email"},
		"crm.client_messages_kind_check":    {Kind: realty.Invalid, Field: "kind", Message: "must be 1 to 100 characters"},
		"crm.client_messages_subject_check": {Kind: realty.Invalid, Field: "subject", Message: "must be 1 to 300 characters"},
		"crm.client_messages_client_fkey":   {Kind: realty.Invalid, Field: "client_id", Message: "no such client"},
	})
}
