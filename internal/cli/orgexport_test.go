package cli

import (
	"path/filepath"
	"strings"
	"testing"

	"realty/internal/postgres/pgtest"
)

// TestOrgExportImportCommands moves an organization between two external
// databases with realty org export and import; a second import is refused.
func TestOrgExportImportCommands(t *testing.T) {
	t.Parallel()
	vars := func() map[string]string {
		db := pgtest.New(t)
		return map[string]string{"REALTY_DATABASE_URL": db.AppURL, "REALTY_ADMIN_DATABASE_URL": db.AdminURL, "REALTY_DATA_DIR": t.TempDir()}
	}
	a, b := vars(), vars()
	if code, stdout, stderr := run(t, a, "org", "create", "--name", "Acme Realty", "--slug", "acme"); code != 0 {
		t.Fatalf("org create: exit %d %s %s", code, stdout, stderr)
	}
	file := filepath.Join(t.TempDir(), "acme.jsonl")
	code, stdout, stderr := run(t, a, "org", "export", "--org", "acme", "--out", file)
	if code != 0 || !strings.Contains(stderr, "exported acme") {
		t.Fatalf("org export: exit %d %s %s", code, stdout, stderr)
	}
	code, stdout, stderr = run(t, b, "org", "import", "--in", file)
	if code != 0 || !strings.Contains(stdout, "imported acme") {
		t.Fatalf("org import: exit %d %s %s", code, stdout, stderr)
	}
	for _, c := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"org", "import", "--in", file}, 1, "already exists"},
		{[]string{"org", "export"}, 2, "--org is required"},
		{[]string{"org", "export", "--org", "nope"}, 1, `no organization with slug "nope"`},
		{[]string{"org", "export", "--org", "acme", "--out", file}, 1, "file exists"},
	} {
		if code, stdout, stderr := run(t, b, c.args...); code != c.code || !strings.Contains(stdout+stderr, c.want) {
			t.Errorf("%v: exit %d, want %d and %q:\n%s%s", c.args, code, c.code, c.want, stdout, stderr)
		}
	}
}
