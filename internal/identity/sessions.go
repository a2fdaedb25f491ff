package identity

import (
	"context"
	"net/netip"
	"time"

	"github.com/jackc/pgx/v5"

	"realty"
	"realty/internal/postgres"
)

// Session kinds: a browser session lives in a cookie and has no refresh
// token; an API session is a bearer token with a refresh token.
const (
	KindBrowser = "browser"
	KindAPI     = "api"
)

// MFATokenLifetime is how long a sign-in waits for its second factor.
const MFATokenLifetime = 5 * time.Minute

// touchEvery limits last_used_at writes to one a minute per session.
const touchEvery = time.Minute

// Session is one signed-in device or client.
type Session struct {
	ID          realty.ID   `db:"id" json:"id"`
	UserID      realty.ID   `db:"user_id" json:"-"`
	FamilyID    realty.ID   `db:"family_id" json:"-"`
	ActiveOrgID *realty.ID  `db:"active_org_id" json:"active_organization_id,omitempty"`
	Kind        string      `db:"kind" json:"kind" enum:"browser,api"`
	State       string      `db:"state" json:"-"`
	IP          *netip.Addr `db:"ip" json:"ip,omitempty"`
	UserAgent   *string     `db:"user_agent" json:"user_agent,omitempty"`
	CreatedAt   time.Time   `db:"created_at" json:"created_at"`
	StartedAt   time.Time   `db:"family_started_at" json:"signed_in_at"`
	ExpiresAt   time.Time   `db:"expires_at" json:"expires_at"`
	LastUsedAt  time.Time   `db:"last_used_at" json:"last_used_at"`
	RevokedAt   *time.Time  `db:"revoked_at" json:"-"`
	RefreshedAt *time.Time  `db:"refreshed_at" json:"-"`
}

const sessionColumns = `id, user_id, family_id, active_org_id, kind, state, ip, user_agent, created_at,
	family_started_at, expires_at, last_used_at, revoked_at, refreshed_at`

// Tokens are what a sign-in or refresh hands out, once: the raw tokens are
// never stored.
type Tokens struct {
	Token        string    `json:"token"`
	RefreshToken string    `json:"refresh_token,omitempty"`
	ExpiresAt    time.Time `json:"expires_at" doc:"the token ends here unless used again within the idle timeout"`
	Session      Session   `json:"-"`
}

// sessionStart describes the session row to create.
type sessionStart struct {
	user      realty.ID
	org       *realty.ID
	kind      string
	state     string
	family    realty.ID // zero: a new family
	startedAt time.Time
	client    Client
}

// StartSession signs a verified user in: a new token (never reused, so a
// session cannot be fixed), with a refresh token for API clients. When mfa
// is true the session waits for the second factor (VerifyMFA).
func (s *Service) StartSession(ctx context.Context, user realty.ID, org *realty.ID, kind string, mfa bool, c Client) (Tokens, error) {
	st := sessionStart{user: user, org: org, kind: kind, state: "active", client: c, startedAt: s.cfg.Now()}
	if mfa {
		st.state = "mfa_pending"
	}
	var out Tokens
	err := postgres.Tx(ctx, s.pool, global, func(tx pgx.Tx) error {
		var err error
		if out, err = s.insertSession(ctx, tx, st); err != nil {
			return err
		}
		if mfa {
			return nil
		}
		return recordEventIn(ctx, tx, EventLoginSucceeded, org, &user, c, map[string]any{"kind": kind})
	})
	return out, err
}

func (s *Service) insertSession(ctx context.Context, tx pgx.Tx, st sessionStart) (Tokens, error) {
	now := s.cfg.Now()
	token, tokenHash := newToken()
	var refresh string
	var refreshHash []byte
	if st.kind == KindAPI && st.state == "active" {
		refresh, refreshHash = newToken()
	}
	expires := st.startedAt.Add(s.cfg.Lifetime)
	if st.state == "mfa_pending" {
		expires = now.Add(MFATokenLifetime)
	}
	family := st.family
	if family.IsZero() {
		family = realty.NewID()
	}
	rows, err := tx.Query(ctx, `INSERT INTO identity.sessions
		(user_id, family_id, active_org_id, kind, state, token_hash, refresh_hash, ip, user_agent, created_at, family_started_at, expires_at, last_used_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $10) RETURNING `+sessionColumns,
		st.user, family, st.org, st.kind, st.state, tokenHash, refreshHash, st.client.ip(), nilIfEmpty(st.client.UserAgent), now, st.startedAt, expires)
	if err != nil {
		return Tokens{}, err
	}
	sess, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Session])
	if err != nil {
		return Tokens{}, err
	}
	return Tokens{Token: token, RefreshToken: refresh, ExpiresAt: s.tokenExpiry(sess), Session: sess}, nil
}

func nilIfEmpty(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// tokenExpiry is when the session ends if not used again: the idle timeout
// from its last use, or its absolute end, whichever is first.
func (s *Service) tokenExpiry(sess Session) time.Time {
	idle := sess.LastUsedAt.Add(s.cfg.IdleTimeout)
	if sess.ExpiresAt.Before(idle) {
		return sess.ExpiresAt
	}
	return idle
}

var errSessionInvalid = &realty.Error{Kind: realty.Unauthenticated, Message: "session expired or signed out; sign in again"}

// Authenticate returns the live session and its user for a token: not
// revoked, not spent by a refresh, past any MFA step, within both the idle
// timeout and the absolute lifetime, and of an active user. Anything else is
// Unauthenticated. It records use at most once a minute.
func (s *Service) Authenticate(ctx context.Context, token string) (Session, User, error) {
	sess, err := s.sessionBy(ctx, "token_hash", hashToken(token))
	if err != nil {
		return Session{}, User{}, err
	}
	now := s.cfg.Now()
	if sess.RevokedAt != nil || sess.State != "active" || !now.Before(s.tokenExpiry(sess)) {
		return Session{}, User{}, errSessionInvalid
	}
	u, err := s.GetUser(ctx, sess.UserID)
	if err != nil || u.Status != "active" {
		return Session{}, User{}, errSessionInvalid
	}
	if now.Sub(sess.LastUsedAt) >= touchEvery {
		if _, err := s.pool.Exec(ctx, `UPDATE identity.sessions SET last_used_at = $2 WHERE id = $1`, sess.ID, now); err != nil {
			return Session{}, User{}, postgres.MapError(err)
		}
		sess.LastUsedAt = now
	}
	return sess, u, nil
}

func (s *Service) sessionBy(ctx context.Context, column string, hash []byte) (Session, error) {
	rows, err := postgres.ReadAll[Session](ctx, s.pool, global,
		`SELECT `+sessionColumns+` FROM identity.sessions WHERE `+column+` = $1`, hash)
	if err != nil {
		return Session{}, err
	}
	if len(rows) == 0 {
		return Session{}, errSessionInvalid
	}
	return rows[0], nil
}

// Refresh spends an API refresh token for a new token pair in the same
// session family. Presenting a refresh token that was already spent revokes
// the whole family (the token was stolen or replayed) and fails; so does a
// family past its absolute lifetime. Errors are Unauthenticated.
func (s *Service) Refresh(ctx context.Context, refreshToken string, c Client) (Tokens, error) {
	old, err := s.sessionBy(ctx, "refresh_hash", hashToken(refreshToken))
	if err != nil {
		return Tokens{}, err
	}
	now := s.cfg.Now()
	if old.RefreshedAt != nil {
		return Tokens{}, s.revokeFamily(ctx, old, c)
	}
	if old.RevokedAt != nil || !now.Before(old.ExpiresAt) {
		return Tokens{}, errSessionInvalid
	}
	var out Tokens
	err = postgres.Tx(ctx, s.pool, global, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE identity.sessions SET refreshed_at = $2, revoked_at = $2, revoke_reason = 'refreshed'
			WHERE id = $1 AND refreshed_at IS NULL AND revoked_at IS NULL`, old.ID, now)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 { // a concurrent refresh spent it first
			return errSessionInvalid
		}
		out, err = s.insertSession(ctx, tx, sessionStart{user: old.UserID, org: old.ActiveOrgID, kind: KindAPI,
			state: "active", family: old.FamilyID, startedAt: old.StartedAt, client: c})
		return err
	})
	return out, err
}

// revokeFamily ends every session descended from one sign-in and logs the
// replayed refresh token; it returns the error the caller sees.
func (s *Service) revokeFamily(ctx context.Context, sess Session, c Client) error {
	err := postgres.Tx(ctx, s.pool, global, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `UPDATE identity.sessions SET revoked_at = coalesce(revoked_at, $2),
			revoke_reason = coalesce(revoke_reason, 'refresh_reuse') WHERE family_id = $1`, sess.FamilyID, s.cfg.Now()); err != nil {
			return err
		}
		return recordEventIn(ctx, tx, EventRefreshReuse, sess.ActiveOrgID, &sess.UserID, c, map[string]any{"family_id": sess.FamilyID})
	})
	if err != nil {
		return err
	}
	return errSessionInvalid
}

// Logout revokes the session.
func (s *Service) Logout(ctx context.Context, sess Session, c Client) error {
	return postgres.Tx(ctx, s.pool, global, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `UPDATE identity.sessions SET revoked_at = $2, revoke_reason = 'logout'
			WHERE id = $1 AND revoked_at IS NULL`, sess.ID, s.cfg.Now()); err != nil {
			return err
		}
		return recordEventIn(ctx, tx, EventLogout, sess.ActiveOrgID, &sess.UserID, c, nil)
	})
}

// Sessions lists the user's live sessions, newest first.
func (s *Service) Sessions(ctx context.Context, userID realty.ID) ([]Session, error) {
	return postgres.ReadAll[Session](ctx, s.pool, global, `SELECT `+sessionColumns+` FROM identity.sessions
		WHERE user_id = $1 AND revoked_at IS NULL AND state = 'active' AND expires_at > $2 AND last_used_at > $3
		ORDER BY last_used_at DESC`, userID, s.cfg.Now(), s.cfg.Now().Add(-s.cfg.IdleTimeout))
}

// RevokeSession signs out one of the user's own sessions; another user's
// session id is NotFound.
func (s *Service) RevokeSession(ctx context.Context, userID, sessionID realty.ID, c Client) error {
	return postgres.Tx(ctx, s.pool, global, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE identity.sessions SET revoked_at = $3, revoke_reason = 'revoked'
			WHERE id = $1 AND user_id = $2 AND revoked_at IS NULL`, sessionID, userID, s.cfg.Now())
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return &realty.Error{Kind: realty.NotFound, Message: "session not found"}
		}
		return recordEvent(ctx, tx, EventSessionRevoked, nil, &userID, c, map[string]any{"session_id": sessionID})
	})
}

// SwitchOrganization points the session at another organization; the
// caller has checked the membership.
func (s *Service) SwitchOrganization(ctx context.Context, sessionID, orgID realty.ID) error {
	_, err := s.pool.Exec(ctx, `UPDATE identity.sessions SET active_org_id = $2 WHERE id = $1`, sessionID, orgID)
	return postgres.MapError(err)
}

// revokeUserSessions revokes every live session of a user, except keep.
func revokeUserSessions(ctx context.Context, tx pgx.Tx, userID realty.ID, keep *realty.ID, reason string) error {
	_, err := tx.Exec(ctx, `UPDATE identity.sessions SET revoked_at = now(), revoke_reason = $3
		WHERE user_id = $1 AND revoked_at IS NULL AND ($2::uuid IS NULL OR id <> $2)`, userID, keep, reason)
	return err
}

// RevokeOrgSessionsTx revokes a user's sessions acting in actor's
// organization (their membership there ended).
func (s *Service) RevokeOrgSessionsTx(ctx context.Context, tx pgx.Tx, actor realty.Actor, userID realty.ID) error {
	_, err := tx.Exec(ctx, `UPDATE identity.sessions SET revoked_at = now(), revoke_reason = 'membership_ended'
		WHERE user_id = $1 AND active_org_id = $2 AND revoked_at IS NULL`, userID, actor.OrgID)
	return err
}
