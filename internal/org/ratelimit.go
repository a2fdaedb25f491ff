package org

import (
	"context"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"

	"realty"
	"realty/internal/postgres"
	"realty/internal/ratelimit"
)

func init() {
	postgres.RegisterConstraints(map[string]postgres.Constraint{
		"org.organizations_rate_limit_check": {Kind: realty.Invalid, Field: "rate_limit", Message: "must be 1 to 1000000 requests a minute"},
	})
}

// RateWindow is the window of every rate limit: limits are requests per
// minute per credential.
const RateWindow = time.Minute

// orgLimitTTL bounds how long an organization's own limit is reused before
// it is read again (a change made by another process shows within it).
const orgLimitTTL = time.Minute

// RateLimits decides whether a request on the API or the RESO Web API may
// go on: a token bucket per credential (an API key, an access token's key,
// a signed-in user) in each organization, of the organization's own limit
// or the server's default. It is in memory, per process.
type RateLimits struct {
	orgs     *Service
	limiter  *ratelimit.Limiter
	fallback int
	now      func() time.Time

	mu     sync.RWMutex
	limits map[realty.ID]orgLimit
}

type orgLimit struct {
	limit int
	read  time.Time
}

// NewRateLimits returns the limits of s's organizations with the default
// limit perMinute (0: no limit unless an organization sets one), on the
// clock now (time.Now when nil).
func (s *Service) NewRateLimits(perMinute int, now func() time.Time) *RateLimits {
	if now == nil {
		now = time.Now
	}
	return &RateLimits{orgs: s, limiter: ratelimit.New(now), fallback: perMinute, now: now, limits: map[realty.ID]orgLimit{}}
}

// Admit spends one request of the principal's bucket and returns the
// decision (Allowed false: answer 429 with its headers). A nil RateLimits
// admits everything. Errors are the database's, reading the organization's
// limit.
func (r *RateLimits) Admit(ctx context.Context, p Principal) (ratelimit.Decision, error) {
	if r == nil {
		return ratelimit.Decision{Allowed: true}, nil
	}
	key := ratelimit.Key{Org: p.Actor.OrgID}
	switch {
	case p.APIKey != nil:
		key.Credential = p.APIKey.ID
	case p.User != nil:
		key.Credential = p.User.ID
	default:
		return ratelimit.Decision{Allowed: true}, nil
	}
	limit, err := r.limitOf(ctx, p.Actor.OrgID)
	if err != nil {
		return ratelimit.Decision{}, err
	}
	return r.limiter.Take(key, limit, RateWindow), nil
}

// limitOf returns the organization's limit, read at most once a minute.
func (r *RateLimits) limitOf(ctx context.Context, orgID realty.ID) (int, error) {
	if orgID.IsZero() {
		return r.fallback, nil
	}
	now := r.now()
	r.mu.RLock()
	l, ok := r.limits[orgID]
	r.mu.RUnlock()
	if ok && now.Sub(l.read) < orgLimitTTL {
		return l.limit, nil
	}
	own, err := r.orgs.RateLimit(ctx, orgID)
	if err != nil {
		return 0, err
	}
	l = orgLimit{limit: r.fallback, read: now}
	if own != nil {
		l.limit = *own
	}
	r.mu.Lock()
	r.limits[orgID] = l
	r.mu.Unlock()
	return l.limit, nil
}

// forget drops a cached organization limit (it was just changed here).
func (r *RateLimits) forget(orgID realty.ID) {
	r.mu.Lock()
	delete(r.limits, orgID)
	r.mu.Unlock()
}

// RateLimit returns the organization's own rate limit (requests a minute
// per credential), nil when it takes the server's default. NotFound for an
// unknown organization.
func (s *Service) RateLimit(ctx context.Context, orgID realty.ID) (*int, error) {
	var limit *int
	err := postgres.Read(ctx, s.pool, realty.System(orgID), func(rows pgx.Rows) error {
		var err error
		limit, err = pgx.CollectExactlyOneRow(rows, pgx.RowTo[*int])
		return err
	}, `SELECT rate_limit FROM org.organizations WHERE id = $1`, orgID)
	if err != nil {
		return nil, err
	}
	return limit, nil
}

// SetRateLimit gives the organization its own rate limit (requests a minute
// per credential), or with nil returns it to the server's default. It is
// an operator's setting (the CLI): the limit protects the server, so the
// organization's own members cannot raise it. This process's limits
// (limits, may be nil) see it at once, other processes within a minute.
// Invalid naming rate_limit out of 1–1,000,000; NotFound for an unknown
// organization.
func (s *Service) SetRateLimit(ctx context.Context, orgID realty.ID, limit *int, limits *RateLimits) error {
	err := postgres.Tx(ctx, s.pool, realty.System(orgID), func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE org.organizations SET rate_limit = $2 WHERE id = $1`, orgID, limit)
		if err == nil && tag.RowsAffected() == 0 {
			err = &realty.Error{Kind: realty.NotFound, Message: "organization not found"}
		}
		return err
	})
	if err == nil && limits != nil {
		limits.forget(orgID)
	}
	return err
}
