package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"realty"
	"realty/internal/fixture"
	"realty/internal/fixture/fixturetest"
	"realty/internal/identity"
	"realty/internal/ledger"
)

var (
	kill9Rounds   = flag.Int("kill9.rounds", 10, "TestKill9PaymentPosting: rounds of posting, SIGKILL and restart")
	kill9Payments = flag.Int("kill9.payments", 1000, "TestKill9PaymentPosting: concurrent payments per round")
)

// kill9TenantCount is how many tenants the payments are spread over: few
// enough that concurrent payments meet on the same invoices.
const kill9TenantCount = 25

// TestKill9PaymentPosting runs realty as a subprocess and, each round,
// sends -kill9.payments concurrent POST /payments with automatic
// allocation, each under its own Idempotency-Key; kills realty with
// SIGKILL at a random moment in the middle (after a random number of
// answers); restarts it; and lets every client retry its key until it gets
// a definitive answer. Then it counts: every key has exactly one payment
// (none lost, none doubled), the answer each client holds names that
// payment and exactly its allocations (no orphan allocation), every
// allocation has its journal entry, and every invariant of the books holds
// (ledger check). Rounds repeat -kill9.rounds times on the same books.
func TestKill9PaymentPosting(t *testing.T) {
	ctx := context.Background()
	env := fixturetest.New(t)
	o, err := fixture.NewOrg(ctx, env.Services, "Kill Nine Rentals", "kill9", fixturetest.Password, "accountant", "property_manager")
	if err != nil {
		t.Fatal(err)
	}
	_, apiKey, err := env.Identity.CreateAPIKey(ctx, o.Personas["owner"].Actor,
		identity.NewAPIKey{Name: "kill9", Permissions: []string{"payment.record", "invoice.read"}}, identity.Client{})
	if err != nil {
		t.Fatal(err)
	}
	tenants := kill9Tenants(t, env, o, kill9TenantCount)
	srv := startRealty(t, env.DB.AppURL)
	seed := uint64(time.Now().UnixNano())
	rng := rand.New(rand.NewPCG(seed, 9))
	t.Logf("seed %d: %d rounds of %d payments over %d tenants", seed, *kill9Rounds, *kill9Payments, len(tenants))
	var total roundCounts
	for round := range *kill9Rounds {
		begin := time.Now()
		openKill9Invoices(t, env, o, tenants, round)
		run := postThroughKill(t, srv, apiKey, tenants, round, *kill9Payments, rng)
		resent := resendSample(t, srv, apiKey, run)
		c := countRound(t, env, o, run)
		c.resent = resent
		total.add(c)
		t.Logf("round %2d: SIGKILL after %d of %d answers, restart %s; %d requests unanswered at the kill "+
			"(%d had committed: answer replayed from the store; %d redone); %d answered keys resent; "+
			"%d keys: %d lost, %d duplicated, %d wrong answers, %d orphan allocations; ledger check %d/%d OK; %s", round+1, run.killedAfter, len(run.answers), run.restart.Round(time.Millisecond),
			c.cutOff, c.replayed, c.cutOff-c.replayed, c.resent, c.keys, c.lost, c.duplicated, c.wrong, c.orphans, c.checksOK, c.checks,
			time.Since(begin).Round(time.Millisecond))
		if t.Failed() {
			t.FailNow()
		}
	}
	t.Logf("total: %d rounds, %d keys, %d unanswered at a kill (%d of them had committed), %d answered keys resent; %d lost, "+
		"%d duplicated, %d wrong answers, %d orphan allocations; %d payments and %d allocations in the books", *kill9Rounds, total.keys,
		total.cutOff, total.replayed, total.resent, total.lost, total.duplicated, total.wrong, total.orphans, total.payments, total.allocations)
}

// kill9Tenants creates the n tenants of o that the payments are for;
// every tenant of the test comes from here.
func kill9Tenants(t *testing.T, env fixturetest.Env, o fixture.Org, n int) []realty.ID {
	t.Helper()
	ids := make([]realty.ID, n)
	for i := range ids {
		ids[i] = env.Tenant(t, o, fmt.Sprintf("Kill-%02d", i+1))
	}
	return ids
}

// openKill9Invoices issues two invoices per tenant for the round (200.00
// and 150.00, due a day apart): less than a round's payments bring, so
// automatic allocation pays them off in order and leaves the rest as
// tenant credit.
func openKill9Invoices(t *testing.T, env fixturetest.Env, o fixture.Org, tenants []realty.ID, round int) {
	t.Helper()
	ctx := context.Background()
	acct := o.Personas["accountant"].Actor
	due := realty.DateOf(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, 2*round))
	for _, tenant := range tenants {
		for i, amount := range []string{"200.00", "150.00"} {
			inv, err := env.Ledger.CreateInvoice(ctx, acct, ledger.InvoiceInput{TenantID: tenant, DueDate: realty.DateOf(due.Time().AddDate(0, 0, i)),
				Lines: []ledger.InvoiceLineInput{{Type: "rent", Description: fmt.Sprintf("Rent, round %d", round+1), Amount: decimal.RequireFromString(amount)}}})
			if err == nil {
				_, err = env.Ledger.IssueInvoice(ctx, acct, inv.ID)
			}
			if err != nil {
				t.Fatal(err)
			}
		}
	}
}

// answer is what the client of one key ended with.
type answer struct {
	key    string
	status int
	body   []byte
	sent   []byte // the request's body
	// cutOff is set when a request of the key was cut off in flight by the
	// kill (not merely refused while realty was down).
	cutOff bool
}

// roundRun is one round's answers and when realty was killed.
type roundRun struct {
	round       int
	answers     []answer
	killedAt    time.Time
	killedAfter int
	restart     time.Duration
}

func kill9Key(round, i int) string { return fmt.Sprintf("k9-%02d-%05d", round+1, i) }

// postThroughKill sends n payments at once, kills realty once a random
// number of them has been answered, restarts it, and returns when every
// key has its definitive answer.
func postThroughKill(t *testing.T, srv *realtyProc, apiKey string, tenants []realty.ID, round, n int, rng *rand.Rand) roundRun {
	t.Helper()
	run := roundRun{round: round, answers: make([]answer, n)}
	killAt := int64(n/20 + rng.IntN(max(1, n*9/10)))
	jitter := time.Duration(rng.IntN(2000)) * time.Microsecond
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: n}, Timeout: time.Minute}
	defer client.CloseIdleConnections()
	trigger, killed := make(chan struct{}), make(chan error, 1)
	var answered atomic.Int64
	go func() {
		<-trigger
		time.Sleep(jitter)
		run.killedAt = time.Now()
		srv.kill()
		var err error
		run.restart, err = srv.start()
		killed <- err
	}()
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			a := &run.answers[i]
			a.key = kill9Key(round, i)
			body, _ := json.Marshal(map[string]any{"tenant_id": tenants[i%len(tenants)], "method": "ach", "reference": a.key,
				"amount": fmt.Sprintf("%d.%02d", 5+i%20, i%100), "auto_allocate": true})
			a.sent = body
			<-start
			postUntilDefinitive(client, srv.url, apiKey, a, body)
			if a.status == http.StatusCreated && answered.Add(1) == killAt {
				close(trigger)
			}
		}()
	}
	close(start)
	wg.Wait()
	if answered.Load() < killAt {
		t.Fatalf("only %d of %d payments were answered, realty never killed", answered.Load(), n)
	}
	if err := <-killed; err != nil {
		t.Fatal(err)
	}
	run.killedAfter = int(killAt)
	for _, a := range run.answers {
		if a.status != http.StatusCreated {
			t.Errorf("key %s: %d %s", a.key, a.status, a.body)
		}
	}
	return run
}

// resendSample sends every tenth key of the round again with its body, as
// a client that never saw its answer would, after realty's restart: each
// must get the first answer back byte for byte (and countRound then finds
// no second payment).
func resendSample(t *testing.T, srv *realtyProc, apiKey string, run roundRun) int {
	t.Helper()
	client := &http.Client{Timeout: time.Minute}
	defer client.CloseIdleConnections()
	n := 0
	for i := 0; i < len(run.answers); i += 10 {
		first := run.answers[i]
		again := answer{key: first.key}
		postUntilDefinitive(client, srv.url, apiKey, &again, first.sent)
		if again.status != first.status || !bytes.Equal(again.body, first.body) {
			t.Errorf("key %s resent: %d %s, first answer %d %s", first.key, again.status, again.body, first.status, first.body)
		}
		n++
	}
	return n
}

// postUntilDefinitive sends the payment under its key until realty gives
// a definitive answer: an error from a dead or restarting server, a 409
// (the key's first request still in flight) or a 503 is retried with the
// same key and body, after a pause that doubles from 20 ms to 320 ms, for
// two minutes at most.
func postUntilDefinitive(client *http.Client, url, apiKey string, a *answer, body []byte) {
	deadline := time.Now().Add(2 * time.Minute)
	pause := 20 * time.Millisecond
	for ; time.Now().Before(deadline); pause = min(2*pause, 320*time.Millisecond) {
		req, _ := http.NewRequest(http.MethodPost, url+"/api/v1/payments", bytes.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+apiKey)
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Idempotency-Key", a.key)
		res, err := client.Do(req)
		if err != nil {
			a.cutOff = a.cutOff || !errors.Is(err, syscall.ECONNREFUSED)
			time.Sleep(pause)
			continue
		}
		b, err := io.ReadAll(res.Body)
		res.Body.Close()
		switch {
		case err != nil:
			a.cutOff = true
		case res.StatusCode == http.StatusConflict || res.StatusCode == http.StatusServiceUnavailable:
		default:
			a.status, a.body = res.StatusCode, b
			return
		}
		time.Sleep(pause)
	}
	a.status, a.body = 0, []byte("no definitive answer within two minutes")
}
