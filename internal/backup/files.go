package backup

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"realty/internal/blob"
)

// copyDataFiles copies the blob store (dataDir/blobs, without its tmp/
// uploads in flight) and the server key (dataDir/secret.key, when there is
// one) into the backup directory dst, hashing each file as it is copied.
// Blobs are written before the rows that name them, and copied after the
// database's snapshot, so every blob the dump names is in the copy.
func copyDataFiles(dataDir, dst string) ([]File, error) {
	var files []File
	src := filepath.Join(dataDir, blobsDir)
	err := filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
		if errors.Is(err, fs.ErrNotExist) && path == src {
			return filepath.SkipDir // no blob store yet
		}
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dataDir, path)
		if d.IsDir() {
			if path == filepath.Join(src, "tmp") {
				return filepath.SkipDir
			}
			return nil
		}
		if !d.Type().IsRegular() {
			return nil
		}
		f, err := copyFile(path, filepath.Join(dst, rel), 0o600)
		if err != nil {
			return err
		}
		f.Path = filepath.ToSlash(rel)
		files = append(files, f)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("copy blob store: %w", err)
	}
	if _, err := os.Stat(filepath.Join(dataDir, secretKey)); err == nil {
		f, err := copyFile(filepath.Join(dataDir, secretKey), filepath.Join(dst, secretKey), 0o600)
		if err != nil {
			return nil, fmt.Errorf("copy server key: %w", err)
		}
		f.Path = secretKey
		files = append(files, f)
	}
	return files, nil
}

// copyFile copies src to dst (creating its directory), flushes it to disk
// and returns its SHA-256 and size.
func copyFile(src, dst string, perm os.FileMode) (File, error) {
	in, err := os.Open(src)
	if err != nil {
		return File{}, err
	}
	defer in.Close()
	if err := os.MkdirAll(filepath.Dir(dst), 0o700); err != nil {
		return File{}, err
	}
	out, err := os.OpenFile(dst, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, perm)
	if err != nil {
		return File{}, err
	}
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(out, h), in)
	if err == nil {
		err = out.Sync()
	}
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return File{}, err
	}
	return File{SHA256: hex.EncodeToString(h.Sum(nil)), Size: n}, nil
}

// restoreFiles copies the backup's files into dataDir, each checked against
// the manifest as it is copied (a FileError names one that differs).
func restoreFiles(from, dataDir string, files []File) error {
	for _, f := range files {
		rel := filepath.FromSlash(f.Path)
		perm := os.FileMode(0o640)
		if f.Path == secretKey {
			perm = 0o600
		}
		got, err := copyFile(filepath.Join(from, rel), filepath.Join(dataDir, rel), perm)
		if err != nil {
			return fmt.Errorf("restore %s: %w", f.Path, err)
		}
		if got.SHA256 != f.SHA256 || got.Size != f.Size {
			return &FileError{f.Path, "differs from the manifest after copying"}
		}
	}
	return nil
}

// blobProblem reports a blob whose file name is not its SHA-256 (the blob
// store names every file by its contents), or "".
func blobProblem(f File) string {
	rest, ok := strings.CutPrefix(f.Path, blobsDir+"/")
	if !ok {
		return ""
	}
	key := filepath.Base(rest)
	if !blob.ValidKey(key) || key != f.SHA256 {
		return "file name is not the SHA-256 of its contents"
	}
	return ""
}

// storedBlobs counts the files of the blob store in dataDir (uploads in
// flight aside).
func storedBlobs(dataDir string) (int, error) {
	n := 0
	src := filepath.Join(dataDir, blobsDir)
	err := filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
		if errors.Is(err, fs.ErrNotExist) && path == src {
			return filepath.SkipDir
		}
		if err != nil {
			return err
		}
		if d.IsDir() && path == filepath.Join(src, "tmp") {
			return filepath.SkipDir
		}
		if d.Type().IsRegular() {
			n++
		}
		return nil
	})
	return n, err
}
