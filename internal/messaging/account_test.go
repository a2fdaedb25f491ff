package messaging_test

import (
	"context"
	"net/netip"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	smtpmock "github.com/mocktools/go-smtp-mock/v2"

	"realty"
	"realty/internal/identity"
	"realty/internal/org"
)

var tokenInLink = regexp.MustCompile(`\?token=([A-Za-z0-9_-]{20,})`)

// linkToken waits for the n-th accepted message and returns the token of
// the link it holds.
func linkToken(t *testing.T, b bundle, n int) (string, string) {
	t.Helper()
	msgs, err := b.smtp.WaitForMessages(n, 20*time.Second)
	if err != nil {
		t.Fatalf("waiting for message %d: %v", n, err)
	}
	body := msgs[n-1].MsgRequest()
	plain := strings.ReplaceAll(strings.ReplaceAll(body, "=\r\n", ""), "=3D", "=")
	m := tokenInLink.FindStringSubmatch(plain)
	if m == nil {
		t.Fatalf("no link with a token in:\n%s", body)
	}
	return m[1], body
}

// riverJobs counts the jobs of kind.
func riverJobs(t *testing.T, b bundle, kind string) int {
	t.Helper()
	conn, err := pgx.Connect(context.Background(), b.env.DB.AdminURL)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	var n int
	if err := conn.QueryRow(context.Background(), `SELECT count(*) FROM river.river_job WHERE kind = $1`, kind).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestPasswordReset: a known and an unknown address get the same answer
// and the same work (one job each); only the known one gets mail; the
// link's token works once, signs every session out, and not after expiry.
func TestPasswordReset(t *testing.T) {
	t.Parallel()
	b := setup(t, smtpmock.ConfigurationAttr{})
	ctx := context.Background()
	agent := b.persona("agent")
	session, err := b.env.Identity.StartSession(ctx, agent.User.ID, nil, identity.KindAPI, false, identity.Client{})
	if err != nil {
		t.Fatal(err)
	}
	errKnown := b.svc.RequestPasswordReset(ctx, strings.ToUpper(agent.Email), netip.Addr{})
	errUnknown := b.svc.RequestPasswordReset(ctx, "nobody@acme.example", netip.Addr{})
	if errKnown != nil || errUnknown != nil {
		t.Fatalf("requests: %v / %v", errKnown, errUnknown)
	}
	if n := riverJobs(t, b, "messaging.password_reset"); n != 2 {
		t.Fatalf("%d reset jobs, want one per request", n)
	}
	runWorkers(t, b, b.svc)
	token, body := linkToken(t, b, 1)
	if !strings.Contains(body, "To: <"+agent.Email+">") {
		t.Errorf("reset mail not to the agent:\n%s", body)
	}
	time.Sleep(500 * time.Millisecond)
	if got := len(accepted(b.smtp)); got != 1 {
		t.Fatalf("%d messages, want 1 (none for the unknown address)", got)
	}
	if err := b.env.Identity.ResetPasswordWithToken(ctx, token, "a brand new passphrase", identity.Client{}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := b.env.Identity.Authenticate(ctx, session.Token); err == nil {
		t.Errorf("a session from before the reset still works")
	}
	if err := b.env.Identity.ResetPasswordWithToken(ctx, token, "yet another passphrase", identity.Client{}); realty.FieldsOf(err)["token"] == "" {
		t.Errorf("second use of the token: %v, want invalid naming token", err)
	}
	if _, err := b.env.Org.Login(ctx, org.LoginInput{Email: agent.Email, Password: "a brand new passphrase", Kind: identity.KindAPI}); err != nil {
		t.Errorf("signing in with the new password: %v", err)
	}

	t.Run("ErrExpired", func(t *testing.T) {
		if err := b.svc.RequestPasswordReset(ctx, agent.Email, netip.Addr{}); err != nil {
			t.Fatal(err)
		}
		token, _ := linkToken(t, b, 2)
		conn, err := pgx.Connect(ctx, b.env.DB.AdminURL)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close(ctx)
		if _, err := conn.Exec(ctx, `UPDATE identity.account_tokens SET expires_at = now() - interval '1 second' WHERE used_at IS NULL`); err != nil {
			t.Fatal(err)
		}
		if err := b.env.Identity.ResetPasswordWithToken(ctx, token, "yet another passphrase", identity.Client{}); realty.FieldsOf(err)["token"] == "" {
			t.Errorf("expired token: %v, want invalid naming token", err)
		}
	})
}

// TestVerifyEmail: the link sets email_verified_at, once.
func TestVerifyEmail(t *testing.T) {
	t.Parallel()
	b := setup(t, smtpmock.ConfigurationAttr{})
	ctx := context.Background()
	agent := b.persona("agent")
	runWorkers(t, b, b.svc)
	if err := b.svc.RequestEmailVerification(ctx, agent.Actor, netip.Addr{}); err != nil {
		t.Fatal(err)
	}
	token, _ := linkToken(t, b, 1)
	if ok, _ := b.env.Identity.EmailVerified(ctx, agent.User.ID); ok {
		t.Fatal("verified before following the link")
	}
	if err := b.env.Identity.VerifyEmail(ctx, token); err != nil {
		t.Fatal(err)
	}
	if ok, err := b.env.Identity.EmailVerified(ctx, agent.User.ID); !ok || err != nil {
		t.Errorf("not verified after following the link (%v)", err)
	}
	if err := b.env.Identity.VerifyEmail(ctx, token); realty.FieldsOf(err)["token"] == "" {
		t.Errorf("second use: %v", err)
	}
}

// TestInvitationEmailed: creating an invitation queues its e-mail in the
// same transaction, with the link that accepts it.
func TestInvitationEmailed(t *testing.T) {
	t.Parallel()
	b := setup(t, smtpmock.ConfigurationAttr{})
	ctx := context.Background()
	roles, err := b.env.Org.Roles(ctx, b.persona("owner").Actor)
	if err != nil {
		t.Fatal(err)
	}
	var agentRole realty.ID
	for _, r := range roles {
		if r.Key == "agent" {
			agentRole = r.ID
		}
	}
	inv, token, err := b.svc.Invite(ctx, b.persona("broker").Actor, org.NewInvitation{Email: "newbie@example.com", RoleID: agentRole})
	if err != nil {
		t.Fatal(err)
	}
	runWorkers(t, b, b.svc)
	got, body := linkToken(t, b, 1)
	if got != token || !strings.Contains(body, "newbie@example.com") || !strings.Contains(body, "Org acme") {
		t.Errorf("invitation %s mail carries token %q (want %q):\n%s", inv.ID, got, token, body)
	}
}
