package identity_test

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"realty"
	"realty/internal/fixture/fixturetest"
	"realty/internal/identity"
)

// TestKeyCacheFollowsChanges: with a change listener, a resolved key is
// served from memory (a change made without announcing it goes unseen), and a revocation made by another process ends the key at
// once. Without the listener every request reads the key again.
func TestKeyCacheFollowsChanges(t *testing.T) {
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
	done := make(chan struct{})
	go func() {
		defer close(done)
		env.Identity.WatchAuthChanges(watch, func(ctx context.Context) (*pgx.Conn, error) { return pgx.Connect(ctx, env.DB.AppURL) },
			slog.New(slog.NewTextHandler(io.Discard, nil)))
	}()
	waitFor(t, "the listener to connect", env.Identity.KeyCacheOn)
	if a, _, err := env.Identity.AuthenticateAPIKey(ctx, secret, identity.Client{}); err != nil || !a.Can("listing.read") {
		t.Fatalf("fresh key: %+v %v", a, err)
	}
	unannounced(t, env, `UPDATE identity.api_keys SET permissions = '{}' WHERE id = $1`, key, owner.OrgID)
	if a, _, err := env.Identity.AuthenticateAPIKey(ctx, secret, identity.Client{}); err != nil || !a.Can("listing.read") {
		t.Fatalf("the cached key was read again: %+v %v", a, err)
	}

	// Another process (another service over the same database) revokes it.
	other, err := identity.New(env.DB.Pool, identity.Config{SecretKey: make([]byte, identity.SecretKeySize)})
	if err != nil {
		t.Fatal(err)
	}
	if err := other.RevokeAPIKey(ctx, owner, key.ID, identity.Client{}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the revocation to end the key", func() bool {
		_, _, err := env.Identity.AuthenticateAPIKey(ctx, secret, identity.Client{})
		return realty.KindOf(err) == realty.Unauthenticated
	})

	stop()
	<-done
	if env.Identity.KeyCacheOn() {
		t.Fatal("the cache stayed on without a listener")
	}
	key2, secret2, err := env.Identity.CreateAPIKey(ctx, owner, identity.NewAPIKey{Name: "feed 2", Permissions: []string{"listing.read"}}, identity.Client{})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := env.Identity.AuthenticateAPIKey(ctx, secret2, identity.Client{}); err != nil {
		t.Fatal(err)
	}
	unannounced(t, env, `UPDATE identity.api_keys SET revoked_at = now() WHERE id = $1`, key2, owner.OrgID)
	if _, _, err := env.Identity.AuthenticateAPIKey(ctx, secret2, identity.Client{}); realty.KindOf(err) != realty.Unauthenticated {
		t.Fatalf("without a listener a revoked key still worked: %v", err)
	}
}

// unannounced runs an update as the superuser without announcing it (only
// the application announces credential changes), so no listener hears of it.
func unannounced(t *testing.T, env fixturetest.Env, sql string, key identity.APIKey, orgID realty.ID) {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, env.DB.AdminURL)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	tx, err := conn.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec(ctx, "SET LOCAL app.org_id = '"+orgID.String()+"'"); err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec(ctx, sql, key.ID); err != nil {
		t.Fatal(sql, err)
	}
	if err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
}

func waitFor(t *testing.T, what string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestAuthChangesAnnounced: every change a cached key's validity depends on
// is announced on the channel by the transaction that makes it (no trigger
// does), and a listening process stops honouring the key at once.
func TestAuthChangesAnnounced(t *testing.T) {
	t.Parallel()
	env := fixturetest.New(t)
	o := env.Organization(t, "acme")
	ctx := context.Background()
	owner, agent := o.Personas["owner"], o.Personas["agent"]
	listener, err := pgx.Connect(ctx, env.DB.AppURL)
	if err != nil {
		t.Fatal(err)
	}
	defer listener.Close(ctx)
	if _, err := listener.Exec(ctx, "LISTEN "+identity.AuthChannel); err != nil {
		t.Fatal(err)
	}
	heard := func(t *testing.T, want string) {
		t.Helper()
		wait, cancel := context.WithTimeout(ctx, 5*time.Second)
		defer cancel()
		for {
			n, err := listener.WaitForNotification(wait)
			if err != nil {
				t.Fatalf("no %q announced: %v", want, err)
			}
			if n.Payload == want {
				return
			}
		}
	}
	key, _, err := env.Identity.CreateAPIKey(ctx, owner.Actor, identity.NewAPIKey{Name: "feed", Permissions: []string{"listing.read"}}, identity.Client{})
	if err != nil {
		t.Fatal(err)
	}
	if err := env.Identity.RevokeAPIKey(ctx, owner.Actor, key.ID, identity.Client{}); err != nil {
		t.Fatal(err)
	}
	heard(t, identity.ChangedAPIKeys)
	if err := env.Org.RemoveMember(ctx, owner.Actor, agent.MemberID); err != nil {
		t.Fatal(err)
	}
	heard(t, identity.ChangedMembers)
	if _, err := env.Org.AddMember(ctx, owner.Actor, agent.User.ID, "agent", ""); err != nil {
		t.Fatal(err)
	}
	heard(t, identity.ChangedMembers)

	// A disabled creator ends their keys in a listening process at once,
	// though the key rows themselves do not change.
	_, secret, err := env.Identity.CreateAPIKey(ctx, owner.Actor, identity.NewAPIKey{Name: "feed 2", Permissions: []string{"listing.read"}}, identity.Client{})
	if err != nil {
		t.Fatal(err)
	}
	watch, stop := context.WithCancel(ctx)
	defer stop()
	go env.Identity.WatchAuthChanges(watch, func(ctx context.Context) (*pgx.Conn, error) { return pgx.Connect(ctx, env.DB.AppURL) },
		slog.New(slog.NewTextHandler(io.Discard, nil)))
	waitFor(t, "the listener to connect", env.Identity.KeyCacheOn)
	if _, _, err := env.Identity.AuthenticateAPIKey(ctx, secret, identity.Client{}); err != nil {
		t.Fatal(err)
	}
	if err := env.Identity.DisableUser(ctx, owner.User.ID); err != nil {
		t.Fatal(err)
	}
	heard(t, identity.ChangedUsers)
	waitFor(t, "the disabled creator's key to end", func() bool {
		_, _, err := env.Identity.AuthenticateAPIKey(ctx, secret, identity.Client{})
		return realty.KindOf(err) == realty.Unauthenticated
	})
}
