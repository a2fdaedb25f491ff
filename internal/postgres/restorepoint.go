package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"realty"
)

// maxRestorePointName is the longest restore point name PostgreSQL keeps
// (MAXFNAMELEN - 1 bytes).
const maxRestorePointName = 63

// CreateRestorePoint writes a named restore point into the WAL
// (pg_create_restore_point) and returns its LSN: a target point-in-time
// recovery can stop at by name. Errors: a realty.Invalid naming "name" when
// the name is empty or longer than 63 bytes; PostgreSQL's own when the role
// may not (a superuser, or a role granted EXECUTE on the function) or the
// server keeps too little WAL (wal_level minimal).
func CreateRestorePoint(ctx context.Context, db DB, name string) (string, error) {
	if name == "" || len(name) > maxRestorePointName {
		return "", realty.FieldError("name", fmt.Sprintf("must be 1 to %d bytes", maxRestorePointName))
	}
	var lsn string
	if err := db.QueryRow(ctx, "SELECT pg_create_restore_point($1)::text", name).Scan(&lsn); err != nil {
		return "", fmt.Errorf("create restore point %q: %w", name, err)
	}
	return lsn, nil
}

// restorePointBeforeMigrate creates the restore point
// before-migrate-<applied version>-<UTC time> when migrations are pending,
// so a migration gone wrong can be undone by recovering to it. It never
// fails the migration: a role that may not create one, or a server
// without WAL archiving, is logged and skipped.
func (m *Migrator) restorePointBeforeMigrate(ctx context.Context, conn *pgx.Conn) {
	current, err := SchemaCurrent(ctx, conn)
	if err != nil || current {
		return
	}
	var applied int64
	if err := conn.QueryRow(ctx, "SELECT coalesce(max(version_id), 0) FROM goose_db_version").Scan(&applied); err != nil {
		applied = 0 // a new database: no version table yet
	}
	name := fmt.Sprintf("before-migrate-%d-%s", applied, time.Now().UTC().Format("20060102T150405Z"))
	lsn, err := CreateRestorePoint(ctx, conn, name)
	var pe *pgconn.PgError
	switch {
	case errors.As(err, &pe) && pe.Code == "42501":
		m.log.Info("no restore point before migrating: the role may not create one (pg_create_restore_point needs a superuser or a grant)", "name", name)
	case err != nil:
		m.log.Warn("no restore point before migrating", "name", name, "err", err)
	default:
		m.log.Info("restore point created before migrating", "name", name, "lsn", lsn)
	}
}
