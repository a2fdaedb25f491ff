package cluster

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// pidFile is what postmaster.pid says of a running (or crashed) server: the
// lines are pid, data directory, start time, port, first socket directory,
// listen address, shared memory key, status.
type pidFile struct {
	pid       int
	port      int
	socketDir string
	status    string
}

func readPidFile(dataDir string) (pidFile, bool, error) {
	b, err := os.ReadFile(filepath.Join(dataDir, "postmaster.pid"))
	if errors.Is(err, os.ErrNotExist) {
		return pidFile{}, false, nil
	}
	if err != nil {
		return pidFile{}, false, fmt.Errorf("read postmaster.pid: %w", err)
	}
	lines := strings.Split(string(b), "\n")
	if len(lines) < 5 {
		// A server still writing its lock file: treat as present but not ready.
		pid, _ := strconv.Atoi(strings.TrimSpace(lines[0]))
		return pidFile{pid: pid}, true, nil
	}
	pf := pidFile{socketDir: strings.TrimSpace(lines[4])}
	pf.pid, _ = strconv.Atoi(strings.TrimSpace(lines[0]))
	pf.port, _ = strconv.Atoi(strings.TrimSpace(lines[3]))
	if len(lines) > 7 {
		pf.status = strings.TrimSpace(lines[7])
	}
	return pf, true, nil
}

// alive reports whether pid names a live postgres process. A pid reused by
// another program (after a reboot, say) is not alive for this purpose.
func alive(pid int) bool {
	if pid <= 0 {
		return false
	}
	if err := syscall.Kill(pid, 0); err != nil && !errors.Is(err, syscall.EPERM) {
		return false
	}
	comm, err := os.ReadFile(fmt.Sprintf("/proc/%d/comm", pid))
	if err != nil {
		return !errors.Is(err, os.ErrNotExist) // no /proc (macOS): trust kill(0)
	}
	return strings.TrimSpace(string(comm)) == "postgres"
}

// reapOrphans kills what is left of a crashed server: backends outlive a
// postmaster killed with SIGKILL for a moment, holding the shared memory a new
// server needs. Every server process works in its data directory, which is
// how they are found.
func reapOrphans(dataDir string) {
	deadline := time.Now().Add(10 * time.Second)
	for {
		pids := serverProcesses(dataDir)
		if len(pids) == 0 || time.Now().After(deadline) {
			return
		}
		for _, p := range pids {
			_ = syscall.Kill(p, syscall.SIGKILL)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// serverProcesses lists the postgres processes whose working directory is
// dataDir (Linux /proc; nothing elsewhere).
func serverProcesses(dataDir string) []int {
	entries, _ := os.ReadDir("/proc")
	var pids []int
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		comm, err := os.ReadFile(fmt.Sprintf("/proc/%d/comm", pid))
		if err != nil || strings.TrimSpace(string(comm)) != "postgres" {
			continue
		}
		if cwd, err := os.Readlink(fmt.Sprintf("/proc/%d/cwd", pid)); err == nil && cwd == dataDir {
			pids = append(pids, pid)
		}
	}
	return pids
}

// fileLock is an exclusive flock on a file beside the data directory: it
// serialises the decision to start a server, so two realty processes never
// start two postmasters on one data directory.
type fileLock struct{ f *os.File }

func lock(path string) (*fileLock, error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return nil, fmt.Errorf("open lock %s: %w", path, err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		f.Close()
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	return &fileLock{f: f}, nil
}

func (l *fileLock) unlock() {
	_ = syscall.Flock(int(l.f.Fd()), syscall.LOCK_UN)
	_ = l.f.Close()
}
