// Package idempotency makes a money-moving request safe to retry: a
// request carrying an Idempotency-Key does its work once, and every retry
// with the same key gets the first response back, byte for byte (the IETF
// httpapi Idempotency-Key header). The key, its request's fingerprint and
// the response are written in the same transaction as the work, so a crash
// leaves either nothing (the retry does the work) or the work and its
// response (the retry gets the response): never one without the other.
package idempotency

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"

	"realty"
	"realty/internal/postgres"
)

// TTL is how long a key is kept: a retry within it is answered from the
// store; the prune job deletes keys past it.
const TTL = 24 * time.Hour

// MaxKeyLength bounds a key.
const MaxKeyLength = 255

// Request identifies a request for its key: the key, the credential that
// sent it (a user or an API key: keys are scoped to the organization and
// the credential), and its fingerprint's parts.
type Request struct {
	Key       string
	Principal realty.ID
	Method    string
	Route     string
	// Body is the request's parsed body, marshalled as JSON for the
	// fingerprint (so formatting does not matter, meaning does).
	Body any
}

// Response is what the first request answered, replayed to retries.
type Response struct {
	Status int
	Header map[string]string
	Body   []byte
}

// ErrInFlight is the Conflict for a key whose first request has not
// finished: the client should retry after a moment.
var ErrInFlight = &realty.Error{Kind: realty.Conflict, Message: "a request with this Idempotency-Key is still in progress; retry shortly",
	Fields: map[string]string{"Idempotency-Key": "in progress"}}

// ErrMismatch is the refusal of a key reused for a different request.
var ErrMismatch = &realty.Error{Kind: realty.Invalid, Message: "this Idempotency-Key was used for a different request",
	Fields: map[string]string{"Idempotency-Key": "was used for a different request"}}

// Store keeps keys and their responses in app.idempotency_keys.
type Store struct {
	pool *postgres.Pool
	jobs *river.Client[pgx.Tx]
	// pruning holds, per organization, the day bucket of the prune job this
	// process last scheduled and committed: River keeps one job per
	// organization and bucket, so a second insert in the same bucket would
	// be a no-op costing a statement on every request.
	pruning sync.Map
}

// New returns the store; jobs (insert-only) schedules each organization's
// prune job, in the transaction that stores a key.
func New(pool *postgres.Pool, jobs *river.Client[pgx.Tx]) *Store {
	return &Store{pool: pool, jobs: jobs}
}

// Do runs work once for req's key in one transaction scoped to actor and
// stores its response there. A retry with the same key and fingerprint gets
// the stored response (replayed true) and runs nothing, even while another
// retry of it is being answered; a different fingerprint is ErrMismatch; a
// key whose first request is still running is ErrInFlight. An error from
// work rolls everything back and stores nothing. Invalid naming Idempotency-Key for a missing or malformed key.
func (s *Store) Do(ctx context.Context, actor realty.Actor, req Request, work func(pgx.Tx) (Response, error)) (resp Response, replayed bool, err error) {
	if err := checkKey(req.Key); err != nil {
		return Response{}, false, err
	}
	hash, err := fingerprint(req)
	if err != nil {
		return Response{}, false, err
	}
	var scheduled *time.Time
	err = postgres.Tx(ctx, s.pool, actor, func(tx pgx.Tx) error {
		held, found, err := lookup(ctx, tx, actor, req, hash)
		if err != nil || found != nil {
			resp, replayed = deref(found), found != nil
			return err
		}
		if !held {
			return ErrInFlight
		}
		if resp, err = work(tx); err != nil {
			return err
		}
		scheduled, err = s.save(ctx, tx, actor, req, hash, resp)
		return err
	})
	if err == nil && scheduled != nil {
		s.pruning.Store(actor.OrgID, *scheduled)
	}
	return resp, replayed, err
}

func deref(r *Response) Response {
	if r == nil {
		return Response{}
	}
	return *r
}

func checkKey(k string) error {
	if k == "" {
		return realty.FieldError("Idempotency-Key", "is required on this operation")
	}
	if len(k) > MaxKeyLength {
		return realty.FieldError("Idempotency-Key", "must be at most 255 characters")
	}
	for _, c := range []byte(k) {
		if c < 0x21 || c > 0x7e {
			return realty.FieldError("Idempotency-Key", "must be printable ASCII without spaces")
		}
	}
	return nil
}

// fingerprint is SHA-256 of the method, the route and the body as JSON.
func fingerprint(req Request) ([]byte, error) {
	body, err := json.Marshal(req.Body)
	if err != nil {
		return nil, err
	}
	h := sha256.New()
	h.Write([]byte(req.Method + "\n" + req.Route + "\n"))
	h.Write(body)
	return h.Sum(nil), nil
}

// lookup tries the key's lock for the rest of the transaction and reads
// the key's stored response, in one round trip: the two statements are
// pipelined, and the read, a statement of its own, sees what was committed
// once the lock was tried. held is false while another transaction holds
// the lock: it runs the key's first request, or replays the stored answer
// (a retry sent twice at once); Do tells them apart by the stored answer,
// which a replay finds and a first request has not committed yet. found is
// nil when the key is new; ErrMismatch when it was used for another
// request.
func lookup(ctx context.Context, tx pgx.Tx, actor realty.Actor, req Request, hash []byte) (held bool, found *Response, err error) {
	b := &pgx.Batch{}
	b.Queue(`SELECT pg_try_advisory_xact_lock(hashtextextended($1, 0))`,
		"idempotency:"+actor.OrgID.String()+":"+req.Principal.String()+":"+req.Key).QueryRow(func(row pgx.Row) error {
		return row.Scan(&held)
	})
	var r Response
	var got []byte
	b.Queue(`SELECT request_hash, response_status, response_headers, response_body FROM app.idempotency_keys
		WHERE organization_id = $1 AND principal_id = $2 AND key = $3`, actor.OrgID, req.Principal, req.Key).QueryRow(func(row pgx.Row) error {
		err := row.Scan(&got, &r.Status, &r.Header, &r.Body)
		if errors.Is(err, pgx.ErrNoRows) {
			return nil
		}
		if err == nil {
			found = &r
		}
		return err
	})
	if err := tx.SendBatch(ctx, b).Close(); err != nil {
		return false, nil, err
	}
	if found != nil && !bytes.Equal(got, hash) {
		return held, nil, ErrMismatch
	}
	return held, found, nil
}

// save stores the key's response and, unless this process already did in
// the same day bucket, schedules the organization's prune job a TTL later;
// it returns the bucket it scheduled in (nil when it skipped).
func (s *Store) save(ctx context.Context, tx pgx.Tx, actor realty.Actor, req Request, hash []byte, resp Response) (*time.Time, error) {
	if resp.Header == nil {
		resp.Header = map[string]string{}
	}
	_, err := tx.Exec(ctx, `INSERT INTO app.idempotency_keys (organization_id, id, principal_id, key, method, route, request_hash,
		response_status, response_headers, response_body, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, now() + $11::interval)`,
		actor.OrgID, realty.NewID(), req.Principal, req.Key, req.Method, req.Route, hash, resp.Status, resp.Header, resp.Body, TTL)
	if err != nil || s.jobs == nil {
		return nil, err
	}
	at := time.Now().Add(TTL)
	bucket := at.Truncate(pruneUnique).UTC() // as River buckets ByPeriod
	if last, ok := s.pruning.Load(actor.OrgID); ok && last.(time.Time).Equal(bucket) {
		return nil, nil
	}
	if _, err := s.jobs.InsertTx(ctx, tx, PruneArgs{OrgID: actor.OrgID}, &river.InsertOpts{ScheduledAt: at}); err != nil {
		return nil, err
	}
	return &bucket, nil
}
