package postgres

import (
	"context"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
)

// missingPartitionIndexes lists, for every partitioned index of realty's
// schemas that some partition lacks, the parent index, the partition, a
// name for the partition's index and the parent's definition after USING
// ("btree (organization_id, …)").
const missingPartitionIndexes = `
SELECT pi.indexrelid::regclass::text, part.inhrelid::regclass::text,
       left(pc.relname || '_' || regexp_replace(ic.relname, '^' || tc.relname || '_', ''), 63),
       pi.indisunique, substring(pg_get_indexdef(pi.indexrelid) FROM ' USING (.*)$')
FROM pg_index pi
JOIN pg_class ic ON ic.oid = pi.indexrelid AND ic.relkind = 'I'
JOIN pg_class tc ON tc.oid = pi.indrelid
JOIN pg_namespace n ON n.oid = ic.relnamespace AND n.nspname NOT IN ('pg_catalog', 'information_schema')
JOIN pg_inherits part ON part.inhparent = pi.indrelid
JOIN pg_class pc ON pc.oid = part.inhrelid
WHERE NOT EXISTS (
    SELECT FROM pg_inherits ci JOIN pg_index x ON x.indexrelid = ci.inhrelid
    WHERE ci.inhparent = pi.indexrelid AND x.indrelid = part.inhrelid)
ORDER BY 1, 2`

// completePartitionIndexes finishes the partitioned indexes a migration
// created ON ONLY a partitioned table (see migration 0012): PostgreSQL cannot
// build one CONCURRENTLY on the parent, so each partition's index is built
// CONCURRENTLY here, outside any transaction, and attached, which makes the
// parent valid once every partition has one. A leftover invalid index of an
// interrupted build is dropped and built again. It does nothing when every
// partition has its indexes, so it runs on every migrate up.
func completePartitionIndexes(ctx context.Context, conn *pgx.Conn) (int, error) {
	type missing struct {
		parent, partition, name, using string
		unique                         bool
	}
	rows, err := conn.Query(ctx, missingPartitionIndexes)
	if err != nil {
		return 0, fmt.Errorf("partition indexes: %w", err)
	}
	list, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (missing, error) {
		var m missing
		err := r.Scan(&m.parent, &m.partition, &m.name, &m.unique, &m.using)
		return m, err
	})
	if err != nil {
		return 0, fmt.Errorf("partition indexes: %w", err)
	}
	for _, m := range list {
		schema, _, _ := strings.Cut(m.partition, ".")
		index := schema + "." + pgx.Identifier{m.name}.Sanitize()
		create := "CREATE INDEX CONCURRENTLY "
		if m.unique {
			create = "CREATE UNIQUE INDEX CONCURRENTLY "
		}
		for _, sql := range []string{
			"DROP INDEX CONCURRENTLY IF EXISTS " + index,
			create + pgx.Identifier{m.name}.Sanitize() + " ON " + m.partition + " USING " + m.using,
			"ALTER INDEX " + m.parent + " ATTACH PARTITION " + index,
		} {
			if _, err := conn.Exec(ctx, sql); err != nil {
				return 0, fmt.Errorf("partition index %s of %s: %w", m.name, m.partition, err)
			}
		}
	}
	return len(list), nil
}
