package cli

import (
	"strings"
	"testing"

	"realty/internal/postgres/pgtest"
)

// TestLedgerCheckCommand runs `realty ledger check` on a new organization's
// books (every invariant OK), then on books broken behind the guards' back
// (the offending rows printed, exit 1), and the doctor's summary of both.
func TestLedgerCheckCommand(t *testing.T) {
	t.Parallel()
	db := pgtest.New(t)
	vars := map[string]string{"REALTY_DATABASE_URL": db.AppURL, "REALTY_ADMIN_DATABASE_URL": db.AdminURL,
		"REALTY_DATA_DIR": t.TempDir(), "REALTY_HTTP_ADDR": "127.0.0.1:0"}
	if code, _, stderr := run(t, vars, "org", "create", "--name", "Acme Realty", "--slug", "acme"); code != 0 {
		t.Fatalf("org create: exit %d %s", code, stderr)
	}
	code, stdout, stderr := run(t, vars, "ledger", "check", "--org", "acme")
	if code != 0 || strings.Count(stdout, "OK ") != 16 || strings.Contains(stdout, "FAIL") {
		t.Fatalf("ledger check on new books: exit %d\n%s%s", code, stdout, stderr)
	}
	t.Logf("realty ledger check --org acme:\n%s", stdout)
	if code, stdout, _ := run(t, vars, "doctor"); !strings.Contains(stdout, "1 organizations' books hold") {
		t.Errorf("doctor on sound books: exit %d\n%s", code, stdout)
	}
	adminExec(t, db.AdminURL, `SET session_replication_role = replica;
		INSERT INTO ledger.journal_entries (organization_id, id, entry_date)
			SELECT organization_id, '01900000-0000-7000-8000-000000000001', '2026-03-01' FROM ledger.accounts LIMIT 1;
		INSERT INTO ledger.journal_lines (organization_id, entry_id, entry_date, line_no, account_id, debit)
			SELECT organization_id, '01900000-0000-7000-8000-000000000001', '2026-03-01', 1, id, 7 FROM ledger.accounts WHERE system_key = 'operating_cash'`)
	code, stdout, stderr = run(t, vars, "ledger", "check", "--org", "acme")
	if code != 1 || !strings.Contains(stdout, "FAIL  every entry balances") ||
		!strings.Contains(stdout, "entry 01900000-0000-7000-8000-000000000001 dated 2026-03-01: 1 lines, debits 7.00, credits 0") ||
		!strings.Contains(stdout, "FAIL  the trial balance sums to zero") {
		t.Fatalf("ledger check on broken books: exit %d\n%s%s", code, stdout, stderr)
	}
	t.Logf("realty ledger check --org acme, broken:\n%s", stdout)
	if code, stdout, _ := run(t, vars, "doctor"); code != 1 || !strings.Contains(stdout, "Ledger invariants") || !strings.Contains(stdout, "2 broken in 1 organizations") {
		t.Errorf("doctor on broken books: exit %d\n%s", code, stdout)
	}
	if code, _, stderr := run(t, vars, "ledger", "check", "--org", "nope"); code != 1 || !strings.Contains(stderr, "no organization with slug nope") {
		t.Errorf("unknown org: exit %d %s", code, stderr)
	}
}
