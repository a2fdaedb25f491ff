package postgres

import (
	"context"
	"errors"
	"fmt"
	"math"

	"github.com/jackc/pgx/v5"
)

// MaxHealthTop bounds every top-N list of a Health (tables, statements,
// replicas), whatever the caller asks: each entry becomes a labelled series.
const MaxHealthTop = 50

// Health is one snapshot of the database's health, read from PostgreSQL's
// statistics views. What the reading role may not see (other roles'
// sessions without pg_read_all_stats) is counted as state "hidden".
type Health struct {
	// Connections counts this database's client sessions by state
	// (active, idle, idle in transaction, …, hidden).
	Connections    map[string]int
	MaxConnections int
	// BlocksHit and BlocksRead are this database's buffer cache hits and
	// reads since the statistics were reset.
	BlocksHit, BlocksRead int64
	// Tables are the largest tables, biggest first.
	Tables []TableHealth
	// LongestTransaction is the age in seconds of the oldest open
	// transaction of a client session of this database (0: none).
	LongestTransaction float64
	Archiver           ArchiverHealth
	Replicas           []ReplicaHealth
	// Statements are the statements with the most total execution time;
	// empty with StatementsMissing set when pg_stat_statements is not usable.
	Statements        []StatementHealth
	StatementsMissing string
	// Unread holds the error of each part (connections, cache, tables,
	// transactions, archiver, replication, statements) that could not be read.
	Unread map[string]error
}

// CacheHitRatio returns hits / (hits + reads), and false before any block
// was touched.
func (h Health) CacheHitRatio() (float64, bool) {
	if h.BlocksHit+h.BlocksRead == 0 {
		return 0, false
	}
	return float64(h.BlocksHit) / float64(h.BlocksHit+h.BlocksRead), true
}

// TableHealth is one table's size and dead tuples.
type TableHealth struct {
	Name  string `db:"name"` // schema.table
	Bytes int64  `db:"bytes"`
	Live  int64  `db:"live"`
	Dead  int64  `db:"dead"`
}

// DeadRatio returns dead / (live + dead), 0 for an empty table.
func (t TableHealth) DeadRatio() float64 {
	if t.Live+t.Dead == 0 {
		return 0
	}
	return float64(t.Dead) / float64(t.Live+t.Dead)
}

// ArchiverHealth is pg_stat_archiver's row. The ages are seconds, NaN when
// nothing was ever archived or failed.
type ArchiverHealth struct {
	Mode                       string // archive_mode: off, on or always
	Archived, Failed           int64
	LastArchivedAge, FailedAge float64
}

// ReplicaHealth is one standby streaming from this server.
type ReplicaHealth struct {
	Name       string  `db:"name"`        // application_name, else the client address
	LagSeconds float64 `db:"lag_seconds"` // replay_lag
	LagBytes   float64 `db:"lag_bytes"`   // WAL not yet replayed
}

// StatementHealth is one pg_stat_statements entry, named by its queryid only.
type StatementHealth struct {
	QueryID      int64   `db:"query_id"`
	Calls        int64   `db:"calls"`
	TotalSeconds float64 `db:"total_seconds"`
	MeanSeconds  float64 `db:"mean_seconds"`
}

// healthPart reads one part of a Health.
type healthPart struct {
	name string
	read func(context.Context, DB, int, *Health) error
}

var healthParts = []healthPart{
	{"connections", readConnections},
	{"cache", readCache},
	{"tables", readTables},
	{"transactions", readLongestTransaction},
	{"archiver", readArchiver},
	{"replication", readReplicas},
	{"statements", readStatements},
}

// ReadHealth reads a Health snapshot with at most top (1…MaxHealthTop)
// entries per list. A part whose query fails is left empty and its error
// joined into the returned one, so a caller may use what was read; ctx
// bounds the whole set.
func ReadHealth(ctx context.Context, db DB, top int) (Health, error) {
	top = min(max(top, 1), MaxHealthTop)
	h := Health{Connections: map[string]int{}, Unread: map[string]error{}}
	var errs []error
	for _, p := range healthParts {
		if err := p.read(ctx, db, top, &h); err != nil {
			h.Unread[p.name] = err
			errs = append(errs, fmt.Errorf("database health: %s: %w", p.name, err))
			if ctx.Err() != nil {
				break
			}
		}
	}
	return h, errors.Join(errs...)
}

func readConnections(ctx context.Context, db DB, _ int, h *Health) error {
	rows, err := db.Query(ctx, `
		SELECT coalesce(state, 'hidden'), count(*)::int FROM pg_stat_activity
		WHERE datname = current_database() AND coalesce(backend_type, 'client backend') = 'client backend'
		GROUP BY 1`)
	if err != nil {
		return err
	}
	var state string
	var n int
	if _, err := pgx.ForEachRow(rows, []any{&state, &n}, func() error { h.Connections[state] = n; return nil }); err != nil {
		return err
	}
	return db.QueryRow(ctx, "SELECT current_setting('max_connections')::int").Scan(&h.MaxConnections)
}

func readCache(ctx context.Context, db DB, _ int, h *Health) error {
	return db.QueryRow(ctx, "SELECT blks_hit, blks_read FROM pg_stat_database WHERE datname = current_database()").
		Scan(&h.BlocksHit, &h.BlocksRead)
}

func readTables(ctx context.Context, db DB, top int, h *Health) error {
	rows, err := db.Query(ctx, `
		SELECT s.schemaname || '.' || s.relname AS name, pg_relation_size(s.relid) AS bytes,
		       s.n_live_tup AS live, s.n_dead_tup AS dead
		FROM pg_stat_user_tables s
		ORDER BY pg_relation_size(s.relid) DESC, 1 LIMIT $1`, top)
	if err != nil {
		return err
	}
	h.Tables, err = pgx.CollectRows(rows, pgx.RowToStructByName[TableHealth])
	return err
}

func readLongestTransaction(ctx context.Context, db DB, _ int, h *Health) error {
	return db.QueryRow(ctx, `
		SELECT coalesce(extract(epoch FROM max(clock_timestamp() - xact_start)), 0)::float8 FROM pg_stat_activity
		WHERE datname = current_database() AND backend_type = 'client backend'
		  AND xact_start IS NOT NULL AND pid <> pg_backend_pid()`).Scan(&h.LongestTransaction)
}

func readArchiver(ctx context.Context, db DB, _ int, h *Health) error {
	var archived, failed *float64
	err := db.QueryRow(ctx, `
		SELECT current_setting('archive_mode'), archived_count, failed_count,
		       extract(epoch FROM now() - last_archived_time)::float8, extract(epoch FROM now() - last_failed_time)::float8
		FROM pg_stat_archiver`).Scan(&h.Archiver.Mode, &h.Archiver.Archived, &h.Archiver.Failed, &archived, &failed)
	h.Archiver.LastArchivedAge, h.Archiver.FailedAge = orNaN(archived), orNaN(failed)
	return err
}

func orNaN(p *float64) float64 {
	if p == nil {
		return math.NaN()
	}
	return *p
}

func readReplicas(ctx context.Context, db DB, top int, h *Health) error {
	rows, err := db.Query(ctx, `
		SELECT coalesce(nullif(application_name, ''), host(client_addr), pid::text) AS name,
		       coalesce(extract(epoch FROM replay_lag), 0)::float8 AS lag_seconds,
		       coalesce(CASE WHEN pg_is_in_recovery() THEN 0 ELSE pg_wal_lsn_diff(pg_current_wal_lsn(), replay_lsn) END, 0)::float8 AS lag_bytes
		FROM pg_stat_replication ORDER BY 1 LIMIT $1`, top)
	if err != nil {
		return err
	}
	h.Replicas, err = pgx.CollectRows(rows, pgx.RowToStructByName[ReplicaHealth])
	return err
}
