package pgtest

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/peterldowns/pgtestdb"

	"realty/internal/postgres"
	"realty/internal/postgres/cluster"
)

const dirPrefix = "realty-pgtest-"

// baseDir is where test clusters live: tmpfs when the machine has it, since
// cloning a template there costs a fraction of what it costs on disk.
func baseDir() string {
	if fi, err := os.Stat("/dev/shm"); err == nil && fi.IsDir() {
		return "/dev/shm"
	}
	return os.TempDir()
}

// startCluster sweeps what killed test runs left behind, then starts this
// binary's own cluster in <base>/realty-pgtest-<pid>. The server dies with the
// test binary (the launcher's parent-death signal); the next run sweeps its
// directory.
func startCluster() (*cluster.Cluster, error) {
	sweep()
	dir := filepath.Join(baseDir(), dirPrefix+strconv.Itoa(os.Getpid()))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	if err := os.Chmod(dir, 0o755); err != nil { // the server may run as the postgres user
		return nil, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	return cluster.Open(ctx, cluster.Config{
		DataDir: filepath.Join(dir, "pgdata"),
		NoSync:  true,
		Settings: map[string]string{
			"fsync":                      "off",
			"synchronous_commit":         "off",
			"full_page_writes":           "off",
			"shared_buffers":             "64MB",
			"max_connections":            "300",
			"log_min_duration_statement": "-1",
			// Segments live in the data directory, so a killed server leaves
			// nothing behind in /dev/shm but the directory the sweep removes.
			"dynamic_shared_memory_type": "mmap",
		},
	})
}

// Main runs a package's tests, audits the statements they ran (when they
// passed; see audit.go), then stops this binary's cluster and removes its
// directory. The audit prints a summary line on stderr and fails the binary
// on a violation or when it could not see every statement. Packages whose
// tests use New call it from TestMain:
//
//	func TestMain(m *testing.M) { pgtest.Main(m) }
func Main(m *testing.M) {
	code := m.Run()
	if code == 0 && auditor.pool != nil {
		r, err := finishAudit()
		fmt.Fprint(os.Stderr, r)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
		}
		if err != nil || len(r.violations) > 0 {
			code = 1
		}
	}
	if c := server.cluster; c != nil {
		_ = c.Stop(context.Background())
		_ = os.RemoveAll(filepath.Dir(c.DataDir()))
	}
	os.Exit(code)
}

// sweep removes the directories of test binaries that are no longer running,
// stopping any server still alive in them.
func sweep() {
	dirs, _ := filepath.Glob(filepath.Join(baseDir(), dirPrefix+"*"))
	for _, d := range dirs {
		pid, err := strconv.Atoi(strings.TrimPrefix(filepath.Base(d), dirPrefix))
		if err != nil || processAlive(pid) {
			continue
		}
		if b, err := os.ReadFile(filepath.Join(d, "pgdata", "postmaster.pid")); err == nil {
			pg, err := strconv.Atoi(strings.SplitN(string(b), "\n", 2)[0])
			if comm, _ := os.ReadFile(fmt.Sprintf("/proc/%d/comm", pg)); err == nil && strings.TrimSpace(string(comm)) == "postgres" {
				_ = syscall.Kill(pg, syscall.SIGQUIT)
			}
		}
		_ = os.RemoveAll(d)
	}
}

func processAlive(pid int) bool {
	err := syscall.Kill(pid, 0)
	return err == nil || err == syscall.EPERM
}

// setAppPassword lets the runtime role log in with a password on an external
// test server.
func setAppPassword(ctx context.Context, conf pgtestdb.Config) error {
	conn, err := pgx.Connect(ctx, conf.URL())
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	_, err = conn.Exec(ctx, fmt.Sprintf("ALTER ROLE %s LOGIN PASSWORD '%s'", postgres.RuntimeRole, appPassword))
	return err
}
