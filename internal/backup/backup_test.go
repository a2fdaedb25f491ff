package backup_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/jackc/pgx/v5"

	"realty/internal/app"
	"realty/internal/backup"
	"realty/internal/blob"
	"realty/internal/fixture"
	"realty/internal/identity"
	"realty/internal/postgres/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// demoSource loads the demo organization into a fresh database whose blob
// store and server key live in a data directory of the test's own.
func demoSource(t *testing.T) backup.Source {
	t.Helper()
	db := pgtest.New(t)
	dataDir := t.TempDir()
	blobs, err := blob.NewLocal(filepath.Join(dataDir, "blobs"))
	if err != nil {
		t.Fatal(err)
	}
	svc, err := app.New(db.Pool, app.Options{SecretKey: make([]byte, identity.SecretKeySize),
		Argon2: identity.Argon2Params{Memory: 64, Time: 1, Threads: 1}, Blobs: blobs, MediaMaxBytes: 1 << 20, ImportMaxBytes: 1 << 20})
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	if _, err := fixture.Demo(context.Background(), svc, "correct horse battery staple"); err != nil {
		t.Fatal(err)
	}
	t.Logf("demo loaded in %v", time.Since(start).Round(time.Millisecond))
	if err := os.WriteFile(filepath.Join(dataDir, "secret.key"), []byte("c2VjcmV0LWtleS1vZi10aGUtdGVzdC0zMi1ieXRlcyE=\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return backup.Source{AdminURL: db.AdminURL, DataDir: dataDir, Version: "test"}
}

// TestRoundTrip backs up the demo, verifies the backup in a throw-away
// cluster, restores it over a database holding realty's schema (forced)
// and compares every table's count and checksum and every blob with the
// original; a changed dump or blob is refused, naming the file.
func TestRoundTrip(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	src := demoSource(t)
	dir := filepath.Join(t.TempDir(), backup.DirName(time.Now()))
	stop := writeDuring(t, src.AdminURL)
	start := time.Now()
	m, err := backup.Create(ctx, src, dir)
	written := stop()
	if err != nil {
		t.Fatal(err)
	}
	if probe := rowsOf(m, probeTable); probe >= written || probe < 0 {
		t.Fatalf("the probe table has %d rows in the backup, %d written meanwhile: no write fell after the snapshot", probe, written)
	}
	t.Logf("backup: %s, %d tables, %d rows, dump %d bytes, %d files (%d bytes)", time.Since(start).Round(time.Millisecond),
		len(m.Tables), m.Rows(), m.Dump.Size, len(m.Files), m.FilesSize())
	if len(m.Tables) < 100 || m.Rows() < 1000 || m.SchemaVersion < 50 || m.ServerVersionNum < 150000 || m.Snapshot == "" {
		t.Fatalf("thin manifest: %d tables, %d rows, schema %d, server %d, snapshot %q", len(m.Tables), m.Rows(), m.SchemaVersion, m.ServerVersionNum, m.Snapshot)
	}
	if n := countBlobs(t, src.DataDir); n == 0 || len(m.Files) != n+1 {
		t.Fatalf("manifest lists %d files for %d blobs and the key", len(m.Files), n)
	}
	// The verify, the restores and the tampering are independent: run them
	// side by side.
	t.Run("OKVerify", func(t *testing.T) {
		t.Parallel()
		start := time.Now()
		r, err := backup.Verify(ctx, dir, backup.VerifyOptions{})
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("verify: %s (restore and compare %s)", time.Since(start).Round(time.Millisecond), r.Restore.Round(time.Millisecond))
		var b strings.Builder
		if err := backup.WriteReport(&b, r); err != nil {
			t.Fatal(err)
		}
		if len(r.Tables) != len(m.Tables) || !strings.Contains(b.String(), "verify OK") {
			t.Fatalf("report:\n%s", b.String())
		}
	})
	t.Run("Restore", func(t *testing.T) {
		t.Parallel()
		restoreTwice(t, src, dir, m)
	})
	t.Run("ErrTamperedDump", func(t *testing.T) { t.Parallel(); tampered(t, dir, backup.DumpFile) })
	t.Run("ErrTamperedBlob", func(t *testing.T) { t.Parallel(); tampered(t, dir, m.Files[0].Path) })
}

// probeTable takes rows while a backup runs.
const probeTable = "app.backup_probe"

// writeDuring creates the probe table and inserts into it, one row per
// transaction, until the returned function is called, which returns how
// many rows went in. The backup's dump and its counts must agree however
// many of them fall after its snapshot.
func writeDuring(t *testing.T, adminURL string) func() int64 {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	conn, err := pgx.Connect(ctx, adminURL)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := conn.Exec(ctx, "CREATE TABLE "+probeTable+" (n bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, at timestamptz DEFAULT now())"); err != nil {
		t.Fatal(err)
	}
	done := make(chan int64)
	go func() {
		var n int64
		for ctx.Err() == nil {
			if _, err := conn.Exec(ctx, "INSERT INTO "+probeTable+" DEFAULT VALUES"); err == nil {
				n++
			}
		}
		_ = conn.Close(context.Background())
		done <- n
	}()
	return func() int64 { cancel(); return <-done }
}

// rowsOf is a table's row count in the manifest, or -1.
func rowsOf(m *backup.Manifest, table string) int64 {
	for _, t := range m.Tables {
		if t.QualifiedName() == table {
			return t.Rows
		}
	}
	return -1
}

// originalSums is the original database's tables without the probe, which
// took rows after the backup.
func originalSums(t *testing.T, adminURL string) map[string]backup.Table {
	sums := tableSums(t, adminURL)
	delete(sums, probeTable)
	return sums
}

// restoreTwice restores the backup into a migrated database without data
// and a data directory holding a stray blob: refused without force, done
// with it, after which every table and file equals the original's.
func restoreTwice(t *testing.T, src backup.Source, dir string, m *backup.Manifest) {
	ctx := context.Background()
	db := pgtest.New(t)
	db.Pool.Close() // a forced restore refuses while others use the database
	target := db.AdminURL
	dataDir := t.TempDir()
	stray := filepath.Join(dataDir, "blobs", "aa", "bb", strings.Repeat("ab", 32))
	if err := os.MkdirAll(filepath.Dir(stray), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(stray, []byte("stray"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := backup.Restore(ctx, dir, backup.Target{AdminURL: target, DataDir: dataDir})
	if !errors.Is(err, backup.ErrNotEmpty) || !strings.Contains(err.Error(), "--force") || !strings.Contains(err.Error(), "holds 1 files") {
		t.Fatalf("restore over a schema and a blob: %v", err)
	}
	start := time.Now()
	var out strings.Builder
	if _, err := backup.Restore(ctx, dir, backup.Target{AdminURL: target, DataDir: dataDir, Force: true, Out: &out}); err != nil {
		t.Fatal(err)
	}
	t.Logf("restore: %s", time.Since(start).Round(time.Millisecond))
	if !strings.Contains(out.String(), "replacing database") || !strings.Contains(out.String(), "blob store") {
		t.Fatalf("forced restore did not say what it replaced:\n%s", out.String())
	}
	restored := tableSums(t, target)
	if probe := restored[probeTable]; probe.Rows != rowsOf(m, probeTable) {
		t.Fatalf("probe table restored with %d rows, backed up with %d", probe.Rows, rowsOf(m, probeTable))
	}
	delete(restored, probeTable)
	if diff := cmp.Diff(originalSums(t, src.AdminURL), restored); diff != "" {
		t.Fatalf("restored tables differ (-original +restored):\n%s", diff)
	}
	if diff := cmp.Diff(fileContents(t, src.DataDir), fileContents(t, dataDir)); diff != "" {
		t.Fatalf("restored files differ (-original +restored):\n%s", diff)
	}
}

// tampered copies the backup, changes one byte of the file and expects
// verify and restore to refuse it, naming the file.
func tampered(t *testing.T, dir, file string) {
	copyDir := filepath.Join(t.TempDir(), "copy")
	if err := os.CopyFS(copyDir, os.DirFS(dir)); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(copyDir, filepath.FromSlash(file))
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	b[len(b)/2] ^= 0x01
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	_, err = backup.Verify(context.Background(), copyDir, backup.VerifyOptions{})
	var fe *backup.FileError
	if !errors.As(err, &fe) || fe.Path != file || !strings.Contains(err.Error(), file) {
		t.Fatalf("verify of a tampered %s: %v", file, err)
	}
	_, err = backup.Restore(context.Background(), copyDir, backup.Target{AdminURL: "postgres://nowhere.invalid/x", DataDir: t.TempDir()})
	if !errors.As(err, &fe) || fe.Path != file {
		t.Fatalf("restore of a tampered %s: %v", file, err)
	}
}

// tableSums reads every realty table's row count and checksum.
func tableSums(t *testing.T, adminURL string) map[string]backup.Table {
	t.Helper()
	sums, err := backup.TableSums(context.Background(), adminURL)
	if err != nil {
		t.Fatal(err)
	}
	return sums
}

// fileContents maps every file under dataDir (the blob store and the key)
// to its contents.
func fileContents(t *testing.T, dataDir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(dataDir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dataDir, p)
		b, err := os.ReadFile(p)
		out[filepath.ToSlash(rel)] = string(b)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func countBlobs(t *testing.T, dataDir string) int {
	t.Helper()
	n := 0
	for k := range fileContents(t, dataDir) {
		if strings.HasPrefix(k, "blobs/") && !strings.HasPrefix(k, "blobs/tmp/") {
			n++
		}
	}
	return n
}
