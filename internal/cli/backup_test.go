package cli

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestBackupCommands backs up an embedded realty, verifies the backup,
// restores it into an empty data directory, and is refused restoring it
// again there; doctor warns that scheduled backups are off.
func TestBackupCommands(t *testing.T) {
	t.Parallel()
	vars := map[string]string{"REALTY_DATA_DIR": scratchDir(t)}
	if code, stdout, stderr := run(t, vars, "migrate", "up"); code != 0 {
		t.Fatalf("migrate up: exit %d\n%s%s", code, stdout, stderr)
	}
	dir := filepath.Join(scratchDir(t), "b1")
	code, stdout, stderr := run(t, vars, "backup", "--to", dir)
	if code != 0 || !strings.Contains(stdout, "backup written to "+dir) {
		t.Fatalf("backup: exit %d\n%s%s", code, stdout, stderr)
	}
	code, stdout, stderr = run(t, vars, "backup", "verify", dir)
	if code != 0 || !strings.Contains(stdout, "verify OK") || !strings.Contains(stdout, "goose_db_version") {
		t.Fatalf("backup verify: exit %d\n%s%s", code, stdout, stderr)
	}
	other := map[string]string{"REALTY_DATA_DIR": scratchDir(t)}
	code, stdout, stderr = run(t, other, "restore", dir)
	if code != 0 || !strings.Contains(stdout, "every count equals the manifest's") {
		t.Fatalf("restore: exit %d\n%s%s", code, stdout, stderr)
	}
	code, stdout, stderr = run(t, other, "restore", dir)
	if code != 1 || !strings.Contains(stderr, "target is not empty") || !strings.Contains(stderr, "--force") {
		t.Fatalf("restore over data: exit %d\n%s%s", code, stdout, stderr)
	}
	code, stdout, stderr = run(t, other, "doctor")
	if !strings.Contains(stdout, "scheduled backups are off") {
		t.Fatalf("doctor on the restored directory: exit %d\n%s%s", code, stdout, stderr)
	}
	for _, c := range []struct {
		args []string
		vars map[string]string
		code int
		want string
	}{
		{[]string{"restore"}, vars, 2, "want FROM"},
		{[]string{"backup", "verify"}, vars, 2, "want FROM"},
		{[]string{"backup", "extra"}, vars, 2, "unexpected argument"},
		{[]string{"backup", "verify", filepath.Dir(dir)}, vars, 1, "manifest.json: missing"},
		{[]string{"backup"}, map[string]string{"REALTY_BACKUP_INTERVAL": "30s"}, 1, "REALTY_BACKUP_INTERVAL: must be off or at least 1m"},
	} {
		if code, stdout, stderr := run(t, c.vars, c.args...); code != c.code || !strings.Contains(stdout+stderr, c.want) {
			t.Errorf("%v: exit %d, want %d and %q:\n%s%s", c.args, code, c.code, c.want, stdout, stderr)
		}
	}
}
