package messaging_test

import (
	"context"
	"errors"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	smtpmock "github.com/mocktools/go-smtp-mock/v2"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"

	"realty"
	"realty/internal/messaging"
	"realty/internal/postgres"
)

// runWorkers works delivery jobs with svc until the test ends.
func runWorkers(t *testing.T, b bundle, svc *messaging.Service) {
	t.Helper()
	workers := river.NewWorkers()
	river.AddWorker(workers, &messaging.DeliverWorker{Messaging: svc})
	river.AddWorker(workers, &messaging.PasswordResetWorker{Messaging: svc})
	client, err := river.NewClient(riverpgxv5.New(b.env.Pool), &river.Config{Schema: postgres.RiverSchema,
		Queues: map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: 2}}, Workers: workers, FetchPollInterval: 100 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if err := client.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = client.Stop(context.Background()) })
}

// waitStatus waits for the delivery to reach status.
func (b bundle) waitStatus(t *testing.T, id realty.ID, status string) messaging.Delivery {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		d := b.delivery(t, id)
		if d.Status == status {
			return d
		}
		if time.Now().After(deadline) {
			t.Fatalf("delivery stays %s (attempts %d, error %v), want %s", d.Status, d.Attempts, d.LastError, status)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestEmailArrivesOnce: a notice e-mailed through the River worker reaches
// the SMTP peer once, named with the organization, and neither another
// attempt nor the same key queued again sends it twice.
func TestEmailArrivesOnce(t *testing.T) {
	t.Parallel()
	b := setup(t, smtpmock.ConfigurationAttr{})
	runWorkers(t, b, b.svc)
	n := b.notify(t, b.svc, "agent", "match.new", map[string]any{"client": "Ann Lee", "listing": "12 Elm Street"})
	d := b.waitStatus(t, *n.Delivery, messaging.StatusSent)
	if d.SentAt == nil || d.Attempts != 1 || d.Recipient != b.persona("agent").Email {
		t.Errorf("sent delivery: %+v", d)
	}
	if a, err := b.svc.Deliver(context.Background(), b.org.Organization.ID, d.ID); err != nil || a.Status != messaging.StatusSent {
		t.Errorf("another attempt: %+v %v", a, err)
	}
	err := postgres.Tx(context.Background(), b.env.Pool, b.persona("owner").Actor, func(tx pgx.Tx) error {
		again, err := b.svc.EnqueueTx(context.Background(), tx, b.persona("owner").Actor, messaging.Email{To: d.Recipient, Kind: d.Kind,
			Data: map[string]any{"client": "Ann Lee", "listing": "12 Elm Street"}, Key: d.IdempotencyKey})
		if err == nil && again != d.ID {
			t.Errorf("the same key queued a new delivery %s", again)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(300 * time.Millisecond) // a second job, if there were one, would run now
	got := accepted(b.smtp)
	if len(got) != 1 {
		t.Fatalf("the SMTP peer accepted %d messages, want 1", len(got))
	}
	body := got[0].MsgRequest()
	for _, want := range []string{"Subject: Org acme: a new match for Ann Lee", "12 Elm Street", "Message-ID: <" + d.ID.String() + "@realty>"} {
		if !strings.Contains(body, want) {
			t.Errorf("message lacks %q:\n%s", want, body)
		}
	}
}

// TestInterruptedSendNotRepeated: a worker that stops after the server
// accepted the message and before recording it (as a killed process
// would) leaves the delivery sending; the next attempt does not send it
// again but marks it dead for review.
func TestInterruptedSendNotRepeated(t *testing.T) {
	t.Parallel()
	b := setup(t, smtpmock.ConfigurationAttr{})
	ctx := context.Background()
	killed := errors.New("worker killed")
	messaging.SetAfterSend(b.svc, func(context.Context) error { return killed })
	n := b.notify(t, b.svc, "agent", "lead.assigned", map[string]any{"name": "Ann Lee"})
	if _, err := b.svc.Deliver(ctx, b.org.Organization.ID, *n.Delivery); !errors.Is(err, killed) {
		t.Fatalf("first attempt: %v", err)
	}
	if d := b.delivery(t, *n.Delivery); d.Status != messaging.StatusSending {
		t.Fatalf("after the kill: %s, want sending", d.Status)
	}
	messaging.SetAfterSend(b.svc, nil)
	a, err := b.svc.Deliver(ctx, b.org.Organization.ID, *n.Delivery)
	if err != nil || a.Status != messaging.StatusDead {
		t.Fatalf("next attempt: %+v %v", a, err)
	}
	d := b.delivery(t, *n.Delivery)
	if d.LastError == nil || !strings.Contains(*d.LastError, "interrupted") {
		t.Errorf("dead delivery's error: %s", deref(d.LastError))
	}
	if got := len(accepted(b.smtp)); got != 1 {
		t.Errorf("the SMTP peer accepted %d messages, want 1", got)
	}
}

// TestRefusedRecipientRetried: a server refusing RCPT is tried
// MaxAttempts times, the backoff apart, and the delivery ends dead with
// the server's answer.
func TestRefusedRecipientRetried(t *testing.T) {
	t.Parallel()
	b := setup(t, smtpmock.ConfigurationAttr{BlacklistedRcpttoEmails: []string{"agent@acme.example"}})
	n := b.notify(t, b.svc, "agent", "lead.assigned", map[string]any{"name": "Ann Lee"})
	attempts := b.retryUntilDone(t, *n.Delivery)
	d := b.delivery(t, *n.Delivery)
	if d.Status != messaging.StatusDead || d.Attempts != 3 || len(attempts) != 3 {
		t.Fatalf("after the last attempt: %s, %d attempts (%d calls)", d.Status, d.Attempts, len(attempts))
	}
	if d.LastError == nil || !strings.Contains(*d.LastError, "RCPT TO") {
		t.Errorf("last error: %s", deref(d.LastError))
	}
	if attempts[0].Status != messaging.StatusFailed || attempts[1].RetryAt.Sub(attempts[0].RetryAt) < 20*time.Millisecond {
		t.Errorf("no back-off between attempts: %+v", attempts)
	}
	if got := len(accepted(b.smtp)); got != 0 {
		t.Errorf("the SMTP peer accepted %d messages", got)
	}
}

// TestClosingServerRetried: a server that hangs up at once is retried and
// the delivery ends dead with the connection's error.
func TestClosingServerRetried(t *testing.T) {
	t.Parallel()
	b := setup(t, smtpmock.ConfigurationAttr{})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			c.Close()
		}
	}()
	svc := newService(t, b.env, ln.Addr().(*net.TCPAddr).Port)
	n := b.notify(t, svc, "agent", "lead.assigned", map[string]any{"name": "Ann Lee"})
	b.svc = svc
	b.retryUntilDone(t, *n.Delivery)
	d := b.delivery(t, *n.Delivery)
	if d.Status != messaging.StatusDead || d.Attempts != 3 || d.LastError == nil || !strings.Contains(*d.LastError, "dial") {
		t.Fatalf("after the last attempt: %s, %d attempts, %s", d.Status, d.Attempts, deref(d.LastError))
	}
}

// retryUntilDone makes attempts at a delivery as its job would, waiting
// for each retry to come due, and returns them.
func (b bundle) retryUntilDone(t *testing.T, id realty.ID) []messaging.Attempt {
	t.Helper()
	var out []messaging.Attempt
	for range 10 {
		a, err := b.svc.Deliver(context.Background(), b.org.Organization.ID, id)
		if err != nil {
			t.Fatal(err)
		}
		if a.RetryAt.IsZero() {
			return append(out, a)
		}
		if len(out) == 0 || a.Status != out[len(out)-1].Status || a.RetryAt != out[len(out)-1].RetryAt {
			out = append(out, a)
		}
		time.Sleep(time.Until(a.RetryAt))
	}
	t.Fatal("still retrying after 10 calls")
	return nil
}

// TestNoMailStaysQueued: without an SMTP server configured a delivery is
// left queued, untouched.
func TestNoMailStaysQueued(t *testing.T) {
	t.Parallel()
	b := setup(t, smtpmock.ConfigurationAttr{})
	n := b.notify(t, b.env.Messaging, "agent", "lead.assigned", map[string]any{"name": "Ann Lee"})
	a, err := b.env.Messaging.Deliver(context.Background(), b.org.Organization.ID, *n.Delivery)
	if err != nil || a.Status != messaging.StatusQueued || a.RetryAt.IsZero() {
		t.Fatalf("attempt without SMTP: %+v %v", a, err)
	}
	if d := b.delivery(t, *n.Delivery); d.Status != messaging.StatusQueued || d.Attempts != 0 {
		t.Errorf("delivery: %s after %d attempts", d.Status, d.Attempts)
	}
}

func deref(s *string) string {
	if s == nil {
		return "<nil>"
	}
	return *s
}
