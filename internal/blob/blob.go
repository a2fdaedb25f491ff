// Package blob stores file contents by their SHA-256: photos, floor plans,
// documents and import files. The Store interface is the seam; Local keeps
// files on disk under the data directory.
package blob

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"

	"realty"
)

// Object describes stored contents.
type Object struct {
	Key         string // SHA-256, 64 lower-case hex digits
	Size        int64
	ContentType string // sniffed from the first 512 bytes
}

// Store keeps contents under their SHA-256: storing the same bytes twice
// keeps one copy.
type Store interface {
	// Put stores r's contents, at most limit bytes. It returns an Invalid
	// error naming "file" when r holds more, or nothing.
	Put(ctx context.Context, r io.Reader, limit int64) (Object, error)
	// Open returns the contents under key. It returns NotFound for an
	// unknown key and Invalid for a malformed one.
	Open(ctx context.Context, key string) (io.ReadSeekCloser, Object, error)
}

var validKey = regexp.MustCompile(`^[0-9a-f]{64}$`)

// ValidKey reports whether key is a well-formed blob key. Paths are built
// only from validated keys, so no key can reach outside the store.
func ValidKey(key string) bool { return validKey.MatchString(key) }

// Local is a Store on the local file system: <dir>/<ab>/<cd>/<key>.
type Local struct{ dir string }

// NewLocal returns a store rooted at dir, creating it.
func NewLocal(dir string) (*Local, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(filepath.Join(abs, "tmp"), 0o750); err != nil {
		return nil, fmt.Errorf("blob store: %w", err)
	}
	return &Local{dir: abs}, nil
}

func (l *Local) path(key string) string {
	return filepath.Join(l.dir, key[0:2], key[2:4], key)
}

// Put implements Store: it streams to a temporary file while hashing, then
// moves the file into place unless the same contents are already stored.
func (l *Local) Put(_ context.Context, r io.Reader, limit int64) (Object, error) {
	tmp, err := os.CreateTemp(filepath.Join(l.dir, "tmp"), "upload-*")
	if err != nil {
		return Object{}, fmt.Errorf("blob store: %w", err)
	}
	defer os.Remove(tmp.Name())
	defer tmp.Close()
	h := sha256.New()
	head := &headBuffer{max: 512}
	n, err := io.Copy(io.MultiWriter(tmp, h, head), io.LimitReader(r, limit+1))
	var tooLarge *http.MaxBytesError
	switch {
	case errors.As(err, &tooLarge) || n > limit:
		return Object{}, realty.FieldError("file", fmt.Sprintf("is larger than %d bytes", limit))
	case err != nil:
		return Object{}, fmt.Errorf("blob store: read upload: %w", err)
	case n == 0:
		return Object{}, realty.FieldError("file", "is empty")
	}
	obj := Object{Key: hex.EncodeToString(h.Sum(nil)), Size: n, ContentType: http.DetectContentType(head.b)}
	dst := l.path(obj.Key)
	if _, err := os.Stat(dst); err == nil {
		return obj, nil // de-duplicated
	}
	if err := tmp.Sync(); err != nil {
		return Object{}, fmt.Errorf("blob store: %w", err)
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o750); err != nil {
		return Object{}, fmt.Errorf("blob store: %w", err)
	}
	if err := os.Rename(tmp.Name(), dst); err != nil {
		return Object{}, fmt.Errorf("blob store: %w", err)
	}
	return obj, nil
}

// Open implements Store.
func (l *Local) Open(_ context.Context, key string) (io.ReadSeekCloser, Object, error) {
	if !ValidKey(key) {
		return nil, Object{}, realty.FieldError("key", "is not a blob key")
	}
	f, err := os.Open(l.path(key))
	if errors.Is(err, os.ErrNotExist) {
		return nil, Object{}, &realty.Error{Kind: realty.NotFound, Message: "file not found"}
	}
	if err != nil {
		return nil, Object{}, fmt.Errorf("blob store: %w", err)
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, Object{}, err
	}
	head := make([]byte, 512)
	k, _ := io.ReadFull(f, head)
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		f.Close()
		return nil, Object{}, err
	}
	return f, Object{Key: key, Size: fi.Size(), ContentType: http.DetectContentType(head[:k])}, nil
}

// headBuffer keeps the first max bytes written to it.
type headBuffer struct {
	b   []byte
	max int
}

func (h *headBuffer) Write(p []byte) (int, error) {
	if room := h.max - len(h.b); room > 0 {
		h.b = append(h.b, p[:min(room, len(p))]...)
	}
	return len(p), nil
}
