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

// recordMessage keeps, in the transaction that queued it, that the client
// was sent an e-mail of kind (delivery is the outbox's id, key its
// idempotency key: an e-mail queued again is recorded once).
func recordMessage(ctx context.Context, tx pgx.Tx, org, client realty.ID, kind, key string, delivery realty.ID, data map[string]any) error {
	subject := kind
	if f, ok := messageSubjects[kind]; ok {
		subject = f(data)
	}
	if r := []rune(subject); len(r) > 300 {
		subject = string(r[:299]) + "…"
	}
	_, err := tx.Exec(ctx, `INSERT INTO crm.client_messages (organization_id, id, client_id, channel, kind, subject, delivery_id, delivery_key)
		VALUES ($1, $2, $3, 'email', $4, $5, $6, $7) ON CONFLICT (organization_id, delivery_key) DO NOTHING`,
		org, realty.NewID(), client, kind, subject, delivery, key)
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
