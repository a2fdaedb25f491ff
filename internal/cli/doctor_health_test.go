package cli

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"realty/internal/postgres/pgtest"
)

// TestDoctorHealth: doctor prints the database health checks /metrics also
// reports, and advises vacuum for a large table whose tuples are half dead.
func TestDoctorHealth(t *testing.T) {
	t.Parallel()
	db := pgtest.New(t)
	vars := map[string]string{"REALTY_DATABASE_URL": db.AppURL, "REALTY_ADMIN_DATABASE_URL": db.AdminURL,
		"REALTY_DATA_DIR": t.TempDir()}
	code, stdout, stderr := run(t, vars, "doctor")
	for _, name := range []string{"Connections by state", "Cache hit ratio", "Dead tuples", "Longest transaction",
		"WAL archiver", "Replication", "pg_stat_statements"} {
		if !strings.Contains(stdout, "\n"+name+" ") {
			t.Errorf("doctor lacks %q: exit %d\n%s%s", name, code, stdout, stderr)
		}
	}
	t.Logf("realty doctor:\n%s", stdout)
	if !strings.Contains(stdout, "active; most time: queryid ") || !strings.Contains(stdout, "this database: ") {
		t.Errorf("doctor's statements or connections:\n%s", stdout)
	}
	adminExec(t, db.AdminURL, `CREATE TABLE public.doctor_probe (id int PRIMARY KEY, pad text) WITH (autovacuum_enabled = false);
		INSERT INTO public.doctor_probe SELECT i, repeat('x', 100) FROM generate_series(1, 40000) i;
		DELETE FROM public.doctor_probe WHERE id % 2 = 0`)
	var dead struct{ Name, Status, Detail, Advice string }
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
		_, stdout, _ = run(t, vars, "doctor", "-json")
		var out doctorOutput
		if err := json.Unmarshal([]byte(stdout), &out); err != nil {
			t.Fatalf("doctor -json: %v\n%s", err, stdout)
		}
		for _, c := range out.Checks {
			if c.Name == "Dead tuples" {
				dead = c
			}
		}
		if dead.Status == "WARNING" {
			break
		}
	}
	if dead.Status != "WARNING" || !strings.Contains(dead.Detail, "public.doctor_probe 50% of 40000") || !strings.Contains(dead.Advice, "VACUUM") {
		t.Fatalf("dead tuples check: %+v", dead)
	}
	t.Logf("doctor's dead tuples check: %s: %s", dead.Status, dead.Detail)
}
