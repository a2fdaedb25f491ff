package migrations

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"flag"
	"fmt"
	"os"
	"regexp"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "append checksums of new migrations to checksums.txt (never rewrites a listed one)")

// TestChecksums fails when a migration listed in checksums.txt was edited, or
// when a migration is not listed. Landed migrations are never edited: change
// the schema with a new migration instead.
func TestChecksums(t *testing.T) {
	listed := readChecksums(t)
	var missing []string
	for _, name := range Files() {
		sum := fileSum(t, name)
		want, ok := listed[name]
		switch {
		case !ok:
			missing = append(missing, name+"  "+sum)
		case want != sum:
			t.Errorf("migration %s was edited (checksum %s, recorded %s): landed migrations are never edited; "+
				"revert it and add a new migration", name, sum, want)
		}
		delete(listed, name)
	}
	for name := range listed {
		t.Errorf("checksums.txt lists %s, which no longer exists: landed migrations are never removed", name)
	}
	if len(missing) == 0 {
		return
	}
	if !*update {
		t.Fatalf("migrations not in checksums.txt: %v\nrun: go test ./internal/postgres/migrations -run TestChecksums -update", missing)
	}
	f, err := os.OpenFile("checksums.txt", os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for _, line := range missing {
		fmt.Fprintln(f, line)
	}
}

func readChecksums(t *testing.T) map[string]string {
	t.Helper()
	f, err := os.Open("checksums.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	out := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) == 2 {
			out[fields[0]] = fields[1]
		}
	}
	return out
}

func fileSum(t *testing.T, name string) string {
	t.Helper()
	b, err := FS.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// TestFiles checks every migration is named NNNN_name.sql in an unbroken
// sequence and carries both an Up and a Down section.
func TestFiles(t *testing.T) {
	name := regexp.MustCompile(`^(\d{4})_[a-z0-9_]+\.sql$`)
	for i, f := range Files() {
		m := name.FindStringSubmatch(f)
		if m == nil {
			t.Errorf("%s: name must be NNNN_lower_snake.sql", f)
			continue
		}
		if want := fmt.Sprintf("%04d", i+1); m[1] != want {
			t.Errorf("%s: expected version %s (versions run without gaps)", f, want)
		}
		b, _ := FS.ReadFile(f)
		if !strings.Contains(string(b), "-- +goose Up") || !strings.Contains(string(b), "-- +goose Down") {
			t.Errorf("%s: needs both -- +goose Up and -- +goose Down", f)
		}
	}
	if Latest() != int64(len(Files())) {
		t.Errorf("Latest() = %d with %d files", Latest(), len(Files()))
	}
}
