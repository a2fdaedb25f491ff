package cli

import (
	"context"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"realty/internal/config"
)

// TestPITRCommands: an embedded realty archives its WAL; backup --base,
// restore-point --switch-wal, then an organization created after the point;
// restore --to-name builds a new data directory without it, which starts
// as a realty data directory; a name never created fails with PostgreSQL's
// FATAL; doctor reports archiving and the base backup.
func TestPITRCommands(t *testing.T) {
	t.Parallel()
	vars := map[string]string{"REALTY_DATA_DIR": scratchDir(t)}
	if code, stdout, stderr := run(t, vars, "migrate", "up"); code != 0 {
		t.Fatalf("migrate up: exit %d\n%s%s", code, stdout, stderr)
	}
	code, stdout, stderr := run(t, vars, "backup", "--base")
	if code != 0 || !strings.Contains(stdout, "base backup written to ") || !strings.Contains(stdout, "timeline 1") {
		t.Fatalf("backup --base: exit %d\n%s%s", code, stdout, stderr)
	}
	t.Log(strings.TrimSpace(stdout))
	if code, stdout, stderr = run(t, vars, "org", "create", "--name", "Before", "--slug", "before"); code != 0 {
		t.Fatalf("org create: exit %d\n%s%s", code, stdout, stderr)
	}
	code, stdout, stderr = run(t, vars, "restore-point", "cli-drill", "--switch-wal")
	if code != 0 || !strings.Contains(stdout, `restore point "cli-drill" at `) || !strings.Contains(stdout, "archived through") {
		t.Fatalf("restore-point: exit %d\n%s%s", code, stdout, stderr)
	}
	if code, stdout, stderr = run(t, vars, "org", "create", "--name", "After", "--slug", "after"); code != 0 {
		t.Fatalf("org create: exit %d\n%s%s", code, stdout, stderr)
	}
	into := filepath.Join(scratchDir(t), "recovered")
	code, stdout, stderr = run(t, vars, "restore", "--to-name", "cli-drill", "--into", into)
	if code != 0 || !strings.Contains(stdout, `recovery stopping at restore point "cli-drill"`) || !strings.Contains(stdout, "REALTY_DATA_DIR="+into) {
		t.Fatalf("restore --to-name: exit %d\n%s%s", code, stdout, stderr)
	}
	t.Log(strings.TrimSpace(stdout))
	if got := orgSlugs(t, into); got != "before" {
		t.Fatalf("recovered organizations %q, want only before", got)
	}
	code, stdout, stderr = run(t, vars, "doctor")
	if !strings.Contains(stdout, "Point-in-time recovery") || !strings.Contains(stdout, "1 base backup(s)") {
		t.Fatalf("doctor: exit %d\n%s%s", code, stdout, stderr)
	}
	for _, c := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"restore", "--to-name", "never-made", "--into", into, "--force"}, 1, "FATAL: recovery ended before configured recovery target was reached"},
		{[]string{"restore", "--to-name", "cli-drill", "--into", into}, 1, "--force"},
		{[]string{"restore", "--to-time", "2026-13-01", "--into", into}, 2, "-to-time"},
		{[]string{"restore", "--to-name", "a", "--to-xid", "7"}, 2, "exactly one recovery target"},
		{[]string{"restore", "--to-time", "2000-01-01 00:00:00", "--into", into, "--force"}, 1, "before the oldest base backup"},
		{[]string{"restore-point", strings.Repeat("x", 64)}, 1, "name: must be 1 to 63 bytes"},
	} {
		if code, stdout, stderr := run(t, vars, c.args...); code != c.code || !strings.Contains(stdout+stderr, c.want) {
			t.Errorf("%v: exit %d, want %d and %q:\n%s%s", c.args, code, c.code, c.want, stdout, stderr)
		}
	}
}

// orgSlugs starts the realty data directory dir and lists its organizations'
// slugs.
func orgSlugs(t *testing.T, dir string) string {
	t.Helper()
	ctx := context.Background()
	cfg, err := config.Load(func(k string) string { return map[string]string{"REALTY_DATA_DIR": dir}[k] })
	if err != nil {
		t.Fatal(err)
	}
	db, err := openDatabase(ctx, cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	defer db.close(ctx)
	conn, err := pgx.Connect(ctx, db.adminURL)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var slugs string
	if err := conn.QueryRow(ctx, "SELECT coalesce(string_agg(slug, ',' ORDER BY slug), '') FROM org.organizations").Scan(&slugs); err != nil {
		t.Fatal(err)
	}
	return slugs
}
