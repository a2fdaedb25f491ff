package identity

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"realty"
	"realty/internal/postgres"
)

func init() {
	postgres.RegisterConstraints(map[string]postgres.Constraint{
		"identity.account_tokens_purpose_check": {Kind: realty.Invalid, Field: "purpose", Message: "must be password_reset or verify_email"},
		"identity.account_tokens_email_check":   {Kind: realty.Invalid, Field: "email", Message: "must be at most 254 characters"},
	})
}

// Purposes of an account token, and how long each lasts.
const (
	PurposePasswordReset = "password_reset"
	PurposeVerifyEmail   = "verify_email"
	PasswordResetTTL     = time.Hour
	VerifyEmailTTL       = 48 * time.Hour
)

// errBadAccountToken is every refusal of a token: unknown, used, expired or
// for another purpose look the same.
var errBadAccountToken = realty.FieldError("token", "is invalid, used or expired: ask for a new link")

// IssueAccountTokenTx creates a single-use token for purpose, sent to
// email, in the caller's global transaction, and returns its id and the
// token (only its hash is stored). Tokens the user had for the same purpose
// stop working, so only the newest link does.
func (s *Service) IssueAccountTokenTx(ctx context.Context, tx pgx.Tx, userID realty.ID, email, purpose string) (realty.ID, string, error) {
	ttl := PasswordResetTTL
	if purpose == PurposeVerifyEmail {
		ttl = VerifyEmailTTL
	}
	if _, err := tx.Exec(ctx, `UPDATE identity.account_tokens SET used_at = now()
		WHERE user_id = $1 AND purpose = $2 AND used_at IS NULL`, userID, purpose); err != nil {
		return realty.ID{}, "", err
	}
	id := realty.NewID()
	tok, hash := newToken()
	_, err := tx.Exec(ctx, `INSERT INTO identity.account_tokens (id, user_id, purpose, token_hash, email, expires_at)
		VALUES ($1, $2, $3, $4, $5, $6)`, id, userID, purpose, hash, email, s.cfg.Now().Add(ttl))
	if err != nil {
		return realty.ID{}, "", fmt.Errorf("issue account token: %w", err)
	}
	return id, tok, nil
}

// spendAccountToken marks a live token of purpose used and returns its
// user and address; Invalid naming token for any other.
func (s *Service) spendAccountToken(ctx context.Context, tx pgx.Tx, token, purpose string) (realty.ID, string, error) {
	var userID realty.ID
	var email string
	err := tx.QueryRow(ctx, `UPDATE identity.account_tokens SET used_at = now()
		WHERE token_hash = $1 AND purpose = $2 AND used_at IS NULL AND expires_at > $3
		RETURNING user_id, email::text`, hashToken(token), purpose, s.cfg.Now()).Scan(&userID, &email)
	if errors.Is(err, pgx.ErrNoRows) {
		return realty.ID{}, "", errBadAccountToken
	}
	return userID, email, err
}

// ResetPasswordWithToken sets a new password with a reset link's token,
// once, and signs the user out everywhere. Invalid naming token (unknown,
// used, expired) or password (refused).
func (s *Service) ResetPasswordWithToken(ctx context.Context, token, password string, c Client) error {
	if err := CheckPassword("password", password); err != nil {
		return err
	}
	return postgres.Tx(ctx, s.pool, global, func(tx pgx.Tx) error {
		userID, _, err := s.spendAccountToken(ctx, tx, token, PurposePasswordReset)
		if err != nil {
			return err
		}
		if err := s.setPasswordTx(ctx, tx, userID, password); err != nil {
			return err
		}
		if err := revokeUserSessions(ctx, tx, userID, nil, "password_reset"); err != nil {
			return err
		}
		return recordEvent(ctx, tx, EventPasswordReset, nil, &userID, c, map[string]any{"by": "email_link"})
	})
}

// VerifyEmail confirms the address a verification link was sent to, once.
// Invalid naming token (unknown, used, expired, or the user's address
// changed since it was sent).
func (s *Service) VerifyEmail(ctx context.Context, token string) error {
	return postgres.Tx(ctx, s.pool, global, func(tx pgx.Tx) error {
		userID, email, err := s.spendAccountToken(ctx, tx, token, PurposeVerifyEmail)
		if err != nil {
			return err
		}
		tag, err := tx.Exec(ctx, `UPDATE identity.users SET email_verified_at = now(), updated_at = now()
			WHERE id = $1 AND email = $2`, userID, email)
		if err == nil && tag.RowsAffected() == 0 {
			return errBadAccountToken
		}
		return err
	})
}

// EmailVerified reports whether the user's current address is confirmed.
func (s *Service) EmailVerified(ctx context.Context, userID realty.ID) (bool, error) {
	var ok bool
	err := s.pool.QueryRow(ctx, `SELECT email_verified_at IS NOT NULL FROM identity.users WHERE id = $1`, userID).Scan(&ok)
	return ok, postgres.MapError(err)
}
