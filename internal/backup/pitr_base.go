package backup

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"realty/internal/postgres/cluster"
)

// Names inside a base backup directory: the copied data directory and the
// manifest beside it.
const (
	BaseManifestFile = "base.json"
	BaseDataDir      = "data"
)

// BaseBackup is the manifest of a base backup: a pg_basebackup copy of the
// embedded cluster's data directory that, with the archived WAL after it,
// recovers the cluster to any later point.
type BaseBackup struct {
	Format  int    `json:"format"`
	Kind    string `json:"kind"` // "base"
	Trigger string `json:"trigger"`
	Label   string `json:"label"`
	// StartLSN, StartWAL and Timeline are backup_label's START WAL LOCATION
	// (with its file) and START TIMELINE: the WAL a recovery needs begins
	// at StartWAL, on Timeline.
	StartLSN string `json:"start_lsn"`
	StartWAL string `json:"start_wal"`
	Timeline int    `json:"timeline"`
	// StartedAt is backup_label's START TIME; FinishedAt when pg_basebackup
	// returned, its WAL archived: the earliest time it recovers to.
	StartedAt  time.Time `json:"started_at"`
	FinishedAt time.Time `json:"finished_at"`
	// NextXID is the next transaction id once the backup ended: a
	// transaction with this id or a later one began after it.
	NextXID         uint64  `json:"next_xid"`
	ServerVersion   string  `json:"server_version"`
	Size            int64   `json:"size"`
	DurationSeconds float64 `json:"duration_seconds"`
	// Dir is where the backup was found (not stored).
	Dir string `json:"-"`
}

// BaseSource is the server a base backup copies.
type BaseSource struct {
	// AdminURL connects as a superuser (a replication connection): the
	// embedded cluster's socket URL.
	AdminURL string
	BinDir   string
	// Trigger is "manual" (default) or "scheduled" (only those are pruned).
	Trigger string
}

// CreateBase takes a base backup of src into dir (which must not exist or
// be empty) with pg_basebackup, plain format, without WAL (-X none: the
// archive holds it, and pg_basebackup waits until the backup's last segment
// is archived). It writes into a hidden sibling directory and renames it
// into place. Errors: archiving is off, dir not empty, or pg_basebackup's
// own error with its output.
func CreateBase(ctx context.Context, src BaseSource, dir string) (*BaseBackup, error) {
	start := time.Now()
	dir, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	if entries, err := os.ReadDir(dir); err == nil && len(entries) > 0 {
		return nil, fmt.Errorf("base backup directory %s is not empty", dir)
	}
	binDir, err := cluster.FindBinDir(src.BinDir)
	if err != nil {
		return nil, err
	}
	b := &BaseBackup{Format: manifestFormat, Kind: "base", Trigger: src.Trigger, Label: "realty base backup " + DirName(start)}
	if b.Trigger == "" {
		b.Trigger = "manual"
	}
	if err := requireArchiving(ctx, src.AdminURL, b); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(filepath.Dir(dir), 0o750); err != nil {
		return nil, fmt.Errorf("base backup directory: %w", err)
	}
	tmp, err := os.MkdirTemp(filepath.Dir(dir), "."+filepath.Base(dir)+".partial-")
	if err != nil {
		return nil, fmt.Errorf("base backup directory: %w", err)
	}
	defer os.RemoveAll(tmp) // gone after the rename; removes a failed attempt
	data := filepath.Join(tmp, BaseDataDir)
	err = tools{binDir: binDir}.run(ctx, src.AdminURL, "pg_basebackup", "--pgdata="+data, "--format=plain",
		"--wal-method=none", "--checkpoint=fast", "--label="+b.Label, "--no-password")
	if err != nil {
		return nil, err
	}
	if err := b.finish(ctx, src.AdminURL, data, start); err != nil {
		return nil, err
	}
	if err := writeJSON(filepath.Join(tmp, BaseManifestFile), b); err != nil {
		return nil, err
	}
	_ = os.Remove(dir)
	if err := os.Rename(tmp, dir); err != nil {
		return nil, fmt.Errorf("move base backup into place: %w", err)
	}
	syncDir(filepath.Dir(dir))
	b.Dir = dir
	return b, nil
}

// requireArchiving refuses a server that does not archive WAL (a base
// backup alone recovers to no point in time) and records its version.
func requireArchiving(ctx context.Context, adminURL string, b *BaseBackup) error {
	conn, err := connect(ctx, adminURL)
	if err != nil {
		return err
	}
	defer conn.Close(context.WithoutCancel(ctx))
	var mode string
	if err := conn.QueryRow(ctx, "SELECT current_setting('archive_mode'), current_setting('server_version')").Scan(&mode, &b.ServerVersion); err != nil {
		return fmt.Errorf("read archive_mode: %w", err)
	}
	if mode == "off" {
		return errors.New("WAL archiving is off (archive_mode = off): a base backup without archived WAL recovers to no point in time; " +
			"restart realty with REALTY_WAL_ARCHIVE_DIR unset (or set to a directory) so the embedded cluster archives")
	}
	return nil
}

// finish reads backup_label and the next transaction id, and sizes the copy.
func (b *BaseBackup) finish(ctx context.Context, adminURL, data string, start time.Time) error {
	if err := b.readLabel(filepath.Join(data, "backup_label")); err != nil {
		return err
	}
	conn, err := connect(ctx, adminURL)
	if err != nil {
		return err
	}
	defer conn.Close(context.WithoutCancel(ctx))
	var next string
	if err := conn.QueryRow(ctx, "SELECT pg_snapshot_xmax(pg_current_snapshot())::text").Scan(&next); err != nil {
		return fmt.Errorf("read next transaction id: %w", err)
	}
	if b.NextXID, err = strconv.ParseUint(next, 10, 64); err != nil {
		return fmt.Errorf("next transaction id %q: %w", next, err)
	}
	b.FinishedAt = time.Now().UTC()
	b.DurationSeconds = float64(time.Since(start).Milliseconds()) / 1000
	b.Size, err = treeSize(data)
	return err
}

// readLabel parses backup_label's START WAL LOCATION, START TIME and START
// TIMELINE.
func (b *BaseBackup) readLabel(file string) error {
	f, err := os.Open(file)
	if err != nil {
		return fmt.Errorf("base backup: %w", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		key, val, _ := strings.Cut(sc.Text(), ": ")
		switch key {
		case "START WAL LOCATION": // 0/2000028 (file 000000010000000000000002)
			lsn, rest, _ := strings.Cut(val, " (file ")
			b.StartLSN, b.StartWAL = lsn, strings.TrimSuffix(rest, ")")
		case "START TIME": // 2026-12-07 03:45:00 UTC
			if t, err := time.Parse("2006-01-02 15:04:05 MST", val); err == nil {
				b.StartedAt = t.UTC()
			}
		case "START TIMELINE":
			b.Timeline, _ = strconv.Atoi(val)
		}
	}
	if err := sc.Err(); err != nil {
		return err
	}
	if b.StartWAL == "" || b.Timeline == 0 || b.StartedAt.IsZero() {
		return fmt.Errorf("base backup: %s lacks the start location, time or timeline", file)
	}
	return nil
}

// ListBase returns the complete base backups directly under dir, newest
// first; a missing dir holds none.
func ListBase(dir string) ([]BaseBackup, error) {
	entries, err := os.ReadDir(dir)
	if os.IsNotExist(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var out []BaseBackup
	for _, e := range entries {
		if !e.IsDir() || e.Name()[0] == '.' {
			continue
		}
		var b BaseBackup
		raw, err := os.ReadFile(filepath.Join(dir, e.Name(), BaseManifestFile))
		if err != nil || json.Unmarshal(raw, &b) != nil || b.Kind != "base" {
			continue
		}
		b.Dir = filepath.Join(dir, e.Name())
		out = append(out, b)
	}
	slices.SortFunc(out, func(a, b BaseBackup) int { return b.StartedAt.Compare(a.StartedAt) })
	return out, nil
}

// writeJSON writes v indented into file and flushes it.
func writeJSON(file string, v any) error {
	raw, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	return writeFileSync(file, append(raw, '\n'), 0o600)
}

// treeSize adds up the sizes of the regular files under dir.
func treeSize(dir string) (int64, error) {
	var n int64
	err := filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err != nil || !d.Type().IsRegular() {
			return err
		}
		fi, err := d.Info()
		if err == nil {
			n += fi.Size()
		}
		return err
	})
	return n, err
}
