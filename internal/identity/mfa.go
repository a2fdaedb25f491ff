package identity

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base32"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"

	"realty"
	"realty/internal/postgres"
)

// RecoveryCodeCount is how many single-use recovery codes a user gets.
const RecoveryCodeCount = 10

const totpPeriod = 30

var totpOpts = totp.ValidateOpts{Period: totpPeriod, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1}

// Enrolment is a TOTP secret waiting for its first code.
type Enrolment struct {
	Secret     string `json:"secret" doc:"base32 secret for authenticator apps"`
	OTPAuthURL string `json:"otpauth_url" doc:"otpauth:// URL, for a QR code"`
}

// BeginMFA creates a new TOTP secret for the user, stored encrypted and not
// active until ConfirmMFA. Conflict when MFA is already on.
func (s *Service) BeginMFA(ctx context.Context, actor realty.Actor) (Enrolment, error) {
	u, err := s.GetUser(ctx, actor.UserID)
	if err != nil {
		return Enrolment{}, err
	}
	if u.MFAEnabled {
		return Enrolment{}, &realty.Error{Kind: realty.Conflict, Message: "two-factor authentication is already on; disable it first"}
	}
	key, err := totp.Generate(totp.GenerateOpts{Issuer: "realty", AccountName: u.Email, Period: totpPeriod})
	if err != nil {
		return Enrolment{}, err
	}
	_, err = s.pool.Exec(ctx, `UPDATE identity.users SET mfa_secret = $2, mfa_last_step = NULL, updated_at = now() WHERE id = $1`,
		u.ID, s.mfaSeal.seal([]byte(key.Secret())))
	if err != nil {
		return Enrolment{}, postgres.MapError(err)
	}
	return Enrolment{Secret: key.Secret(), OTPAuthURL: key.URL()}, nil
}

// ConfirmMFA turns MFA on once the user proves the authenticator works, and
// returns fresh recovery codes (shown once). Invalid naming code when the
// code is wrong; Conflict when nothing is being enrolled.
func (s *Service) ConfirmMFA(ctx context.Context, actor realty.Actor, code string, c Client) ([]string, error) {
	var codes []string
	err := postgres.Tx(ctx, s.pool, actor, func(tx pgx.Tx) error {
		secret, enabled, err := s.mfaSecret(ctx, tx, actor.UserID)
		if err != nil {
			return err
		}
		if secret == "" || enabled {
			return &realty.Error{Kind: realty.Conflict, Message: "no two-factor enrolment in progress"}
		}
		if err := s.checkTOTP(ctx, tx, actor.UserID, secret, code); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE identity.users SET mfa_enabled_at = $2, updated_at = now() WHERE id = $1`, actor.UserID, s.cfg.Now()); err != nil {
			return err
		}
		if codes, err = replaceRecoveryCodes(ctx, tx, actor.UserID); err != nil {
			return err
		}
		return recordEvent(ctx, tx, EventMFAEnrolled, idPtr(actor.OrgID), &actor.UserID, c, nil)
	})
	return codes, err
}

// mfaSecret returns the user's decrypted TOTP secret ("" when none) and
// whether MFA is on. The row is locked so two codes cannot race.
func (s *Service) mfaSecret(ctx context.Context, tx pgx.Tx, userID realty.ID) (string, bool, error) {
	var sealed []byte
	var enabledAt *time.Time
	err := tx.QueryRow(ctx, `SELECT mfa_secret, mfa_enabled_at FROM identity.users WHERE id = $1 FOR UPDATE`, userID).Scan(&sealed, &enabledAt)
	if err != nil || sealed == nil {
		return "", false, err
	}
	plain, err := s.mfaSeal.open(sealed)
	if err != nil {
		return "", false, err
	}
	return string(plain), enabledAt != nil, nil
}

// checkTOTP accepts a code for the current 30-second step or one step either
// side, never the same step twice (a replayed code fails).
func (s *Service) checkTOTP(ctx context.Context, tx pgx.Tx, userID realty.ID, secret, code string) error {
	bad := realty.FieldError("code", "is not the current code from your authenticator")
	code = strings.TrimSpace(code)
	if len(code) != 6 {
		return bad
	}
	var last *int64
	if err := tx.QueryRow(ctx, `SELECT mfa_last_step FROM identity.users WHERE id = $1`, userID).Scan(&last); err != nil {
		return err
	}
	now := s.cfg.Now()
	for skew := int64(-1); skew <= 1; skew++ {
		step := now.Unix()/totpPeriod + skew
		want, err := totp.GenerateCodeCustom(secret, time.Unix(step*totpPeriod, 0), totpOpts)
		if err != nil {
			return err
		}
		if subtle.ConstantTimeCompare([]byte(want), []byte(code)) == 1 && (last == nil || step > *last) {
			_, err := tx.Exec(ctx, `UPDATE identity.users SET mfa_last_step = $2, updated_at = now() WHERE id = $1`, userID, step)
			return err
		}
	}
	return bad
}

// replaceRecoveryCodes drops the user's recovery codes and makes
// RecoveryCodeCount new ones, stored as SHA-256 (they carry 50 random bits,
// which a slow hash would not improve).
func replaceRecoveryCodes(ctx context.Context, tx pgx.Tx, userID realty.ID) ([]string, error) {
	if _, err := tx.Exec(ctx, `DELETE FROM identity.mfa_recovery_codes WHERE user_id = $1`, userID); err != nil {
		return nil, err
	}
	codes := make([]string, RecoveryCodeCount)
	for i := range codes {
		b := make([]byte, 7)
		_, _ = rand.Read(b)
		raw := strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b))[:10]
		codes[i] = raw[:5] + "-" + raw[5:]
		if _, err := tx.Exec(ctx, `INSERT INTO identity.mfa_recovery_codes (user_id, code_hash) VALUES ($1, $2)`,
			userID, hashToken(normalizeRecovery(codes[i]))); err != nil {
			return nil, err
		}
	}
	return codes, nil
}

func normalizeRecovery(code string) string {
	return strings.ReplaceAll(strings.ToLower(strings.TrimSpace(code)), "-", "")
}

// useRecoveryCode spends one unused recovery code, or returns Invalid.
func useRecoveryCode(ctx context.Context, tx pgx.Tx, userID realty.ID, code string) error {
	tag, err := tx.Exec(ctx, `UPDATE identity.mfa_recovery_codes SET used_at = now()
		WHERE user_id = $1 AND code_hash = $2 AND used_at IS NULL`, userID, hashToken(normalizeRecovery(code)))
	if err != nil {
		return err
	}
	if tag.RowsAffected() == 0 {
		return realty.FieldError("recovery_code", "is not an unused recovery code")
	}
	return nil
}

// secondFactor checks a TOTP code or, when code is empty, a recovery code,
// and logs a spent recovery code or a failure.
func (s *Service) secondFactor(ctx context.Context, tx pgx.Tx, userID realty.ID, code, recovery string) (string, error) {
	if recovery != "" {
		if err := useRecoveryCode(ctx, tx, userID, recovery); err != nil {
			return EventMFAFailed, err
		}
		return EventRecoveryCodeUsed, nil
	}
	secret, enabled, err := s.mfaSecret(ctx, tx, userID)
	if err != nil {
		return "", err
	}
	if !enabled {
		return "", &realty.Error{Kind: realty.Conflict, Message: "two-factor authentication is not on"}
	}
	if err := s.checkTOTP(ctx, tx, userID, secret, code); err != nil {
		return EventMFAFailed, err
	}
	return "", nil
}

// VerifyMFA completes a sign-in that waits for its second factor: a TOTP
// code, or a recovery code. The waiting token is spent and a new session
// with a new token replaces it. Unauthenticated when the waiting token is
// unknown or expired; Invalid naming code or recovery_code when the factor is
// wrong (the failure is logged and counts towards the account's lockout).
func (s *Service) VerifyMFA(ctx context.Context, mfaToken, code, recovery string, c Client) (Tokens, error) {
	pending, err := s.sessionBy(ctx, "token_hash", hashToken(mfaToken))
	now := s.cfg.Now()
	if err != nil || pending.State != "mfa_pending" || pending.RevokedAt != nil || !now.Before(pending.ExpiresAt) {
		return Tokens{}, errSessionInvalid
	}
	throttle := "mfa:" + pending.UserID.String()
	if until, err := lockedUntil(ctx, s.pool, []string{throttle}, now); err != nil {
		return Tokens{}, err
	} else if until.After(now) {
		return Tokens{}, errThrottled(until, now)
	}
	var out Tokens
	var factorErr error
	err = postgres.Tx(ctx, s.pool, global, func(tx pgx.Tx) error {
		event, err := s.secondFactor(ctx, tx, pending.UserID, code, recovery)
		if event != "" {
			if rerr := recordEventIn(ctx, tx, event, pending.ActiveOrgID, &pending.UserID, c, nil); rerr != nil {
				return rerr
			}
		}
		if err != nil {
			factorErr = err // commit the log entry and the count, then refuse
			_, cerr := countFailure(ctx, tx, throttle, true, now)
			return cerr
		}
		if _, err := tx.Exec(ctx, `DELETE FROM identity.login_throttle WHERE key = $1`, throttle); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE identity.sessions SET revoked_at = now(), revoke_reason = 'mfa_completed' WHERE id = $1`, pending.ID); err != nil {
			return err
		}
		out, err = s.insertSession(ctx, tx, sessionStart{user: pending.UserID, org: pending.ActiveOrgID, kind: pending.Kind,
			state: "active", startedAt: s.cfg.Now(), client: c})
		if err != nil {
			return err
		}
		return recordEventIn(ctx, tx, EventLoginSucceeded, pending.ActiveOrgID, &pending.UserID, c, map[string]any{"kind": pending.Kind, "mfa": true})
	})
	if err == nil && factorErr != nil {
		return Tokens{}, factorErr
	}
	return out, err
}

// DisableMFA turns MFA off after re-authentication with the password and a
// current code (or a recovery code). Invalid naming the field at fault.
func (s *Service) DisableMFA(ctx context.Context, actor realty.Actor, password, code, recovery string, c Client) error {
	if err := s.checkOwnPassword(ctx, actor.UserID, password); err != nil {
		return err
	}
	return postgres.Tx(ctx, s.pool, actor, func(tx pgx.Tx) error {
		if _, err := s.secondFactor(ctx, tx, actor.UserID, code, recovery); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE identity.users SET mfa_secret = NULL, mfa_enabled_at = NULL, mfa_last_step = NULL, updated_at = now() WHERE id = $1`, actor.UserID); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `DELETE FROM identity.mfa_recovery_codes WHERE user_id = $1`, actor.UserID); err != nil {
			return err
		}
		return recordEvent(ctx, tx, EventMFADisabled, idPtr(actor.OrgID), &actor.UserID, c, nil)
	})
}

// RegenerateRecoveryCodes replaces the recovery codes after
// re-authentication with the password. Conflict when MFA is off.
func (s *Service) RegenerateRecoveryCodes(ctx context.Context, actor realty.Actor, password string, c Client) ([]string, error) {
	if err := s.checkOwnPassword(ctx, actor.UserID, password); err != nil {
		return nil, err
	}
	var codes []string
	err := postgres.Tx(ctx, s.pool, actor, func(tx pgx.Tx) error {
		if _, enabled, err := s.mfaSecret(ctx, tx, actor.UserID); err != nil || !enabled {
			if err != nil {
				return err
			}
			return &realty.Error{Kind: realty.Conflict, Message: "two-factor authentication is not on"}
		}
		var err error
		if codes, err = replaceRecoveryCodes(ctx, tx, actor.UserID); err != nil {
			return err
		}
		return recordEvent(ctx, tx, EventRecoveryCodesNew, idPtr(actor.OrgID), &actor.UserID, c, nil)
	})
	return codes, err
}

// RecoveryCodesLeft counts the user's unused recovery codes.
func (s *Service) RecoveryCodesLeft(ctx context.Context, userID realty.ID) (int, error) {
	var n int
	err := s.pool.QueryRow(ctx, `SELECT count(*) FROM identity.mfa_recovery_codes WHERE user_id = $1 AND used_at IS NULL`, userID).Scan(&n)
	return n, postgres.MapError(err)
}
