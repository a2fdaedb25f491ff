package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// server is realty serving the benchmark's data directory.
type server struct {
	bin, dataDir, url string
	cmd               *exec.Cmd
	log               *os.File
}

// buildRealty compiles the binary under test.
func buildRealty(repo, out string) error {
	cmd := exec.Command("go", "build", "-o", out, "./cmd/realty")
	cmd.Dir, cmd.Stdout, cmd.Stderr = repo, os.Stderr, os.Stderr
	return cmd.Run()
}

// freeAddr is a free 127.0.0.1 port.
func freeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

// startServer runs realty serve on the data directory (the embedded
// cluster) and waits until it is ready.
func startServer(ctx context.Context, bin, dataDir, logPath string) (*server, error) {
	addr, err := freeAddr()
	if err != nil {
		return nil, err
	}
	logf, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	s := &server{bin: bin, dataDir: dataDir, url: "http://" + addr, log: logf}
	s.cmd = exec.Command(bin, "serve")
	// The rate limit is set as high as it goes: the limiter runs on every
	// request (its cost is measured) but never refuses the load generator.
	s.cmd.Env = append(os.Environ(), "REALTY_DATA_DIR="+dataDir, "REALTY_HTTP_ADDR="+addr, "REALTY_LOG_FORMAT=json", "REALTY_LOG_LEVEL=warn",
		"REALTY_RATE_LIMIT_PER_MINUTE=1000000")
	s.cmd.Stdout, s.cmd.Stderr = logf, logf
	s.cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := s.cmd.Start(); err != nil {
		return nil, err
	}
	deadline := time.Now().Add(2 * time.Minute)
	for time.Now().Before(deadline) {
		if res, err := http.Get(s.url + "/readyz"); err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return s, nil
			}
		}
		if s.cmd.ProcessState != nil || ctx.Err() != nil {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	s.stop()
	return nil, fmt.Errorf("realty serve did not become ready; see %s", logPath)
}

// stop ends realty (which stops its cluster) and waits.
func (s *server) stop() {
	if s.cmd.Process != nil {
		_ = s.cmd.Process.Signal(syscall.SIGINT)
		done := make(chan struct{})
		go func() { _ = s.cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(30 * time.Second):
			_ = s.cmd.Process.Kill()
			<-done
		}
	}
	s.log.Close()
}

// pid is realty's process id.
func (s *server) pid() []int { return []int{s.cmd.Process.Pid} }

// postgres is the cluster's processes: the postmaster (from its pid file)
// and its children.
func (s *server) postgres() []int {
	b, err := os.ReadFile(filepath.Join(s.dataDir, "postgres", "postmaster.pid"))
	if err != nil {
		return nil
	}
	pid, err := strconv.Atoi(strings.TrimSpace(strings.SplitN(string(b), "\n", 2)[0]))
	if err != nil {
		return nil
	}
	return processTree(pid)
}

// socketDir is where the embedded cluster listens.
func (s *server) socketDir() string { return filepath.Join(s.dataDir, "run") }

// realtyCmd runs a realty subcommand against the data directory with
// stdin, returning its combined output.
func (s *server) realtyCmd(ctx context.Context, stdin string, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, s.bin, args...)
	cmd.Env = append(os.Environ(), "REALTY_DATA_DIR="+s.dataDir, "REALTY_LOG_LEVEL=warn")
	cmd.Stdin = strings.NewReader(stdin)
	out, err := cmd.CombinedOutput()
	if err != nil {
		return string(out), fmt.Errorf("realty %s: %w: %s", strings.Join(args, " "), err, lastLines(string(out), 5))
	}
	return string(out), nil
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}

var keyPattern = regexp.MustCompile(`rk_[0-9a-f]{12}_[A-Za-z0-9_-]{43}`)

// apiKey makes an API key for the organization with the permissions.
func (s *server) apiKey(ctx context.Context, slug, perms string) (string, error) {
	out, err := s.realtyCmd(ctx, "", "apikey", "create", "--org", slug, "--name", "bench", "--permissions", perms)
	if err != nil {
		return "", err
	}
	k := keyPattern.FindString(out)
	if k == "" {
		return "", errors.New("apikey create printed no key: " + lastLines(out, 3))
	}
	return k, nil
}

// seeded reports whether the data directory holds the seed of these flags
// (a marker file the harness writes after seeding).
func seededMarker(dataDir string) string { return filepath.Join(dataDir, "bench-seed") }

func readMarker(dataDir string) string {
	b, _ := os.ReadFile(seededMarker(dataDir))
	return strings.TrimSpace(string(b))
}

// seed loads the scale data set, streaming realty seed's progress.
func (s *server) seed(ctx context.Context, orgs, listings, clients int) error {
	cmd := exec.CommandContext(ctx, s.bin, "seed", "--scale", "--orgs", strconv.Itoa(orgs), "--listings", strconv.Itoa(listings),
		"--clients", strconv.Itoa(clients), "--seed", "1", "--password-stdin")
	cmd.Env = append(os.Environ(), "REALTY_DATA_DIR="+s.dataDir, "REALTY_LOG_LEVEL=warn")
	cmd.Stdin = strings.NewReader(benchPassword + "\n")
	out, err := cmd.StderrPipe()
	if err != nil {
		return err
	}
	cmd.Stdout = os.Stderr
	if err := cmd.Start(); err != nil {
		return err
	}
	sc := bufio.NewScanner(out)
	for sc.Scan() {
		if line := sc.Text(); strings.Contains(line, "100%") || strings.Contains(line, "total") || strings.Contains(line, "CRM") ||
			strings.Contains(line, "rror") {
			fmt.Fprintln(os.Stderr, "  "+line)
		}
	}
	return cmd.Wait()
}

// benchPassword is every seeded user's password.
const benchPassword = "benchmark password 2026"
