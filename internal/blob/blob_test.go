package blob

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"realty"
)

var png = append([]byte("\x89PNG\r\n\x1a\n"), bytes.Repeat([]byte{0}, 100)...)

func TestLocal(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	s, err := NewLocal(dir)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	t.Run("OKDeduplicated", func(t *testing.T) {
		a, err := s.Put(ctx, bytes.NewReader(png), 1<<20)
		if err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256(png)
		if a.Key != hex.EncodeToString(sum[:]) || a.ContentType != "image/png" || a.Size != int64(len(png)) {
			t.Fatalf("object %+v", a)
		}
		b, err := s.Put(ctx, bytes.NewReader(png), 1<<20)
		if err != nil || b != a {
			t.Fatalf("second put %+v %v", b, err)
		}
		var files int
		_ = filepath.Walk(dir, func(p string, fi os.FileInfo, err error) error {
			if err == nil && !fi.IsDir() {
				files++
			}
			return nil
		})
		if files != 1 {
			t.Fatalf("%d files stored for the same contents twice", files)
		}
		r, obj, err := s.Open(ctx, a.Key)
		if err != nil {
			t.Fatal(err)
		}
		defer r.Close()
		got, _ := io.ReadAll(r)
		if !bytes.Equal(got, png) || obj.ContentType != "image/png" {
			t.Fatal("contents differ")
		}
	})
	t.Run("ErrTooLarge", func(t *testing.T) {
		_, err := s.Put(ctx, bytes.NewReader(make([]byte, 2048)), 1024)
		if realty.FieldsOf(err)["file"] == "" {
			t.Fatalf("oversize accepted: %v", err)
		}
	})
	t.Run("ErrEmpty", func(t *testing.T) {
		if _, err := s.Put(ctx, strings.NewReader(""), 1024); realty.FieldsOf(err)["file"] == "" {
			t.Fatalf("empty accepted: %v", err)
		}
	})
	t.Run("ErrTraversal", func(t *testing.T) {
		for _, key := range []string{"../../etc/passwd", "..", strings.Repeat("a", 63) + "/", strings.Repeat("A", 64), ""} {
			if _, _, err := s.Open(ctx, key); realty.KindOf(err) != realty.Invalid {
				t.Errorf("key %q: %v", key, err)
			}
		}
		if _, _, err := s.Open(ctx, strings.Repeat("a", 64)); realty.KindOf(err) != realty.NotFound {
			t.Errorf("unknown key: %v", err)
		}
	})
}
