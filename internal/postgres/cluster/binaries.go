package cluster

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
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
	out, err := exec.Command(filepath.Join(binDir, "postgres"), "--version").Output()
	if err != nil {
		return 0, fmt.Errorf("postgres --version: %w", err)
	}
	fields := strings.Fields(string(out))
	if len(fields) == 0 {
		return 0, fmt.Errorf("postgres --version printed nothing")
	}
	major, _, _ := strings.Cut(fields[len(fields)-1], ".")
	v, err := strconv.Atoi(major)
	if err != nil {
		return 0, fmt.Errorf("postgres --version: unexpected %q", strings.TrimSpace(string(out)))
	}
	return v, nil
}
