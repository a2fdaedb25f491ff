// Package orgexport moves one organization between realty databases: Export
// writes every row the organization owns (and the users and global lookup
// rows that belong to it) as JSON Lines, with the blobs its rows reference;
// Import loads such a file into another (or the same) realty at the same or
// a newer schema version, keeping ids, in one transaction.
//
// The file: a header line (Header), then records {"table":"schema.name",
// "row":{…}} grouped by table, in foreign-key dependency order, then
// {"blob":"<sha256>","data":"<base64>"} records, then one {"end":{…}}
// record with the totals, without which an import refuses the file as
// truncated. docs/operations.md ("Moving an organization") says what is
// included and why.
package orgexport

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"realty/internal/postgres"
)

// Kind and Format identify the file; an import refuses another kind and a
// newer format.
const (
	Kind   = "realty-org-export"
	Format = 1
)

// Header is the first line of an export.
type Header struct {
	Kind          string    `json:"kind"`
	Format        int       `json:"format"`
	SchemaVersion int64     `json:"schema_version"`
	RealtyVersion string    `json:"realty_version"`
	Organization  OrgRef    `json:"organization"`
	CreatedAt     time.Time `json:"created_at"`
}

// OrgRef names the exported organization.
type OrgRef struct {
	ID   string `json:"id"`
	Slug string `json:"slug"`
	Name string `json:"name"`
}

// End is the last record: what the file holds, checked by the import.
type End struct {
	Tables int   `json:"tables"`
	Rows   int64 `json:"rows"`
	Blobs  int   `json:"blobs"`
}

// record is one line after the header.
type record struct {
	Table string `json:"table,omitempty"`
	Row   []byte `json:"-"`
	Blob  string `json:"blob,omitempty"`
	Data  []byte `json:"data,omitempty"`
	End   *End   `json:"end,omitempty"`
}

// Summary is what an export or import did.
type Summary struct {
	Organization OrgRef
	Tables       int   // tables holding rows in the file
	Rows         int64 // rows of every table, users and lookups included
	Blobs        int   // blobs written (export) or received (import)
	UsersCreated int   // import: users the target did not have
	UsersLinked  int   // import: users the target had (same id and email)
	Duration     time.Duration
}

// Errors an import returns (wrapped, with the detail).
var (
	// ErrNewerSchema: the export was taken at a schema version newer than
	// the target database's; migrate the target first.
	ErrNewerSchema = errors.New("the export's schema is newer than this database's")
	// ErrExists: the organization (its id or slug), a user's email under
	// another id, or any row's key already exists in the target.
	ErrExists = errors.New("already exists in this database")
	// ErrBadFile: not an organization export, of a newer format, malformed
	// or truncated.
	ErrBadFile = errors.New("not a complete organization export")
)

// connect opens an administrative connection with fixed output settings,
// so every value's text (dates, intervals, bytea) reads back the same.
func connect(ctx context.Context, dbURL string) (*pgx.Conn, error) {
	cfg, err := pgx.ParseConfig(dbURL)
	if err != nil {
		return nil, fmt.Errorf("database URL: %w", err)
	}
	for k, v := range map[string]string{"TimeZone": "UTC", "DateStyle": "ISO, YMD", "IntervalStyle": "postgres",
		"extra_float_digits": "1", "bytea_output": "hex", "application_name": "realty org export"} {
		cfg.RuntimeParams[k] = v
	}
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("connect: %w", err)
	}
	return conn, nil
}

// schemaVersion is goose's newest applied version (0 without its table;
// checked first, since a failed query would end the transaction).
func schemaVersion(ctx context.Context, db postgres.DB) (int64, error) {
	var has bool
	var v int64
	err := db.QueryRow(ctx, `SELECT to_regclass('public.goose_db_version') IS NOT NULL`).Scan(&has)
	if err == nil && has {
		err = db.QueryRow(ctx, `SELECT coalesce(max(version_id), 0) FROM public.goose_db_version`).Scan(&v)
	}
	if err != nil {
		return 0, fmt.Errorf("schema version: %w", err)
	}
	return v, nil
}
