package identity

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"realty"
	"realty/internal/postgres"
)

// Throttling: after FreeFailures consecutive failures an account or client
// address waits 1 s, then 2 s, 4 s … up to MaxDelay before the next try; an
// account with HourlyCap failures within an hour is locked for the rest of
// that hour.
const (
	FreeFailures = 5
	MaxDelay     = 15 * time.Minute
	HourlyCap    = 100
)

// errBadCredentials is the one answer to a wrong email, a wrong password or
// an account that may not sign in, so nobody learns which accounts exist.
var errBadCredentials = &realty.Error{Kind: realty.Unauthenticated, Message: "invalid email or password"}

func errThrottled(until time.Time, now time.Time) error {
	wait := max(until.Sub(now).Round(time.Second), time.Second)
	return &realty.Error{Kind: realty.RateLimited, Message: "too many failed sign-in attempts; try again in " + wait.String()}
}

func accountKey(email string) string { return "account:" + strings.ToLower(strings.TrimSpace(email)) }

func (c Client) throttleKey() string {
	if !c.IP.IsValid() {
		return ""
	}
	return "ip:" + c.IP.String()
}

// VerifyLogin checks an email and password and returns the user. Wrong
// credentials, an unknown email and a disabled account all give the same
// Unauthenticated error in similar time (an unknown email is checked against
// a dummy hash); a throttled account or address gives RateLimited. Every
// outcome is recorded in the security log.
func (s *Service) VerifyLogin(ctx context.Context, email, password string, c Client) (User, error) {
	now := s.cfg.Now()
	keys := []string{accountKey(email)}
	if k := c.throttleKey(); k != "" {
		keys = append(keys, k)
	}
	if until, err := lockedUntil(ctx, s.pool, keys, now); err != nil {
		return User{}, err
	} else if until.After(now) {
		if until, err = countThrottled(ctx, s.pool, keys[0], until, now); err != nil {
			return User{}, err
		}
		return User{}, errThrottled(until, now)
	}
	u, hash, err := s.loginRow(ctx, email)
	if err != nil {
		return User{}, err
	}
	ok := verifyPassword(password, hash) && u.Status == "active"
	if !ok {
		return User{}, s.recordFailure(ctx, keys, u, c, now)
	}
	err = postgres.Tx(ctx, s.pool, global, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `UPDATE identity.login_throttle SET failures = 0 WHERE key = ANY($1)`, keys); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `UPDATE identity.users SET last_login_at = $2, updated_at = now() WHERE id = $1`, u.ID, now)
		return err
	})
	return u, err
}

// loginRow returns the user and password hash for email; for an unknown
// email (or one without a password) it returns the dummy hash, so the
// verification costs the same.
func (s *Service) loginRow(ctx context.Context, email string) (User, string, error) {
	var hash *string
	u, err := userByEmail(ctx, s.pool, email)
	if realty.KindOf(err) == realty.NotFound {
		return User{}, s.dummyHash, nil
	}
	if err != nil {
		return User{}, "", err
	}
	if err := s.pool.QueryRow(ctx, `SELECT password_hash FROM identity.users WHERE id = $1`, u.ID).Scan(&hash); err != nil {
		return User{}, "", postgres.MapError(err)
	}
	if hash == nil {
		return u, s.dummyHash, nil
	}
	return u, *hash, nil
}

// countThrottled counts an attempt refused by the lock towards the account's
// hourly cap (not its consecutive failures), extending the lock to the end of
// the hour once the cap is reached. It returns the lock's end.
func countThrottled(ctx context.Context, db postgres.DB, account string, until, now time.Time) (time.Time, error) {
	err := db.QueryRow(ctx, `
		UPDATE identity.login_throttle SET
			hour_failures = CASE WHEN hour_start > $2::timestamptz - interval '1 hour' THEN hour_failures + 1 ELSE 1 END,
			hour_start = CASE WHEN hour_start > $2::timestamptz - interval '1 hour' THEN hour_start ELSE $2 END,
			updated_at = $2
		WHERE key = $1
		RETURNING CASE WHEN hour_failures >= $3 THEN greatest(locked_until, hour_start + interval '1 hour') ELSE locked_until END`,
		account, now, HourlyCap).Scan(&until)
	if err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return until, postgres.MapError(err)
	}
	if _, err := db.Exec(ctx, `UPDATE identity.login_throttle SET locked_until = $2 WHERE key = $1 AND locked_until < $2`, account, until); err != nil {
		return until, postgres.MapError(err)
	}
	return until, nil
}

func lockedUntil(ctx context.Context, db postgres.DB, keys []string, now time.Time) (time.Time, error) {
	var until *time.Time
	err := db.QueryRow(ctx, `SELECT max(locked_until) FROM identity.login_throttle WHERE key = ANY($1) AND locked_until > $2`, keys, now).Scan(&until)
	if err != nil || until == nil {
		return time.Time{}, postgres.MapError(err)
	}
	return *until, nil
}

// recordFailure counts a failed sign-in against every key, locks keys past
// the free failures, logs it, and returns the error the caller sees.
func (s *Service) recordFailure(ctx context.Context, keys []string, u User, c Client, now time.Time) error {
	var lockedNow bool
	err := postgres.Tx(ctx, s.pool, global, func(tx pgx.Tx) error {
		for i, k := range keys {
			locked, err := countFailure(ctx, tx, k, i == 0, now)
			if err != nil {
				return err
			}
			lockedNow = lockedNow || locked
		}
		user := idPtr(u.ID)
		details := map[string]any{"email": strings.ToLower(strings.TrimSpace(keys[0][len("account:"):]))}
		if err := recordEvent(ctx, tx, EventLoginFailed, nil, user, c, details); err != nil {
			return err
		}
		if lockedNow {
			return recordEvent(ctx, tx, EventLockout, nil, user, c, details)
		}
		return nil
	})
	if err != nil {
		return err
	}
	return errBadCredentials
}

// countFailure bumps one key's counters and sets its lock: exponential after
// FreeFailures consecutive failures, and to the end of the hour at the
// hourly cap (accounts only). It reports whether the key is now locked.
func countFailure(ctx context.Context, tx pgx.Tx, key string, account bool, now time.Time) (bool, error) {
	var failures, hourFailures int
	var hourStart time.Time
	err := tx.QueryRow(ctx, `
		INSERT INTO identity.login_throttle AS t (key, failures, hour_start, hour_failures, updated_at)
		VALUES ($1, 1, $2, 1, $2)
		ON CONFLICT (key) DO UPDATE SET
			failures = t.failures + 1,
			hour_failures = CASE WHEN t.hour_start > $2 - interval '1 hour' THEN t.hour_failures + 1 ELSE 1 END,
			hour_start = CASE WHEN t.hour_start > $2 - interval '1 hour' THEN t.hour_start ELSE $2 END,
			updated_at = $2
		RETURNING failures, hour_failures, hour_start`, key, now).Scan(&failures, &hourFailures, &hourStart)
	if err != nil {
		return false, err
	}
	var until time.Time
	if failures >= FreeFailures {
		delay := time.Second << min(failures-FreeFailures, 20)
		until = now.Add(min(delay, MaxDelay))
	}
	if account && hourFailures >= HourlyCap {
		until = hourStart.Add(time.Hour)
	}
	if until.IsZero() {
		return false, nil
	}
	_, err = tx.Exec(ctx, `UPDATE identity.login_throttle SET locked_until = $2 WHERE key = $1`, key, until)
	return true, err
}
