package crm

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"realty"
	"realty/internal/postgres"
)

// A calendar feed token is "cal_<organization id>_<secret>": the
// organization's id lets the feed be found by (organization_id,
// token_hash) without a global lookup; the 256-bit secret is the
// credential, and only its SHA-256 is stored.
const feedTokenPrefix = "cal_"

// FeedWindow is what a calendar feed lists: appointments starting from
// FeedBack before now to FeedAhead after it.
const (
	FeedBack  = 30 * 24 * time.Hour
	FeedAhead = 366 * 24 * time.Hour
	feedLimit = 5000
)

// CalendarFeed says whether the member has a calendar feed and since when.
// The token itself is shown only once, when it is made.
type CalendarFeed struct {
	Active    bool       `json:"active"`
	CreatedAt *time.Time `json:"created_at,omitempty" doc:"when the current token was made"`
	Token     string     `json:"token,omitempty" doc:"the secret, shown only in the answer that makes it"`
}

type feedRow struct {
	MemberID  realty.ID `db:"member_id"`
	UpdatedAt time.Time `db:"updated_at"`
}

var errNoMember = &realty.Error{Kind: realty.Forbidden, Message: "only a member of the organization has a calendar feed"}

// Feed says whether the actor has a calendar feed. Forbidden without
// client.read or for an actor that is no member.
func (s *Service) Feed(ctx context.Context, actor realty.Actor) (CalendarFeed, error) {
	if err := actor.Require("client.read"); err != nil {
		return CalendarFeed{}, err
	}
	if me(actor) == nil {
		return CalendarFeed{}, errNoMember
	}
	feeds, err := postgres.ReadAll[feedRow](ctx, s.pool, actor, `SELECT f.member_id, f.updated_at FROM crm.calendar_feeds f
		WHERE f.organization_id = $1 AND f.member_id = $2`, actor.OrgID, actor.MemberID)
	if err != nil || len(feeds) == 0 {
		return CalendarFeed{}, err
	}
	return CalendarFeed{Active: true, CreatedAt: &feeds[0].UpdatedAt}, nil
}

// RotateFeed makes a new calendar feed token for the actor's own
// appointments and returns it; a previous token stops working at once.
// Forbidden without client.read or for an actor that is no member.
func (s *Service) RotateFeed(ctx context.Context, actor realty.Actor) (CalendarFeed, error) {
	if err := actor.Require("client.read"); err != nil {
		return CalendarFeed{}, err
	}
	if me(actor) == nil {
		return CalendarFeed{}, errNoMember
	}
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	secret := base64.RawURLEncoding.EncodeToString(b)
	hash := sha256.Sum256([]byte(secret))
	var at time.Time
	err := postgres.Tx(ctx, s.pool, actor, func(tx pgx.Tx) error {
		return tx.QueryRow(ctx, `INSERT INTO crm.calendar_feeds AS f (organization_id, id, member_id, token_hash) VALUES ($1, $2, $3, $4)
			ON CONFLICT (organization_id, member_id) DO UPDATE SET token_hash = EXCLUDED.token_hash, updated_at = clock_timestamp()
			RETURNING f.updated_at`, actor.OrgID, realty.NewID(), actor.MemberID, hash[:]).Scan(&at)
	})
	if err != nil {
		return CalendarFeed{}, err
	}
	return CalendarFeed{Active: true, CreatedAt: &at, Token: feedTokenPrefix + actor.OrgID.String() + "_" + secret}, nil
}

// RevokeFeed ends the actor's calendar feed, if any: its token stops
// working. Forbidden without client.read or for an actor that is no member.
func (s *Service) RevokeFeed(ctx context.Context, actor realty.Actor) error {
	if err := actor.Require("client.read"); err != nil {
		return err
	}
	if me(actor) == nil {
		return errNoMember
	}
	return postgres.Tx(ctx, s.pool, actor, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `DELETE FROM crm.calendar_feeds WHERE organization_id = $1 AND member_id = $2`, actor.OrgID, actor.MemberID)
		return err
	})
}

var errFeedNotFound = &realty.Error{Kind: realty.NotFound, Message: "no such calendar"}

// Calendar renders the iCalendar feed a token opens: its member's
// appointments within the feed window, canceled ones marked so, in the
// organization's time zone. No session is needed; the token is the
// credential. NotFound for a malformed, rotated or revoked token, or one of
// a member who has left or may no longer read clients.
func (s *Service) Calendar(ctx context.Context, token string) ([]byte, error) {
	orgID, secret, ok := splitFeedToken(token)
	if !ok {
		return nil, errFeedNotFound
	}
	hash := sha256.Sum256([]byte(secret))
	scope := realty.Actor{OrgID: orgID}
	feeds, err := postgres.ReadAll[feedRow](ctx, s.pool, scope, `SELECT f.member_id, f.updated_at FROM crm.calendar_feeds f
		WHERE f.organization_id = $1 AND f.token_hash = $2`, orgID, hash[:])
	if err != nil {
		return nil, err
	}
	if len(feeds) != 1 {
		return nil, errFeedNotFound
	}
	member := feeds[0].MemberID
	agent, err := s.orgs.MemberActor(ctx, orgID, member)
	if err != nil || agent.OrgID != orgID || !agent.Can("client.read") {
		return nil, errFeedNotFound
	}
	now := s.now()
	items, err := postgres.ReadAll[Appointment](ctx, s.pool, scope, `SELECT `+appointmentColumns+` FROM crm.appointments a
		WHERE a.organization_id = $1 AND a.agent_id = $2 AND a.starts_at >= $3 AND a.starts_at < $4
		ORDER BY a.starts_at, a.id LIMIT $5`, orgID, member, now.Add(-FeedBack), now.Add(FeedAhead), feedLimit)
	if err != nil {
		return nil, err
	}
	loc := s.location(ctx, scope)
	return renderICS(items, loc, now.Add(-FeedBack), now.Add(FeedAhead), now), nil
}

// splitFeedToken parses "cal_<organization id>_<43 characters of secret>".
func splitFeedToken(token string) (realty.ID, string, bool) {
	rest, ok := strings.CutPrefix(token, feedTokenPrefix)
	if !ok || len(rest) != 36+1+43 || rest[36] != '_' {
		return realty.ID{}, "", false
	}
	id, err := realty.ParseID(rest[:36])
	if err != nil {
		return realty.ID{}, "", false
	}
	return id, rest[37:], true
}
