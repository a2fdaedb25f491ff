package cli

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"realty/internal/blob"
	"realty/internal/config"
	"realty/internal/orgexport"
	"realty/internal/server"
)

// runOrgExport writes one organization as JSON Lines, `realty org export
// --org SLUG [--out FILE]` (default stdout), for `realty org import` on
// another server. The file holds password hashes: keep it as a backup.
func runOrgExport(ctx context.Context, e env) error {
	fs := e.flags("org export")
	slug := fs.String("org", "", "organization slug (required)")
	out := fs.String("out", "", "file to write (default: stdout); written with mode 0600")
	cfg, err := e.config(fs, "data-dir")
	if err != nil {
		return err
	}
	if *slug == "" {
		return usageErr("--org is required")
	}
	w, finish, err := exportOutput(e, *out)
	if err != nil {
		return err
	}
	var sum *orgexport.Summary
	err = withOrgStore(ctx, e, cfg, func(adminURL string, blobs blob.Store) error {
		sum, err = orgexport.Export(ctx, orgexport.Source{AdminURL: adminURL, Blobs: blobs, Version: Version()}, *slug, w)
		return err
	})
	if err = finish(err); err != nil {
		return err
	}
	fmt.Fprintf(e.stderr, "exported %s in %.1fs: %d tables, %d rows, %d blobs\n",
		sum.Organization.Slug, sum.Duration.Seconds(), sum.Tables, sum.Rows, sum.Blobs)
	return nil
}

// exportOutput opens the export's destination; finish closes it, removing
// a file whose export failed.
func exportOutput(e env, path string) (io.Writer, func(error) error, error) {
	if path == "" {
		return e.stdout, func(err error) error { return err }, nil
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		return nil, nil, fmt.Errorf("--out: %w", err)
	}
	return f, func(err error) error {
		if err == nil {
			err = f.Sync()
		}
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			_ = os.Remove(path)
		}
		return err
	}, nil
}

// runOrgImport loads an export, `realty org import [--in FILE]` (default
// stdin), into the configured database, which must be at the export's
// schema version or newer, in one transaction; it refuses an organization,
// slug or row that exists.
func runOrgImport(ctx context.Context, e env) error {
	fs := e.flags("org import")
	in := fs.String("in", "", "export file to read (default: stdin)")
	cfg, err := e.config(fs, "data-dir")
	if err != nil {
		return err
	}
	var r io.Reader = os.Stdin
	if e.stdin != nil {
		r = e.stdin
	}
	if *in != "" {
		f, err := os.Open(*in)
		if err != nil {
			return fmt.Errorf("--in: %w", err)
		}
		defer f.Close()
		r = f
	}
	return withOrgStore(ctx, e, cfg, func(adminURL string, blobs blob.Store) error {
		sum, err := orgexport.Import(ctx, orgexport.Target{AdminURL: adminURL, Blobs: blobs}, r)
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "imported %s (%s) in %.1fs: %d tables, %d rows, %d blobs; users: %d created, %d already here\n",
			sum.Organization.Slug, sum.Organization.ID, sum.Duration.Seconds(), sum.Tables, sum.Rows, sum.Blobs,
			sum.UsersCreated, sum.UsersLinked)
		return nil
	})
}

// withOrgStore opens the database and the blob store of the data
// directory and runs fn with the administrative URL.
func withOrgStore(ctx context.Context, e env, cfg config.Config, fn func(adminURL string, blobs blob.Store) error) error {
	log := server.NewLogger(e.stderr, cfg.LogFormat, "warn")
	db, err := openDatabase(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer closeLogged(log, "embedded PostgreSQL", db.close)
	blobs, err := blob.NewLocal(filepath.Join(cfg.DataDir, "blobs"))
	if err != nil {
		return err
	}
	return fn(db.adminURL, blobs)
}
