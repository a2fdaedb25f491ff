package idempotency_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"realty"
	"realty/internal/fixture/fixturetest"
	"realty/internal/idempotency"
	"realty/internal/postgres/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// storeEnv is a fresh database and the accountant of an organization in it.
func storeEnv(t *testing.T) (fixturetest.Env, realty.Actor) {
	env := fixturetest.New(t)
	return env, env.Organization(t, "acme").Personas["accountant"].Actor
}

// countingWork answers 201 {"n":1} and counts its runs in runs.
func countingWork(runs *int) func(pgx.Tx) (idempotency.Response, error) {
	return func(pgx.Tx) (idempotency.Response, error) {
		*runs++
		return idempotency.Response{Status: 201, Body: []byte(`{"n":1}`)}, nil
	}
}

// TestStoreAndPrune stores keys, replays one, refuses another body under
// it, rolls a failed request back without a key, schedules the
// organization's prune job with the first key, and prunes only expired keys.
func TestStoreAndPrune(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	env, actor := storeEnv(t)
	runs := 0
	work := countingWork(&runs)
	req := func(key string, body any) idempotency.Request {
		return idempotency.Request{Key: key, Principal: actor.UserID, Method: "POST", Route: "/test", Body: body}
	}
	for _, key := range []string{"a", "b"} {
		if _, replayed, err := env.Idempotency.Do(ctx, actor, req(key, 1), work); err != nil || replayed {
			t.Fatalf("first %s: replayed %v, %v", key, replayed, err)
		}
	}
	resp, replayed, err := env.Idempotency.Do(ctx, actor, req("a", 1), work)
	if err != nil || !replayed || string(resp.Body) != `{"n":1}` || runs != 2 {
		t.Errorf("replay: %+v replayed %v runs %d, %v", resp, replayed, runs, err)
	}
	if _, _, err := env.Idempotency.Do(ctx, actor, req("a", 2), work); !errors.Is(err, idempotency.ErrMismatch) {
		t.Errorf("other body: %v, want ErrMismatch", err)
	}
	failed := errors.New("refused")
	if _, _, err := env.Idempotency.Do(ctx, actor, req("c", 1), func(pgx.Tx) (idempotency.Response, error) { return idempotency.Response{}, failed }); !errors.Is(err, failed) {
		t.Errorf("failing work: %v", err)
	}
	if _, replayed, err := env.Idempotency.Do(ctx, actor, req("c", 1), work); err != nil || replayed {
		t.Errorf("retry after a failure: replayed %v, %v (nothing was stored, so the work runs)", replayed, err)
	}
	for _, bad := range []string{"", "has space", string(make([]byte, 256))} {
		if _, _, err := env.Idempotency.Do(ctx, actor, req(bad, 1), work); realty.FieldsOf(err)["Idempotency-Key"] == "" {
			t.Errorf("key %q: %v, want Invalid naming Idempotency-Key", bad, err)
		}
	}
	var jobs int
	if err := env.Pool.QueryRow(ctx, `SELECT count(*) FROM river.river_job WHERE kind = 'idempotency.prune' AND args->>'org_id' = $1`,
		actor.OrgID.String()).Scan(&jobs); err != nil || jobs != 1 {
		t.Errorf("%d prune jobs scheduled for the organization (%v), want 1", jobs, err)
	}
	if n, err := env.Idempotency.Prune(ctx, actor.OrgID, time.Now()); err != nil || n != 0 {
		t.Errorf("prune now: %d, %v; want none (keys live %s)", n, err, idempotency.TTL)
	}
	if n, err := env.Idempotency.Prune(ctx, actor.OrgID, time.Now().Add(idempotency.TTL+time.Minute)); err != nil || n != 3 {
		t.Errorf("prune after the TTL: %d, %v; want 3", n, err)
	}
	if _, replayed, err := env.Idempotency.Do(ctx, actor, req("a", 2), work); err != nil || replayed {
		t.Errorf("a pruned key is new again: replayed %v, %v", replayed, err)
	}
}

// TestLockedKey holds a key's lock in another transaction, as a request of
// that key at work does: a key with a stored answer is still replayed (the
// holder is another retry), a key without one is ErrInFlight and runs
// nothing.
func TestLockedKey(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	env, actor := storeEnv(t)
	runs := 0
	work := countingWork(&runs)
	req := func(key string) idempotency.Request {
		return idempotency.Request{Key: key, Principal: actor.UserID, Method: "POST", Route: "/test", Body: 1}
	}
	if _, _, err := env.Idempotency.Do(ctx, actor, req("done"), work); err != nil {
		t.Fatal(err)
	}
	hold := func(key string) pgx.Tx {
		t.Helper()
		tx, err := env.Pool.Begin(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`,
			"idempotency:"+actor.OrgID.String()+":"+actor.UserID.String()+":"+key); err != nil {
			t.Fatal(err)
		}
		return tx
	}
	tx := hold("done")
	resp, replayed, err := env.Idempotency.Do(ctx, actor, req("done"), work)
	if err != nil || !replayed || string(resp.Body) != `{"n":1}` {
		t.Errorf("replay while another holds the key: %+v replayed %v, %v", resp, replayed, err)
	}
	_ = tx.Rollback(ctx)
	tx = hold("new")
	if _, _, err := env.Idempotency.Do(ctx, actor, req("new"), work); !errors.Is(err, idempotency.ErrInFlight) {
		t.Errorf("new key while its first request runs: %v, want ErrInFlight", err)
	}
	_ = tx.Rollback(ctx)
	if runs != 1 {
		t.Errorf("work ran %d times, want 1", runs)
	}
}
