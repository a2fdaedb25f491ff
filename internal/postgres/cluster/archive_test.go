package cluster

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// shellRun runs a PostgreSQL shell command with %p and %f replaced, as the
// server does (%% becomes %).
func shellRun(t *testing.T, command, p, f string) error {
	t.Helper()
	r := strings.NewReplacer("%p", p, "%f", f, "%%", "%")
	return exec.Command("sh", "-c", r.Replace(command)).Run()
}

// TestArchiveCommand: a segment is stored compressed under its name with no temporary
// file left; archiving it again with the same bytes succeeds, with other
// bytes fails and keeps the archived copy; the restore command copies it
// back and fails for a segment the archive lacks. A directory name with a
// quote, a space and a percent sign survives the quoting.
func TestArchiveCommand(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "it's a 100% archive")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	pgdata := t.TempDir()
	seg := "000000010000000000000003"
	if err := os.WriteFile(filepath.Join(pgdata, seg), []byte("wal bytes"), 0o600); err != nil {
		t.Fatal(err)
	}
	archive := ArchiveCommand(dir)
	if err := shellRun(t, archive, filepath.Join(pgdata, seg), seg); err != nil {
		t.Fatalf("archive: %v (command %s)", err, archive)
	}
	if got := gunzip(t, filepath.Join(dir, seg+ArchiveSuffix)); got != "wal bytes" {
		t.Fatalf("archived %q", got)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Fatalf("archive holds %d entries, want the segment alone", len(entries))
	}
	if err := shellRun(t, archive, filepath.Join(pgdata, seg), seg); err != nil {
		t.Fatalf("the same segment again: %v, want success", err)
	}
	if err := os.WriteFile(filepath.Join(pgdata, seg), []byte("other bytes"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := shellRun(t, archive, filepath.Join(pgdata, seg), seg); err == nil {
		t.Fatal("a segment with other bytes overwrote the archived one")
	}
	if got := gunzip(t, filepath.Join(dir, seg+ArchiveSuffix)); got != "wal bytes" {
		t.Fatalf("archived copy changed to %q", got)
	}
	restore := RestoreCommand(dir)
	if err := shellRun(t, restore, filepath.Join(pgdata, "RECOVERYXLOG"), seg); err != nil {
		t.Fatalf("restore: %v", err)
	}
	if got, _ := os.ReadFile(filepath.Join(pgdata, "RECOVERYXLOG")); string(got) != "wal bytes" {
		t.Fatalf("restored %q", got)
	}
	if err := shellRun(t, restore, filepath.Join(pgdata, "RECOVERYXLOG"), "000000010000000000000009"); err == nil {
		t.Fatal("restoring a segment the archive lacks succeeded")
	}
}

// gunzip returns the uncompressed contents of a gzip file.
func gunzip(t *testing.T, file string) string {
	t.Helper()
	out, err := exec.Command("gzip", "-dc", file).Output()
	if err != nil {
		t.Fatalf("gunzip %s: %v", file, err)
	}
	return string(out)
}

// TestArchiveArgs: archiving settings appear only when a directory is set,
// and Settings still override them.
func TestArchiveArgs(t *testing.T) {
	t.Parallel()
	has := func(args []string, s string) bool { return strings.Contains(strings.Join(args, "\n"), s) }
	off := Config{DataDir: "/d", SocketDir: "/s"}.args(5432)
	if has(off, "archive_mode") {
		t.Fatalf("archiving without a directory: %q", off)
	}
	on := Config{DataDir: "/d", SocketDir: "/s", WALArchiveDir: "/a", Settings: map[string]string{"archive_timeout": "5s"}}.args(5432)
	if !has(on, "archive_mode=on") || !has(on, "wal_level=replica") || !has(on, "archive_timeout=5s") || !has(on, "'/a'/.%f.tmp") {
		t.Fatalf("archiving into /a: %q", on)
	}
}
