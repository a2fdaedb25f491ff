package crm

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"realty"
	"realty/internal/postgres"
)

// InteractionTypes are the kinds of contact with a client.
var InteractionTypes = []string{"email", "call", "meeting", "sms", "note"}

// Interaction is one contact with a client (or a note about them).
type Interaction struct {
	ID         realty.ID  `db:"id" json:"id"`
	ClientID   realty.ID  `db:"client_id" json:"client_id"`
	MemberID   *realty.ID `db:"member_id" json:"member_id,omitempty" doc:"the member who had it"`
	Type       string     `db:"type" json:"type" enum:"email,call,meeting,sms,note"`
	Notes      *string    `db:"notes" json:"notes,omitempty"`
	Outcome    *string    `db:"outcome" json:"outcome,omitempty"`
	OccurredAt time.Time  `db:"occurred_at" json:"occurred_at"`
	CreatedAt  time.Time  `db:"created_at" json:"created_at"`
}

const interactionColumns = `id, client_id, member_id, type, notes, outcome, occurred_at, created_at`

// InteractionInput is what logging an interaction takes; a zero OccurredAt
// is now.
type InteractionInput struct {
	Type       string
	Notes      string
	Outcome    string
	OccurredAt time.Time
}

// LogInteraction records a contact with a client and moves the client's
// last_contacted_at to it when it is later (a note is no contact and moves
// nothing). Forbidden without client.write; NotFound as Get; Invalid naming
// type, notes, outcome or occurred_at (more than a day ahead).
func (s *Service) LogInteraction(ctx context.Context, actor realty.Actor, client realty.ID, in InteractionInput) (Interaction, error) {
	if err := actor.Require("client.write"); err != nil {
		return Interaction{}, err
	}
	now := s.now()
	if in.OccurredAt.IsZero() {
		in.OccurredAt = now
	}
	if in.OccurredAt.After(now.Add(24 * time.Hour)) {
		return Interaction{}, realty.FieldError("occurred_at", "must not be in the future")
	}
	var out Interaction
	err := postgres.Tx(ctx, s.pool, actor, func(tx pgx.Tx) error {
		if _, err := lockClient(ctx, tx, actor, client); err != nil {
			return err
		}
		rows, err := tx.Query(ctx, `INSERT INTO crm.interactions (organization_id, id, client_id, member_id, type, notes, outcome, occurred_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING `+interactionColumns,
			actor.OrgID, realty.NewID(), client, me(actor), in.Type, optional(in.Notes), optional(in.Outcome), in.OccurredAt)
		if err != nil {
			return err
		}
		if out, err = pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Interaction]); err != nil {
			return err
		}
		if err := s.rescoreTx(ctx, tx, actor, client); err != nil {
			return err
		}
		if in.Type == "note" {
			return nil
		}
		_, err = tx.Exec(ctx, `UPDATE crm.clients SET last_contacted_at = $3
			WHERE organization_id = $1 AND id = $2 AND (last_contacted_at IS NULL OR last_contacted_at < $3)`,
			actor.OrgID, client, in.OccurredAt)
		return err
	})
	return out, err
}

// Interactions returns a client's interactions, newest first, a page at a
// time. Forbidden without client.read; NotFound as Get; Invalid naming
// cursor.
func (s *Service) Interactions(ctx context.Context, actor realty.Actor, client realty.ID, cursor string, limit int) (InteractionPage, error) {
	if _, err := s.Get(ctx, actor, client); err != nil {
		return InteractionPage{}, err
	}
	limit = pageSize(limit)
	args := pgx.NamedArgs{"org": actor.OrgID, "client": client, "limit": limit + 1}
	keyset := ""
	if cursor != "" {
		var at time.Time
		var id realty.ID
		if err := postgres.DecodeCursor(cursor, &at, &id); err != nil {
			return InteractionPage{}, err
		}
		keyset, args["c_at"], args["c_id"] = ` AND (occurred_at, id) < (@c_at, @c_id)`, at, id
	}
	items, err := postgres.ReadAll[Interaction](ctx, s.pool, actor, `SELECT `+interactionColumns+` FROM crm.interactions
		WHERE organization_id = @org AND client_id = @client`+keyset+` ORDER BY occurred_at DESC, id DESC LIMIT @limit`, args)
	if err != nil {
		return InteractionPage{}, err
	}
	p := InteractionPage{Items: items}
	if len(items) > limit {
		p.Items = items[:limit]
		last := p.Items[limit-1]
		p.NextCursor = postgres.EncodeCursor(last.OccurredAt, last.ID)
	}
	if p.Items == nil {
		p.Items = []Interaction{}
	}
	return p, nil
}

// InteractionPage is a page of interactions, newest first.
type InteractionPage struct {
	Items      []Interaction `json:"items"`
	NextCursor string        `json:"next_cursor,omitempty"`
}
