package ledger

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"

	"realty"
	"realty/internal/postgres"
)

// Materialized reports (ledger.report_snapshots; docs/ledger.md,
// "Materialized reports"): a report's result is kept per organization,
// kind and parameters with the watermark it was computed at — the newest
// updated_at among the report's input rows, read before the inputs. A read
// takes the inputs' watermark again (an index probe per table) and serves
// the kept result while nothing is newer and the result is younger than
// SnapshotFresh; otherwise one reader computes it again and stores it.
//
// A writer's updated_at is its transaction's start, so a writer in flight
// while a result is computed can commit a row older than the watermark:
// the stored watermark is lowered below the oldest transaction then in
// flight (inFlightBound), so such a commit counts as a change. What no
// updated_at shows (a deleted row, a writer of another role) waits at most
// SnapshotMaxAge.
const (
	// SnapshotFresh is the age up to which a result whose inputs show no
	// change is served without a recompute.
	SnapshotFresh = 2 * time.Minute
	// SnapshotMaxAge is the most a served result can lag a change that no
	// watermark shows: between SnapshotFresh and it, readers serve the
	// result while one of them computes it again; past it, every reader
	// waits for the new result.
	SnapshotMaxAge = 5 * time.Minute
)

// A Mark reads the newest updated_at among some of a report's inputs in
// the actor's organization (the zero time when there are none).
type Mark func(ctx context.Context, actor realty.Actor) (time.Time, error)

// Report names a materialized report: its kind, its parameters as a
// string (the actor's property scope is added), the SQL of its ledger
// inputs' watermark ($1 the organization; one timestamptz, may be NULL)
// and the marks of its other inputs.
type Report struct {
	Kind    string
	Params  string
	MarkSQL string
	Marks   []Mark
}

// Materialize returns the report from its snapshot while the snapshot is
// current, else computes it (one computation at a time per report across
// the process's readers; across processes one holds the report's advisory
// lock and the others wait for its result) and stores it. Resident actors,
// fenced by row-level security to their tenancy, always compute. The
// result is compute's, through JSON: T must survive encoding/json. Errors
// are compute's, the marks' or the database's.
func Materialize[T any](ctx context.Context, s *Service, actor realty.Actor, r Report, compute func(context.Context) (T, error)) (T, error) {
	var out T
	if actor.Resident {
		return compute(ctx)
	}
	r.Params = scopeParams(r.Params, actor.PropertyScope)
	body, err := s.snapshots.read(ctx, s, actor, r, func(ctx context.Context) ([]byte, error) {
		v, err := compute(ctx)
		if err != nil {
			return nil, err
		}
		return json.Marshal(v)
	})
	if err != nil {
		return out, err
	}
	return out, json.Unmarshal(body, &out)
}

// scopeParams appends a property scope to a report's parameters.
func scopeParams(params string, scope []realty.ID) string {
	if scope == nil {
		return params
	}
	ids := make([]string, len(scope))
	for i, id := range scope {
		ids[i] = id.String()
	}
	slices.Sort(ids)
	return params + "|scope=" + strings.Join(ids, ",")
}

// snapshotRow is a stored result and its age by the database's clock.
type snapshotRow struct {
	Body      []byte    `db:"body"`
	Watermark time.Time `db:"watermark"`
	Age       float64   `db:"age"`
}

func (r *snapshotRow) age() time.Duration { return time.Duration(r.Age * float64(time.Second)) }

// current reports whether the row may be served to a reader who read mark.
func (r *snapshotRow) current(mark time.Time, maxAge time.Duration) bool {
	return r != nil && !mark.After(r.Watermark) && r.age() < maxAge
}

// snapshots runs the recomputes: at most one per report at a time in the
// process, the others waiting for it.
type snapshots struct {
	mu      sync.Mutex
	flights map[string]*flight
	// computed counts the results computed and stored, for the tests.
	computed atomic.Int64
}

type flight struct {
	done      chan struct{}
	body      []byte
	watermark time.Time
	err       error
}

// errBusy is another process holding a report's lock.
var errBusy = errors.New("report snapshot: computed elsewhere")

// read serves the stored result or a new one.
func (sn *snapshots) read(ctx context.Context, s *Service, actor realty.Actor, r Report, compute func(context.Context) ([]byte, error)) ([]byte, error) {
	row, mark, err := s.readSnapshot(ctx, actor, r)
	if err != nil {
		return nil, err
	}
	key := actor.OrgID.String() + "\x00" + r.Kind + "\x00" + r.Params
	if row.current(mark, SnapshotFresh) || (row.current(mark, SnapshotMaxAge) && sn.running(key)) {
		return row.Body, nil
	}
	for range 3 {
		f := sn.join(key, func() (*flight, error) { return s.recompute(ctx, actor, r, compute) })
		select {
		case <-f.done:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
		if f.err != nil {
			return nil, f.err
		}
		if !mark.After(f.watermark) {
			return f.body, nil
		}
		// The flight read its watermark before this reader's: another.
	}
	return compute(ctx)
}

// running reports whether a recompute of key is under way.
func (sn *snapshots) running(key string) bool {
	sn.mu.Lock()
	defer sn.mu.Unlock()
	_, ok := sn.flights[key]
	return ok
}

// join returns key's flight under way, or starts one running do.
func (sn *snapshots) join(key string, do func() (*flight, error)) *flight {
	sn.mu.Lock()
	defer sn.mu.Unlock()
	if f, ok := sn.flights[key]; ok {
		return f
	}
	f := &flight{done: make(chan struct{})}
	if sn.flights == nil {
		sn.flights = map[string]*flight{}
	}
	sn.flights[key] = f
	go func() {
		res, err := do()
		if err == nil {
			f.body, f.watermark = res.body, res.watermark
		}
		f.err = err
		sn.mu.Lock()
		delete(sn.flights, key)
		sn.mu.Unlock()
		close(f.done)
	}()
	return f
}

// snapshotSQL reads organization $1's stored result of kind $2 with
// parameters $3 and its age by the database's clock.
const snapshotSQL = `SELECT body, watermark, extract(epoch FROM clock_timestamp() - computed_at)::float8 AS age FROM ledger.report_snapshots
	WHERE organization_id = $1 AND kind = $2 AND params = $3`

// readSnapshot reads the stored result (nil when none) and the inputs'
// watermark: the ledger's in the same round trip, then the other marks.
func (s *Service) readSnapshot(ctx context.Context, actor realty.Actor, r Report) (*snapshotRow, time.Time, error) {
	var row *snapshotRow
	var mark time.Time
	err := postgres.ReadBatch(ctx, s.pool, actor, func(b *pgx.Batch) {
		b.Queue(snapshotSQL, actor.OrgID, r.Kind, r.Params)
		if r.MarkSQL != "" {
			b.Queue(r.MarkSQL, actor.OrgID)
		}
	}, func(br pgx.BatchResults) error {
		rows, err := br.Query()
		if err == nil {
			row, err = pgx.CollectExactlyOneRow(rows, pgx.RowToAddrOfStructByName[snapshotRow])
		}
		if errors.Is(err, pgx.ErrNoRows) {
			row, err = nil, nil
		}
		if err == nil && r.MarkSQL != "" {
			var m *time.Time
			err = br.QueryRow().Scan(&m)
			if m != nil {
				mark = *m
			}
		}
		return err
	})
	if err != nil {
		return nil, mark, err
	}
	mark, err = latest(ctx, actor, mark, r.Marks)
	return row, mark, err
}

// latest is the newest of mark and the marks'.
func latest(ctx context.Context, actor realty.Actor, mark time.Time, marks []Mark) (time.Time, error) {
	for _, m := range marks {
		t, err := m(ctx, actor)
		if err != nil {
			return mark, err
		}
		if t.After(mark) {
			mark = t
		}
	}
	return mark, nil
}
