package cli

import (
	"bytes"
	"context"
	"fmt"
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

func TestMain(m *testing.M) {
	if url := os.Getenv(stuckWorkerEnv); url != "" {
		os.Exit(runStuckWorker(url)) // the process TestJobRescue kills
	}
	pgtest.Main(m)
}

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
	code = Run(context.Background(), args, environment(t, vars), &out, &errs)
	return code, out.String(), errs.String()
}

// environment looks variables up in vars, with a data directory of the
// test's own when vars names none: the default (./realty-data) would be
// written into the package directory, and the source tree stays as it was.
func environment(t *testing.T, vars map[string]string) func(string) string {
	t.Helper()
	dataDir := vars["REALTY_DATA_DIR"]
	if dataDir == "" {
		dataDir = t.TempDir()
	}
	return func(k string) string {
		if k == "REALTY_DATA_DIR" {
			return dataDir
		}
		return vars[k]
	}
}

// started is a serve command running in the background.
type started struct {
	url    string
	stdout *output
	stderr *output
	stop   func() int
}

var servingURL = regexp.MustCompile(`"msg":"realty serving","url":"(http://[^"]+)"`)

// serve starts `realty serve` and waits until it listens.
func serve(t *testing.T, vars map[string]string, args ...string) started {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	var out, errs output
	done := make(chan int, 1)
	env := environment(t, vars)
	go func() {
		done <- Run(ctx, append([]string{"serve"}, args...), env, &out, &errs)
	}()
	stop := func() int { cancel(); return <-done }
	deadline := time.After(60 * time.Second)
	for {
		if m := servingURL.FindStringSubmatch(errs.String()); m != nil {
			return started{url: m[1], stdout: &out, stderr: &errs, stop: stop}
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
		{"ErrMigrateNoAction", []string{"migrate"}, nil, 2, "want up, down, status, redo or distribute --print"},
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
	checkDoctorJSON(t, vars)
	code, stdout, stderr = run(t, vars, "migrate", "distribute", "--print")
	if code != 0 || !strings.Contains(stdout, "SELECT create_distributed_table('org.organizations', 'id');") ||
		!strings.Contains(stdout, "colocate_with => 'org.organizations'") ||
		!strings.Contains(stdout, "FROM run_command_on_workers('ALTER FUNCTION pg_catalog.numeric_eq(numeric, numeric) LEAKPROOF');") ||
		!strings.Contains(stdout, "SET citus.propagate_set_commands = 'local';") {
		t.Fatalf("migrate distribute --print: exit %d\n%s%s", code, stdout, stderr)
	}
	if code, _, stderr = run(t, vars, "migrate", "distribute"); code != 2 || !strings.Contains(stderr, "only --print") {
		t.Fatalf("migrate distribute without --print: exit %d\n%s", code, stderr)
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
	if code != 0 || !strings.Contains(stdout, "PostgreSQL 15") || !strings.HasPrefix(stdout, versionLine()+"\n") {
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

var printedPassword = regexp.MustCompile(`password: (\S+)`)

func TestOrgAndUserCommands(t *testing.T) {
	t.Parallel()
	db := pgtest.New(t)
	vars := map[string]string{"REALTY_DATABASE_URL": db.AppURL, "REALTY_ADMIN_DATABASE_URL": db.AdminURL,
		"REALTY_DATA_DIR": t.TempDir(), "REALTY_HTTP_ADDR": "127.0.0.1:0"}
	code, stdout, stderr := run(t, vars, "org", "create", "--name", "Acme Realty", "--slug", "acme")
	if code != 0 || !regexp.MustCompile(`^[0-9a-f-]{36}\n$`).MatchString(stdout) {
		t.Fatalf("org create: exit %d %q %s", code, stdout, stderr)
	}
	if code, _, stderr := run(t, vars, "org", "create", "--name", "Again", "--slug", "acme"); code != 1 || !strings.Contains(stderr, "slug") {
		t.Fatalf("duplicate slug: exit %d %s", code, stderr)
	}
	for _, c := range [][]string{
		{"--per-minute", "3000", "acme: 3000 requests a minute per credential\n"},
		{"acme: 3000 requests a minute per credential\n"},
		{"--per-minute", "0", "acme: the server's default (REALTY_RATE_LIMIT_PER_MINUTE)\n"},
	} {
		code, stdout, stderr := run(t, vars, append([]string{"org", "rate-limit", "--org", "acme"}, c[:len(c)-1]...)...)
		if code != 0 || stdout != c[len(c)-1] {
			t.Fatalf("org rate-limit %v: exit %d %q %s", c[:len(c)-1], code, stdout, stderr)
		}
	}
	code, stdout, stderr = run(t, vars, "user", "create", "--email", "boss@acme.example", "--org", "acme", "--role", "owner")
	m := printedPassword.FindStringSubmatch(stdout)
	if code != 0 || m == nil {
		t.Fatalf("user create: exit %d %s %s", code, stdout, stderr)
	}
	if code, _, stderr := run(t, vars, "user", "create", "--email", "x@acme.example", "--org", "nope", "--role", "owner"); code != 1 || !strings.Contains(stderr, "no organization with slug nope") {
		t.Fatalf("unknown org: exit %d %s", code, stderr)
	}
	code, stdout, stderr = run(t, vars, "user", "reset-password", "--email", "boss@acme.example")
	m2 := printedPassword.FindStringSubmatch(stdout)
	if code != 0 || m2 == nil || m2[1] == m[1] {
		t.Fatalf("reset-password: exit %d %s %s", code, stdout, stderr)
	}
	s := serve(t, vars)
	defer s.stop()
	if status, body := login(t, s.url, "boss@acme.example", m[1]); status != 401 {
		t.Fatalf("old password after reset: %d %s", status, body)
	}
	if status, body := login(t, s.url, "boss@acme.example", m2[1]); status != 200 || !strings.Contains(body, `"token"`) {
		t.Fatalf("new password: %d %s", status, body)
	}
}

func TestServeDemo(t *testing.T) {
	t.Parallel()
	db := pgtest.New(t)
	vars := map[string]string{"REALTY_DATABASE_URL": db.AppURL, "REALTY_DATA_DIR": t.TempDir(), "REALTY_HTTP_ADDR": "127.0.0.1:0"}
	var out output
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int, 1)
	var errs output
	go func() {
		done <- Run(ctx, []string{"serve", "--demo", "--demo-password", "demo passphrase 2026"}, func(k string) string { return vars[k] }, &out, &errs)
	}()
	// Seeding the demo takes ~13 s alone but over a minute when the whole
	// suite shares two cores; the deadline only stops a hang.
	deadline := time.Now().Add(3 * time.Minute)
	for servingURL.FindStringSubmatch(errs.String()) == nil && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	url := servingURL.FindStringSubmatch(errs.String())
	if url == nil {
		cancel()
		t.Fatalf("serve --demo did not start: %s", errs.String())
	}
	for _, role := range []string{"owner", "broker", "agent", "property_manager", "accountant", "maintenance", "resident", "client"} {
		if !strings.Contains(out.String(), role+"@demo.example") {
			t.Errorf("demo output lacks the %s login:\n%s", role, out.String())
		}
	}
	if status, body := login(t, url[1], "agent@demo.example", "demo passphrase 2026"); status != 200 {
		t.Errorf("demo agent sign-in: %d %s", status, body)
	}
	cancel()
	<-done
	second := serve(t, vars, "--demo")
	defer second.stop()
	if !strings.Contains(second.stdout.String(), "already holds data") {
		t.Fatalf("second --demo: %q", second.stdout.String())
	}
}

func login(t *testing.T, base, email, password string) (int, string) {
	t.Helper()
	body := fmt.Sprintf(`{"email":%q,"password":%q}`, email, password)
	resp, err := http.Post(base+"/api/v1/auth/login", "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var b bytes.Buffer
	_, _ = b.ReadFrom(resp.Body)
	return resp.StatusCode, b.String()
}

func TestAPIKeyCommand(t *testing.T) {
	t.Parallel()
	db := pgtest.New(t)
	vars := map[string]string{"REALTY_DATABASE_URL": db.AppURL, "REALTY_ADMIN_DATABASE_URL": db.AdminURL,
		"REALTY_DATA_DIR": t.TempDir(), "REALTY_HTTP_ADDR": "127.0.0.1:0"}
	if code, _, stderr := run(t, vars, "org", "create", "--name", "Acme", "--slug", "acme"); code != 0 {
		t.Fatal(stderr)
	}
	if code, _, stderr := run(t, vars, "apikey", "create", "--org", "acme", "--name", "feed", "--permissions", "listing.nope"); code != 1 || !strings.Contains(stderr, "unknown permission") {
		t.Fatalf("unknown permission: exit %d %s", code, stderr)
	}
	code, stdout, stderr := run(t, vars, "apikey", "create", "--org", "acme", "--name", "feed", "--permissions", "member.read,listing.read")
	key := strings.TrimSpace(stdout)
	if code != 0 || !strings.HasPrefix(key, "rk_") {
		t.Fatalf("apikey create: exit %d %q %s", code, stdout, stderr)
	}
	s := serve(t, vars)
	defer s.stop()
	req, _ := http.NewRequest("GET", s.url+"/api/v1/members", nil)
	req.Header.Set("Authorization", "Bearer "+key)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("operator key refused: %d", resp.StatusCode)
	}
}
