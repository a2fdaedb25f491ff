// Package migrations embeds realty's schema migrations: NNNN_name.sql files
// for goose, each with its Up and Down. A migration that has landed is never
// edited; checksums.txt records each one and a test refuses a change.
package migrations

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"path"
	"slices"
	"strconv"
	"strings"
)

// FS holds the migration files.
//
//go:embed *.sql
var FS embed.FS

// Files returns the migration file names in order.
func Files() []string {
	names, _ := fs.Glob(FS, "*.sql")
	slices.Sort(names)
	return names
}

// Latest returns the highest migration version.
func Latest() int64 {
	files := Files()
	if len(files) == 0 {
		return 0
	}
	v, _ := strconv.ParseInt(strings.SplitN(path.Base(files[len(files)-1]), "_", 2)[0], 10, 64)
	return v
}

// After returns how many migrations are numbered above version: the steps
// down from the latest to it.
func After(version int64) int {
	n := 0
	for _, f := range Files() {
		if v, _ := strconv.ParseInt(strings.SplitN(f, "_", 2)[0], 10, 64); v > version {
			n++
		}
	}
	return n
}

// Hash returns a digest of every migration's name and content: the identity of
// the schema they build.
func Hash() string {
	h := sha256.New()
	for _, name := range Files() {
		b, _ := FS.ReadFile(name)
		h.Write([]byte(name))
		h.Write(b)
	}
	return hex.EncodeToString(h.Sum(nil))
}
