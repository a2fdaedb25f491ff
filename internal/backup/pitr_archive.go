package backup

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"realty/internal/postgres"
	"realty/internal/postgres/cluster"
)

// ArchiveStatus is the server's archiving settings and pg_stat_archiver's
// row.
type ArchiveStatus struct {
	Mode            string // archive_mode: off, on or always
	Command         string // archive_command
	Archived        int64
	LastArchivedWAL string
	LastArchivedAt  time.Time // zero when none was ever archived
	Failed          int64
	LastFailedWAL   string
	LastFailedAt    time.Time // zero when none ever failed
}

// Failing reports whether the newest archiving attempt failed.
func (s ArchiveStatus) Failing() bool {
	return !s.LastFailedAt.IsZero() && s.LastFailedAt.After(s.LastArchivedAt)
}

// ReadArchiveStatus reads the archiving settings and pg_stat_archiver
// (any role may read them).
func ReadArchiveStatus(ctx context.Context, db postgres.DB) (ArchiveStatus, error) {
	var s ArchiveStatus
	var okAt, failedAt *time.Time
	err := db.QueryRow(ctx, `SELECT current_setting('archive_mode'), current_setting('archive_command'),
		archived_count, coalesce(last_archived_wal, ''), last_archived_time,
		failed_count, coalesce(last_failed_wal, ''), last_failed_time
		FROM pg_stat_archiver`).Scan(&s.Mode, &s.Command, &s.Archived, &s.LastArchivedWAL, &okAt,
		&s.Failed, &s.LastFailedWAL, &failedAt)
	if err != nil {
		return s, fmt.Errorf("read pg_stat_archiver: %w", err)
	}
	if okAt != nil {
		s.LastArchivedAt = okAt.UTC()
	}
	if failedAt != nil {
		s.LastFailedAt = failedAt.UTC()
	}
	return s, nil
}

// SwitchWAL closes the current WAL segment (pg_switch_wal, superuser) and
// waits until the archive holds it, so everything committed before the
// call can be recovered; it returns the segment's name. Errors: archiving
// is off, or ctx ends first (archive_command failing: see the server log).
func SwitchWAL(ctx context.Context, db postgres.DB) (string, error) {
	var seg string
	if err := db.QueryRow(ctx, "SELECT pg_walfile_name(pg_switch_wal())").Scan(&seg); err != nil {
		return "", fmt.Errorf("switch WAL: %w", err)
	}
	for {
		s, err := ReadArchiveStatus(ctx, db)
		if err != nil {
			return "", err
		}
		if s.Mode == "off" {
			return "", fmt.Errorf("switch WAL: archiving is off")
		}
		// Segment names sort by timeline, then position.
		if s.LastArchivedWAL >= seg && !strings.HasSuffix(s.LastArchivedWAL, ".history") {
			return seg, nil
		}
		select {
		case <-ctx.Done():
			return "", fmt.Errorf("switch WAL: %s not archived: %w (last failure: %s at %s)", seg, ctx.Err(), s.LastFailedWAL, s.LastFailedAt)
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// PruneWAL removes from archiveDir the WAL segments older than the oldest
// base backup's start (pg_archivecleanup), which no recovery can use, and
// returns how many files it removed. It removes nothing without a base
// backup.
func PruneWAL(ctx context.Context, binDir, archiveDir string, bases []BaseBackup) (int, error) {
	if len(bases) == 0 || archiveDir == "" {
		return 0, nil
	}
	oldest := bases[len(bases)-1]
	dir, err := cluster.FindBinDir(binDir)
	if err != nil {
		return 0, err
	}
	before := countFiles(archiveDir)
	out, err := execOutput(ctx, filepath.Join(dir, "pg_archivecleanup"), "-x", cluster.ArchiveSuffix, archiveDir, oldest.StartWAL)
	if err != nil {
		return 0, fmt.Errorf("pg_archivecleanup: %w\n%s", err, out)
	}
	return before - countFiles(archiveDir), nil
}

// PruneBase removes the scheduled base backups under dir beyond the keep
// newest (base backups made by hand are never removed) and what killed
// ones left, and returns the base backups that remain, newest first.
func PruneBase(dir string, keep int) (removed []string, remain []BaseBackup, err error) {
	all, err := ListBase(dir)
	if err != nil {
		return nil, nil, err
	}
	removed = sweepPartial(dir, time.Now().Add(-24*time.Hour))
	scheduled := 0
	for _, b := range all {
		if b.Trigger == "scheduled" {
			if scheduled++; scheduled > keep {
				if err := os.RemoveAll(b.Dir); err != nil {
					return removed, remain, fmt.Errorf("prune %s: %w", b.Dir, err)
				}
				removed = append(removed, b.Dir)
				continue
			}
		}
		remain = append(remain, b)
	}
	return removed, remain, nil
}

// ArchiveSize counts the files in the archive directory and adds up their
// sizes (0, 0 when it is unreadable).
func ArchiveSize(dir string) (files int, size int64) {
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if fi, err := e.Info(); err == nil && fi.Mode().IsRegular() {
			files++
			size += fi.Size()
		}
	}
	return files, size
}

// countFiles counts the entries of dir (0 when unreadable).
func countFiles(dir string) int {
	entries, _ := os.ReadDir(dir)
	return len(entries)
}

// execOutput runs program and returns its combined output.
func execOutput(ctx context.Context, program string, args ...string) (string, error) {
	out, err := exec.CommandContext(ctx, program, args...).CombinedOutput()
	return strings.TrimSpace(string(out)), err
}
