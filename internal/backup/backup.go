// Package backup makes, restores and verifies realty's backups: a
// custom-format pg_dump of the database read from an exported snapshot, a
// copy of the blob store and the server key, and a manifest with versions,
// every file's SHA-256 and every table's row count and checksum in that
// same snapshot. Restores go into an empty data directory or database;
// verification restores into a throw-away cluster and compares. Point-in-
// time recovery and organization exports are to join as further kinds of
// manifest.
package backup

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/jackc/pgx/v5"
)

// Source is what a backup reads.
type Source struct {
	// AdminURL connects to realty's database as a superuser (or a role
	// with BYPASSRLS): the embedded cluster's over its socket, or
	// REALTY_ADMIN_DATABASE_URL.
	AdminURL string
	// BinDir holds pg_dump; "" finds it as the embedded launcher does.
	BinDir string
	// DataDir holds blobs/ and secret.key (REALTY_DATA_DIR).
	DataDir string
	// Version is realty's version, recorded in the manifest.
	Version string
	// Trigger is recorded in the manifest: "manual" (default) or
	// "scheduled".
	Trigger string
}

// DirName is the name of a backup directory made at t: its UTC time,
// sortable ("20261207T014502Z").
func DirName(t time.Time) string { return t.UTC().Format("20060102T150405Z") }

// Create writes a full backup of src into dir, which must not exist or be
// empty. It writes into a hidden sibling directory and renames it into
// place at the end, so a killed backup never leaves a directory that looks
// complete. Errors: the role cannot see every row, no realty tables, dir
// not empty, or pg_dump's own error (with its output).
func Create(ctx context.Context, src Source, dir string) (*Manifest, error) {
	start := time.Now()
	dir, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	if entries, err := os.ReadDir(dir); err == nil && len(entries) > 0 {
		return nil, fmt.Errorf("backup directory %s is not empty", dir)
	}
	t, err := findTools(src.BinDir)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(filepath.Dir(dir), 0o750); err != nil {
		return nil, fmt.Errorf("backup directory: %w", err)
	}
	tmp, err := os.MkdirTemp(filepath.Dir(dir), "."+filepath.Base(dir)+".partial-")
	if err != nil {
		return nil, fmt.Errorf("backup directory: %w", err)
	}
	defer os.RemoveAll(tmp) // gone after the rename; removes a failed attempt
	m, err := dumpDatabase(ctx, t, src, tmp)
	if err != nil {
		return nil, err
	}
	if m.Files, err = copyDataFiles(src.DataDir, tmp); err != nil {
		return nil, err
	}
	m.RealtyVersion, m.Trigger = src.Version, src.Trigger
	if m.Trigger == "" {
		m.Trigger = "manual"
	}
	m.DurationSeconds = float64(time.Since(start).Milliseconds()) / 1000
	if err := writeManifest(tmp, m); err != nil {
		return nil, err
	}
	_ = os.Remove(dir) // an empty directory given with --to
	if err := os.Rename(tmp, dir); err != nil {
		return nil, fmt.Errorf("move backup into place: %w", err)
	}
	syncDir(filepath.Dir(dir))
	return m, nil
}

// dumpDatabase exports a snapshot from a read-only REPEATABLE READ
// transaction, runs pg_dump on it while counting and checksumming every
// table in the same snapshot, and returns the manifest so far.
func dumpDatabase(ctx context.Context, t tools, src Source, dir string) (*Manifest, error) {
	conn, err := connect(ctx, src.AdminURL)
	if err != nil {
		return nil, err
	}
	defer conn.Close(context.WithoutCancel(ctx))
	tx, err := conn.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
	if err != nil {
		return nil, fmt.Errorf("begin snapshot: %w", err)
	}
	defer tx.Rollback(context.WithoutCancel(ctx))
	m := &Manifest{Format: manifestFormat, Kind: "full", ChecksumMethod: ChecksumMethod, Dump: File{Path: DumpFile}}
	if err := describe(ctx, tx, m); err != nil {
		return nil, err
	}
	dumpCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	dumped := make(chan error, 1)
	go func() { dumped <- t.dump(dumpCtx, src.AdminURL, m.Snapshot, filepath.Join(dir, DumpFile)) }()
	if err := tableStats(ctx, tx, m.Tables, true); err != nil {
		cancel()
		<-dumped
		return nil, err
	}
	if err := <-dumped; err != nil {
		return nil, err
	}
	if err := os.Chmod(filepath.Join(dir, DumpFile), 0o600); err != nil { // it holds password hashes
		return nil, err
	}
	if m.Dump.SHA256, m.Dump.Size, err = hashFile(filepath.Join(dir, DumpFile)); err != nil {
		return nil, err
	}
	return m, nil
}

// describe checks the role, exports the snapshot and records what the
// manifest says of the database: versions, time and tables.
func describe(ctx context.Context, tx pgx.Tx, m *Manifest) error {
	if err := requireAllRows(ctx, tx); err != nil {
		return err
	}
	err := tx.QueryRow(ctx, `SELECT pg_export_snapshot(), current_database(), current_setting('server_version'),
		current_setting('server_version_num')::int, now()`).Scan(&m.Snapshot, &m.Database, &m.ServerVersion, &m.ServerVersionNum, &m.CreatedAt)
	if err != nil {
		return fmt.Errorf("export snapshot: %w", err)
	}
	m.CreatedAt = m.CreatedAt.UTC()
	if m.SchemaVersion, m.RiverVersion, err = schemaVersions(ctx, tx); err != nil {
		return err
	}
	if m.Tables, err = realtyTables(ctx, tx); err != nil {
		return err
	}
	if len(m.Tables) == 0 {
		return errNoTables
	}
	return nil
}

// syncDir flushes a directory's entries (a rename into it) to disk; best
// effort.
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		_ = d.Close()
	}
}

// ErrNotEmpty is returned (wrapped) by Restore for a target holding data
// when not forced.
var ErrNotEmpty = errors.New("target is not empty")
