-- The audit trail by user ("what did this member change"), without blocking
-- writes during an upgrade. audit.changes is partitioned, and PostgreSQL 15
-- cannot build an index CONCURRENTLY on a partitioned table, so this
-- migration creates only the parent's index, ON ONLY the parent: a catalog
-- entry, invalid until every partition has its own index attached. The
-- migrator then completes it (postgres.completePartitionIndexes, run by
-- every migrate up): for each partition it builds the partition's index
-- CONCURRENTLY and attaches it with ALTER INDEX … ATTACH PARTITION, which
-- marks the parent valid once the last partition is attached. Those
-- statements name partitions that exist only at run time (one per month),
-- which a migration file cannot spell. Partitions made later by
-- audit.ensure_partitions get the index when they are attached.

-- +goose NO TRANSACTION

-- +goose Up
CREATE INDEX IF NOT EXISTS changes_user_idx ON ONLY audit.changes (organization_id, user_id, changed_at);

-- +goose Down
DROP INDEX IF EXISTS audit.changes_user_idx;
