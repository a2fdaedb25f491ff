package main

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"realty"
)

// crashCounts is one crash's outcome: what the clients were told against
// what the books hold, and how realty went through the outage.
type crashCounts struct {
	how  string
	keys int
	// acknowledged: first attempt 2xx; failed: first attempt a definitive
	// refusal; ambiguous: no answer, 5xx or 409 first; resolved: ambiguous
	// keys settled by retrying the key (committed: of those, how many had
	// committed before the crash and got their answer replayed).
	acknowledged, failed, ambiguous, resolved, committed int
	// lost: settled successes without their payment; duplicates: payments
	// past one per key; failedRows: rows of definitively failed keys;
	// wrong: answers naming another payment than the books hold.
	lost, duplicates, failedRows, wrong int
	// unavailable: 503 answers through the outage; internal: other 5xx.
	unavailable, internal int
	// red: crash to /readyz non-200 (-1: not seen); fast: a write's answer
	// while down; restart: PostgreSQL's restart with crash recovery;
	// green: PostgreSQL back to full service.
	red, fast, restart, green time.Duration
}

func (c crashCounts) String() string {
	return fmt.Sprintf("%s: %d keys: %d acknowledged, %d failed definitively, %d ambiguous → %d resolved by their key "+
		"(%d had committed before the crash); %d lost, %d duplicates, %d rows from failed requests, %d wrong answers; "+
		"%d answers 503, %d other 5xx; readyz red after %s, 503 in %s, PostgreSQL restart %s, full service %s after it returned",
		c.how, c.keys, c.acknowledged, c.failed, c.ambiguous, c.resolved, c.committed, c.lost, c.duplicates, c.failedRows, c.wrong,
		c.unavailable, c.internal, roundMs(c.red), roundMs(c.fast), roundMs(c.restart), roundMs(c.green))
}

func roundMs(d time.Duration) string {
	switch {
	case d < 0:
		return "never"
	case d == 0:
		return "—"
	case d < 10*time.Millisecond:
		return d.Round(10 * time.Microsecond).String()
	}
	return d.Round(time.Millisecond).String()
}

// add sums counts and keeps the worst timings.
func (c *crashCounts) add(o crashCounts) {
	c.how = "all"
	c.keys += o.keys
	c.acknowledged += o.acknowledged
	c.failed += o.failed
	c.ambiguous += o.ambiguous
	c.resolved += o.resolved
	c.committed += o.committed
	c.lost += o.lost
	c.duplicates += o.duplicates
	c.failedRows += o.failedRows
	c.wrong += o.wrong
	c.unavailable += o.unavailable
	c.internal += o.internal
	c.red, c.fast, c.restart, c.green = max(c.red, o.red), max(c.fast, o.fast), max(c.restart, o.restart), max(c.green, o.green)
}

// booked is a key's rows: payments by reference, stored idempotency keys.
type booked struct {
	payments []realty.ID
	created  time.Time // the first payment's
	stored   int
}

// count reads the round's payments and idempotency keys through the
// superuser and holds every key's answer against them; every discrepancy
// fails the test.
func (c *crashCounts) count(t *testing.T, db *crashDB, prefix string, keys []*crashKey, crashedAt time.Time) {
	t.Helper()
	books := readBooks(t, db, prefix)
	c.keys = len(keys)
	for _, k := range keys {
		b := books[k.key]
		delete(books, k.key)
		c.countKey(t, k, b, crashedAt)
	}
	for key, b := range books {
		t.Errorf("%d payments and %d stored keys under %s, a key no client sent", len(b.payments), b.stored, key)
		c.duplicates += len(b.payments)
	}
}

func (c *crashCounts) countKey(t *testing.T, k *crashKey, b booked, crashedAt time.Time) {
	t.Helper()
	switch {
	case k.ambiguous():
		c.ambiguous++
		if definitive(k.status) {
			c.resolved++
		}
	case k.status/100 == 2:
		c.acknowledged++
	default:
		c.failed++
	}
	if n := len(b.payments); n > 1 {
		c.duplicates += n - 1
		t.Errorf("key %s: %d payments", k.key, n)
	}
	switch {
	case !definitive(k.status):
		t.Errorf("key %s: no definitive answer: %d %s", k.key, k.status, k.answer)
	case k.status/100 != 2:
		if !k.bad {
			t.Errorf("key %s: refused: %d %s", k.key, k.status, k.answer)
		}
		if len(b.payments) > 0 || b.stored > 0 {
			c.failedRows += len(b.payments) + b.stored
			t.Errorf("key %s answered %d, yet %d payments and %d stored keys", k.key, k.status, len(b.payments), b.stored)
		}
	case k.bad:
		t.Errorf("key %s names an unknown tenant, yet answered %d %s", k.key, k.status, k.answer)
	case len(b.payments) == 0 || b.stored != 1:
		c.lost++
		t.Errorf("key %s answered %d, yet %d payments and %d stored keys", k.key, k.status, len(b.payments), b.stored)
	default:
		var told struct{ Payment struct{ ID realty.ID } }
		if err := json.Unmarshal(k.answer, &told); err != nil || told.Payment.ID != b.payments[0] {
			c.wrong++
			t.Errorf("key %s: answered %s, the books hold payment %s", k.key, k.answer, b.payments[0])
		}
		if k.ambiguous() && b.created.Before(crashedAt) {
			c.committed++
		}
	}
}

// readBooks returns the round's payments and stored idempotency keys by
// key (a payment's reference is its key).
func readBooks(t *testing.T, db *crashDB, prefix string) map[string]booked {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, db.adminURL())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	books := map[string]booked{}
	rows, err := conn.Query(ctx, `SELECT reference, id, created_at FROM ledger.payments
		WHERE organization_id = $1 AND reference LIKE $2 || '%' ORDER BY created_at`, db.org.Organization.ID, prefix)
	if err != nil {
		t.Fatal(err)
	}
	var (
		ref     string
		id      realty.ID
		created time.Time
	)
	_, err = pgx.ForEachRow(rows, []any{&ref, &id, &created}, func() error {
		b := books[ref]
		if len(b.payments) == 0 {
			b.created = created
		}
		b.payments = append(b.payments, id)
		books[ref] = b
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	rows, err = conn.Query(ctx, `SELECT key FROM app.idempotency_keys WHERE organization_id = $1 AND key LIKE $2 || '%'`,
		db.org.Organization.ID, prefix)
	if err != nil {
		t.Fatal(err)
	}
	_, err = pgx.ForEachRow(rows, []any{&ref}, func() error {
		b := books[ref]
		b.stored++
		books[ref] = b
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return books
}
