package cluster

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// ArchiveTimeout is how long a WAL segment may stay unarchived on a quiet
// server: the most a point-in-time recovery can lose when pg_wal is lost too.
const ArchiveTimeout = "60s"

// ArchiveSettings are the server settings that copy every finished WAL
// segment into dir (see ArchiveCommand). archive_mode needs a restart: a
// data directory started before archiving was on gets it at its next start.
func ArchiveSettings(dir string) map[string]string {
	return map[string]string{
		"wal_level":       "replica",
		"archive_mode":    "on",
		"archive_command": ArchiveCommand(dir),
		"archive_timeout": ArchiveTimeout,
	}
}

// ArchiveCommand is a shell command for archive_command that stores the
// segment %p in dir as %f.gz, compressed (gzip -1: a segment switched by
// archive_timeout is mostly zeros, so a quiet server's minute costs a few
// KiB instead of 16 MiB). It writes a hidden temporary file, flushes it,
// renames it into place and flushes the directory, so a crash never leaves
// a torn segment under the real name. A segment already there with the same
// bytes succeeds (PostgreSQL may archive one twice after a crash); one with
// other bytes fails, so two servers writing into one archive never
// overwrite each other's WAL.
func ArchiveCommand(dir string) string {
	d := shellQuote(dir)
	return fmt.Sprintf(`if test -f %[1]s/%%f.gz; then gzip -dc %[1]s/%%f.gz | cmp -s - %%p; `+
		`else gzip -1 -n -c %%p > %[1]s/.%%f.tmp && sync %[1]s/.%%f.tmp && mv %[1]s/.%%f.tmp %[1]s/%%f.gz && sync %[1]s; fi`, d)
}

// ArchiveSuffix ends the name of every file in the archive.
const ArchiveSuffix = ".gz"

// RestoreCommand is a restore_command reading segments from dir (as
// ArchiveCommand stores them); it fails quietly for a file the archive does
// not hold (PostgreSQL asks for such files to find where the archive ends).
func RestoreCommand(dir string) string {
	d := shellQuote(dir)
	return fmt.Sprintf(`test -f %[1]s/%%f.gz && gzip -dc %[1]s/%%f.gz > %%p`, d)
}

// shellQuote quotes s for sh, and doubles % so PostgreSQL's %-escapes
// leave it alone.
func shellQuote(s string) string {
	s = strings.ReplaceAll(s, "%", "%%")
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// PrepareArchiveDir creates dir (0700) for the archive, owned by the user
// the server runs as.
func PrepareArchiveDir(dir string) error {
	own, err := serverOwner()
	if err != nil {
		return err
	}
	if err := own.checkEnterable(dir); err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(dir), 0o755); err != nil {
		return err
	}
	return own.ownDir(dir, 0o700)
}

// OwnDataDir hands dir and everything under it to the user the server runs
// as, with dir itself 0700 as PostgreSQL demands: for a data directory
// copied from a base backup.
func OwnDataDir(dir string) error {
	own, err := serverOwner()
	if err != nil {
		return err
	}
	if err := own.checkEnterable(dir); err != nil {
		return err
	}
	if err := os.Chmod(dir, 0o700); err != nil {
		return err
	}
	if !own.root {
		return nil
	}
	return filepath.WalkDir(dir, func(path string, _ fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		return os.Lchown(path, own.uid, own.gid)
	})
}
