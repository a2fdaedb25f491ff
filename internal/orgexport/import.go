package orgexport

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/jackc/pgx/v5"

	"realty/internal/blob"
)

// Target is the database and blob store an import writes.
type Target struct {
	// AdminURL connects as a superuser: the import sets
	// session_replication_role, which only a superuser may.
	AdminURL string
	// Blobs receives the export's blobs (content-addressed: a blob the store
	// holds is kept as it is).
	Blobs blob.Store
	// BlobMaxBytes bounds one blob (default 1 GiB).
	BlobMaxBytes int64
}

// line is one record after the header, as read.
type line struct {
	Table string          `json:"table"`
	Row   json.RawMessage `json:"row"`
	Blob  string          `json:"blob"`
	Data  []byte          `json:"data"`
	End   *End            `json:"end"`
}

// Import loads an export read from r into the target in one transaction,
// keeping every id, and commits only when the whole file (up to its end
// record) loaded and every foreign key of the organization's rows holds.
// Errors (wrapped): ErrBadFile for another kind of file, a newer format, a
// malformed or truncated one, or a row of another organization;
// ErrNewerSchema; ErrExists for an organization id or slug the target holds,
// a user whose email the target holds under another id (or whose id it
// holds under another email), or any row whose key exists, naming the
// table and constraint. Nothing is written to the database on an error;
// blobs already written stay (they are content-addressed and unreferenced).
func Import(ctx context.Context, tgt Target, r io.Reader) (*Summary, error) {
	start := time.Now()
	dec := json.NewDecoder(bufio.NewReaderSize(r, 1<<16))
	var h Header
	if err := dec.Decode(&h); err != nil {
		return nil, fmt.Errorf("%w: header: %v", ErrBadFile, err)
	}
	if h.Kind != Kind || h.Format < 1 || h.Format > Format || h.Organization.ID == "" {
		return nil, fmt.Errorf("%w: header: kind %q format %d (this realty reads %q up to format %d)", ErrBadFile, h.Kind, h.Format, Kind, Format)
	}
	conn, err := connect(ctx, tgt.AdminURL)
	if err != nil {
		return nil, err
	}
	defer conn.Close(context.WithoutCancel(ctx))
	tx, err := conn.Begin(ctx)
	if err != nil {
		return nil, fmt.Errorf("begin: %w", err)
	}
	defer tx.Rollback(context.WithoutCancel(ctx))
	im, err := newImporter(ctx, tx, tgt, &h)
	if err != nil {
		return nil, err
	}
	if err := im.load(ctx, dec); err != nil {
		return nil, err
	}
	if err := im.verify(ctx); err != nil {
		return nil, err
	}
	if err := tx.Commit(ctx); err != nil {
		return nil, fmt.Errorf("commit: %w", err)
	}
	im.sum.Duration = time.Since(start)
	return im.sum, nil
}

// newImporter prepares the transaction: replication mode, the version
// rule, the organization's absence and the catalog.
func newImporter(ctx context.Context, tx pgx.Tx, tgt Target, h *Header) (*importer, error) {
	// Replica mode leaves triggers unfired: the rows are an exact copy, and
	// the audit, history and derived-value triggers would add rows and
	// change values. Foreign keys (also triggers) are checked by verify.
	if _, err := tx.Exec(ctx, `SET LOCAL session_replication_role = replica`); err != nil {
		return nil, fmt.Errorf("import needs a superuser connection (REALTY_ADMIN_DATABASE_URL) to load rows without firing triggers: %w", err)
	}
	v, err := schemaVersion(ctx, tx)
	if err != nil {
		return nil, err
	}
	if h.SchemaVersion > v {
		return nil, fmt.Errorf("%w: the export is at schema version %d, this database at %d: upgrade realty and run realty migrate up first",
			ErrNewerSchema, h.SchemaVersion, v)
	}
	var idTaken, slugTaken bool
	err = tx.QueryRow(ctx, `SELECT EXISTS (SELECT FROM org.organizations WHERE id = $1),
		EXISTS (SELECT FROM org.organization_slugs WHERE slug = $2) OR EXISTS (SELECT FROM org.organizations WHERE slug = $2)`,
		h.Organization.ID, h.Organization.Slug).Scan(&idTaken, &slugTaken)
	if err != nil {
		return nil, fmt.Errorf("look up organization: %w", err)
	}
	if idTaken {
		return nil, fmt.Errorf("organization %s (%s): %w", h.Organization.ID, h.Organization.Slug, ErrExists)
	}
	if slugTaken {
		return nil, fmt.Errorf("organization slug %q: %w (another organization has it)", h.Organization.Slug, ErrExists)
	}
	cat, err := readCatalog(ctx, tx)
	if err != nil {
		return nil, err
	}
	return &importer{tx: tx, cat: cat, store: tgt.Blobs, maxBlob: tgt.BlobMaxBytes, org: h.Organization.ID,
		columns: map[Table]map[string]bool{}, sum: &Summary{Organization: h.Organization}}, nil
}

// load reads the records up to the end record, inserting rows in batches
// and writing blobs.
func (im *importer) load(ctx context.Context, dec *json.Decoder) error {
	for {
		var l line
		err := dec.Decode(&l)
		if errors.Is(err, io.EOF) {
			return fmt.Errorf("%w: the file ends before its end record (truncated?)", ErrBadFile)
		}
		if err != nil {
			return fmt.Errorf("%w: record after %d rows: %v", ErrBadFile, im.sum.Rows, err)
		}
		switch {
		case l.Table != "":
			err = im.row(ctx, l.Table, l.Row)
		case l.Blob != "":
			if err = im.flush(ctx); err == nil {
				err = im.blob(ctx, l.Blob, l.Data)
			}
		case l.End != nil:
			if err := im.flush(ctx); err != nil {
				return err
			}
			return im.end(*l.End)
		default:
			err = fmt.Errorf("%w: a record that is neither a row, a blob nor the end", ErrBadFile)
		}
		if err != nil {
			return err
		}
	}
}

// end compares the end record's totals with what was read.
func (im *importer) end(e End) error {
	if e.Tables != im.sum.Tables || e.Rows != im.sum.Rows || e.Blobs != im.sum.Blobs {
		return fmt.Errorf("%w: the end record counts %d tables, %d rows, %d blobs; the file holds %d, %d, %d",
			ErrBadFile, e.Tables, e.Rows, e.Blobs, im.sum.Tables, im.sum.Rows, im.sum.Blobs)
	}
	return nil
}

// blob stores one blob, checking its contents against its key.
func (im *importer) blob(ctx context.Context, key string, data []byte) error {
	if !blob.ValidKey(key) {
		return fmt.Errorf("%w: blob key %q", ErrBadFile, key)
	}
	if im.store == nil {
		return fmt.Errorf("the export holds blobs and no blob store was given")
	}
	limit := im.maxBlob
	if limit <= 0 {
		limit = 1 << 30
	}
	obj, err := im.store.Put(ctx, bytes.NewReader(data), limit)
	if err != nil {
		return fmt.Errorf("blob %s: %w", key, err)
	}
	if obj.Key != key {
		return fmt.Errorf("%w: blob %s holds contents whose SHA-256 is %s", ErrBadFile, key, obj.Key)
	}
	im.sum.Blobs++
	return nil
}
