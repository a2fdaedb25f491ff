package cli

import (
	"strings"
	"testing"

	"realty/internal/postgres/pgtest"
)

// TestBillingCommand: `realty billing run` previews and runs an
// organization's month, and refuses a malformed period naming it.
func TestBillingCommand(t *testing.T) {
	t.Parallel()
	db := pgtest.New(t)
	vars := map[string]string{"REALTY_DATABASE_URL": db.AppURL, "REALTY_ADMIN_DATABASE_URL": db.AdminURL,
		"REALTY_DATA_DIR": t.TempDir(), "REALTY_HTTP_ADDR": "127.0.0.1:0"}
	if code, _, stderr := run(t, vars, "org", "create", "--name", "Acme Realty", "--slug", "acme"); code != 0 {
		t.Fatalf("org create: exit %d %s", code, stderr)
	}
	code, stdout, stderr := run(t, vars, "billing", "run", "--org", "acme", "--period", "2026-12", "--preview")
	if code != 0 || !strings.Contains(stdout, "period 2026-12: would issue 0 invoices and 0 late fees, total 0.00") {
		t.Errorf("preview: exit %d\n%s%s", code, stdout, stderr)
	}
	code, stdout, stderr = run(t, vars, "billing", "run", "--org", "acme", "--period", "2026-12")
	if code != 0 || !strings.Contains(stdout, "period 2026-12: issued 0 invoices") {
		t.Errorf("run: exit %d\n%s%s", code, stdout, stderr)
	}
	if code, _, stderr := run(t, vars, "billing", "run", "--org", "acme", "--period", "2026-13"); code == 0 || !strings.Contains(stderr, "period") {
		t.Errorf("bad period: exit %d %s", code, stderr)
	}
}
