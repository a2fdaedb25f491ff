package identity

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/binary"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"realty"
	"realty/internal/postgres"
)

// TokenLifetime is how long an access token issued for an API key lasts
// (never past the key's own expiry).
const TokenLifetime = time.Hour

// TokenPrefix starts every access token, so a credential is told from an
// API key (rk_) and a session token at a glance.
const TokenPrefix = "rat_"

// AccessToken is an OAuth 2.0 bearer token issued for an API key (the
// client credentials grant): the key's organization and a scope no wider
// than the key's permissions.
type AccessToken struct {
	Token     string
	ExpiresAt time.Time
	ExpiresIn time.Duration // from the issue to ExpiresAt
	Scope     []string
	KeyID     realty.ID
}

// Access tokens are stateless: TokenPrefix, then base64url of the claims,
// ".", and base64url of their HMAC-SHA256 under a key derived from the
// server key. The claims, in order: a version byte, the organization id
// (16 bytes), the key id (16), the key prefix (12 hex digits), the expiry
// (Unix seconds, 8 bytes big-endian) and the scope (permission names
// separated by spaces; empty for all of the key's permissions).
const (
	tokenVersion = 1
	claimsFixed  = 1 + 16 + 16 + 12 + 8
)

var (
	errBadClient   = &realty.Error{Kind: realty.Unauthenticated, Message: "invalid client credentials"}
	errBadToken    = &realty.Error{Kind: realty.Unauthenticated, Message: "invalid, expired or revoked access token"}
	errClientLimit = "too many failed token requests; try again in "
)

// IssueToken exchanges an API key's client id (its prefix, with or without
// "rk_") and secret (the part after the prefix, or the whole key) for an
// access token. scope narrows the token to those permissions (nil: all of
// the key's, following the key if they change). Unauthenticated for wrong
// or unusable credentials (counted, like sign-ins, per client id and
// address; RateLimited once throttled); Invalid naming scope for a
// permission the key does not hold. Issuing is a security event.
func (s *Service) IssueToken(ctx context.Context, clientID, secret string, scope []string, c Client) (AccessToken, error) {
	prefix, secret := clientParts(clientID, secret)
	now := s.cfg.Now()
	keys := []string{"oauth:" + prefix}
	if k := c.throttleKey(); k != "" {
		keys = append(keys, k)
	}
	if until, err := lockedUntil(ctx, s.pool, keys, now); err != nil {
		return AccessToken{}, err
	} else if until.After(now) {
		wait := max(until.Sub(now).Round(time.Second), time.Second)
		return AccessToken{}, &realty.Error{Kind: realty.RateLimited, Message: errClientLimit + wait.String()}
	}
	k, err := s.lookupKey(ctx, prefix)
	if err == nil && !keyUsable(k, secret, now) {
		err = errBadKey
	}
	if realty.KindOf(err) == realty.Unauthenticated {
		return AccessToken{}, s.tokenFailure(ctx, keys, prefix, c, now)
	} else if err != nil {
		return AccessToken{}, err
	}
	for _, p := range scope {
		if !slices.Contains(k.Permissions, p) {
			return AccessToken{}, realty.FieldError("scope", "the key does not hold "+p)
		}
	}
	tok := AccessToken{ExpiresIn: TokenLifetime, Scope: scope, KeyID: k.ID}
	if k.ExpiresAt != nil && k.ExpiresAt.Sub(now) < tok.ExpiresIn {
		tok.ExpiresIn = k.ExpiresAt.Sub(now).Truncate(time.Second)
	}
	tok.ExpiresAt = now.Add(tok.ExpiresIn).Truncate(time.Second) // what the token carries: at most a second earlier
	tok.Token = s.signToken(k, tok)
	if len(scope) == 0 {
		tok.Scope = k.Permissions
	}
	return tok, s.recordIssue(ctx, k, tok, keys, c, now)
}

// clientParts accepts the forms a client may send: id "rk_<prefix>" or
// "<prefix>", secret "<secret>" or the whole key.
func clientParts(clientID, secret string) (string, string) {
	prefix := strings.TrimPrefix(strings.TrimSpace(clientID), "rk_")
	prefix = prefix[:min(len(prefix), 64)] // it names a throttle row
	if p, sec, ok := splitKey(secret); ok && p == prefix {
		secret = sec
	}
	if len(prefix) != 12 || len(secret) != 43 {
		return strings.ToLower(prefix), ""
	}
	return strings.ToLower(prefix), secret
}

// keyUsable checks the secret (empty never matches) and the key's standing.
func keyUsable(k keyAuth, secret string, now time.Time) bool {
	return secret != "" && subtle.ConstantTimeCompare(k.KeyHash, hashToken(secret)) == 1 && liveKey(k, now)
}

func liveKey(k keyAuth, now time.Time) bool {
	return k.RevokedAt == nil && k.CreatorActive && (k.ExpiresAt == nil || now.Before(*k.ExpiresAt))
}

// recordIssue logs the issue (a security event of the key's organization),
// records the key's use and clears the client's failure count.
func (s *Service) recordIssue(ctx context.Context, k keyAuth, tok AccessToken, keys []string, c Client, now time.Time) error {
	return postgres.Tx(ctx, s.pool, realty.Actor{OrgID: k.OrganizationID}, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `UPDATE identity.api_keys SET last_used_at = $3 WHERE organization_id = $1 AND id = $2`,
			k.OrganizationID, k.ID, now); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE identity.login_throttle SET failures = 0 WHERE key = ANY($1)`, keys); err != nil {
			return err
		}
		return recordEvent(ctx, tx, EventTokenIssued, &k.OrganizationID, nil, c, map[string]any{
			"key_id": k.ID, "prefix": k.Prefix, "scope": strings.Join(tok.Scope, " "), "expires_at": tok.ExpiresAt})
	})
}

// tokenFailure counts a failed token request against the client id and
// the address, logs it, and returns the one error every failure gets.
func (s *Service) tokenFailure(ctx context.Context, keys []string, prefix string, c Client, now time.Time) error {
	err := postgres.Tx(ctx, s.pool, global, func(tx pgx.Tx) error {
		for i, k := range keys {
			if _, err := countFailure(ctx, tx, k, i == 0, now); err != nil {
				return err
			}
		}
		return recordEvent(ctx, tx, EventTokenFailed, nil, nil, c, map[string]any{"client_id": prefix})
	})
	if err != nil {
		return err
	}
	return errBadClient
}

func (s *Service) signToken(k keyAuth, tok AccessToken) string {
	claims := make([]byte, claimsFixed, claimsFixed+64)
	claims[0] = tokenVersion
	copy(claims[1:17], k.OrganizationID[:])
	copy(claims[17:33], k.ID[:])
	copy(claims[33:45], k.Prefix)
	binary.BigEndian.PutUint64(claims[45:53], uint64(tok.ExpiresAt.Unix()))
	claims = append(claims, strings.Join(tok.Scope, " ")...)
	mac := hmac.New(sha256.New, s.tokenKey)
	mac.Write(claims)
	return TokenPrefix + base64.RawURLEncoding.EncodeToString(claims) + "." + base64.RawURLEncoding.EncodeToString(mac.Sum(nil))
}

// AuthenticateToken returns the Actor of an access token: the key's
// organization and the token's scope, narrowed to what the key holds now.
// The token must be well-formed, signed by this server key and unexpired,
// and its key must still be valid as AuthenticateAPIKey requires — checked
// against the key as it is now (through the key cache, which a revocation
// empties at once), so revoking the key ends its tokens. Unauthenticated
// otherwise. Using a token records nothing.
func (s *Service) AuthenticateToken(ctx context.Context, token string) (realty.Actor, APIKey, error) {
	claims, ok := s.verifyToken(token)
	if !ok {
		return realty.Actor{}, APIKey{}, errBadToken
	}
	now := s.cfg.Now()
	if now.Unix() >= int64(binary.BigEndian.Uint64(claims[45:53])) {
		return realty.Actor{}, APIKey{}, errBadToken
	}
	k, err := s.cachedKey(ctx, string(claims[33:45]), now)
	if realty.KindOf(err) == realty.Unauthenticated {
		return realty.Actor{}, APIKey{}, errBadToken
	} else if err != nil {
		return realty.Actor{}, APIKey{}, err
	}
	if string(k.OrganizationID[:]) != string(claims[1:17]) || string(k.ID[:]) != string(claims[17:33]) || !liveKey(k, now) {
		return realty.Actor{}, APIKey{}, errBadToken
	}
	actor := realty.Actor{OrgID: k.OrganizationID, Permissions: slices.Clone(k.Permissions)}
	if scope := claims[claimsFixed:]; len(scope) > 0 {
		actor.Permissions = narrow(k.Permissions, string(scope))
	}
	return actor, k.APIKey, nil
}

// verifyToken checks the token's form and signature and returns its claims.
func (s *Service) verifyToken(token string) ([]byte, bool) {
	body, ok := strings.CutPrefix(token, TokenPrefix)
	enc, sig, found := strings.Cut(body, ".")
	if !ok || !found || len(enc) > 4096 {
		return nil, false
	}
	claims, err := base64.RawURLEncoding.DecodeString(enc)
	if err != nil || len(claims) < claimsFixed || claims[0] != tokenVersion {
		return nil, false
	}
	got, err := base64.RawURLEncoding.DecodeString(sig)
	if err != nil {
		return nil, false
	}
	mac := hmac.New(sha256.New, s.tokenKey)
	mac.Write(claims)
	return claims, hmac.Equal(got, mac.Sum(nil))
}

// narrow returns the permissions of scope the key still holds.
func narrow(held []string, scope string) []string {
	var out []string
	for p := range strings.SplitSeq(scope, " ") {
		if slices.Contains(held, p) {
			out = append(out, p)
		}
	}
	return out
}
