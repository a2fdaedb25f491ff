package crm

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/shopspring/decimal"

	"realty"
	"realty/internal/postgres"
)

// MatchStatuses a member may set: the client looked at the listing, likes
// it, or does not want it offered again (until its price drops).
var MatchStatuses = []string{"viewed", "interested", "dismissed"}

// Match is a listing matched to a client's preference, with its score and
// the per-criterion breakdown that explains it. An inactive match's
// listing no longer meets the preference (it left Active, or changed).
type Match struct {
	ID              realty.ID        `db:"id" json:"id"`
	PreferenceID    realty.ID        `db:"preference_id" json:"preference_id"`
	ListingID       realty.ID        `db:"listing_id" json:"listing_id"`
	ClientID        realty.ID        `db:"client_id" json:"client_id"`
	Score           int              `db:"score" json:"score" minimum:"0" maximum:"100"`
	Breakdown       []Criterion      `db:"breakdown" json:"breakdown"`
	Status          string           `db:"status" json:"status" enum:"new,notified,viewed,interested,dismissed"`
	Price           decimal.Decimal  `db:"price" json:"price" doc:"the list price when last scored"`
	DismissedPrice  *decimal.Decimal `db:"dismissed_price" json:"dismissed_price,omitempty" doc:"the price it was dismissed at: only a lower one brings it back"`
	ListingTitle    string           `db:"listing_title" json:"listing_title"`
	Active          bool             `db:"active" json:"active"`
	SurfacedAt      time.Time        `db:"surfaced_at" json:"surfaced_at"`
	NotifiedAt      *time.Time       `db:"notified_at" json:"notified_at,omitempty"`
	StatusChangedAt *time.Time       `db:"status_changed_at" json:"status_changed_at,omitempty"`
	CreatedAt       time.Time        `db:"created_at" json:"created_at"`
	UpdatedAt       time.Time        `db:"updated_at" json:"updated_at"`
}

const matchColumns = `m.id, m.preference_id, m.listing_id, m.client_id, m.score, m.breakdown, m.status, m.price, m.dismissed_price,
	m.listing_title, m.active, m.surfaced_at, m.notified_at, m.status_changed_at, m.created_at, m.updated_at`

// matchScope joins a match to its client under clientScope.
const matchScope = `crm.property_matches m JOIN crm.clients c ON c.organization_id = m.organization_id AND c.id = m.client_id
	WHERE m.organization_id = @org AND ` + clientScope

var errMatchNotFound = &realty.Error{Kind: realty.NotFound, Message: "match not found"}

// MatchPage is a page of a client's matches, best first.
type MatchPage struct {
	Items      []Match `json:"items"`
	NextCursor string  `json:"next_cursor,omitempty"`
}

// MatchFilter selects a client's matches: active ones not dismissed by
// default; Status names one status; Inactive adds those whose listing no
// longer fits.
type MatchFilter struct {
	Status   string
	Inactive bool
	Cursor   string
	Limit    int
}

// Matches returns a client's matches, best first (score, then newest).
// Forbidden without client.read; NotFound as Get; Invalid naming status or
// cursor.
func (s *Service) Matches(ctx context.Context, actor realty.Actor, client realty.ID, f MatchFilter) (MatchPage, error) {
	if _, err := s.Get(ctx, actor, client); err != nil {
		return MatchPage{}, err
	}
	if f.Status != "" && f.Status != "new" && f.Status != "notified" && !contains(MatchStatuses, f.Status) {
		return MatchPage{}, realty.FieldError("status", "must be new, notified, viewed, interested or dismissed")
	}
	limit := pageSize(f.Limit)
	args := pgx.NamedArgs{"org": actor.OrgID, "client": client, "limit": limit + 1, "first": f.Cursor == "", "status": f.Status,
		"inactive": f.Inactive, "c_score": 0, "c_id": realty.ID{}}
	if f.Cursor != "" {
		var score int
		var id realty.ID
		if err := postgres.DecodeCursor(f.Cursor, &score, &id); err != nil {
			return MatchPage{}, err
		}
		args["c_score"], args["c_id"] = score, id
	}
	items, err := postgres.ReadAll[Match](ctx, s.pool, actor, `SELECT `+matchColumns+` FROM crm.property_matches m
		WHERE m.organization_id = @org AND m.client_id = @client AND (m.active OR @inactive)
		  AND (CASE WHEN @status = '' THEN m.status <> 'dismissed' ELSE m.status = @status END)
		  AND (@first OR (m.score, m.id) < (@c_score, @c_id))
		ORDER BY m.score DESC, m.id DESC LIMIT @limit`, args)
	if err != nil {
		return MatchPage{}, err
	}
	p := MatchPage{Items: items}
	if len(items) > limit {
		p.Items = items[:limit]
		last := p.Items[limit-1]
		p.NextCursor = postgres.EncodeCursor(last.Score, last.ID)
	}
	if p.Items == nil {
		p.Items = []Match{}
	}
	return p, nil
}

// Match returns one match. Forbidden without client.read; NotFound for one
// whose client the actor does not see.
func (s *Service) Match(ctx context.Context, actor realty.Actor, id realty.ID) (Match, error) {
	if err := actor.Require("client.read"); err != nil {
		return Match{}, err
	}
	args := scopeArgs(actor)
	args["id"] = id
	items, err := postgres.ReadAll[Match](ctx, s.pool, actor, `SELECT `+matchColumns+` FROM `+matchScope+` AND m.id = @id`, pgx.NamedArgs(args))
	if err != nil {
		return Match{}, err
	}
	if len(items) == 0 {
		return Match{}, errMatchNotFound
	}
	return items[0], nil
}

// SetMatchStatus records what the client made of a match: viewed,
// interested or dismissed. A dismissed match keeps the price it was
// dismissed at and comes back (as new) only when the listing's price drops
// below it. Forbidden without client.write; NotFound as Match; Invalid
// naming status.
func (s *Service) SetMatchStatus(ctx context.Context, actor realty.Actor, id realty.ID, status string) (Match, error) {
	if err := actor.Require("client.write"); err != nil {
		return Match{}, err
	}
	if !contains(MatchStatuses, status) {
		return Match{}, realty.FieldError("status", "must be viewed, interested or dismissed")
	}
	var out Match
	err := postgres.Tx(ctx, s.pool, actor, func(tx pgx.Tx) error {
		if err := lockClientOf(ctx, tx, actor.OrgID, id,
			`SELECT client_id FROM crm.property_matches WHERE organization_id = $1 AND id = $2`); err != nil {
			return err
		}
		args := scopeArgs(actor)
		args["id"], args["status"] = id, status
		rows, err := tx.Query(ctx, `UPDATE crm.property_matches m SET status = @status, status_changed_at = now(), updated_at = now(),
				dismissed_price = CASE WHEN @status = 'dismissed' THEN m.price END
			FROM crm.clients c WHERE c.organization_id = m.organization_id AND c.id = m.client_id AND m.organization_id = @org
			AND m.id = @id AND `+clientScope+` RETURNING `+matchColumns, pgx.NamedArgs(args))
		if err != nil {
			return err
		}
		out, err = pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Match])
		if err == pgx.ErrNoRows {
			return errMatchNotFound
		}
		if err != nil {
			return err
		}
		return s.rescoreLockedTx(ctx, tx, actor, &out.ClientID)
	})
	return out, err
}

func contains(l []string, s string) bool {
	for _, x := range l {
		if x == s {
			return true
		}
	}
	return false
}
