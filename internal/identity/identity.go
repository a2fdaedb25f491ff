// Package identity holds users, their passwords and MFA, sessions and
// refresh tokens, API keys, sign-in throttling and the security event log.
// Users and sessions are global (a user may belong to several
// organizations); API keys belong to one organization.
package identity

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"net/netip"
	"time"

	"github.com/jackc/pgx/v5"

	"realty"
	"realty/internal/postgres"
)

// Config tunes the service. The zero value of each field takes the default.
type Config struct {
	// SecretKey encrypts TOTP secrets at rest; SecretKeySize bytes.
	SecretKey []byte
	// IdleTimeout ends a session unused this long (default 30 min);
	// Lifetime ends a session family this long after sign-in (12 h).
	IdleTimeout time.Duration
	Lifetime    time.Duration
	// Argon2 is the cost of new password hashes (default OWASPArgon2).
	Argon2 Argon2Params
	// Now is the clock (default time.Now).
	Now func() time.Time
}

// Service is the identity domain.
type Service struct {
	pool      *postgres.Pool
	cfg       Config
	mfaSeal   sealer
	dummyHash string // verified against for unknown emails, to equalise timing
	keys      keyCache
	tokenKey  []byte // signs access tokens (oauth.go)
}

// New returns the identity service. It fails when the secret key is not
// SecretKeySize bytes.
func New(pool *postgres.Pool, cfg Config) (*Service, error) {
	if cfg.IdleTimeout == 0 {
		cfg.IdleTimeout = 30 * time.Minute
	}
	if cfg.Lifetime == 0 {
		cfg.Lifetime = 12 * time.Hour
	}
	if cfg.Argon2 == (Argon2Params{}) {
		cfg.Argon2 = OWASPArgon2
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	seal, err := newSealer(cfg.SecretKey, "mfa")
	if err != nil {
		return nil, fmt.Errorf("identity: %w", err)
	}
	tokenKey := sha256.Sum256(append([]byte("realty:access-token:"), cfg.SecretKey...))
	return &Service{pool: pool, cfg: cfg, mfaSeal: seal, tokenKey: tokenKey[:],
		dummyHash: hashPassword("not a real password", cfg.Argon2)}, nil
}

// Client describes where a request came from, for throttling and the
// security log.
type Client struct {
	IP        netip.Addr
	UserAgent string
}

func (c Client) ip() *netip.Addr {
	if !c.IP.IsValid() {
		return nil
	}
	return &c.IP
}

// newToken returns a 256-bit random token (base64url) and its SHA-256, which
// is all the database ever stores.
func newToken() (string, []byte) {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	tok := base64.RawURLEncoding.EncodeToString(b)
	return tok, hashToken(tok)
}

func hashToken(tok string) []byte {
	sum := sha256.Sum256([]byte(tok))
	return sum[:]
}

// global is the actor of work on global tables, before any organization is
// known: no organization, so organization-owned rows stay invisible.
var global = realty.Actor{}

// recordEvent writes a security event through the definer function (the
// runtime role cannot write the log directly).
func recordEvent(ctx context.Context, db postgres.DB, kind string, org, user *realty.ID, c Client, details map[string]any) error {
	if details == nil {
		details = map[string]any{}
	}
	_, err := db.Exec(ctx, "SELECT audit.record_security_event($1, $2, $3, $4, $5, $6)",
		kind, org, user, c.ip(), c.UserAgent, details)
	if err != nil {
		return fmt.Errorf("record %s event: %w", kind, err)
	}
	return nil
}

// recordEventIn is recordEvent in a transaction begun without an
// organization (global): it names org as the transaction's organization
// first, since the definer function writes only the transaction's own
// organization's log. A nil org writes the account log as before.
func recordEventIn(ctx context.Context, tx pgx.Tx, kind string, org, user *realty.ID, c Client, details map[string]any) error {
	if org != nil {
		if err := postgres.SetOrg(ctx, tx, *org); err != nil {
			return err
		}
	}
	return recordEvent(ctx, tx, kind, org, user, c, details)
}

// RecordEvent writes a security event of kind for the actor's organization
// and user.
func (s *Service) RecordEvent(ctx context.Context, actor realty.Actor, kind string, c Client, details map[string]any) error {
	return postgres.Tx(ctx, s.pool, actor, func(tx pgx.Tx) error {
		return recordEvent(ctx, tx, kind, idPtr(actor.OrgID), idPtr(actor.UserID), c, details)
	})
}

func idPtr(id realty.ID) *realty.ID {
	if id.IsZero() {
		return nil
	}
	return &id
}

// Security event kinds.
const (
	EventLoginSucceeded   = "login.succeeded"
	EventLoginFailed      = "login.failed"
	EventLockout          = "login.locked_out"
	EventLogout           = "logout"
	EventRefreshReuse     = "session.refresh_reuse"
	EventSessionRevoked   = "session.revoked"
	EventPasswordChanged  = "password.changed"
	EventPasswordReset    = "password.reset"
	EventMFAEnrolled      = "mfa.enrolled"
	EventMFADisabled      = "mfa.disabled"
	EventMFAFailed        = "mfa.failed"
	EventRecoveryCodeUsed = "mfa.recovery_code_used"
	EventRecoveryCodesNew = "mfa.recovery_codes_regenerated"
	EventAPIKeyCreated    = "api_key.created"
	EventAPIKeyUsed       = "api_key.used"
	EventAPIKeyRevoked    = "api_key.revoked"
	EventTokenIssued      = "oauth.token_issued"
	EventTokenFailed      = "oauth.token_failed"
	EventUserDisabled     = "user.disabled"
)

// Permissions are the identity domain's permissions.
var Permissions = []realty.Permission{
	{Name: "apikey.read", Description: "List the organization's API keys"},
	{Name: "apikey.write", Description: "Create and revoke API keys"},
}
