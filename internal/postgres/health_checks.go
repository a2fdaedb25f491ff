package postgres

import (
	"context"
	"fmt"
	"maps"
	"math"
	"slices"
	"strings"
	"time"
)

// Thresholds of the health checks, the same the alert rules use
// (deploy/prometheus/alerts.yml).
const (
	cacheHitMin        = 0.99
	deadRatioMax       = 0.20
	deadTuplesMin      = 10000 // fewer dead tuples are not worth a warning
	longTransactionMax = 5 * time.Minute
	replicationLagMax  = 5 * time.Minute
)

// healthChecks reads one Health snapshot (the 10 largest tables, the 3
// costliest statements) and judges it. A part that could not be read is a
// FAIL naming its error.
func healthChecks(ctx context.Context, db DB) []Check {
	h, _ := ReadHealth(ctx, db, 10) // each part's error is in h.Unread
	judge := []struct {
		name, part string
		fn         func(Health) Check
	}{
		{"Connections by state", "connections", checkConnectionStates},
		{"Cache hit ratio", "cache", checkCacheHit},
		{"Dead tuples", "tables", checkDeadTuples},
		{"Longest transaction", "transactions", checkLongestTransaction},
		{"WAL archiver", "archiver", checkArchiver},
		{"Replication", "replication", checkReplication},
		{"pg_stat_statements", "statements", checkStatStatements},
	}
	var out []Check
	for _, j := range judge {
		var c Check
		if err := h.Unread[j.part]; err != nil {
			c = failed(fmt.Errorf("read %s: %w", j.part, err))
		} else {
			c = j.fn(h)
		}
		c.Name = j.name
		out = append(out, c)
	}
	return out
}

func checkConnectionStates(h Health) Check {
	var parts []string
	for _, state := range slices.Sorted(maps.Keys(h.Connections)) {
		parts = append(parts, fmt.Sprintf("%d %s", h.Connections[state], state))
	}
	return Check{"", OK, "this database: " + strings.Join(parts, ", "), "none"}
}

func checkCacheHit(h Health) Check {
	ratio, ok := h.CacheHitRatio()
	if !ok || h.BlocksHit+h.BlocksRead < 10000 {
		return Check{"", OK, "too little traffic to judge", "none"}
	}
	v := fmt.Sprintf("%.2f%%", ratio*100)
	if ratio < cacheHitMin {
		return Check{"", Warning, v + " (below 99%)", "the working set does not fit in memory: raise shared_buffers " +
			"(REALTY_PG_SETTINGS for the embedded cluster) toward a quarter of the machine's memory, or add memory"}
	}
	return Check{"", OK, v, "none"}
}

func checkDeadTuples(h Health) Check {
	var bad []string
	for _, t := range h.Tables {
		if t.Dead >= deadTuplesMin && t.DeadRatio() > deadRatioMax {
			bad = append(bad, fmt.Sprintf("%s %.0f%% of %d", t.Name, t.DeadRatio()*100, t.Live+t.Dead))
		}
	}
	if len(bad) > 0 {
		return Check{"", Warning, "dead tuples over 20%: " + strings.Join(bad, ", "),
			"autovacuum is falling behind: run VACUUM (ANALYZE) on them, look for long transactions holding it back, " +
				"and lower autovacuum_vacuum_scale_factor for these tables (ALTER TABLE … SET (autovacuum_vacuum_scale_factor = 0.05))"}
	}
	return Check{"", OK, fmt.Sprintf("none over 20%% among the %d largest tables", len(h.Tables)), "none"}
}

func checkLongestTransaction(h Health) Check {
	age := time.Duration(h.LongestTransaction * float64(time.Second)).Round(time.Second)
	if age > longTransactionMax {
		return Check{"", Warning, "open for " + age.String(), "a long transaction holds back vacuum: find it with " +
			"SELECT pid, usename, state, xact_start, query FROM pg_stat_activity ORDER BY xact_start; " +
			"end it with pg_terminate_backend(pid); set idle_in_transaction_session_timeout to stop it recurring"}
	}
	if age == 0 {
		return Check{"", OK, "no open transaction", "none"}
	}
	return Check{"", OK, "oldest open for " + age.String(), "none"}
}

func checkArchiver(h Health) Check {
	a := h.Archiver
	if a.Mode == "off" {
		return Check{"", OK, "archive_mode off", "none for the archiver itself; whether point-in-time recovery is set up is the Point-in-time recovery check's to say"}
	}
	v := fmt.Sprintf("%d archived, %d failed", a.Archived, a.Failed)
	if !math.IsNaN(a.FailedAge) {
		v += fmt.Sprintf(" (last failure %s ago)", time.Duration(a.FailedAge*float64(time.Second)).Round(time.Second))
	}
	if !math.IsNaN(a.FailedAge) && (math.IsNaN(a.LastArchivedAge) || a.FailedAge < a.LastArchivedAge) {
		return Check{"", Fail, v + ", the last attempt failed", "WAL piles up in pg_wal until archive_command succeeds: " +
			"read PostgreSQL's log for the command's error, fix it (space, permissions of the archive directory) and watch failed_count stop rising"}
	}
	return Check{"", OK, v, "none"}
}

func checkReplication(h Health) Check {
	if len(h.Replicas) == 0 {
		return Check{"", OK, "no standby streaming", "none"}
	}
	var parts []string
	worst := 0.0
	for _, r := range h.Replicas {
		parts = append(parts, fmt.Sprintf("%s %.1f s behind", r.Name, r.LagSeconds))
		worst = max(worst, r.LagSeconds)
	}
	if worst > replicationLagMax.Seconds() {
		return Check{"", Warning, strings.Join(parts, ", "), "a standby lags: check its network, disk and " +
			"whether queries on it conflict with replay (pg_stat_database_conflicts)"}
	}
	return Check{"", OK, strings.Join(parts, ", "), "none"}
}

func checkStatStatements(h Health) Check {
	if h.StatementsMissing != "" {
		return Check{"", Warning, "not active: " + h.StatementsMissing, StatementsAdvice}
	}
	var parts []string
	for _, s := range h.Statements[:min(3, len(h.Statements))] {
		parts = append(parts, fmt.Sprintf("queryid %d: %.1f s total, %.2f ms mean, %d calls", s.QueryID, s.TotalSeconds, s.MeanSeconds*1000, s.Calls))
	}
	if len(parts) == 0 {
		return Check{"", OK, "active, nothing recorded yet", "none"}
	}
	return Check{"", OK, "active; most time: " + strings.Join(parts, "; "),
		"none (SELECT query FROM pg_stat_statements WHERE queryid = … shows a statement)"}
}
