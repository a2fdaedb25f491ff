package cluster

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// fakePostgres writes dir/postgres, a script printing version as
// `postgres --version` does.
func fakePostgres(t *testing.T, dir, version string) {
	t.Helper()
	tmp := filepath.Join(dir, "postgres.tmp")
	if err := os.WriteFile(tmp, []byte("#!/bin/sh\necho 'postgres (PostgreSQL) "+version+"'\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, filepath.Join(dir, "postgres")); err != nil {
		t.Fatal(err)
	}
}

// TestVersionProbe: the probe reads the binary's version as
// server_version_num counts it and runs it again only after its TTL.
func TestVersionProbe(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	fakePostgres(t, dir, "15.14 (Debian 15.14-0+deb12u1)")
	p := &VersionProbe{BinDir: dir, TTL: time.Hour}
	ctx := context.Background()
	num, text, err := p.Version(ctx)
	if err != nil || num != 150014 || text != "15.14 (Debian 15.14-0+deb12u1)" {
		t.Fatalf("Version = %d %q %v", num, text, err)
	}
	fakePostgres(t, dir, "15.15")
	if num, _, _ := p.Version(ctx); num != 150014 {
		t.Fatalf("within the TTL the probe ran the binary again: %d", num)
	}
	p.TTL = 0
	if num, _, _ := p.Version(ctx); num != 150015 {
		t.Fatalf("past the TTL: %d, want 150015", num)
	}
	for in, want := range map[string]int{"18beta1": 180000, "16.4": 160004, "17devel": 170000} {
		if got, err := versionNum(in); err != nil || got != want {
			t.Errorf("versionNum(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	if err := os.Remove(filepath.Join(dir, "postgres")); err != nil {
		t.Fatal(err)
	}
	if _, _, err := p.Version(ctx); err == nil {
		t.Fatal("no error for a missing binary")
	}
}
