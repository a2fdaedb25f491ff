package server

import (
	"context"
	"log/slog"
	"math"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"realty/internal/postgres"
)

// Bounds of the database health scrape: one query set per scrape, given at
// most dbHealthTimeout (a slow or unreachable database yields
// realty_db_up 0, not a hung /metrics), with top-N lists of dbHealthTop.
const (
	dbHealthTimeout = 2 * time.Second
	dbHealthTop     = 10
)

func dbDesc(name, help string, labels ...string) *prometheus.Desc {
	return prometheus.NewDesc("realty_db_"+name, help, labels, nil)
}

var (
	dbUp          = dbDesc("up", "1 when the database answered this scrape's health queries within the timeout, else 0.")
	dbScrape      = dbDesc("health_scrape_duration_seconds", "Time the database health queries of this scrape took.")
	dbConns       = dbDesc("connections", "Client sessions of realty's database by state (hidden: another role's, not visible without pg_monitor).", "state")
	dbMaxConns    = dbDesc("max_connections", "The server's max_connections.")
	dbBlocksHit   = dbDesc("blocks_hit_total", "Buffer cache hits in realty's database since the statistics were reset.")
	dbBlocksRead  = dbDesc("blocks_read_total", "Blocks read from disk (or the OS cache) in realty's database since the statistics were reset.")
	dbCacheHit    = dbDesc("cache_hit_ratio", "Buffer cache hit ratio since the statistics were reset: hits / (hits + reads), 0 to 1.")
	dbTableBytes  = dbDesc("table_size_bytes", "Size of each of the largest tables (top 10 by size).", "table")
	dbTableDead   = dbDesc("table_dead_tuples", "Dead tuples of each of the largest tables.", "table")
	dbTableRatio  = dbDesc("table_dead_tuple_ratio", "Dead / (live + dead) tuples of each of the largest tables, 0 to 1.", "table")
	dbLongestXact = dbDesc("longest_transaction_seconds", "Age of the oldest open transaction of a client session of realty's database (0: none).")
	dbArchiveMode = dbDesc("archive_mode", "1 when WAL archiving (archive_mode) is on, else 0.")
	dbArchived    = dbDesc("archiver_archived_total", "WAL files archived successfully (pg_stat_archiver).")
	dbArchFailed  = dbDesc("archiver_failed_total", "Failed attempts to archive WAL files (pg_stat_archiver).")
	dbArchLastOK  = dbDesc("archiver_last_archived_age_seconds", "Seconds since the last WAL file was archived; absent when none ever was.")
	dbArchLastErr = dbDesc("archiver_last_failure_age_seconds", "Seconds since the last failed archive attempt; absent when none ever failed.")
	dbReplicas    = dbDesc("replicas", "Standbys streaming from this server (pg_stat_replication).")
	dbReplLagSec  = dbDesc("replication_lag_seconds", "Replay lag of each standby (top 10 by name).", "replica")
	dbReplLagByte = dbDesc("replication_lag_bytes", "WAL bytes each standby has yet to replay.", "replica")
	dbStatsOn     = dbDesc("statements_available", "1 when pg_stat_statements is usable, else 0: to enable it, add pg_stat_statements "+
		"to shared_preload_libraries, restart PostgreSQL and run realty migrate up (the embedded cluster preloads it).")
	dbStmtCalls = dbDesc("statement_calls_total", "Calls of each of the 10 statements with the most total execution time, by pg_stat_statements queryid.", "queryid")
	dbStmtTotal = dbDesc("statement_seconds_total", "Total execution time of each of the 10 statements with the most, by queryid.", "queryid")
	dbStmtMean  = dbDesc("statement_mean_seconds", "Mean execution time of each of the 10 statements with the most total time, by queryid.", "queryid")
)

var dbDescs = []*prometheus.Desc{dbUp, dbScrape, dbConns, dbMaxConns, dbBlocksHit, dbBlocksRead, dbCacheHit,
	dbTableBytes, dbTableDead, dbTableRatio, dbLongestXact, dbArchiveMode, dbArchived, dbArchFailed, dbArchLastOK,
	dbArchLastErr, dbReplicas, dbReplLagSec, dbReplLagByte, dbStatsOn, dbStmtCalls, dbStmtTotal, dbStmtMean}

// dbHealthCollector reads postgres.ReadHealth at scrape time through the
// runtime pool: the views realty_app may read (its own sessions and
// statements in full; others' only with pg_monitor granted).
type dbHealthCollector struct {
	pool    *postgres.Pool
	log     *slog.Logger
	timeout time.Duration
}

func (c dbHealthCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range dbDescs {
		ch <- d
	}
}

func (c dbHealthCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), c.timeout)
	defer cancel()
	start := time.Now()
	h, err := c.read(ctx)
	gauge(ch, dbScrape, time.Since(start).Seconds())
	if err != nil {
		c.log.Warn("database health", "err", err)
	}
	if ctx.Err() != nil || h.MaxConnections == 0 {
		gauge(ch, dbUp, 0)
		return
	}
	gauge(ch, dbUp, 1)
	collectHealth(ch, h)
}

// read runs the query set on one connection, so a busy pool costs one wait.
func (c dbHealthCollector) read(ctx context.Context) (postgres.Health, error) {
	conn, err := c.pool.Acquire(ctx)
	if err != nil {
		return postgres.Health{}, err
	}
	defer conn.Release()
	return postgres.ReadHealth(ctx, conn, dbHealthTop)
}

func gauge(ch chan<- prometheus.Metric, d *prometheus.Desc, v float64, labels ...string) {
	ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v, labels...)
}

func counter(ch chan<- prometheus.Metric, d *prometheus.Desc, v float64, labels ...string) {
	ch <- prometheus.MustNewConstMetric(d, prometheus.CounterValue, v, labels...)
}

func collectHealth(ch chan<- prometheus.Metric, h postgres.Health) {
	for state, n := range h.Connections {
		gauge(ch, dbConns, float64(n), state)
	}
	gauge(ch, dbMaxConns, float64(h.MaxConnections))
	counter(ch, dbBlocksHit, float64(h.BlocksHit))
	counter(ch, dbBlocksRead, float64(h.BlocksRead))
	if r, ok := h.CacheHitRatio(); ok {
		gauge(ch, dbCacheHit, r)
	}
	for _, t := range h.Tables {
		gauge(ch, dbTableBytes, float64(t.Bytes), t.Name)
		gauge(ch, dbTableDead, float64(t.Dead), t.Name)
		gauge(ch, dbTableRatio, t.DeadRatio(), t.Name)
	}
	gauge(ch, dbLongestXact, h.LongestTransaction)
	collectArchiver(ch, h.Archiver)
	gauge(ch, dbReplicas, float64(len(h.Replicas)))
	for _, r := range h.Replicas {
		gauge(ch, dbReplLagSec, r.LagSeconds, r.Name)
		gauge(ch, dbReplLagByte, r.LagBytes, r.Name)
	}
	if h.StatementsMissing != "" {
		gauge(ch, dbStatsOn, 0)
		return
	}
	gauge(ch, dbStatsOn, 1)
	for _, s := range h.Statements {
		id := strconv.FormatInt(s.QueryID, 10)
		counter(ch, dbStmtCalls, float64(s.Calls), id)
		counter(ch, dbStmtTotal, s.TotalSeconds, id)
		gauge(ch, dbStmtMean, s.MeanSeconds, id)
	}
}

func collectArchiver(ch chan<- prometheus.Metric, a postgres.ArchiverHealth) {
	mode := 0.0
	if a.Mode != "off" {
		mode = 1
	}
	gauge(ch, dbArchiveMode, mode)
	counter(ch, dbArchived, float64(a.Archived))
	counter(ch, dbArchFailed, float64(a.Failed))
	if !math.IsNaN(a.LastArchivedAge) {
		gauge(ch, dbArchLastOK, a.LastArchivedAge)
	}
	if !math.IsNaN(a.FailedAge) {
		gauge(ch, dbArchLastErr, a.FailedAge)
	}
}
