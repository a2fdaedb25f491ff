package cli

import (
	"bytes"
	"context"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"realty/internal/postgres/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// output is a concurrency-safe buffer for a command's stdout or stderr.
type output struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (o *output) Write(p []byte) (int, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.b.Write(p)
}

func (o *output) String() string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.b.String()
}

// run runs one command to completion.
func run(t *testing.T, vars map[string]string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errs output
	code = Run(context.Background(), args, func(k string) string { return vars[k] }, &out, &errs)
	return code, out.String(), errs.String()
}

// started is a serve command running in the background.
type started struct {
	url    string
	stderr *output
	stop   func() int
}

var servingURL = regexp.MustCompile(`"url":"(http://[^"]+)"`)

// serve starts `realty serve` and waits until it listens.
func serve(t *testing.T, vars map[string]string, args ...string) started {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	var out, errs output
	done := make(chan int, 1)
	go func() {
		done <- Run(ctx, append([]string{"serve"}, args...), func(k string) string { return vars[k] }, &out, &errs)
	}()
	stop := func() int { cancel(); return <-done }
	deadline := time.After(60 * time.Second)
	for {
		if m := servingURL.FindStringSubmatch(errs.String()); m != nil {
			return started{url: m[1], stderr: &errs, stop: stop}
		}
		select {
		case code := <-done:
			t.Fatalf("serve exited with %d before listening:\n%s", code, errs.String())
		case <-deadline:
			stop()
			t.Fatalf("serve did not listen within 60s:\n%s", errs.String())
		case <-time.After(20 * time.Millisecond):
		}
	}
}

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var b bytes.Buffer
	_, _ = b.ReadFrom(resp.Body)
	return resp.StatusCode, b.String()
}

func TestUsage(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		args []string
		vars map[string]string
		code int
		want string
	}{
		{"OKHelp", []string{"help"}, nil, 0, "Commands:"},
		{"ErrUnknownCommand", []string{"frobnicate"}, nil, 2, `unknown command "frobnicate"`},
		{"ErrMigrateNoAction", []string{"migrate"}, nil, 2, "want up, down, status or redo"},
		{"ErrBadFlag", []string{"serve", "-no-such-flag"}, nil, 2, "no-such-flag"},
		{"ErrBadEnvironment", []string{"serve"}, map[string]string{"REALTY_HTTP_ADDR": "nonsense"}, 1, "REALTY_HTTP_ADDR: must be host:port"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			code, stdout, stderr := run(t, c.vars, c.args...)
			if code != c.code || !strings.Contains(stdout+stderr, c.want) {
				t.Fatalf("exit %d, want %d; output lacks %q:\n%s%s", code, c.code, c.want, stdout, stderr)
			}
		})
	}
}

func TestServeExternal(t *testing.T) {
	t.Parallel()
	t.Run("OK", func(t *testing.T) {
		t.Parallel()
		db := pgtest.New(t)
		s := serve(t, map[string]string{"REALTY_DATABASE_URL": db.AppURL, "REALTY_HTTP_ADDR": "127.0.0.1:0"})
		if code, body := get(t, s.url+"/readyz"); code != 200 {
			t.Errorf("readyz %d %s", code, body)
		}
		if code := s.stop(); code != 0 {
			t.Fatalf("serve exited %d after the signal:\n%s", code, s.stderr)
		}
		if !strings.Contains(s.stderr.String(), "shutting down") {
			t.Errorf("no orderly shutdown logged:\n%s", s.stderr)
		}
	})
	t.Run("ErrSchemaBehind", func(t *testing.T) {
		t.Parallel()
		db := pgtest.New(t)
		adminExec(t, db.AdminURL, "DELETE FROM river.river_migration WHERE version = (SELECT max(version) FROM river.river_migration)")
		code, _, stderr := run(t, map[string]string{"REALTY_DATABASE_URL": db.AppURL, "REALTY_HTTP_ADDR": "127.0.0.1:0"}, "serve")
		if code != 1 || !strings.Contains(stderr, "realty migrate up") {
			t.Fatalf("exit %d, want refusal naming realty migrate up:\n%s", code, stderr)
		}
	})
	t.Run("ErrSuperuserRuntime", func(t *testing.T) {
		t.Parallel()
		db := pgtest.New(t)
		code, _, stderr := run(t, map[string]string{"REALTY_DATABASE_URL": db.AdminURL, "REALTY_HTTP_ADDR": "127.0.0.1:0"}, "serve")
		if code != 1 || !strings.Contains(stderr, "bypasses row-level security") {
			t.Fatalf("exit %d, want refusal of a superuser runtime role:\n%s", code, stderr)
		}
	})
}

func adminExec(t *testing.T, url, sql string) {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, sql); err != nil {
		t.Fatal(err)
	}
}

// TestEmbedded runs serve on its own cluster, then other commands beside it
// (they attach to the running server), then the same commands alone (they
// start the server for their own duration).
func TestEmbedded(t *testing.T) {
	t.Parallel()
	dir := scratchDir(t)
	vars := map[string]string{"REALTY_DATA_DIR": dir, "REALTY_HTTP_ADDR": "127.0.0.1:0"}
	pidFile := filepath.Join(dir, "postgres", "postmaster.pid")

	s := serve(t, vars)
	if code, body := get(t, s.url+"/readyz"); code != 200 {
		t.Fatalf("readyz %d %s", code, body)
	}
	pidBefore, _ := os.ReadFile(pidFile)

	code, stdout, stderr := run(t, vars, "migrate", "status")
	if code != 0 || !strings.Contains(stdout, " 0 pending") || !strings.Contains(stderr, "already running, attached") {
		t.Fatalf("migrate status beside serve: exit %d\n%s%s", code, stdout, stderr)
	}
	code, stdout, stderr = run(t, vars, "doctor")
	if code != 0 || !strings.Contains(stdout, "Row-level security") {
		t.Fatalf("doctor: exit %d\n%s%s", code, stdout, stderr)
	}
	if pidAfter, _ := os.ReadFile(pidFile); !bytes.Equal(pidBefore, pidAfter) {
		t.Fatal("a second postmaster was started on the data directory")
	}
	if code := s.stop(); code != 0 {
		t.Fatalf("serve exited %d:\n%s", code, s.stderr)
	}
	if _, err := os.Stat(pidFile); !os.IsNotExist(err) {
		t.Fatalf("embedded PostgreSQL still running after serve stopped (%v)", err)
	}

	code, stdout, stderr = run(t, vars, "version")
	if code != 0 || !strings.Contains(stdout, "PostgreSQL 15") {
		t.Fatalf("version alone: exit %d\n%s%s", code, stdout, stderr)
	}
	if _, err := os.Stat(pidFile); !os.IsNotExist(err) {
		t.Fatal("a command that started the embedded server left it running")
	}
}

// scratchDir returns a directory the postgres system user can enter, on
// tmpfs when present.
func scratchDir(t *testing.T) string {
	t.Helper()
	base := os.TempDir()
	if fi, err := os.Stat("/dev/shm"); err == nil && fi.IsDir() {
		base = "/dev/shm"
	}
	dir, err := os.MkdirTemp(base, "realty-cli-test-")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.RemoveAll(dir) })
	return dir
}
