package main

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"realty"
	"realty/internal/fixture"
	"realty/internal/fixture/fixturetest"
)

// roundCounts is what a round's books hold against what its clients were
// told.
type roundCounts struct {
	keys     int
	cutOff   int // keys whose request was cut off in flight by the kill
	replayed int // … whose payment had committed before the kill
	resent   int // answered keys sent again after the round
	// lost: keys without a payment; duplicated: payments past one per key;
	// wrong: answers naming another payment or other allocations than the
	// books hold; orphans: allocations no answer reported, or without
	// their journal entry.
	lost, duplicated, wrong, orphans int
	checks, checksOK                 int
	payments, allocations            int
}

func (c *roundCounts) add(o roundCounts) {
	c.keys += o.keys
	c.cutOff += o.cutOff
	c.replayed += o.replayed
	c.resent += o.resent
	c.lost += o.lost
	c.duplicated += o.duplicated
	c.wrong += o.wrong
	c.orphans += o.orphans
	c.payments, c.allocations = o.payments, o.allocations
}

// bookedPayment is a payment of the round as the database holds it.
type bookedPayment struct {
	ID          realty.ID   `db:"id"`
	Reference   string      `db:"reference"`
	CreatedAt   time.Time   `db:"created_at"`
	Allocations []realty.ID `db:"allocations"`
}

// countRound reads the round's payments, allocations and keys through the
// superuser connection, holds them against the answers, and runs the
// ledger check; every discrepancy fails the test.
func countRound(t *testing.T, env fixturetest.Env, o fixture.Org, run roundRun) roundCounts {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, env.DB.AdminURL)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	orgID := o.Organization.ID
	prefix := strings.TrimSuffix(kill9Key(run.round, 0), "00000")
	rows, err := conn.Query(ctx, `SELECT p.id, p.reference, p.created_at,
			coalesce(array_agg(a.id ORDER BY a.id) FILTER (WHERE a.id IS NOT NULL), '{}') AS allocations
		FROM ledger.payments p LEFT JOIN ledger.payment_allocations a ON a.organization_id = p.organization_id AND a.payment_id = p.id
		WHERE p.organization_id = $1 AND p.reference LIKE $2 || '%' GROUP BY p.organization_id, p.id`, orgID, prefix)
	if err != nil {
		t.Fatal(err)
	}
	booked, err := pgx.CollectRows(rows, pgx.RowToStructByName[bookedPayment])
	if err != nil {
		t.Fatal(err)
	}
	byKey := map[string][]bookedPayment{}
	for _, p := range booked {
		byKey[p.Reference] = append(byKey[p.Reference], p)
	}
	c := roundCounts{keys: len(run.answers)}
	for _, a := range run.answers {
		got := byKey[a.key]
		delete(byKey, a.key)
		c.countKey(t, a, got, run.killedAt)
	}
	for key, ps := range byKey {
		t.Errorf("payment %s (reference %s) answers no key of the round", ps[0].ID, key)
		c.duplicated += len(ps)
	}
	c.countBooks(t, conn, orgID, prefix)
	findings, err := env.Ledger.Check(ctx, o.Personas["owner"].Actor)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range findings {
		c.checks++
		if f.OK() {
			c.checksOK++
		} else {
			t.Errorf("ledger check: %s: %s", f.Name, strings.Join(f.Rows, "; "))
		}
	}
	return c
}

// countKey holds one key's answer against its payments in the books.
func (c *roundCounts) countKey(t *testing.T, a answer, got []bookedPayment, killedAt time.Time) {
	t.Helper()
	switch {
	case len(got) == 0:
		c.lost++
		t.Errorf("key %s: no payment", a.key)
		return
	case len(got) > 1:
		c.duplicated += len(got) - 1
		t.Errorf("key %s: %d payments", a.key, len(got))
	}
	p := got[0]
	if a.cutOff {
		c.cutOff++
		if p.CreatedAt.Before(killedAt) {
			c.replayed++
		}
	}
	var told struct {
		Payment     struct{ ID realty.ID }
		Allocations []struct{ ID realty.ID }
	}
	if err := json.Unmarshal(a.body, &told); err != nil {
		c.wrong++
		t.Errorf("key %s: answer %s: %v", a.key, a.body, err)
		return
	}
	var toldAllocs []realty.ID
	for _, al := range told.Allocations {
		toldAllocs = append(toldAllocs, al.ID)
	}
	slices.SortFunc(toldAllocs, func(x, y realty.ID) int { return strings.Compare(x.String(), y.String()) })
	if told.Payment.ID != p.ID || !slices.Equal(toldAllocs, p.Allocations) {
		c.wrong++
		t.Errorf("key %s: answered payment %s with allocations %v; the books hold %s with %v", a.key, told.Payment.ID, toldAllocs, p.ID, p.Allocations)
	}
	c.orphans += len(slices.DeleteFunc(slices.Clone(p.Allocations), func(id realty.ID) bool { return slices.Contains(toldAllocs, id) }))
}

// countBooks counts the round's stored keys, the allocations without a
// journal entry, and the books' payments and allocations.
func (c *roundCounts) countBooks(t *testing.T, conn *pgx.Conn, orgID realty.ID, prefix string) {
	t.Helper()
	ctx := context.Background()
	var keys, unposted int
	err := conn.QueryRow(ctx, `SELECT
			(SELECT count(*) FROM app.idempotency_keys WHERE organization_id = $1 AND key LIKE $2 || '%'),
			(SELECT count(*) FROM ledger.payment_allocations a WHERE a.organization_id = $1 AND NOT EXISTS (
				SELECT FROM ledger.journal_entries e WHERE e.organization_id = a.organization_id AND e.source_type = 'allocation'
					AND e.source_id = a.id AND e.reverses IS NULL)),
			(SELECT count(*) FROM ledger.payments WHERE organization_id = $1),
			(SELECT count(*) FROM ledger.payment_allocations WHERE organization_id = $1)`, orgID, prefix).Scan(&keys, &unposted, &c.payments, &c.allocations)
	if err != nil {
		t.Fatal(err)
	}
	if keys != c.keys {
		t.Errorf("%d stored idempotency keys for %d keys sent", keys, c.keys)
	}
	if unposted > 0 {
		c.orphans += unposted
		t.Errorf("%d allocations without their journal entry", unposted)
	}
}
