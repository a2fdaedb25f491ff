package messaging_test

import (
	"context"
	"fmt"
	"net/netip"
	"testing"
	"time"

	smtpmock "github.com/mocktools/go-smtp-mock/v2"

	"realty"
	"realty/internal/messaging"
)

// TestAccountMailLimits: reset requests are limited per address (known or
// not: the answers for the two are the same, refusal included) and per
// client address; verification requests per user; an hour later the
// buckets are full again; nothing past a limit is queued.
func TestAccountMailLimits(t *testing.T) {
	t.Parallel()
	b := setup(t, smtpmock.ConfigurationAttr{})
	ctx := context.Background()
	now := time.Now()
	messaging.SetNow(b.svc, func() time.Time { return now })
	agent := b.persona("agent")
	home, elsewhere := netip.MustParseAddr("203.0.113.7"), netip.MustParseAddr("2001:db8::1")
	for _, email := range []string{agent.Email, "nobody@acme.example"} {
		for i := range messaging.AccountMailPerRecipient + 1 {
			from := netip.AddrFrom4([4]byte{198, 51, 100, byte(i)}) // a new client address each time
			err := b.svc.RequestPasswordReset(ctx, email, from)
			if i < messaging.AccountMailPerRecipient && err != nil {
				t.Fatalf("%s, request %d: %v", email, i+1, err)
			}
			if i == messaging.AccountMailPerRecipient && realty.KindOf(err) != realty.RateLimited {
				t.Fatalf("%s, request %d: %v, want RateLimited", email, i+1, err)
			}
		}
	}
	if n := riverJobs(t, b, "messaging.password_reset"); n != 2*messaging.AccountMailPerRecipient {
		t.Fatalf("%d reset jobs, want %d (none past the limit)", n, 2*messaging.AccountMailPerRecipient)
	}
	// One client address asking for many different addresses.
	for i := range messaging.AccountMailPerIP + 1 {
		err := b.svc.RequestPasswordReset(ctx, fmt.Sprintf("spray%d@example.com", i), home)
		if i < messaging.AccountMailPerIP && err != nil {
			t.Fatalf("request %d from one address: %v", i+1, err)
		}
		if i == messaging.AccountMailPerIP && realty.KindOf(err) != realty.RateLimited {
			t.Fatalf("request %d from one address: %v, want RateLimited", i+1, err)
		}
	}
	if err := b.svc.RequestPasswordReset(ctx, "spray-more@example.com", elsewhere); err != nil {
		t.Fatalf("another client address: %v", err)
	}
	for i := range messaging.AccountMailPerIP + 2 { // a proxy on the same machine is no one client
		if err := b.svc.RequestPasswordReset(ctx, fmt.Sprintf("local%d@example.com", i), netip.MustParseAddr("127.0.0.1")); err != nil {
			t.Fatalf("request %d from loopback: %v", i+1, err)
		}
	}
	for i := range messaging.AccountMailPerRecipient + 1 {
		err := b.svc.RequestEmailVerification(ctx, agent.Actor, elsewhere)
		if (i < messaging.AccountMailPerRecipient) != (err == nil) {
			t.Fatalf("verification request %d: %v", i+1, err)
		}
	}
	now = now.Add(messaging.AccountMailWindow)
	if err := b.svc.RequestPasswordReset(ctx, agent.Email, home); err != nil {
		t.Fatalf("an hour later: %v", err)
	}
}
