package identity_test

import (
	"context"
	"net/netip"
	"sync"
	"testing"
	"time"

	"realty"
	"realty/internal/app"
	"realty/internal/fixture"
	"realty/internal/fixture/fixturetest"
	"realty/internal/identity"
	"realty/internal/org"
	"realty/internal/postgres/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// clock is a settable clock for sessions and lockouts.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

type setupResult struct {
	env   fixturetest.Env
	id    *identity.Service // over the settable clock
	orgs  *org.Service
	clock *clock
	acme  fixture.Org
	ip    identity.Client
}

// setup makes an organization and an identity service whose clock the test
// moves.
func setup(t *testing.T) setupResult {
	t.Helper()
	env := fixturetest.New(t)
	c := &clock{now: time.Now()}
	id, err := identity.New(env.Pool, identity.Config{SecretKey: make([]byte, identity.SecretKeySize),
		Argon2: identity.Argon2Params{Memory: 64, Time: 1, Threads: 1}, Now: c.Now})
	if err != nil {
		t.Fatal(err)
	}
	return setupResult{env: env, id: id, orgs: org.New(env.Pool, id, app.Permissions(), c.Now), clock: c, acme: env.Organization(t, "acme"),
		ip: identity.Client{IP: netip.MustParseAddr("192.0.2.7"), UserAgent: "test"}}
}

func (s setupResult) signIn(t *testing.T, role, kind string) identity.Tokens {
	t.Helper()
	res, err := s.orgs.Login(context.Background(), org.LoginInput{Email: s.acme.Personas[role].Email,
		Password: fixturetest.Password, Kind: kind, Client: s.ip})
	if err != nil {
		t.Fatalf("sign in %s: %v", role, err)
	}
	return res.Tokens
}

func (s setupResult) valid(token string) bool {
	_, _, err := s.id.Authenticate(context.Background(), token)
	return err == nil
}

func TestSessionLifecycle(t *testing.T) {
	t.Parallel()
	s := setup(t)
	ctx := context.Background()
	t.Run("OKNewTokenEverySignIn", func(t *testing.T) {
		a, b := s.signIn(t, "agent", identity.KindAPI), s.signIn(t, "agent", identity.KindAPI)
		if a.Token == b.Token || a.Session.ID == b.Session.ID || a.RefreshToken == b.RefreshToken {
			t.Fatal("two sign-ins share a token or session")
		}
	})
	t.Run("ErrLogout", func(t *testing.T) {
		tk := s.signIn(t, "agent", identity.KindAPI)
		if err := s.id.Logout(ctx, tk.Session, s.ip); err != nil || s.valid(tk.Token) {
			t.Fatalf("token valid after logout (%v)", err)
		}
	})
	t.Run("ErrIdleExpiry", func(t *testing.T) {
		tk := s.signIn(t, "broker", identity.KindBrowser)
		s.clock.advance(29 * time.Minute)
		if !s.valid(tk.Token) {
			t.Fatal("expired before the idle timeout")
		}
		s.clock.advance(29 * time.Minute) // used 29 min ago: still alive
		if !s.valid(tk.Token) {
			t.Fatal("use did not extend the session")
		}
		s.clock.advance(31 * time.Minute)
		if s.valid(tk.Token) {
			t.Fatal("valid after 31 idle minutes")
		}
	})
	t.Run("ErrAbsoluteExpiry", func(t *testing.T) {
		tk := s.signIn(t, "accountant", identity.KindBrowser)
		for i := 1; i <= 35; i++ { // 11 h 40 min of use every 20 min
			s.clock.advance(20 * time.Minute)
			if !s.valid(tk.Token) {
				t.Fatalf("ended after %s of steady use", time.Duration(i)*20*time.Minute)
			}
		}
		s.clock.advance(21 * time.Minute)
		if s.valid(tk.Token) {
			t.Fatal("valid past the 12 h lifetime")
		}
	})
}

func TestRefresh(t *testing.T) {
	t.Parallel()
	s := setup(t)
	ctx := context.Background()
	first := s.signIn(t, "agent", identity.KindAPI)
	second, err := s.id.Refresh(ctx, first.RefreshToken, s.ip)
	if err != nil {
		t.Fatal(err)
	}
	t.Run("OKRotation", func(t *testing.T) {
		if second.Token == first.Token || second.RefreshToken == first.RefreshToken || !s.valid(second.Token) {
			t.Fatal("refresh did not rotate both tokens")
		}
		if s.valid(first.Token) {
			t.Fatal("the refreshed pair's access token still works")
		}
	})
	t.Run("ErrReuseRevokesFamily", func(t *testing.T) {
		if _, err := s.id.Refresh(ctx, first.RefreshToken, s.ip); realty.KindOf(err) != realty.Unauthenticated {
			t.Fatalf("spent refresh token accepted: %v", err)
		}
		if s.valid(second.Token) {
			t.Fatal("reuse of a spent refresh token left its family alive")
		}
		if _, err := s.id.Refresh(ctx, second.RefreshToken, s.ip); err == nil {
			t.Fatal("the family's newest refresh token still works")
		}
	})
	t.Run("ErrBrowserHasNoRefresh", func(t *testing.T) {
		if b := s.signIn(t, "broker", identity.KindBrowser); b.RefreshToken != "" {
			t.Fatal("browser sessions must not get refresh tokens")
		}
	})
}

func TestRevocation(t *testing.T) {
	t.Parallel()
	s := setup(t)
	ctx := context.Background()
	owner := s.acme.Personas["owner"].Actor
	t.Run("ErrDisabledUser", func(t *testing.T) {
		tk := s.signIn(t, "maintenance", identity.KindAPI)
		if err := s.id.DisableUser(ctx, s.acme.Personas["maintenance"].User.ID); err != nil {
			t.Fatal(err)
		}
		if s.valid(tk.Token) {
			t.Fatal("disabled user's session still works")
		}
		if _, err := s.id.Refresh(ctx, tk.RefreshToken, s.ip); err == nil {
			t.Fatal("disabled user's refresh token still works")
		}
	})
	t.Run("ErrRemovedMember", func(t *testing.T) {
		// a custom role with apikey.write lets this member make a key
		role, err := s.orgs.CreateRole(ctx, owner, org.RoleInput{Key: "integrator", Name: "Integrator", Permissions: []string{"apikey.write", "member.read"}})
		if err != nil {
			t.Fatal(err)
		}
		p := s.acme.Personas["accountant"]
		if _, err := s.orgs.Assign(ctx, owner, org.NewAssignment{MemberID: p.MemberID, RoleID: role.ID}); err != nil {
			t.Fatal(err)
		}
		actor, _ := s.orgs.ActorFor(ctx, s.acme.Organization.ID, p.User.ID)
		_, key, err := s.id.CreateAPIKey(ctx, actor, identity.NewAPIKey{Name: "mine", Permissions: []string{"member.read"}}, s.ip)
		if err != nil {
			t.Fatal(err)
		}
		tk := s.signIn(t, "accountant", identity.KindAPI)
		if err := s.orgs.RemoveMember(ctx, owner, p.MemberID); err != nil {
			t.Fatal(err)
		}
		if s.valid(tk.Token) {
			t.Fatal("removed member's session still works")
		}
		if _, _, err := s.id.AuthenticateAPIKey(ctx, key, s.ip); err == nil {
			t.Fatal("removed member's API key still works")
		}
	})
	t.Run("ErrRevokedKey", func(t *testing.T) {
		k, key, err := s.id.CreateAPIKey(ctx, owner, identity.NewAPIKey{Name: "ci", Permissions: []string{"member.read"}}, s.ip)
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := s.id.AuthenticateAPIKey(ctx, key, s.ip); err != nil {
			t.Fatalf("fresh key refused: %v", err)
		}
		if err := s.id.RevokeAPIKey(ctx, owner, k.ID, s.ip); err != nil {
			t.Fatal(err)
		}
		if _, _, err := s.id.AuthenticateAPIKey(ctx, key, s.ip); realty.KindOf(err) != realty.Unauthenticated {
			t.Fatalf("revoked key: %v", err)
		}
	})
}
