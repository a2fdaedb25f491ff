package messaging_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	smtpmock "github.com/mocktools/go-smtp-mock/v2"

	"realty"
	"realty/internal/messaging"
	"realty/internal/postgres"
)

// receiver is a local webhook receiver that verifies every signature and
// fails its first failures requests.
type receiver struct {
	mu       sync.Mutex
	secrets  []string
	failures int
	requests int
	accepted []string // Realty-Delivery of each accepted request
	badSigs  int
}

func (r *receiver) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	body, _ := io.ReadAll(req.Body)
	r.mu.Lock()
	defer r.mu.Unlock()
	r.requests++
	if !verify(req.Header.Get("Realty-Signature"), body, r.secrets) {
		r.badSigs++
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	if r.requests <= r.failures {
		http.Error(w, "try later", http.StatusServiceUnavailable)
		return
	}
	r.accepted = append(r.accepted, req.Header.Get("Realty-Delivery"))
	_, _ = w.Write([]byte("thanks"))
}

// verify checks a signature header the way a receiver would: recompute
// the HMAC of "<t>.<body>" with each secret it knows, compare in constant
// time, and refuse a timestamp older than five minutes.
func verify(header string, body []byte, secrets []string) bool {
	var ts string
	var sigs []string
	for _, part := range strings.Split(header, ",") {
		k, v, _ := strings.Cut(part, "=")
		switch k {
		case "t":
			ts = v
		case "v1":
			sigs = append(sigs, v)
		}
	}
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil || time.Since(time.Unix(sec, 0)) > 5*time.Minute {
		return false
	}
	for _, secret := range secrets {
		mac := hmac.New(sha256.New, []byte(secret))
		mac.Write([]byte(ts + "." + string(body)))
		want := hex.EncodeToString(mac.Sum(nil))
		for _, s := range sigs {
			if hmac.Equal([]byte(want), []byte(s)) {
				return true
			}
		}
	}
	return false
}

func webhookService(t *testing.T, b bundle, allowPrivate bool) *messaging.Service {
	return messaging.New(b.env.Pool, b.env.Jobs, b.env.Org, b.env.Identity, messaging.Options{MaxAttempts: 5, AllowPrivateWebhooks: allowPrivate,
		Backoff: func(n int) time.Duration { return time.Duration(n) * 20 * time.Millisecond }})
}

func (b bundle) emit(t *testing.T, svc *messaging.Service, event, key string) []realty.ID {
	t.Helper()
	var ids []realty.ID
	owner := b.persona("owner").Actor
	err := postgres.Tx(context.Background(), b.env.Pool, owner, func(tx pgx.Tx) error {
		var err error
		ids, err = svc.EmitTx(context.Background(), tx, owner, event, key, map[string]any{"listing_id": "L1", "price": "410000"})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return ids
}

// TestWebhookRetriedThenDelivered: a receiver that fails twice then
// succeeds gets the event exactly once more, every request signed; the
// outbox keeps its answer.
func TestWebhookRetriedThenDelivered(t *testing.T) {
	t.Parallel()
	b := setup(t, smtpmock.ConfigurationAttr{})
	svc := webhookService(t, b, true)
	ctx := context.Background()
	rec := &receiver{failures: 2}
	srv := httptest.NewServer(rec)
	t.Cleanup(srv.Close)
	ep, secret, err := svc.CreateEndpoint(ctx, b.persona("owner").Actor, messaging.NewEndpoint{URL: srv.URL + "/hook", Events: []string{"listing.price_changed"}})
	if err != nil {
		t.Fatal(err)
	}
	rec.secrets = []string{secret}
	ids := b.emit(t, svc, "listing.price_changed", "listing:L1:price:1")
	if len(ids) != 1 || len(b.emit(t, svc, "listing.status_changed", "x")) != 0 {
		t.Fatalf("emitted to %d endpoints", len(ids))
	}
	b.svc = svc
	attempts := b.retryUntilDone(t, ids[0])
	d := b.delivery(t, ids[0])
	if d.Status != messaging.StatusSent || d.Attempts != 3 || len(attempts) != 3 || d.ResponseStatus == nil || *d.ResponseStatus != 200 || *d.ResponseBody != "thanks" {
		t.Fatalf("delivery: %s after %d attempts, response %v %v", d.Status, d.Attempts, d.ResponseStatus, d.ResponseBody)
	}
	if rec.requests != 3 || len(rec.accepted) != 1 || rec.accepted[0] != ids[0].String() || rec.badSigs != 0 {
		t.Fatalf("receiver: %d requests, accepted %v, %d bad signatures", rec.requests, rec.accepted, rec.badSigs)
	}

	t.Run("OK rotated secret and replay", func(t *testing.T) {
		_, next, err := svc.RotateSecret(ctx, b.persona("owner").Actor, ep.ID)
		if err != nil {
			t.Fatal(err)
		}
		rec.mu.Lock()
		rec.secrets = []string{next} // the receiver switched to the new secret only
		rec.mu.Unlock()
		if _, err := svc.Replay(ctx, b.persona("owner").Actor, ids[0]); err != nil {
			t.Fatal(err)
		}
		b.retryUntilDone(t, ids[0])
		if len(rec.accepted) != 2 || rec.badSigs != 0 {
			t.Errorf("after replay: accepted %v, %d bad signatures", rec.accepted, rec.badSigs)
		}
	})
}

// TestWebhookDeadLetter: a receiver that always fails leaves the delivery
// dead with its last answer after the last attempt.
func TestWebhookDeadLetter(t *testing.T) {
	t.Parallel()
	b := setup(t, smtpmock.ConfigurationAttr{})
	svc := webhookService(t, b, true)
	rec := &receiver{failures: 100}
	srv := httptest.NewServer(rec)
	t.Cleanup(srv.Close)
	_, secret, err := svc.CreateEndpoint(context.Background(), b.persona("owner").Actor, messaging.NewEndpoint{URL: srv.URL, Events: []string{"lead.created"}})
	if err != nil {
		t.Fatal(err)
	}
	rec.secrets = []string{secret}
	ids := b.emit(t, svc, "lead.created", "lead:1")
	b.svc = svc
	b.retryUntilDone(t, ids[0])
	d := b.delivery(t, ids[0])
	if d.Status != messaging.StatusDead || d.Attempts != 5 || d.LastError == nil || !strings.Contains(*d.LastError, "503") || *d.ResponseStatus != 503 {
		t.Fatalf("delivery: %s after %d attempts, %s", d.Status, d.Attempts, deref(d.LastError))
	}
}

// TestWebhookPrivateAddressRefused: without the configuration allowing it,
// a URL on a loopback or private address is refused when registered, and a
// connection to one is refused when sending.
func TestWebhookPrivateAddressRefused(t *testing.T) {
	t.Parallel()
	b := setup(t, smtpmock.ConfigurationAttr{})
	strict := webhookService(t, b, false)
	owner := b.persona("owner").Actor
	for _, u := range []string{"http://127.0.0.1:9/hook", "http://10.0.0.8/hook", "http://[::1]/hook", "http://169.254.169.254/latest", "http://localhost/x", "ftp://example.com/"} {
		if _, _, err := strict.CreateEndpoint(context.Background(), owner, messaging.NewEndpoint{URL: u, Events: []string{"lead.created"}}); realty.FieldsOf(err)["url"] == "" {
			t.Errorf("%s: %v, want invalid naming url", u, err)
		}
	}
	// Registered while allowed, sent while not: the dialer refuses.
	rec := &receiver{}
	srv := httptest.NewServer(rec)
	t.Cleanup(srv.Close)
	if _, _, err := webhookService(t, b, true).CreateEndpoint(context.Background(), owner, messaging.NewEndpoint{URL: srv.URL, Events: []string{"lead.created"}}); err != nil {
		t.Fatal(err)
	}
	ids := b.emit(t, strict, "lead.created", "lead:2")
	b.svc = strict
	b.retryUntilDone(t, ids[0])
	if d := b.delivery(t, ids[0]); d.Status != messaging.StatusDead || !strings.Contains(deref(d.LastError), "not a public address") || rec.requests != 0 {
		t.Fatalf("delivery to a loopback receiver: %s %s (%d requests)", d.Status, deref(d.LastError), rec.requests)
	}
}
