package backup

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"realty/internal/postgres/cluster"
)

// PITR says what a point-in-time recovery reads and where it builds the new
// data directory.
type PITR struct {
	// BaseDir holds the base backups; ArchiveDir the archived WAL.
	BaseDir    string
	ArchiveDir string
	BinDir     string
	// Into is the new realty data directory: the recovered cluster goes in
	// Into/postgres and archives its own WAL (its new timeline) into
	// Into/wal-archive. Force empties it when it holds anything.
	Into  string
	Force bool
	// DataDir is the realty data directory in use: its server key and blob
	// store are copied into Into ("" copies none). Into may not be it, nor
	// lie inside it or hold it.
	DataDir string
	Target  RecoveryTarget
	// Timeout bounds the recovery (default an hour).
	Timeout time.Duration
	// Settings are extra server settings for the recovering server.
	Settings map[string]string
}

// Recovered is what a recovery reached.
type Recovered struct {
	Base BaseBackup
	// DataDir is the recovered cluster's data directory.
	DataDir string
	// Timeline is the new timeline the recovered cluster writes on, LSN
	// where its WAL stood after promotion.
	Timeline int
	LSN      string
	// Stop is PostgreSQL's own line saying where recovery stopped.
	Stop string
	// LastCommit is the commit time of the last transaction replayed (zero
	// when none was).
	LastCommit time.Time
	Duration   time.Duration
}

// Recover builds a new data directory recovered to p.Target: it copies the
// base backup chosen for the target (see pickBase), starts it with
// recovery.signal, a restore_command reading the archive and the target
// (recovery_target_action=promote, on the base backup's timeline), waits
// for the promotion, and stops the server. Errors: no target or more than
// one, Into not empty (unless Force) or overlapping DataDir, ErrOutOfRange
// for a target before the oldest base backup, and ErrRecoveryFailed with
// PostgreSQL's FATAL for one it cannot reach (past the archive's end, a
// name never created); the directory is then left for inspection.
func Recover(ctx context.Context, p PITR) (*Recovered, error) {
	start := time.Now()
	if err := p.Target.Validate(); err != nil {
		return nil, err
	}
	if err := p.prepareInto(); err != nil {
		return nil, err
	}
	list, err := ListBase(p.BaseDir)
	if err != nil {
		return nil, fmt.Errorf("base backups: %w", err)
	}
	base, err := pickBase(list, p.Target, p.BaseDir)
	if err != nil {
		return nil, err
	}
	dataDir := filepath.Join(p.Into, "postgres")
	if err := copyTree(filepath.Join(base.Dir, BaseDataDir), dataDir); err != nil {
		return nil, fmt.Errorf("copy base backup %s: %w", base.Dir, err)
	}
	if err := os.WriteFile(filepath.Join(dataDir, "recovery.signal"), nil, 0o600); err != nil {
		return nil, err
	}
	if err := cluster.OwnDataDir(dataDir); err != nil {
		return nil, err
	}
	if p.DataDir != "" {
		if _, err := copyDataFiles(p.DataDir, p.Into); err != nil {
			return nil, err
		}
	}
	r, err := p.run(ctx, base, dataDir)
	if err != nil {
		return nil, err
	}
	r.Duration = time.Since(start)
	return r, nil
}

// prepareInto checks Into and makes it an empty directory the server user
// may enter.
func (p *PITR) prepareInto() error {
	if p.Into == "" {
		return errors.New("no directory to recover into")
	}
	into, err := filepath.Abs(p.Into)
	if err != nil {
		return err
	}
	p.Into = into
	if p.DataDir != "" {
		cur, _ := filepath.Abs(p.DataDir)
		if within(into, cur) || within(cur, into) {
			return fmt.Errorf("%s overlaps the data directory in use (%s): recover into a new directory", into, cur)
		}
	}
	if entries, err := os.ReadDir(into); err == nil && len(entries) > 0 {
		if !p.Force {
			return fmt.Errorf("%s: %w (give --force to replace what it holds)", into, ErrNotEmpty)
		}
		if err := os.RemoveAll(into); err != nil {
			return err
		}
	}
	if err := os.MkdirAll(into, 0o755); err != nil {
		return err
	}
	return os.Chmod(into, 0o755) // the server may run as the postgres user
}

// within reports whether path is dir or lies under it.
func within(path, dir string) bool {
	rel, err := filepath.Rel(dir, path)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, "../")
}

// run starts the recovering server, waits for its promotion, reads where
// it stopped and stops it.
func (p PITR) run(ctx context.Context, base BaseBackup, dataDir string) (*Recovered, error) {
	timeout := p.Timeout
	if timeout == 0 {
		timeout = time.Hour
	}
	settings := map[string]string{
		"restore_command":          cluster.RestoreCommand(p.ArchiveDir),
		"recovery_target_action":   "promote",
		"recovery_target_timeline": strconv.Itoa(base.Timeline),
	}
	maps.Copy(settings, p.Target.settings())
	maps.Copy(settings, p.Settings)
	logFile := filepath.Join(p.Into, "postgres.log")
	c, err := cluster.Open(ctx, cluster.Config{DataDir: dataDir, BinDir: p.BinDir, WALArchiveDir: filepath.Join(p.Into, "wal-archive"),
		Settings: settings, LogFile: logFile, StartTimeout: timeout})
	if err != nil {
		return nil, p.failed(logFile, err)
	}
	defer func() { _ = c.Stop(context.WithoutCancel(ctx)) }()
	r := &Recovered{Base: base, DataDir: dataDir}
	if err := waitPromoted(ctx, c, timeout, r); err != nil {
		return nil, p.failed(logFile, err)
	}
	r.Stop = logLine(logFile, "recovery stopping")
	if err := c.Stop(ctx); err != nil {
		return nil, err
	}
	return r, nil
}

// waitPromoted polls the recovering server until it leaves recovery, then
// reads its timeline, WAL position and last replayed commit.
func waitPromoted(ctx context.Context, c *cluster.Cluster, timeout time.Duration, r *Recovered) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	conn, err := pgx.Connect(ctx, c.ConnString(cluster.Superuser, "postgres"))
	if err != nil {
		return err
	}
	defer conn.Close(context.WithoutCancel(ctx))
	for {
		var inRecovery bool
		if err := conn.QueryRow(ctx, "SELECT pg_is_in_recovery()").Scan(&inRecovery); err != nil {
			return err
		}
		if !inRecovery {
			break
		}
		select {
		case <-c.Done():
			return errors.New("the server exited during recovery")
		case <-ctx.Done():
			return fmt.Errorf("still recovering after %s", timeout)
		case <-time.After(50 * time.Millisecond):
		}
	}
	var walFile string
	var last *time.Time
	err = conn.QueryRow(ctx, "SELECT pg_walfile_name(pg_current_wal_lsn()), pg_current_wal_lsn()::text, pg_last_xact_replay_timestamp()").
		Scan(&walFile, &r.LSN, &last)
	if err != nil {
		return fmt.Errorf("read the recovered position: %w", err)
	}
	tl, _ := strconv.ParseInt(walFile[:8], 16, 64)
	r.Timeline = int(tl)
	if last != nil {
		r.LastCommit = last.UTC()
	}
	return nil
}

// failed is the error of a recovery the server gave up: its FATAL lines
// when the log has any, else err.
func (p PITR) failed(logFile string, err error) error {
	fatal := fatalLine(logFile)
	if fatal == "" {
		return fmt.Errorf("%w: recovery to %s: %v", ErrRecoveryFailed, p.Target, err)
	}
	return fmt.Errorf("%w: recovery to %s: PostgreSQL says %q (server log %s; %s is left for inspection)",
		ErrRecoveryFailed, p.Target, fatal, logFile, p.Into)
}

// logLine returns the first line of the server log holding marker, from
// its severity on ("LOG: recovery stopping before …"), or "".
func logLine(logFile, marker string) string {
	raw, err := os.ReadFile(logFile)
	if err != nil {
		return ""
	}
	for _, line := range strings.Split(string(raw), "\n") {
		if i := strings.Index(line, marker); i >= 0 {
			if j := strings.Index(line, "LOG:"); j >= 0 && j <= i {
				i = j
			}
			return strings.Join(strings.Fields(line[i:]), " ")
		}
	}
	return ""
}

// connectionRefusals are the FATAL lines of connections refused while the
// server starts or stops: not why recovery failed.
var connectionRefusals = []string{"the database system is starting up", "the database system is not yet accepting connections",
	"the database system is shutting down", "the database system is in recovery mode",
	"terminating connection due to administrator command"}

// fatalLine returns the server log's last FATAL or PANIC line that is not a
// refused connection, from the severity on, or "".
func fatalLine(logFile string) string {
	raw, err := os.ReadFile(logFile)
	if err != nil {
		return ""
	}
	found := ""
	for _, line := range strings.Split(string(raw), "\n") {
		j := strings.Index(line, "FATAL:")
		if j < 0 {
			j = strings.Index(line, "PANIC:")
		}
		if j < 0 || slices.ContainsFunc(connectionRefusals, func(r string) bool { return strings.Contains(line, r) }) {
			continue
		}
		found = strings.Join(strings.Fields(line[j:]), " ")
	}
	return found
}

// copyTree copies the directory tree src to dst (regular files and
// directories; PostgreSQL flushes the copy when it starts).
func copyTree(src, dst string) error {
	return filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, path)
		to := filepath.Join(dst, rel)
		switch {
		case d.IsDir():
			return os.MkdirAll(to, 0o700)
		case !d.Type().IsRegular():
			return fmt.Errorf("%s: not a regular file (tablespaces are not supported)", path)
		}
		in, err := os.Open(path)
		if err != nil {
			return err
		}
		defer in.Close()
		out, err := os.OpenFile(to, os.O_CREATE|os.O_WRONLY|os.O_EXCL, 0o600)
		if err != nil {
			return err
		}
		if _, err := io.Copy(out, in); err != nil {
			out.Close()
			return err
		}
		return out.Close()
	})
}
