package main

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"realty/internal/postgres/pgtest"
)

// childEnv makes the test binary run realty instead of the tests: its
// value is realty's command line ("serve"). The test binary holds this
// package's main, so a subprocess started this way is realty itself —
// the same main, the same cli.Run — built once with the tests (and with
// the race detector when they are).
const childEnv = "REALTY_TEST_RUN_REALTY"

func TestMain(m *testing.M) {
	if args := os.Getenv(childEnv); args != "" {
		os.Args = append([]string{"realty"}, strings.Fields(args)...)
		main()
		return
	}
	pgtest.Main(m)
}

// realtyProc is `realty serve` running as a subprocess on a test database
// (an external PostgreSQL to it, so killing realty leaves the database up).
type realtyProc struct {
	t   testing.TB
	env []string
	url string
	log *os.File
	cmd *exec.Cmd
	// waitExit is closed when the running process has exited.
	waitExit chan struct{}
}

// startRealty starts realty serve on the database appURL, listening on a
// free loopback port that every restart reuses, and waits until it is
// ready. It is killed when the test ends.
func startRealty(t testing.TB, appURL string) *realtyProc {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	dir := t.TempDir()
	logf, err := os.Create(filepath.Join(dir, "realty.log"))
	if err != nil {
		t.Fatal(err)
	}
	p := &realtyProc{t: t, url: "http://" + addr, log: logf, env: append(os.Environ(), childEnv+"=serve",
		"REALTY_DATABASE_URL="+appURL, "REALTY_DATA_DIR="+filepath.Join(dir, "data"), "REALTY_HTTP_ADDR="+addr,
		"REALTY_LOG_FORMAT=json", "REALTY_LOG_LEVEL=warn", "REALTY_RATE_LIMIT_PER_MINUTE=1000000")}
	t.Cleanup(func() {
		p.kill()
		logf.Close()
		if t.Failed() {
			if b, err := os.ReadFile(logf.Name()); err == nil {
				t.Logf("realty's log:\n%s", lastLines(string(b), 40))
			}
		}
	})
	if _, err := p.start(); err != nil {
		t.Fatal(err)
	}
	return p
}

// start runs realty and waits until it serves (/healthz: realty listens
// only once its pool, services and jobs are up; /readyz would wait behind
// the clients' retries for a database connection), returning how long
// that took. It may run outside the test's goroutine.
func (p *realtyProc) start() (time.Duration, error) {
	begin := time.Now()
	p.cmd = exec.Command(os.Args[0])
	p.cmd.Env, p.cmd.Stdout, p.cmd.Stderr = p.env, p.log, p.log
	p.cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	// Pdeathsig fires when the thread that forked the child ends, and Go
	// ends a thread when a goroutine locked to it returns (as the embedded
	// PostgreSQL launcher's does when its server exits): fork from a thread
	// locked for the child's life, so realty dies with the test only.
	started, exited := make(chan error, 1), make(chan struct{})
	go func() {
		runtime.LockOSThread()
		if err := p.cmd.Start(); err != nil {
			started <- err
			return
		}
		started <- nil
		_ = p.cmd.Wait()
		close(exited)
	}()
	if err := <-started; err != nil {
		return 0, err
	}
	p.waitExit = exited
	client := &http.Client{Timeout: time.Second}
	for time.Since(begin) < time.Minute {
		if res, err := client.Get(p.url + "/healthz"); err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return time.Since(begin), nil
			}
		}
		select {
		case <-exited:
			return 0, fmt.Errorf("realty exited while starting: %v", p.cmd.ProcessState)
		case <-time.After(20 * time.Millisecond):
		}
	}
	return 0, errors.New("realty serve was not ready within a minute")
}

// kill sends SIGKILL — no shutdown, no draining, connections cut — and
// waits for the process to be gone.
func (p *realtyProc) kill() {
	if p.cmd == nil || p.cmd.Process == nil {
		return
	}
	if err := p.cmd.Process.Signal(syscall.SIGKILL); err != nil && !errors.Is(err, os.ErrProcessDone) {
		p.t.Errorf("kill realty: %v", err)
	}
	<-p.waitExit
	p.cmd = nil
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}
