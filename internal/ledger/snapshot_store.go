package ledger

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"

	"realty"
	"realty/internal/postgres"
)

// snapshotPoll is how often a reader waiting for another process's
// recompute looks for its result, and snapshotWait how long it waits
// before computing the report itself (without storing it).
const (
	snapshotPoll = 25 * time.Millisecond
	snapshotWait = 10 * time.Second
)

// recompute computes the report and stores it, under the report's
// transaction-scoped advisory lock so one process computes it at a time:
// the watermark is read after the lock is taken and before compute reads
// the inputs, and computed_at is the locking transaction's start, earlier
// than both. When another process holds the lock, it waits for that
// process's result. It runs detached from the caller's cancellation, as
// other readers may wait for it.
func (s *Service) recompute(ctx context.Context, actor realty.Actor, r Report, compute func(context.Context) ([]byte, error)) (*flight, error) {
	ctx = context.WithoutCancel(ctx)
	var out flight
	stored := false
	err := postgres.Tx(ctx, s.pool, actor, func(tx pgx.Tx) error {
		var got bool
		if err := tx.QueryRow(ctx, `SELECT pg_try_advisory_xact_lock(hashtextextended('ledger.snapshot:' || $1::text || ':' || $2 || ':' || $3, 0))`,
			actor.OrgID, r.Kind, r.Params).Scan(&got); err != nil {
			return err
		}
		if !got {
			return errBusy
		}
		var m *time.Time
		if q := r.markSQL(); q != "" {
			if err := tx.QueryRow(ctx, q, actor.OrgID).Scan(&m); err != nil {
				return err
			}
		}
		if m != nil {
			out.watermark = *m
		}
		var err error
		if out.watermark, err = inFlightBound(ctx, tx, out.watermark); err != nil {
			return err
		}
		if row, err := storedTx(ctx, tx, actor, r); err != nil || row.current(out.watermark, SnapshotFresh) {
			// A flight that just ended (or another process) stored it.
			if row != nil {
				out.body, out.watermark, out.computedAt = row.Body, row.Watermark, row.ComputedAt
			}
			stored = true
			return err
		}
		if out.body, err = compute(ctx); err != nil {
			return err
		}
		return tx.QueryRow(ctx, `INSERT INTO ledger.report_snapshots AS s (organization_id, id, kind, params, body, watermark, computed_at)
			VALUES ($1, $2, $3, $4, $5, $6, now())
			ON CONFLICT (organization_id, kind, params) DO UPDATE SET body = excluded.body, watermark = excluded.watermark,
				computed_at = excluded.computed_at
			RETURNING computed_at, watermark`, actor.OrgID, realty.NewID(), r.Kind, r.Params, string(out.body), out.watermark).Scan(&out.computedAt, &out.watermark)
	})
	if errors.Is(err, errBusy) {
		return s.awaitSnapshot(ctx, actor, r, compute)
	}
	if err != nil {
		return nil, err
	}
	if !stored {
		s.snapshots.computed.Add(1)
	}
	return &out, nil
}

// inFlightBound lowers the watermark below the start of the oldest other
// transaction in flight in the database (pg_stat_activity, read after the
// marks and before the inputs): such a writer stamps its rows with its
// start and may commit after the inputs are read, so its rows must count
// as newer than the result. The runtime role sees its own sessions' start
// times, and every writer of the report inputs is the runtime role; other
// roles' sessions show none and are left to SnapshotMaxAge.
func inFlightBound(ctx context.Context, tx pgx.Tx, mark time.Time) (time.Time, error) {
	var oldest *time.Time
	if err := tx.QueryRow(ctx, `SELECT min(xact_start) FROM pg_stat_activity
		WHERE datname = current_database() AND pid <> pg_backend_pid() AND xact_start IS NOT NULL`).Scan(&oldest); err != nil {
		return mark, err
	}
	if oldest != nil && !oldest.After(mark) {
		return oldest.Add(-time.Microsecond), nil
	}
	return mark, nil
}

// storedTx reads the report's stored result in tx (nil when none).
func storedTx(ctx context.Context, tx pgx.Tx, actor realty.Actor, r Report) (*snapshotRow, error) {
	rows, err := tx.Query(ctx, snapshotSQL, actor.OrgID, r.Kind, r.Params, nil, nil)
	if err != nil {
		return nil, err
	}
	row, err := pgx.CollectExactlyOneRow(rows, pgx.RowToAddrOfStructByName[snapshotRow])
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil
	}
	return row, err
}

// awaitSnapshot waits for the process holding the report's lock to store a
// result current for the watermark read now, and computes the report
// itself (storing nothing) if none comes within snapshotWait.
func (s *Service) awaitSnapshot(ctx context.Context, actor realty.Actor, r Report, compute func(context.Context) ([]byte, error)) (*flight, error) {
	deadline := time.Now().Add(snapshotWait)
	for time.Now().Before(deadline) {
		row, mark, err := s.readSnapshot(ctx, actor, r, nil)
		if err != nil {
			return nil, err
		}
		if row.current(mark, SnapshotFresh) {
			return &flight{body: row.Body, watermark: row.Watermark, computedAt: row.ComputedAt}, nil
		}
		time.Sleep(snapshotPoll)
	}
	body, err := compute(ctx)
	return &flight{body: body, watermark: time.Now().Add(SnapshotMaxAge)}, err
}

// snapshotMemo bounds the bodies' length of the decoded results a process
// keeps: past it, results are dropped (whichever the map yields first)
// until the new one fits.
const snapshotMemo = 64 << 20

// memoEntry is a decoded result and the stored version it came from.
type memoEntry struct {
	version snapshotVersion
	value   any
	size    int
}

// kept returns key's decoded result, if the process holds one.
func (sn *snapshots) kept(key string) (memoEntry, bool) {
	sn.mu.Lock()
	defer sn.mu.Unlock()
	e, ok := sn.memo[key]
	return e, ok
}

// keep holds key's decoded result of the stored version v (nothing for a
// result computed but not stored, or one larger than the bound).
func (sn *snapshots) keep(key string, v snapshotVersion, value any, size int) {
	sn.decoded.Add(1)
	if v.computedAt.IsZero() || size > snapshotMemo {
		return
	}
	sn.mu.Lock()
	defer sn.mu.Unlock()
	if sn.memo == nil {
		sn.memo = map[string]memoEntry{}
	}
	if old, ok := sn.memo[key]; ok {
		sn.memoBytes -= old.size
		delete(sn.memo, key)
	}
	for k, e := range sn.memo {
		if sn.memoBytes+size <= snapshotMemo {
			break
		}
		sn.memoBytes -= e.size
		delete(sn.memo, k)
	}
	sn.memo[key] = memoEntry{version: v, value: value, size: size}
	sn.memoBytes += size
}

// Recomputes is how many report results this service has computed and
// stored, for tests that count them.
func (s *Service) Recomputes() int64 { return s.snapshots.computed.Load() }

// Decodes is how many stored or computed report bodies this service has
// decoded (a read of an unchanged stored result decodes none), for tests
// that count them.
func (s *Service) Decodes() int64 { return s.snapshots.decoded.Load() }
