package backup

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/jackc/pgx/v5"

	"realty/internal/postgres/cluster"
)

// ErrMismatch is returned (wrapped) by Verify when the restored database or
// the files differ from the manifest; the report says where.
var ErrMismatch = errors.New("the restored backup differs from its manifest")

// VerifyOptions say where Verify runs its throw-away cluster.
type VerifyOptions struct {
	// BinDir holds initdb, postgres and pg_restore; "" finds them.
	BinDir string
	// TempDir holds the throw-away cluster; "" uses /dev/shm when present
	// with room for it, else the system's temporary directory.
	TempDir string
}

// Report is what Verify found.
type Report struct {
	Manifest *Manifest
	Tables   []TableResult
	Files    int   // files checked beside the dump
	Bytes    int64 // their size
	Problems []string
	Restore  time.Duration // pg_restore and the comparison
}

// Verify proves a backup restores: it checks every file against the
// manifest (a FileError names a changed one), restores the dump into a
// throw-away cluster started in a temporary directory, compares every
// table's row count and checksum with the manifest's, checks each blob is
// named by its SHA-256, and removes the cluster. It returns the report, with
// ErrMismatch when anything differs.
func Verify(ctx context.Context, from string, opt VerifyOptions) (*Report, error) {
	m, err := ReadManifest(from)
	if err != nil {
		return nil, err
	}
	if err := CheckFiles(from, m); err != nil {
		return nil, err
	}
	r := &Report{Manifest: m, Files: len(m.Files), Bytes: m.FilesSize()}
	for _, f := range m.Files {
		if p := blobProblem(f); p != "" {
			r.Problems = append(r.Problems, f.Path+": "+p)
		}
	}
	tl, err := findTools(opt.BinDir)
	if err != nil {
		return nil, err
	}
	start := time.Now()
	got, err := restoreThrowaway(ctx, tl, from, m, opt.TempDir)
	if err != nil {
		return nil, err
	}
	r.Restore = time.Since(start)
	r.Tables = compareTables(m.Tables, got, true)
	for _, t := range r.Tables {
		if !t.OK {
			r.Problems = append(r.Problems, t.Table+": "+t.Problem)
		}
	}
	if len(r.Problems) > 0 {
		return r, fmt.Errorf("%w: %d problems", ErrMismatch, len(r.Problems))
	}
	return r, nil
}

// restoreThrowaway starts a cluster in a new temporary directory, restores
// the dump into its database, reads every table's count and checksum, and
// stops and removes the cluster.
func restoreThrowaway(ctx context.Context, tl tools, from string, m *Manifest, base string) ([]Table, error) {
	if base == "" {
		base = tempBase(m.Dump.Size)
	}
	dir, err := os.MkdirTemp(base, "realty-verify-")
	if err != nil {
		return nil, fmt.Errorf("verify: %w", err)
	}
	defer os.RemoveAll(dir)
	if err := os.Chmod(dir, 0o755); err != nil { // the server may run as the postgres user
		return nil, err
	}
	c, err := cluster.Open(ctx, cluster.Config{DataDir: filepath.Join(dir, "postgres"), BinDir: tl.binDir, NoSync: true,
		Settings: map[string]string{"fsync": "off", "synchronous_commit": "off", "full_page_writes": "off",
			"wal_level": "minimal", "max_wal_senders": "0", "dynamic_shared_memory_type": "mmap",
			"log_min_duration_statement": "-1", "shared_buffers": "64MB"}})
	if err != nil {
		return nil, fmt.Errorf("verify: throw-away cluster: %w", err)
	}
	defer func() { _ = c.Stop(context.WithoutCancel(ctx)) }()
	if err := createDatabase(ctx, c.ConnString(cluster.Superuser, "postgres"), m.Database); err != nil {
		return nil, err
	}
	dbURL := c.URL(cluster.Superuser, m.Database)
	conn, err := connect(ctx, dbURL)
	if err != nil {
		return nil, err
	}
	defer conn.Close(context.WithoutCancel(ctx))
	if err := restoreDatabase(ctx, tl, conn, dbURL, filepath.Join(from, DumpFile)); err != nil {
		return nil, err
	}
	got, err := realtyTables(ctx, conn)
	if err != nil {
		return nil, err
	}
	return got, tableStats(ctx, conn, got, true)
}

// createDatabase creates a database in a new cluster.
func createDatabase(ctx context.Context, adminConnString, name string) error {
	conn, err := pgx.Connect(ctx, adminConnString)
	if err != nil {
		return fmt.Errorf("connect: %w", err)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize()); err != nil {
		return fmt.Errorf("create database %s: %w", name, err)
	}
	return nil
}

// tempBase is /dev/shm when it exists with room for about five times the
// dump (what a restored database takes, indexes included), else the system's
// temporary directory.
func tempBase(dumpSize int64) string {
	var st syscall.Statfs_t
	if err := syscall.Statfs("/dev/shm", &st); err == nil && int64(st.Bavail)*int64(st.Bsize) > 5*dumpSize+256<<20 {
		return "/dev/shm"
	}
	return os.TempDir()
}

// WriteReport prints the report as a table: every table with its row
// counts and whether its checksum matched, then the files and a summary.
func WriteReport(w io.Writer, r *Report) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "TABLE\tBACKUP ROWS\tRESTORED ROWS\tRESULT")
	for _, t := range r.Tables {
		result := "OK"
		if !t.OK {
			result = "DIFFERS: " + t.Problem
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", t.Table, count(t.Want), count(t.Got), result)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	m := r.Manifest
	fmt.Fprintf(w, "files: %d (%d bytes) match their SHA-256; dump %d bytes matches\n", r.Files, r.Bytes, m.Dump.Size)
	for _, p := range r.Problems {
		fmt.Fprintln(w, "problem:", p)
	}
	verdict := "OK"
	if len(r.Problems) > 0 {
		verdict = fmt.Sprintf("FAILED (%d problems)", len(r.Problems))
	}
	fmt.Fprintf(w, "verify %s: %d tables, %d rows, schema version %d, made %s; restored and compared in %s\n", verdict,
		len(m.Tables), m.Rows(), m.SchemaVersion, m.CreatedAt.Format(time.RFC3339), r.Restore.Round(time.Millisecond))
	return nil
}

func count(n int64) string {
	if n < 0 {
		return "-"
	}
	return fmt.Sprint(n)
}
