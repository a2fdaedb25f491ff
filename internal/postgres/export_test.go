package postgres

import "context"

// SetCitusCheck replaces how m tells a Citus coordinator, so that a test can
// run migrate up's Citus steps against stand-ins of Citus's functions on
// plain PostgreSQL.
func SetCitusCheck(m *Migrator, check func(context.Context, DB) (bool, error)) {
	m.hasCitus = check
}

// CompletePartitionIndexes runs migrate up's completion of partitioned
// indexes on conn.
var CompletePartitionIndexes = completePartitionIndexes
