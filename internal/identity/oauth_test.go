package identity_test

import (
	"context"
	"io"
	"log/slog"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"realty"
	"realty/internal/fixture/fixturetest"
	"realty/internal/identity"
)

// split returns the client id and secret of an API key.
func split(key string) (string, string) { return key[:15], key[16:] }

// TestIssueToken: a key's id and secret give a token of its organization and
// permissions (or a narrower scope, never a wider one) that ends after an
// hour, or with the key's own expiry; wrong secrets are counted and
// throttled like sign-ins.
func TestIssueToken(t *testing.T) {
	t.Parallel()
	s := setup(t)
	ctx := context.Background()
	owner := s.acme.Personas["owner"].Actor
	_, key, err := s.id.CreateAPIKey(ctx, owner, identity.NewAPIKey{Name: "feed", Permissions: []string{"listing.read", "member.read"}}, s.ip)
	if err != nil {
		t.Fatal(err)
	}
	id, secret := split(key)

	t.Run("OK", func(t *testing.T) {
		tok, err := s.id.IssueToken(ctx, id, secret, nil, s.ip)
		if err != nil || tok.ExpiresIn != identity.TokenLifetime || !slices.Equal(tok.Scope, []string{"listing.read", "member.read"}) {
			t.Fatalf("%+v %v", tok, err)
		}
		a, k, err := s.id.AuthenticateToken(ctx, tok.Token)
		if err != nil || a.OrgID != owner.OrgID || !a.Can("member.read") || k.ID != tok.KeyID || !a.UserID.IsZero() {
			t.Fatalf("actor %+v key %+v: %v", a, k, err)
		}
		s.clock.advance(identity.TokenLifetime - time.Second)
		if _, _, err := s.id.AuthenticateToken(ctx, tok.Token); err != nil {
			t.Fatalf("a second before expiry: %v", err)
		}
		s.clock.advance(time.Second)
		if _, _, err := s.id.AuthenticateToken(ctx, tok.Token); realty.KindOf(err) != realty.Unauthenticated {
			t.Fatalf("expired token: %v", err)
		}
	})
	t.Run("OKWholeKeyAsSecret", func(t *testing.T) {
		if _, err := s.id.IssueToken(ctx, strings.TrimPrefix(id, "rk_"), key, nil, s.ip); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("OKNarrowerScope", func(t *testing.T) {
		tok, err := s.id.IssueToken(ctx, id, secret, []string{"listing.read"}, s.ip)
		if err != nil {
			t.Fatal(err)
		}
		a, _, err := s.id.AuthenticateToken(ctx, tok.Token)
		if err != nil || !slices.Equal(a.Permissions, []string{"listing.read"}) {
			t.Fatalf("%+v %v", a, err)
		}
	})
	t.Run("ErrWiderScope", func(t *testing.T) {
		_, err := s.id.IssueToken(ctx, id, secret, []string{"listing.read", "listing.write"}, s.ip)
		if realty.KindOf(err) != realty.Invalid || realty.FieldsOf(err)["scope"] == "" {
			t.Fatalf("wider scope: %v", err)
		}
	})
	t.Run("ErrOtherServerKey", func(t *testing.T) {
		tok, err := s.id.IssueToken(ctx, id, secret, nil, s.ip)
		if err != nil {
			t.Fatal(err)
		}
		other, err := identity.New(s.env.Pool, identity.Config{SecretKey: []byte(strings.Repeat("k", identity.SecretKeySize))})
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := other.AuthenticateToken(ctx, tok.Token); realty.KindOf(err) != realty.Unauthenticated {
			t.Fatalf("a token signed under another server key was taken: %v", err)
		}
	})
	t.Run("OKCappedByKeyExpiry", func(t *testing.T) {
		at := s.clock.Now().Add(10 * time.Minute)
		_, short, err := s.id.CreateAPIKey(ctx, owner, identity.NewAPIKey{Name: "short", Permissions: []string{"listing.read"}, ExpiresAt: &at}, s.ip)
		if err != nil {
			t.Fatal(err)
		}
		id, secret := split(short)
		tok, err := s.id.IssueToken(ctx, id, secret, nil, s.ip)
		if err != nil || tok.ExpiresIn < 10*time.Minute-time.Second || tok.ExpiresIn > 10*time.Minute { // the database keeps microseconds
			t.Fatalf("%+v %v", tok, err)
		}
		s.clock.advance(10 * time.Minute)
		if _, _, err := s.id.AuthenticateToken(ctx, tok.Token); realty.KindOf(err) != realty.Unauthenticated {
			t.Fatalf("token outlived its key: %v", err)
		}
	})
	t.Run("ErrThrottled", func(t *testing.T) {
		for i := range identity.FreeFailures {
			if _, err := s.id.IssueToken(ctx, id, strings.Repeat("x", 43), nil, s.ip); realty.KindOf(err) != realty.Unauthenticated {
				t.Fatalf("failure %d: %v", i, err)
			}
		}
		if _, err := s.id.IssueToken(ctx, id, secret, nil, s.ip); realty.KindOf(err) != realty.RateLimited {
			t.Fatalf("after %d failures the right secret was not throttled: %v", identity.FreeFailures, err)
		}
		s.clock.advance(2 * time.Second)
		if _, err := s.id.IssueToken(ctx, id, secret, nil, s.ip); err != nil {
			t.Fatalf("after the wait: %v", err)
		}
	})
}

// TestTokenFollowsRevocation: with the change listener on (keys served from
// the cache), a token is honoured from memory, and revoking its key in
// another process ends the token as soon as the notification arrives; so
// does narrowing the key's permissions narrow the token.
func TestTokenFollowsRevocation(t *testing.T) {
	t.Parallel()
	env := fixturetest.New(t)
	o := env.Organization(t, "acme")
	ctx := context.Background()
	owner := o.Personas["owner"].Actor
	key, secret, err := env.Identity.CreateAPIKey(ctx, owner, identity.NewAPIKey{Name: "feed", Permissions: []string{"listing.read"}}, identity.Client{})
	if err != nil {
		t.Fatal(err)
	}
	watch, stop := context.WithCancel(ctx)
	defer stop()
	go env.Identity.WatchAuthChanges(watch, func(ctx context.Context) (*pgx.Conn, error) { return pgx.Connect(ctx, env.DB.AppURL) },
		slog.New(slog.NewTextHandler(io.Discard, nil)))
	waitFor(t, "the listener to connect", env.Identity.KeyCacheOn)
	id, sec := split(secret)
	tok, err := env.Identity.IssueToken(ctx, id, sec, nil, identity.Client{})
	if err != nil {
		t.Fatal(err)
	}
	if a, _, err := env.Identity.AuthenticateToken(ctx, tok.Token); err != nil || !a.Can("listing.read") {
		t.Fatalf("fresh token: %+v %v", a, err)
	}
	unannounced(t, env, `UPDATE identity.api_keys SET permissions = '{}' WHERE id = $1`, key, owner.OrgID)
	if a, _, err := env.Identity.AuthenticateToken(ctx, tok.Token); err != nil || !a.Can("listing.read") {
		t.Fatalf("the token's key was read again, not cached: %+v %v", a, err)
	}
	other, err := identity.New(env.DB.Pool, identity.Config{SecretKey: make([]byte, identity.SecretKeySize)})
	if err != nil {
		t.Fatal(err)
	}
	if err := other.RevokeAPIKey(ctx, owner, key.ID, identity.Client{}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the revocation to end the token", func() bool {
		_, _, err := env.Identity.AuthenticateToken(ctx, tok.Token)
		return realty.KindOf(err) == realty.Unauthenticated
	})
}
