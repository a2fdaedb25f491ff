package identity

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"realty"
	"realty/internal/postgres"
)

func init() {
	postgres.RegisterConstraints(map[string]postgres.Constraint{
		"identity.api_keys_name_check": {Kind: realty.Invalid, Field: "name", Message: "must be 1 to 100 characters"},
	})
}

// APIKey is a credential bound to one organization and a list of
// permissions. The secret is shown once, at creation.
type APIKey struct {
	ID          realty.ID  `db:"id" json:"id"`
	Name        string     `db:"name" json:"name"`
	Prefix      string     `db:"prefix" json:"prefix" doc:"identifies the key: rk_<prefix>_…"`
	Permissions []string   `db:"permissions" json:"permissions"`
	CreatedBy   *realty.ID `db:"created_by" json:"created_by,omitempty" doc:"member who made the key"`
	ExpiresAt   *time.Time `db:"expires_at" json:"expires_at,omitempty"`
	LastUsedAt  *time.Time `db:"last_used_at" json:"last_used_at,omitempty"`
	RevokedAt   *time.Time `db:"revoked_at" json:"revoked_at,omitempty"`
	CreatedAt   time.Time  `db:"created_at" json:"created_at"`
}

const apiKeyColumns = `id, name, prefix, permissions, created_by, expires_at, last_used_at, revoked_at, created_at`

// NewAPIKey is what creating a key takes.
type NewAPIKey struct {
	Name        string
	Permissions []string
	ExpiresAt   *time.Time
}

// CreateAPIKey makes a key for the actor's organization and returns it with
// its secret ("rk_<prefix>_<secret>", shown only now). A key may carry only
// permissions the actor holds. Forbidden without apikey.write; Invalid naming
// the field for a bad name, an empty or foreign permission, or a past expiry.
func (s *Service) CreateAPIKey(ctx context.Context, actor realty.Actor, in NewAPIKey, c Client) (APIKey, string, error) {
	if err := actor.Require("apikey.write"); err != nil {
		return APIKey{}, "", err
	}
	if err := s.validateKey(actor, in); err != nil {
		return APIKey{}, "", err
	}
	prefix, secret := keyParts()
	var out APIKey
	err := postgres.Tx(ctx, s.pool, actor, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `INSERT INTO identity.api_key_prefixes (prefix, org_id) VALUES ($1, $2)`, prefix, actor.OrgID); err != nil {
			return err
		}
		rows, err := tx.Query(ctx, `INSERT INTO identity.api_keys (organization_id, name, prefix, key_hash, permissions, created_by, expires_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING `+apiKeyColumns,
			actor.OrgID, strings.TrimSpace(in.Name), prefix, hashToken(secret), in.Permissions, idPtr(actor.MemberID), in.ExpiresAt)
		if err != nil {
			return err
		}
		if out, err = pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[APIKey]); err != nil {
			return err
		}
		return recordEvent(ctx, tx, EventAPIKeyCreated, &actor.OrgID, idPtr(actor.UserID), c, map[string]any{"key_id": out.ID, "prefix": prefix})
	})
	if err != nil {
		return APIKey{}, "", err
	}
	return out, "rk_" + prefix + "_" + secret, nil
}

func (s *Service) validateKey(actor realty.Actor, in NewAPIKey) error {
	if n := len(strings.TrimSpace(in.Name)); n == 0 || n > 100 {
		return realty.FieldError("name", "must be 1 to 100 characters")
	}
	if len(in.Permissions) == 0 {
		return realty.FieldError("permissions", "must name at least one permission")
	}
	for _, p := range in.Permissions {
		if !actor.Can(p) {
			return realty.FieldError("permissions", "may only hold permissions you hold yourself; you lack "+p)
		}
	}
	if in.ExpiresAt != nil && !in.ExpiresAt.After(s.cfg.Now()) {
		return realty.FieldError("expires_at", "must be in the future")
	}
	return nil
}

// keyParts returns a random 12-hex-digit prefix and a 256-bit secret.
func keyParts() (string, string) {
	p := make([]byte, 6)
	_, _ = rand.Read(p)
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return hex.EncodeToString(p), base64.RawURLEncoding.EncodeToString(b)
}

// APIKeys lists the organization's keys, newest first. Forbidden without
// apikey.read.
func (s *Service) APIKeys(ctx context.Context, actor realty.Actor) ([]APIKey, error) {
	if err := actor.Require("apikey.read"); err != nil {
		return nil, err
	}
	return postgres.ReadAll[APIKey](ctx, s.pool, actor, `SELECT `+apiKeyColumns+` FROM identity.api_keys
		WHERE organization_id = $1 ORDER BY created_at DESC, id DESC`, actor.OrgID)
}

// RevokeAPIKey stops a key at once. NotFound for another organization's key
// or an unknown id; Forbidden without apikey.write.
func (s *Service) RevokeAPIKey(ctx context.Context, actor realty.Actor, id realty.ID, c Client) error {
	if err := actor.Require("apikey.write"); err != nil {
		return err
	}
	return postgres.Tx(ctx, s.pool, actor, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE identity.api_keys SET revoked_at = coalesce(revoked_at, $3)
			WHERE organization_id = $1 AND id = $2`, actor.OrgID, id, s.cfg.Now())
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return &realty.Error{Kind: realty.NotFound, Message: "API key not found"}
		}
		if err := AnnounceAuthChange(ctx, tx, ChangedAPIKeys); err != nil {
			return err
		}
		return recordEvent(ctx, tx, EventAPIKeyRevoked, &actor.OrgID, idPtr(actor.UserID), c, map[string]any{"key_id": id})
	})
}

// RevokeMemberKeysTx revokes every key a member of actor's organization
// created (their membership ended).
func (s *Service) RevokeMemberKeysTx(ctx context.Context, tx pgx.Tx, actor realty.Actor, memberID realty.ID) error {
	tag, err := tx.Exec(ctx, `UPDATE identity.api_keys SET revoked_at = now()
		WHERE organization_id = $1 AND created_by = $2 AND revoked_at IS NULL`, actor.OrgID, memberID)
	if err != nil || tag.RowsAffected() == 0 {
		return err
	}
	return AnnounceAuthChange(ctx, tx, ChangedAPIKeys)
}

var errBadKey = &realty.Error{Kind: realty.Unauthenticated, Message: "invalid or revoked API key"}

// keyAuth is one row of the key lookup, with its creator's standing.
type keyAuth struct {
	APIKey
	OrganizationID realty.ID `db:"organization_id"`
	KeyHash        []byte    `db:"key_hash"`
	CreatorActive  bool      `db:"creator_active"`
}

// AuthenticateAPIKey returns the Actor of an API key: its organization and
// permissions, no user. The key must be well-formed, unrevoked, unexpired,
// and its creator (when a member made it rather than an operator) still an
// active member and user; anything else is Unauthenticated. Use is recorded (and logged) at most once a minute.
func (s *Service) AuthenticateAPIKey(ctx context.Context, key string, c Client) (realty.Actor, APIKey, error) {
	prefix, secret, ok := splitKey(key)
	if !ok {
		return realty.Actor{}, APIKey{}, errBadKey
	}
	now := s.cfg.Now()
	k, err := s.cachedKey(ctx, prefix, now)
	if err != nil {
		return realty.Actor{}, APIKey{}, err
	}
	if subtle.ConstantTimeCompare(k.KeyHash, hashToken(secret)) != 1 || k.RevokedAt != nil || !k.CreatorActive ||
		(k.ExpiresAt != nil && !now.Before(*k.ExpiresAt)) {
		return realty.Actor{}, APIKey{}, errBadKey
	}
	actor := realty.Actor{OrgID: k.OrganizationID, Permissions: slices.Clone(k.Permissions)}
	if k.LastUsedAt == nil || now.Sub(*k.LastUsedAt) >= touchEvery {
		err := postgres.Tx(ctx, s.pool, actor, func(tx pgx.Tx) error {
			if _, err := tx.Exec(ctx, `UPDATE identity.api_keys SET last_used_at = $3 WHERE organization_id = $1 AND id = $2`,
				k.OrganizationID, k.ID, now); err != nil {
				return err
			}
			return recordEvent(ctx, tx, EventAPIKeyUsed, &k.OrganizationID, nil, c, map[string]any{"key_id": k.ID, "prefix": prefix})
		})
		if err != nil {
			return realty.Actor{}, APIKey{}, err
		}
		s.keys.touched(prefix, now)
	}
	return actor, k.APIKey, nil
}

// cachedKey is lookupKey through the key cache: a key resolved less than
// keyCacheTTL ago, with no credential change announced since, is not read
// again.
func (s *Service) cachedKey(ctx context.Context, prefix string, now time.Time) (keyAuth, error) {
	k, ok, gen := s.keys.get(prefix, now)
	if ok {
		return k, nil
	}
	k, err := s.lookupKey(ctx, prefix)
	if err == nil {
		s.keys.put(prefix, k, gen, now)
	}
	return k, err
}

func splitKey(key string) (prefix, secret string, ok bool) {
	rest, found := strings.CutPrefix(key, "rk_")
	if !found {
		return "", "", false
	}
	prefix, secret, ok = strings.Cut(rest, "_")
	return prefix, secret, ok && len(prefix) == 12 && len(secret) == 43
}

// lookupKey finds a key by prefix. Its organization comes first, from
// identity.api_key_organization: a definer function over the global prefix
// table that resolves one prefix (it never lists them) and needs no
// organization context. The key row is then read under that organization's
// row-level security, scoped like every other read. Two round trips, on a key
// cache miss only.
func (s *Service) lookupKey(ctx context.Context, prefix string) (keyAuth, error) {
	var orgID *realty.ID
	if err := s.pool.QueryRow(ctx, `SELECT identity.api_key_organization($1)`, prefix).Scan(&orgID); err != nil {
		return keyAuth{}, postgres.MapError(err)
	}
	if orgID == nil {
		return keyAuth{}, errBadKey
	}
	keys, err := postgres.ReadAll[keyAuth](ctx, s.pool, realty.Actor{OrgID: *orgID},
		`SELECT k.organization_id, k.key_hash, `+postgres.Prefix("k", apiKeyColumns)+`,
			coalesce(m.status = 'active' AND u.status = 'active', k.created_by IS NULL) AS creator_active
		FROM identity.api_keys k
		LEFT JOIN org.members m ON m.organization_id = k.organization_id AND m.id = k.created_by
		LEFT JOIN identity.users u ON u.id = m.user_id
		WHERE k.organization_id = $1 AND k.prefix = $2`, *orgID, prefix)
	if err != nil {
		return keyAuth{}, err
	}
	if len(keys) != 1 {
		return keyAuth{}, errBadKey
	}
	return keys[0], nil
}
