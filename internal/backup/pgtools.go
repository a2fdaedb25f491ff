package backup

import (
	"bytes"
	"context"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"

	"realty/internal/postgres/cluster"
)

// tools runs PostgreSQL's client programs (pg_dump, pg_restore) from the
// directory the embedded launcher uses, so the dump is made by the server's
// own version.
type tools struct{ binDir string }

// findTools finds the programs as the launcher finds initdb and postgres
// (REALTY_PG_BINDIR, PATH, /usr/lib/postgresql/*/bin).
func findTools(binDir string) (tools, error) {
	dir, err := cluster.FindBinDir(binDir)
	if err != nil {
		return tools{}, err
	}
	for _, p := range []string{"pg_dump", "pg_restore"} {
		if _, err := os.Stat(filepath.Join(dir, p)); err != nil {
			return tools{}, fmt.Errorf("%s not found beside initdb in %s: install the PostgreSQL client package", p, dir)
		}
	}
	return tools{binDir: dir}, nil
}

// run runs program with args against the database at dbURL; the password,
// if any, travels in the environment, never on the command line.
func (t tools) run(ctx context.Context, dbURL, program string, args ...string) error {
	dsn, password, err := libpqDSN(dbURL)
	if err != nil {
		return err
	}
	cmd := exec.CommandContext(ctx, filepath.Join(t.binDir, program), append(args, "--dbname="+dsn)...)
	cmd.Env = clientEnv(password)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		if ctx.Err() != nil {
			return fmt.Errorf("%s: %w", program, ctx.Err())
		}
		return fmt.Errorf("%s: %w\n%s", program, err, strings.TrimSpace(out.String()))
	}
	return nil
}

// dump writes the database's custom-format dump to file, reading the
// exported snapshot.
func (t tools) dump(ctx context.Context, dbURL, snapshot, file string) error {
	return t.run(ctx, dbURL, "pg_dump", "--format=custom", "--snapshot="+snapshot, "--file="+file, "--no-password")
}

// restore loads a custom-format dump into the database with parallel
// workers, stopping at the first error.
func (t tools) restore(ctx context.Context, dbURL, file string) error {
	jobs := min(max(runtime.NumCPU(), 1), 4)
	return t.run(ctx, dbURL, "pg_restore", "--exit-on-error", "--jobs="+strconv.Itoa(jobs), "--no-password", file)
}

// libpqDSN returns a URL without its password (which goes in PGPASSWORD);
// a keyword/value string is returned as it is.
func libpqDSN(raw string) (dsn, password string, err error) {
	if !strings.HasPrefix(raw, "postgres://") && !strings.HasPrefix(raw, "postgresql://") {
		return raw, "", nil
	}
	u, err := url.Parse(raw)
	if err != nil {
		return "", "", fmt.Errorf("database URL: %w", err)
	}
	if u.User != nil {
		password, _ = u.User.Password()
		u.User = url.User(u.User.Username())
	}
	return u.String(), password, nil
}

// clientEnv is the client programs' environment: this process's, without
// the PG* variables that could redirect them, plus the password.
func clientEnv(password string) []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "PG") {
			env = append(env, kv)
		}
	}
	if password != "" {
		env = append(env, "PGPASSWORD="+password)
	}
	return append(env, "PGAPPNAME=realty backup", "PGTZ=UTC")
}
