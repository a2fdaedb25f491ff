package backup_test

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"realty/internal/backup"
	"realty/internal/postgres/cluster"
)

var drillRounds = flag.Int("pitr-rounds", 1, "rounds of the PITR drill (each: new marker batches, a restore to each target)")

// fastSettings keep the drill's servers quick on a busy machine; durability
// is not what it measures.
var fastSettings = map[string]string{"fsync": "off", "synchronous_commit": "off", "shared_buffers": "32MB",
	"dynamic_shared_memory_type": "mmap", "log_min_duration_statement": "-1", "max_connections": "20"}

// drill is one archiving cluster with its base backups, in a directory of
// its own that the postgres system user may enter.
type drill struct {
	dir, archive, bases string
	c                   *cluster.Cluster
	conn                *pgx.Conn
}

func newDrill(t *testing.T) *drill {
	t.Helper()
	base := os.TempDir()
	if fi, err := os.Stat("/dev/shm"); err == nil && fi.IsDir() {
		base = "/dev/shm"
	}
	dir, err := os.MkdirTemp(base, "realty-pitr-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	d := &drill{dir: dir, archive: filepath.Join(dir, "wal-archive"), bases: filepath.Join(dir, "base-backups")}
	ctx := context.Background()
	d.c, err = cluster.Open(ctx, cluster.Config{DataDir: filepath.Join(dir, "primary", "postgres"), NoSync: true,
		WALArchiveDir: d.archive, Settings: fastSettings})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = d.c.Stop(context.Background()) })
	if d.conn, err = pgx.Connect(ctx, d.c.ConnString(cluster.Superuser, "postgres")); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.conn.Close(context.Background()) })
	return d
}

// insert adds n marker rows in one transaction and returns its id.
func (d *drill) insert(t *testing.T, n int) uint64 {
	t.Helper()
	ctx := context.Background()
	tx, err := d.conn.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(ctx)
	var xid string
	if _, err := tx.Exec(ctx, "INSERT INTO marker (batch) SELECT 1 FROM generate_series(1, $1)", n); err != nil {
		t.Fatal(err)
	}
	if err := tx.QueryRow(ctx, "SELECT pg_current_xact_id()::text").Scan(&xid); err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	id, err := strconv.ParseUint(xid, 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// recoverTo recovers the drill's archive to target in a new directory and
// returns the marker rows the recovered cluster holds.
func (d *drill) recoverTo(t *testing.T, name string, target backup.RecoveryTarget) (int, *backup.Recovered, error) {
	t.Helper()
	ctx := context.Background()
	into := filepath.Join(d.dir, "restored-"+name)
	r, err := backup.Recover(ctx, backup.PITR{BaseDir: d.bases, ArchiveDir: d.archive, Into: into, Force: true, Target: target,
		Timeout: 2 * time.Minute, Settings: fastSettings})
	if err != nil {
		return 0, nil, err
	}
	c, err := cluster.Open(ctx, cluster.Config{DataDir: r.DataDir, Settings: fastSettings})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Stop(ctx)
	conn, err := pgx.Connect(ctx, c.ConnString(cluster.Superuser, "postgres"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var n int
	if err := conn.QueryRow(ctx, "SELECT count(*) FROM marker").Scan(&n); err != nil {
		t.Fatal(err)
	}
	_ = os.RemoveAll(into)
	return n, r, nil
}

// TestPITRDrill is PostgreSQL's 003_recovery_targets in realty's terms: a
// base backup, then marker rows in batches with a target after each (a
// time, a transaction id, a named restore point), all archived; recovering
// to each target into a new directory must hold exactly the rows before it,
// and a target past the archive must fail with PostgreSQL's own FATAL.
func TestPITRDrill(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	start := time.Now()
	d := newDrill(t)
	if _, err := d.conn.Exec(ctx, "CREATE TABLE marker (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, batch int NOT NULL)"); err != nil {
		t.Fatal(err)
	}
	b, err := backup.CreateBase(ctx, backup.BaseSource{AdminURL: d.c.URL(cluster.Superuser, "postgres")}, filepath.Join(d.bases, backup.DirName(time.Now())))
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("base backup: %s, start %s (%s), timeline %d, %d bytes in %.1fs", b.Label, b.StartLSN, b.StartWAL, b.Timeline, b.Size, b.DurationSeconds)
	for round := 1; round <= *drillRounds; round++ {
		d.round(t, round)
	}
	t.Logf("drill: %d round(s) in %v", *drillRounds, time.Since(start).Round(time.Millisecond))
}

// round adds four batches of 1000 rows with a target after each of the first
// three, and recovers to each target and past the archive's end.
func (d *drill) round(t *testing.T, round int) {
	ctx := context.Background()
	var before int
	if err := d.conn.QueryRow(ctx, "SELECT count(*) FROM marker").Scan(&before); err != nil {
		t.Fatal(err)
	}
	d.insert(t, 1000)
	var atTime time.Time
	if err := d.conn.QueryRow(ctx, "SELECT now()").Scan(&atTime); err != nil {
		t.Fatal(err)
	}
	time.Sleep(10 * time.Millisecond) // the next commit's time is strictly later
	xid := d.insert(t, 1000)
	d.insert(t, 1000)
	name := "drill-" + time.Now().UTC().Format("150405.000000")
	if _, err := d.conn.Exec(ctx, "SELECT pg_create_restore_point($1)", name); err != nil {
		t.Fatal(err)
	}
	d.insert(t, 1000)
	seg, err := backup.SwitchWAL(ctx, d.conn)
	if err != nil {
		t.Fatal(err)
	}
	entries, _ := os.ReadDir(d.archive)
	var size int64
	for _, e := range entries {
		if fi, err := e.Info(); err == nil {
			size += fi.Size()
		}
	}
	t.Logf("round %d: %d rows before, 4000 added; archived through %s: %d files, %d bytes compressed", round, before, seg, len(entries), size)
	for _, tc := range []struct {
		name   string
		target backup.RecoveryTarget
		want   int
	}{
		{"to-time", backup.RecoveryTarget{Time: atTime}, before + 1000},
		{"to-xid", backup.RecoveryTarget{XID: xid}, before + 2000},
		{"to-name", backup.RecoveryTarget{Name: name}, before + 3000},
	} {
		n, r, err := d.recoverTo(t, tc.name, tc.target)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		t.Logf("%s: %d rows (want %d); timeline %d, %s, in %v", tc.name, n, tc.want, r.Timeline, r.Stop, r.Duration.Round(time.Millisecond))
		if n != tc.want || r.Timeline < 2 || !strings.Contains(r.Stop, "recovery stopping") {
			t.Fatalf("%s: %d rows, timeline %d, stop %q; want %d rows on a new timeline", tc.name, n, r.Timeline, r.Stop, tc.want)
		}
	}
	for _, tc := range []struct {
		name   string
		target backup.RecoveryTarget
	}{
		{"past-time", backup.RecoveryTarget{Time: time.Now().Add(time.Hour)}},
		{"no-such-name", backup.RecoveryTarget{Name: name + "-never"}},
	} {
		_, _, err := d.recoverTo(t, tc.name, tc.target)
		if !errors.Is(err, backup.ErrRecoveryFailed) || !strings.Contains(err.Error(), "FATAL: recovery ended before configured recovery target was reached") {
			t.Fatalf("%s: got %v, want PostgreSQL's FATAL", tc.name, err)
		}
		t.Logf("%s: refused: %v", tc.name, err)
	}
	_, _, err = d.recoverTo(t, "before-base", backup.RecoveryTarget{Time: time.Now().Add(-24 * time.Hour)})
	if !errors.Is(err, backup.ErrOutOfRange) {
		t.Fatalf("a time before the base backup: got %v, want ErrOutOfRange", err)
	}
}

// TestPruneBaseAndWAL: of three scheduled base backups and one made by hand,
// pruning to one scheduled keeps the newest and the hand-made one; the WAL
// before the oldest kept base backup leaves the archive, the rest stays.
func TestPruneBaseAndWAL(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	d := newDrill(t)
	src := backup.BaseSource{AdminURL: d.c.URL(cluster.Superuser, "postgres")}
	var made []*backup.BaseBackup
	for i, trigger := range []string{"manual", "scheduled", "scheduled", "scheduled"} {
		if _, err := backup.SwitchWAL(ctx, d.conn); err != nil {
			t.Fatal(err)
		}
		src.Trigger = trigger
		b, err := backup.CreateBase(ctx, src, filepath.Join(d.bases, fmt.Sprintf("b%d", i)))
		if err != nil {
			t.Fatal(err)
		}
		made = append(made, b)
	}
	removed, remain, err := backup.PruneBase(d.bases, 1)
	if err != nil {
		t.Fatal(err)
	}
	if len(removed) != 2 || len(remain) != 2 || remain[0].Dir != made[3].Dir || remain[1].Dir != made[0].Dir {
		t.Fatalf("removed %v, remain %d; want b1 and b2 removed", removed, len(remain))
	}
	for _, keep := range [][]backup.BaseBackup{remain, remain[:1]} {
		oldest := keep[len(keep)-1].StartWAL
		n, err := backup.PruneWAL(ctx, "", d.archive, keep)
		if err != nil {
			t.Fatal(err)
		}
		entries, _ := os.ReadDir(d.archive)
		kept := false
		for _, e := range entries {
			name := strings.TrimSuffix(e.Name(), cluster.ArchiveSuffix)
			if len(name) == 24 && name < oldest {
				t.Errorf("%s left in the archive, older than %s", e.Name(), oldest)
			}
			kept = kept || name == oldest
		}
		if !kept {
			t.Errorf("%s, the oldest base backup's first segment, was removed", oldest)
		}
		var sizes []string
		for _, e := range entries {
			if fi, err := e.Info(); err == nil {
				sizes = append(sizes, fmt.Sprintf("%s %d B", e.Name(), fi.Size()))
			}
		}
		t.Logf("pruned the archive to %s: %d files removed, %d left: %s", oldest, n, len(entries), strings.Join(sizes, ", "))
	}
}
