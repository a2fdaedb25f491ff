package cluster

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// installHint names what to install when no PostgreSQL server binaries exist.
const installHint = `PostgreSQL server binaries (initdb, postgres) not found.
Install the PostgreSQL server package (version 15 or later):
  Debian/Ubuntu: sudo apt-get install postgresql
  macOS:         brew install postgresql@16
or set REALTY_PG_BINDIR to the directory holding initdb and postgres,
or set REALTY_DATABASE_URL to use a PostgreSQL server you run yourself`

// ErrNoBinaries is returned (wrapped) when no PostgreSQL server binaries can be
// found; its text says what to install.
var ErrNoBinaries = errors.New(installHint)

// FindBinDir returns the directory holding initdb and postgres: dir when set,
// else the directory of initdb on PATH resolved through symlinks, else the
// highest /usr/lib/postgresql/*/bin. It returns ErrNoBinaries when none holds
// both programs.
func FindBinDir(dir string) (string, error) {
	if dir != "" {
		abs, err := filepath.Abs(dir)
		if err != nil {
			return "", fmt.Errorf("postgres bin dir %q: %w", dir, err)
		}
		if !hasServer(abs) {
			return "", fmt.Errorf("postgres bin dir %s has no initdb and postgres: %w", abs, ErrNoBinaries)
		}
		return abs, nil
	}
	if p, err := exec.LookPath("initdb"); err == nil {
		if real, err := filepath.EvalSymlinks(p); err == nil {
			if d := filepath.Dir(real); hasServer(d) {
				return d, nil
			}
		}
	}
	for _, d := range debianBinDirs() {
		if hasServer(d) {
			return d, nil
		}
	}
	return "", ErrNoBinaries
}

// debianBinDirs lists /usr/lib/postgresql/*/bin, highest version first.
func debianBinDirs() []string {
	matches, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	version := func(p string) float64 {
		v, _ := strconv.ParseFloat(filepath.Base(filepath.Dir(p)), 64)
		return v
	}
	sort.Slice(matches, func(i, j int) bool { return version(matches[i]) > version(matches[j]) })
	return matches
}

func hasServer(dir string) bool {
	for _, name := range []string{"initdb", "postgres"} {
		fi, err := os.Stat(filepath.Join(dir, name))
		if err != nil || fi.IsDir() || fi.Mode()&0o111 == 0 {
			return false
		}
	}
	return true
}

// ServerVersion returns the major version the binaries in binDir report
// ("postgres (PostgreSQL) 15.18" → 15).
func ServerVersion(binDir string) (int, error) {
	num, _, err := BinaryVersion(context.Background(), binDir)
	return num / 10000, err
}

// BinaryVersion runs binDir/postgres --version and returns the version as
// server_version_num counts it ("15.18" → 150018) and as printed ("15.18
// (Debian 15.18-0+deb12u1)"): what a server started now would run.
func BinaryVersion(ctx context.Context, binDir string) (num int, text string, err error) {
	out, err := exec.CommandContext(ctx, filepath.Join(binDir, "postgres"), "--version").Output()
	if err != nil {
		return 0, "", fmt.Errorf("%s --version: %w", filepath.Join(binDir, "postgres"), err)
	}
	text = strings.TrimSpace(string(out))
	_, text, _ = strings.Cut(text, "(PostgreSQL) ")
	num, err = versionNum(text)
	if err != nil {
		return 0, "", fmt.Errorf("postgres --version: unexpected %q", strings.TrimSpace(string(out)))
	}
	return num, text, nil
}

// versionNum turns "15.18 (…)" into 150018 and "18beta1" into 180000.
func versionNum(text string) (int, error) {
	v, _, _ := strings.Cut(text, " ")
	major, minor, _ := strings.Cut(v, ".")
	if i := strings.IndexFunc(major, func(r rune) bool { return r < '0' || r > '9' }); i >= 0 {
		major = major[:i]
	}
	maj, err := strconv.Atoi(major)
	if err != nil {
		return 0, err
	}
	min, _ := strconv.Atoi(minor)
	return maj*10000 + min, nil
}

// VersionProbe is BinaryVersion of one directory, run at most once per TTL
// (it forks a process) and safe for concurrent use.
type VersionProbe struct {
	BinDir string
	TTL    time.Duration

	mu   sync.Mutex
	at   time.Time
	num  int
	text string
	err  error
}

// Version returns the binaries' version, from the last run when younger
// than the TTL.
func (p *VersionProbe) Version(ctx context.Context) (num int, text string, err error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.at.IsZero() || time.Since(p.at) >= p.TTL {
		p.num, p.text, p.err = BinaryVersion(ctx, p.BinDir)
		p.at = time.Now()
	}
	return p.num, p.text, p.err
}
