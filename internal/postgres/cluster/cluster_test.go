package cluster

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// scratch returns a fresh directory every user can enter (the server may run
// as the postgres user), on tmpfs when the machine has it.
func scratch(t *testing.T) string {
	t.Helper()
	base := os.TempDir()
	if fi, err := os.Stat("/dev/shm"); err == nil && fi.IsDir() {
		base = "/dev/shm"
	}
	dir, err := os.MkdirTemp(base, "realty-cluster-test-")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.RemoveAll(dir) })
	return dir
}

func testConfig(dir string) Config {
	return Config{DataDir: filepath.Join(dir, "pgdata"), NoSync: true, StopTimeout: 10 * time.Second,
		Settings: map[string]string{"fsync": "off", "shared_buffers": "32MB"}}
}

func query(t *testing.T, c *Cluster, sql string) string {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, c.ConnString(Superuser, "postgres"))
	if err != nil {
		t.Fatalf("connect: %v", err)
	}
	defer conn.Close(ctx)
	var out string
	if err := conn.QueryRow(ctx, sql).Scan(&out); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return out
}

func exec1(t *testing.T, c *Cluster, sql string) {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, c.ConnString(Superuser, "postgres"))
	if err != nil {
		t.Fatalf("connect: %v", err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, sql); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
}

// TestLifecycle walks one cluster through start, attach, stop, restart and a
// crash, checking the data survives each step.
func TestLifecycle(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	cfg := testConfig(scratch(t))

	c, err := Open(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if c != nil {
			_ = c.Stop(context.Background())
		}
	})
	if !c.Owned() {
		t.Fatal("first Open must start the server")
	}
	t.Run("OKSettings", func(t *testing.T) {
		if got := query(t, c, "SHOW data_directory"); got != cfg.DataDir {
			t.Errorf("data_directory = %q, want %q", got, cfg.DataDir)
		}
		if got := query(t, c, "SHOW shared_preload_libraries"); got != "pg_stat_statements" {
			t.Errorf("shared_preload_libraries = %q", got)
		}
		if got := query(t, c, "SHOW listen_addresses"); got != "" {
			t.Errorf("listen_addresses = %q, want TCP off", got)
		}
		if got := query(t, c, "SHOW shared_buffers"); got != "32MB" {
			t.Errorf("shared_buffers = %q, override not applied", got)
		}
		if got := query(t, c, "SHOW server_encoding"); got != "UTF8" {
			t.Errorf("server_encoding = %q", got)
		}
	})
	exec1(t, c, "CREATE TABLE kept (v text); INSERT INTO kept VALUES ('before')")

	t.Run("OKAttach", func(t *testing.T) {
		other, err := Open(ctx, cfg)
		if err != nil {
			t.Fatal(err)
		}
		if other.Owned() || other.PID() != c.PID() {
			t.Fatalf("second Open owned=%v pid=%d, want attached to pid %d", other.Owned(), other.PID(), c.PID())
		}
		if err := other.Stop(ctx); err != nil {
			t.Fatal(err)
		}
		if got := query(t, c, "SELECT v FROM kept"); got != "before" {
			t.Fatalf("attached Stop disturbed the server: %q", got)
		}
	})

	t.Run("OKRestart", func(t *testing.T) {
		if err := c.Stop(ctx); err != nil {
			t.Fatal(err)
		}
		if _, ok, _ := readPidFile(cfg.DataDir); ok {
			t.Fatal("postmaster.pid left after an ordered stop")
		}
		c, err = Open(ctx, cfg)
		if err != nil {
			t.Fatal(err)
		}
		if got := query(t, c, "SELECT v FROM kept"); got != "before" {
			t.Fatalf("after restart kept = %q", got)
		}
	})

	t.Run("OKCrashRecovery", func(t *testing.T) {
		exec1(t, c, "INSERT INTO kept VALUES ('committed before crash')")
		if err := syscall.Kill(c.PID(), syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		<-c.Done()
		c, err = Open(ctx, cfg)
		if err != nil {
			t.Fatalf("restart after crash: %v", err)
		}
		if got := query(t, c, "SELECT count(*)::text FROM kept"); got != "2" {
			t.Fatalf("after crash recovery kept has %s rows, want 2", got)
		}
	})
}

// waitGone waits until no process of the server (postmaster or backend)
// remains.
func waitGone(t *testing.T, dataDir string) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		if len(serverProcesses(dataDir)) == 0 {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("postgres processes of %s still running: %v", dataDir, serverProcesses(dataDir))
}

func TestTCP(t *testing.T) {
	t.Parallel()
	cfg := testConfig(scratch(t))
	cfg.TCP = true
	c, err := Open(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Stop(context.Background()) })
	if c.Port() == 5432 || c.Port() == 0 {
		t.Fatalf("TCP port = %d, want a free port", c.Port())
	}
	conn, err := net.DialTimeout("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(c.Port())), 2*time.Second)
	if err != nil {
		t.Fatalf("no listener on 127.0.0.1:%d: %v", c.Port(), err)
	}
	conn.Close()
	if got := query(t, c, "SHOW listen_addresses"); got != "127.0.0.1" {
		t.Fatalf("listen_addresses = %q", got)
	}
}

// TestDiesWithParent kills -9 a process that started a cluster and expects
// the server to go with it.
func TestDiesWithParent(t *testing.T) {
	t.Parallel()
	dir := scratch(t)
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperProcess$")
	cmd.Env = append(os.Environ(), "REALTY_CLUSTER_HELPER="+dir)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil || !strings.HasPrefix(line, "ready ") {
		_ = cmd.Process.Kill()
		t.Fatalf("helper did not start a cluster: %q %v", line, err)
	}
	pid, _ := strconv.Atoi(strings.TrimSpace(strings.TrimPrefix(line, "ready ")))
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()
	deadline := time.Now().Add(15 * time.Second)
	for alive(pid) && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	if alive(pid) {
		_ = syscall.Kill(pid, syscall.SIGKILL)
		t.Fatalf("postmaster %d outlived the process that started it", pid)
	}
	waitGone(t, filepath.Join(dir, "pgdata"))
}

// TestHelperProcess is the child of TestDiesWithParent; it does nothing in a
// normal run.
func TestHelperProcess(t *testing.T) {
	dir := os.Getenv("REALTY_CLUSTER_HELPER")
	if dir == "" {
		return
	}
	c, err := Open(context.Background(), testConfig(dir))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Printf("ready %d\n", c.PID())
	time.Sleep(time.Minute)
	os.Exit(0)
}

func TestFindBinDir(t *testing.T) {
	t.Parallel()
	t.Run("OK", func(t *testing.T) {
		dir, err := FindBinDir("")
		if err != nil {
			t.Fatal(err)
		}
		if v, err := ServerVersion(dir); err != nil || v < 15 {
			t.Fatalf("server version %d, %v; want ≥ 15", v, err)
		}
	})
	t.Run("ErrNoBinaries", func(t *testing.T) {
		_, err := FindBinDir(t.TempDir())
		if !errors.Is(err, ErrNoBinaries) || !strings.Contains(err.Error(), "apt-get install postgresql") {
			t.Fatalf("err = %v, want the install hint", err)
		}
	})
}

func TestCheckEnterable(t *testing.T) {
	t.Parallel()
	locked := filepath.Join(t.TempDir(), "locked")
	if err := os.Mkdir(locked, 0o700); err != nil {
		t.Fatal(err)
	}
	o := owner{name: "postgres", uid: os.Geteuid() + 4242, gid: os.Getegid() + 4242, root: true}
	t.Run("ErrLockedParent", func(t *testing.T) {
		err := o.checkEnterable(filepath.Join(locked, "realty-data", "postgres"))
		if err == nil || !strings.Contains(err.Error(), "cannot enter "+locked) {
			t.Fatalf("err = %v, want it to name %s", err, locked)
		}
	})
	t.Run("OK", func(t *testing.T) {
		if err := o.checkEnterable("/usr/share/realty-data"); err != nil {
			t.Fatal(err)
		}
	})
}

func TestDataDirNotACluster(t *testing.T) {
	t.Parallel()
	cfg := testConfig(scratch(t))
	if err := os.MkdirAll(cfg.DataDir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(cfg.DataDir, "notes.txt"), []byte("mine"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := Open(context.Background(), cfg)
	if err == nil || !strings.Contains(err.Error(), "not empty") {
		t.Fatalf("err = %v, want refusal to initdb over foreign files", err)
	}
}
