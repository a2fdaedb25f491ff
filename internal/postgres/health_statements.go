package postgres

import (
	"context"

	"github.com/jackc/pgx/v5"
)

// StatementsAdvice says how to make pg_stat_statements usable.
const StatementsAdvice = "add pg_stat_statements to shared_preload_libraries (postgresql.conf, or REALTY_PG_SETTINGS " +
	"for the embedded cluster, where it is on by default), restart PostgreSQL, and run realty migrate up (CREATE EXTENSION pg_stat_statements)"

// readStatements reads the top statements by total execution time in this
// database, or sets StatementsMissing when the extension is not created or
// not preloaded (querying it then fails; its settings exist only when it is
// preloaded, and unlike shared_preload_libraries any role may read them). The reading role sees only its own
// statements unless it has pg_read_all_stats.
func readStatements(ctx context.Context, db DB, top int, h *Health) error {
	var schema *string
	var loaded bool
	err := db.QueryRow(ctx, `SELECT (SELECT extnamespace::regnamespace::text FROM pg_extension WHERE extname = 'pg_stat_statements'),
		current_setting('pg_stat_statements.track', true) IS NOT NULL`).Scan(&schema, &loaded)
	switch {
	case err != nil:
		return err
	case schema == nil:
		h.StatementsMissing = "the pg_stat_statements extension is not created"
		return nil
	case !loaded:
		h.StatementsMissing = "pg_stat_statements is not in shared_preload_libraries"
		return nil
	}
	rows, err := db.Query(ctx, `
		SELECT queryid AS query_id, calls, total_exec_time / 1000 AS total_seconds, mean_exec_time / 1000 AS mean_seconds
		FROM `+pgx.Identifier{*schema, "pg_stat_statements"}.Sanitize()+`
		WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database()) AND queryid IS NOT NULL
		ORDER BY total_exec_time DESC LIMIT $1`, top)
	if err != nil {
		return err
	}
	h.Statements, err = pgx.CollectRows(rows, pgx.RowToStructByName[StatementHealth])
	return err
}
