package cluster

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
)

// Cluster is a running PostgreSQL server reachable over its unix socket.
type Cluster struct {
	dataDir     string
	socketDir   string
	port        int
	tcp         bool
	logFile     string
	stopTimeout time.Duration

	owned  bool // this process started the server and stops it
	pid    int
	exited chan struct{}
	waitFn func() error
}

// SocketDir returns the directory of the server's unix socket.
func (c *Cluster) SocketDir() string { return c.socketDir }

// Port returns the server's port (the TCP port, and the socket file's number).
func (c *Cluster) Port() int { return c.port }

// DataDir returns the absolute data directory.
func (c *Cluster) DataDir() string { return c.dataDir }

// Owned reports whether this process started the server (and Stop stops it).
func (c *Cluster) Owned() bool { return c.owned }

// PID returns the postmaster's process id.
func (c *Cluster) PID() int { return c.pid }

// ConnString returns a keyword/value connection string for user and database
// over the unix socket.
func (c *Cluster) ConnString(user, database string) string {
	return fmt.Sprintf("host=%s port=%d user=%s dbname=%s sslmode=disable", c.socketDir, c.port, user, database)
}

// URL returns a postgres:// URL for user and database over the unix socket.
func (c *Cluster) URL(user, database string) string {
	return fmt.Sprintf("postgres://%s@/%s?host=%s&port=%d&sslmode=disable", user, database, c.socketDir, c.port)
}

// initialise runs initdb into a temporary sibling directory and renames it
// into place, so a killed initdb never leaves half a cluster behind.
func initialise(ctx context.Context, cfg Config, binDir string, own owner) error {
	if _, err := os.Stat(filepath.Join(cfg.DataDir, "PG_VERSION")); err == nil {
		return nil
	}
	if entries, err := os.ReadDir(cfg.DataDir); err == nil && len(entries) > 0 {
		return fmt.Errorf("data directory %s is not empty and holds no PostgreSQL cluster", cfg.DataDir)
	}
	stale, _ := filepath.Glob(cfg.DataDir + ".initdb-*")
	for _, s := range stale {
		_ = os.RemoveAll(s)
	}
	tmp := fmt.Sprintf("%s.initdb-%d", cfg.DataDir, os.Getpid())
	if err := own.ownDir(tmp, 0o700); err != nil {
		return fmt.Errorf("initdb: %w", err)
	}
	args := []string{"-D", tmp, "--username=" + Superuser, "--auth-local=trust", "--auth-host=scram-sha-256",
		"--encoding=UTF8", "--locale=C.UTF-8", "--no-instructions"}
	if cfg.NoSync {
		args = append(args, "--no-sync")
	}
	cmd := exec.CommandContext(ctx, filepath.Join(binDir, "initdb"), args...)
	cmd.SysProcAttr = own.procAttr()
	cmd.Dir = "/"
	cmd.Env = serverEnv()
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		_ = os.RemoveAll(tmp)
		return fmt.Errorf("initdb %s: %w\n%s", cfg.DataDir, err, strings.TrimSpace(out.String()))
	}
	_ = os.Remove(cfg.DataDir) // an empty directory made by hand
	if err := os.Rename(tmp, cfg.DataDir); err != nil {
		return fmt.Errorf("initdb: move cluster into place: %w", err)
	}
	return nil
}

func serverEnv() []string {
	return []string{"PATH=/usr/local/bin:/usr/bin:/bin", "LANG=C.UTF-8", "LC_ALL=C.UTF-8", "TZ=UTC"}
}

// start launches postgres and waits until it answers.
func start(ctx context.Context, cfg Config, binDir string, own owner) (*Cluster, error) {
	if err := own.ownDir(cfg.SocketDir, 0o755); err != nil {
		return nil, fmt.Errorf("socket directory: %w", err)
	}
	port, err := cfg.port()
	if err != nil {
		return nil, err
	}
	logf, err := os.OpenFile(cfg.LogFile, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, fmt.Errorf("server log: %w", err)
	}
	defer logf.Close() // the child holds its own descriptor
	cmd := exec.Command(filepath.Join(binDir, "postgres"), cfg.args(port)...)
	cmd.SysProcAttr = own.procAttr()
	cmd.Dir = "/"
	cmd.Env = serverEnv()
	cmd.Stdout, cmd.Stderr = logf, logf

	c := &Cluster{dataDir: cfg.DataDir, socketDir: cfg.SocketDir, port: port, tcp: cfg.TCP, logFile: cfg.LogFile,
		stopTimeout: cfg.StopTimeout, owned: true, exited: make(chan struct{})}
	started := make(chan error, 1)
	go func() {
		// Pdeathsig fires when the thread that forked the child ends, not the
		// process: keep this goroutine on its thread for the child's life.
		runtime.LockOSThread()
		if err := cmd.Start(); err != nil {
			started <- err
			return
		}
		started <- nil
		err := cmd.Wait()
		c.waitFn = func() error { return err }
		close(c.exited)
	}()
	if err := <-started; err != nil {
		return nil, fmt.Errorf("start postgres: %w", err)
	}
	c.pid = cmd.Process.Pid
	if err := c.waitReady(ctx, cfg.StartTimeout); err != nil {
		_ = c.Stop(context.Background())
		return nil, err
	}
	return c, nil
}

// attach connects to a server another process started in cfg.DataDir. It
// reports false when none runs there.
func attach(ctx context.Context, cfg Config) (*Cluster, bool, error) {
	pf, ok, err := readPidFile(cfg.DataDir)
	if err != nil || !ok {
		return nil, false, err
	}
	if !alive(pf.pid) {
		reapOrphans(cfg.DataDir)
		if _, err := os.Stat(fmt.Sprintf("/proc/%d", pf.pid)); err == nil {
			// The pid now names another program: the lock file is stale and
			// would stop postgres from starting.
			_ = os.Remove(filepath.Join(cfg.DataDir, "postmaster.pid"))
		}
		return nil, false, nil
	}
	c := &Cluster{dataDir: cfg.DataDir, socketDir: pf.socketDir, port: pf.port, logFile: cfg.LogFile, pid: pf.pid}
	if c.socketDir == "" {
		c.socketDir, c.port = cfg.SocketDir, 5432
	}
	if err := c.waitReady(ctx, cfg.StartTimeout); err != nil {
		return nil, false, fmt.Errorf("postgres (pid %d) runs in %s but does not answer: %w", pf.pid, cfg.DataDir, err)
	}
	return c, true, nil
}

// waitReady polls the socket until the server answers as the server of this
// data directory, the server exits, or the timeout passes.
func (c *Cluster) waitReady(ctx context.Context, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	var last error
	for {
		if last = c.ping(ctx); last == nil {
			return nil
		}
		select {
		case <-c.exitedChan():
			return fmt.Errorf("postgres exited during start-up: %v\n%s", c.waitFn(), c.logTail())
		case <-ctx.Done():
			return fmt.Errorf("postgres not ready after %s: %w\n%s", timeout, last, c.logTail())
		case <-time.After(25 * time.Millisecond):
		}
	}
}

func (c *Cluster) exitedChan() <-chan struct{} {
	if c.exited == nil {
		return nil // attached: not our child
	}
	return c.exited
}

// ping connects as the superuser and checks the server serves this data
// directory (not another server that took the socket path).
func (c *Cluster) ping(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, c.ConnString(Superuser, "postgres"))
	if err != nil {
		return err
	}
	defer conn.Close(context.Background())
	var dir string
	if err := conn.QueryRow(ctx, "SHOW data_directory").Scan(&dir); err != nil {
		return err
	}
	want, _ := filepath.EvalSymlinks(c.dataDir)
	got, _ := filepath.EvalSymlinks(dir)
	if got != want {
		return fmt.Errorf("socket %s is served by the cluster in %s, not %s", c.socketDir, dir, c.dataDir)
	}
	return nil
}

// Stop shuts down a server this process started: a fast shutdown (SIGINT),
// then an immediate one (SIGQUIT) after the stop timeout, then SIGKILL. It does
// nothing for a server another process started.
func (c *Cluster) Stop(ctx context.Context) error {
	if !c.owned {
		return nil
	}
	for _, step := range []struct {
		sig  syscall.Signal
		wait time.Duration
	}{{syscall.SIGINT, c.stopTimeout}, {syscall.SIGQUIT, 5 * time.Second}, {syscall.SIGKILL, 5 * time.Second}} {
		if err := syscall.Kill(c.pid, step.sig); err != nil && !errors.Is(err, syscall.ESRCH) {
			return fmt.Errorf("stop postgres: %w", err)
		}
		select {
		case <-c.exited:
			return nil
		case <-ctx.Done():
		case <-time.After(step.wait):
		}
	}
	return fmt.Errorf("stop postgres: pid %d did not exit", c.pid)
}

// Done is closed when a server this process started has exited.
func (c *Cluster) Done() <-chan struct{} { return c.exitedChan() }

// logTail returns the last lines of the server log, for start-up errors.
func (c *Cluster) logTail() string {
	b, err := os.ReadFile(c.logFile)
	if err != nil {
		return ""
	}
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	if len(lines) > 15 {
		lines = lines[len(lines)-15:]
	}
	return "server log " + c.logFile + ":\n  " + strings.Join(lines, "\n  ")
}
