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

// A Mark is the SQL, written by the domain that owns the tables, of the
// newest updated_at among some of a report's inputs in organization $1:
// one timestamptz, NULL when there are none (property.UnitsMarkSQL,
// ReceivablesMarkSQL). A report reads all its marks as one query in the
// round trip that reads its stored result.
type Mark string

// Report names a materialized report: its kind, its parameters as a
// string (the actor's property scope is added), the mark of its ledger
// inputs and the marks of its other inputs.
type Report struct {
	Kind    string
	Params  string
	MarkSQL Mark
	Marks   []Mark
}

// markSQL is the report's marks as one query of one timestamptz (NULL
// when no input has a row), "" when it has none.
func (r Report) markSQL() string {
	var parts []string
	for _, m := range append([]Mark{r.MarkSQL}, r.Marks...) {
		if m != "" {
			parts = append(parts, "("+string(m)+")")
		}
	}
	if len(parts) == 0 {
		return ""
	}
	return "SELECT greatest(" + strings.Join(parts, ", ") + ")"
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
	key := actor.OrgID.String() + "\x00" + r.Kind + "\x00" + r.Params
	kept, haveKept := s.snapshots.kept(key)
	var known *snapshotVersion
	if _, ok := kept.value.(T); ok && haveKept {
		known = &kept.version
	}
	body, ver, err := s.snapshots.read(ctx, s, actor, r, key, known, func(ctx context.Context) ([]byte, error) {
		v, err := compute(ctx)
		if err != nil {
			return nil, err
		}
		return json.Marshal(v)
	})
	if err != nil {
		return out, err
	}
	if body == nil && known != nil && ver == *known {
		return kept.value.(T), nil
	}
	if err := json.Unmarshal(body, &out); err != nil {
		return out, err
	}
	s.snapshots.keep(key, ver, out, len(body))
	return out, nil
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

// snapshotRow is a stored result (its body nil when the reader already
// holds this version of it) and its age by the database's clock.
type snapshotRow struct {
	Body       []byte    `db:"body"`
	Watermark  time.Time `db:"watermark"`
	ComputedAt time.Time `db:"computed_at"`
	Age        float64   `db:"age"`
}

// snapshotVersion tells one stored result from another: each recompute
// stores its own transaction's start and watermark.
type snapshotVersion struct {
	computedAt, watermark time.Time
}

func (r *snapshotRow) version() snapshotVersion {
	return snapshotVersion{computedAt: r.ComputedAt, watermark: r.Watermark}
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
	// memo holds the decoded results last read, memoBytes their bodies'
	// length in all.
	memo      map[string]memoEntry
	memoBytes int
	// computed counts the results computed and stored, decoded the bodies
	// decoded, for the tests.
	computed, decoded atomic.Int64
	// slots bounds the recomputes running at once to capacity (slot).
	slots    chan struct{}
	capacity int
}

type flight struct {
	done       chan struct{}
	body       []byte
	watermark  time.Time
	computedAt time.Time
	err        error
}

// errBusy is another process holding a report's lock.
var errBusy = errors.New("report snapshot: computed elsewhere")

// read serves the stored result or a new one.
// known is the version whose decoded result the reader holds: when the
// stored row is still that version, its body is not read and comes back
// nil. A result computed but not stored comes back with the zero version.
func (sn *snapshots) read(ctx context.Context, s *Service, actor realty.Actor, r Report, key string, known *snapshotVersion,
	compute func(context.Context) ([]byte, error)) ([]byte, snapshotVersion, error) {
	row, mark, err := s.readSnapshot(ctx, actor, r, known)
	if err != nil {
		return nil, snapshotVersion{}, err
	}
	if row.current(mark, SnapshotFresh) || (row.current(mark, SnapshotMaxAge) && sn.running(key)) {
		return row.Body, row.version(), nil
	}
	for range 3 {
		f := sn.join(key, func() (*flight, error) { return s.recompute(ctx, actor, r, compute) })
		select {
		case <-f.done:
		case <-ctx.Done():
			return nil, snapshotVersion{}, ctx.Err()
		}
		if f.err != nil {
			return nil, snapshotVersion{}, f.err
		}
		if !mark.After(f.watermark) {
			return f.body, snapshotVersion{computedAt: f.computedAt, watermark: f.watermark}, nil
		}
		// The flight read its watermark before this reader's: another.
	}
	body, err := compute(ctx)
	return body, snapshotVersion{}, err
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
		release := sn.slot()
		res, err := do()
		release()
		if err == nil {
			f.body, f.watermark, f.computedAt = res.body, res.watermark, res.computedAt
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
// parameters $3 and its age by the database's clock, its body NULL when
// it is the version computed at $4 with watermark $5.
const snapshotSQL = `SELECT CASE WHEN computed_at = $4::timestamptz AND watermark = $5::timestamptz THEN NULL ELSE body END AS body,
	watermark, computed_at, extract(epoch FROM clock_timestamp() - computed_at)::float8 AS age FROM ledger.report_snapshots
	WHERE organization_id = $1 AND kind = $2 AND params = $3`

// readSnapshot reads the stored result (nil when none; its body nil when
// it is the known version) and the inputs' watermark in one round trip.
func (s *Service) readSnapshot(ctx context.Context, actor realty.Actor, r Report, known *snapshotVersion) (*snapshotRow, time.Time, error) {
	var row *snapshotRow
	var mark time.Time
	markSQL := r.markSQL()
	err := postgres.ReadBatch(ctx, s.pool, actor, func(b *pgx.Batch) {
		b.Queue(snapshotSQL, append([]any{actor.OrgID, r.Kind, r.Params}, known.args()...)...)
		if markSQL != "" {
			b.Queue(markSQL, actor.OrgID)
		}
	}, func(br pgx.BatchResults) error {
		rows, err := br.Query()
		if err == nil {
			row, err = pgx.CollectExactlyOneRow(rows, pgx.RowToAddrOfStructByName[snapshotRow])
		}
		if errors.Is(err, pgx.ErrNoRows) {
			row, err = nil, nil
		}
		if err == nil && markSQL != "" {
			var m *time.Time
			err = br.QueryRow().Scan(&m)
			if m != nil {
				mark = *m
			}
		}
		return err
	})
	return row, mark, err
}

// args are the version as snapshotSQL's $4 and $5 (NULLs for none).
func (v *snapshotVersion) args() []any {
	if v == nil {
		return []any{nil, nil}
	}
	return []any{v.computedAt, v.watermark}
}

// A recompute holds a pooled connection (its transaction and advisory
// lock) while its computation takes another, one query at a time. With
// every connection held by a recompute waiting for a second, none would
// finish: at most half the pool's connections recompute at once, the
// other recomputes waiting for a slot.
func (sn *snapshots) slot() (release func()) {
	sn.mu.Lock()
	if sn.slots == nil {
		sn.slots = make(chan struct{}, sn.capacity)
	}
	slots := sn.slots
	sn.mu.Unlock()
	slots <- struct{}{}
	return func() { <-slots }
}
