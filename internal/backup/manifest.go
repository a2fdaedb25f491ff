package backup

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// Names inside a backup directory.
const (
	ManifestFile = "manifest.json"
	DumpFile     = "database.dump"
	blobsDir     = "blobs"
	secretKey    = "secret.key"
)

// manifestFormat is the version of the manifest's layout; a reader refuses
// a newer one.
const manifestFormat = 1

// ChecksumMethod names how Table.Checksum is computed (see tableStats).
const ChecksumMethod = "sum of the first 64 bits (signed) of md5(row::text) over every row; TimeZone UTC, DateStyle ISO"

// Manifest describes one backup: what it holds, from which versions, and
// the checksums that prove it intact and restored exactly.
type Manifest struct {
	Format int `json:"format"`
	// Kind is "full" (pg_dump of the database, the blob store and the server
	// key); later kinds (base backups, organization exports) add their own.
	Kind string `json:"kind"`
	// Trigger is "manual" (realty backup) or "scheduled" (serve's schedule;
	// only those are pruned by retention).
	Trigger          string    `json:"trigger"`
	RealtyVersion    string    `json:"realty_version"`
	SchemaVersion    int64     `json:"schema_version"`
	RiverVersion     int       `json:"river_version"`
	ServerVersion    string    `json:"server_version"`
	ServerVersionNum int       `json:"server_version_num"`
	Database         string    `json:"database"`
	CreatedAt        time.Time `json:"created_at"`
	// Snapshot is the exported snapshot pg_dump and the table statistics
	// both read, so the counts and checksums describe the dump exactly.
	Snapshot        string  `json:"snapshot"`
	ChecksumMethod  string  `json:"checksum_method"`
	DurationSeconds float64 `json:"duration_seconds"`
	Dump            File    `json:"dump"`
	Files           []File  `json:"files"`
	Tables          []Table `json:"tables"`
}

// File is one file of the backup, by its path relative to the backup
// directory.
type File struct {
	Path   string `json:"path"`
	SHA256 string `json:"sha256"`
	Size   int64  `json:"size"`
}

// Table is one table's row count and checksum in the backup's snapshot.
type Table struct {
	Schema   string `json:"schema"`
	Name     string `json:"name"`
	Rows     int64  `json:"rows"`
	Checksum string `json:"checksum"`
}

// QualifiedName is schema.name.
func (t Table) QualifiedName() string { return t.Schema + "." + t.Name }

// Rows is the total of every table's row count.
func (m *Manifest) Rows() int64 {
	var n int64
	for _, t := range m.Tables {
		n += t.Rows
	}
	return n
}

// FilesSize is the total size of the backup's files beside the dump.
func (m *Manifest) FilesSize() int64 {
	var n int64
	for _, f := range m.Files {
		n += f.Size
	}
	return n
}

// FileError says which file of a backup is missing or differs from its
// manifest entry.
type FileError struct {
	Path   string // relative to the backup directory
	Reason string
}

func (e *FileError) Error() string { return e.Path + ": " + e.Reason }

// ReadManifest reads dir/manifest.json. It returns a FileError naming the
// manifest when it is missing, malformed or of a newer format.
func ReadManifest(dir string) (*Manifest, error) {
	b, err := os.ReadFile(filepath.Join(dir, ManifestFile))
	if errors.Is(err, os.ErrNotExist) {
		return nil, &FileError{ManifestFile, "missing: " + dir + " is not a complete realty backup"}
	}
	if err != nil {
		return nil, err
	}
	var m Manifest
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, &FileError{ManifestFile, "malformed: " + err.Error()}
	}
	if m.Format < 1 || m.Format > manifestFormat {
		return nil, &FileError{ManifestFile, fmt.Sprintf("format %d is not one this realty reads (up to %d)", m.Format, manifestFormat)}
	}
	if m.Kind != "full" || m.Dump.Path != DumpFile {
		return nil, &FileError{ManifestFile, fmt.Sprintf("kind %q is not a full backup", m.Kind)}
	}
	return &m, nil
}

// writeManifest writes dir/manifest.json and flushes it to disk.
func writeManifest(dir string, m *Manifest) error {
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return err
	}
	return writeFileSync(filepath.Join(dir, ManifestFile), append(b, '\n'), 0o600)
}

// CheckFiles re-reads every file the manifest lists (the dump first) and
// returns a FileError naming the first that is missing, of another size or
// of another SHA-256, or that lies outside the backup.
func CheckFiles(dir string, m *Manifest) error {
	for _, f := range append([]File{m.Dump}, m.Files...) {
		if err := checkFile(dir, f); err != nil {
			return err
		}
	}
	return nil
}

func checkFile(dir string, f File) error {
	clean := filepath.Clean(filepath.FromSlash(f.Path))
	if filepath.IsAbs(clean) || clean == ".." || strings.HasPrefix(clean, ".."+string(filepath.Separator)) {
		return &FileError{f.Path, "lies outside the backup"}
	}
	sum, size, err := hashFile(filepath.Join(dir, clean))
	switch {
	case errors.Is(err, os.ErrNotExist):
		return &FileError{f.Path, "missing"}
	case err != nil:
		return &FileError{f.Path, err.Error()}
	case size != f.Size:
		return &FileError{f.Path, fmt.Sprintf("size %d, the manifest says %d: the file was changed or truncated", size, f.Size)}
	case sum != f.SHA256:
		return &FileError{f.Path, "SHA-256 differs from the manifest's: the file was changed"}
	}
	return nil
}

// hashFile returns a file's SHA-256 (hex) and size.
func hashFile(path string) (string, int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", 0, err
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(h, f)
	if err != nil {
		return "", 0, err
	}
	return hex.EncodeToString(h.Sum(nil)), n, nil
}

// writeFileSync writes a file and flushes it to disk.
func writeFileSync(path string, b []byte, perm os.FileMode) error {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, perm)
	if err != nil {
		return err
	}
	if _, err := f.Write(b); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
