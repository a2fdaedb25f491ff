package postgres_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"realty/internal/postgres"
	"realty/internal/postgres/cluster"
	"realty/internal/postgres/pgtest"
)

// TestCheckBinaries: doctor's check fails, advising a restart, when the
// postgres binary on disk (here a script) reports another version than the
// running server, and passes when it reports the same.
func TestCheckBinaries(t *testing.T) {
	t.Parallel()
	db := pgtest.New(t)
	ctx := context.Background()
	dir := t.TempDir()
	fake := func(version string) postgres.OnDisk {
		script := "#!/bin/sh\necho 'postgres (PostgreSQL) " + version + "'\n"
		if err := os.WriteFile(filepath.Join(dir, "postgres"), []byte(script), 0o755); err != nil {
			t.Fatal(err)
		}
		return (&cluster.VersionProbe{BinDir: dir}).Version
	}
	c := postgres.CheckBinaries(ctx, db.Pool, fake("15.99 (Debian 15.99-1)"))
	if c.Status != postgres.Fail || !strings.Contains(c.Value, "binaries on disk are 15.99") || !strings.Contains(c.Recommendation, "restart") {
		t.Fatalf("upgraded binaries: %+v", c)
	}
	v, err := postgres.ServerVersion(ctx, db.Pool)
	if err != nil {
		t.Fatal(err)
	}
	if c := postgres.CheckBinaries(ctx, db.Pool, fake(v.Text)); c.Status != postgres.OK {
		t.Fatalf("same binaries: %+v", c)
	}
}
