package listing

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"

	"realty"
	"realty/internal/blob"
	"realty/internal/postgres"
)

// Import is the record of an uploaded import file and of the job importing
// it: queued, running, then succeeded or failed, with its counts.
type Import struct {
	ID                    realty.ID  `db:"id" json:"id"`
	Status                string     `db:"status" json:"status" enum:"queued,running,succeeded,failed"`
	SourceName            string     `db:"source_name" json:"source_name" doc:"the uploaded file's name"`
	Format                string     `db:"format" json:"format" enum:"json,jsonl,csv"`
	OriginatingSystemName string     `db:"originating_system_name" json:"originating_system_name,omitempty" doc:"for rows without OriginatingSystemName"`
	Total                 int        `db:"total" json:"total"`
	Inserted              int        `db:"inserted" json:"inserted"`
	Updated               int        `db:"updated" json:"updated"`
	Unchanged             int        `db:"unchanged" json:"unchanged"`
	Rejected              int        `db:"rejected" json:"rejected"`
	Rejects               []Reject   `db:"rejects" json:"rejects,omitempty" doc:"the first 1,000 rejected rows (in the single import only)"`
	Error                 *string    `db:"error" json:"error,omitempty" doc:"why a failed import stopped"`
	CreatedBy             *realty.ID `db:"created_by" json:"created_by,omitempty" doc:"the member who uploaded the file"`
	StartedAt             *time.Time `db:"started_at" json:"started_at,omitempty"`
	FinishedAt            *time.Time `db:"finished_at" json:"finished_at,omitempty"`
	CreatedAt             time.Time  `db:"created_at" json:"created_at"`
	UpdatedAt             time.Time  `db:"updated_at" json:"updated_at"`
}

const importColumns = `id, status, source_name, format, originating_system_name, total, inserted, updated, unchanged, rejected,
	rejects, error, created_by, started_at, finished_at, created_at, updated_at`

var errImportNotFound = &realty.Error{Kind: realty.NotFound, Message: "import not found"}

// GetImport returns an import's record with its rejects. Forbidden without
// listing.import; NotFound for another organization's import.
func (s *Service) GetImport(ctx context.Context, actor realty.Actor, id realty.ID) (Import, error) {
	if err := actor.Require("listing.import"); err != nil {
		return Import{}, err
	}
	rows, err := postgres.ReadAll[Import](ctx, s.pool, actor, `SELECT `+importColumns+` FROM listing.imports
		WHERE organization_id = $1 AND id = $2`, actor.OrgID, id)
	if err != nil {
		return Import{}, err
	}
	if len(rows) == 0 {
		return Import{}, errImportNotFound
	}
	return rows[0], nil
}

// ImportPage is a page of imports, newest first.
type ImportPage struct {
	Items      []Import `json:"items"`
	NextCursor string   `json:"next_cursor,omitempty"`
}

// Imports lists the organization's imports, newest first, without their
// rejects. Forbidden without listing.import; Invalid naming cursor for a
// cursor this method did not return.
func (s *Service) Imports(ctx context.Context, actor realty.Actor, cursor string, limit int) (ImportPage, error) {
	if err := actor.Require("listing.import"); err != nil {
		return ImportPage{}, err
	}
	if limit <= 0 || limit > 100 {
		limit = 20
	}
	args := pgx.NamedArgs{"org": actor.OrgID, "limit": limit + 1}
	where := "organization_id = @org"
	if cursor != "" {
		var at time.Time
		var id realty.ID
		if err := postgres.DecodeCursor(cursor, &at, &id); err != nil {
			return ImportPage{}, err
		}
		where += " AND (created_at, id) < (@at, @id)"
		args["at"], args["id"] = at, id
	}
	items, err := postgres.ReadAll[Import](ctx, s.pool, actor, `SELECT `+strings.Replace(importColumns, "rejects", "NULL::jsonb AS rejects", 1)+
		` FROM listing.imports WHERE `+where+` ORDER BY created_at DESC, id DESC LIMIT @limit`, args)
	if err != nil {
		return ImportPage{}, err
	}
	p := ImportPage{Items: items}
	if len(items) > limit {
		p.Items = items[:limit]
		last := p.Items[limit-1]
		p.NextCursor = postgres.EncodeCursor(last.CreatedAt, last.ID)
	}
	if p.Items == nil {
		p.Items = []Import{}
	}
	return p, nil
}

// Imports runs uploaded import files as background jobs: Upload stores the
// file and enqueues the job in the transaction recording it, Run (the
// job) imports it.
type Imports struct {
	listings *Service
	blobs    blob.Store
	maxBytes int64
	jobs     *river.Client[pgx.Tx]
	log      *slog.Logger
}

// NewImports returns the import runner: files up to maxBytes go to blobs,
// jobs are enqueued through jobs (an insert-only River client on the same
// database) in the transaction recording the upload, and each job acts as
// the member who uploaded the file, with their permissions when it runs.
func NewImports(listings *Service, blobs blob.Store, maxBytes int64, jobs *river.Client[pgx.Tx], log *slog.Logger) *Imports {
	return &Imports{listings: listings, blobs: blobs, maxBytes: maxBytes, jobs: jobs, log: log}
}

// Upload stores an import file and queues its import. The format comes
// from format when given, else from the file's name and contents; source
// is the OriginatingSystemName of rows without one. Forbidden without
// listing.import or with a property scope; Invalid naming "file" or
// "format".
func (im *Imports) Upload(ctx context.Context, actor realty.Actor, name string, r io.Reader, format, source string) (Import, error) {
	if err := actor.Require("listing.import"); err != nil {
		return Import{}, err
	}
	if actor.PropertyScope != nil {
		return Import{}, &realty.Error{Kind: realty.Forbidden, Message: "imports need access to every property of the organization"}
	}
	obj, err := im.blobs.Put(ctx, r, im.maxBytes)
	if err != nil {
		return Import{}, err
	}
	if format, err = im.format(ctx, obj.Key, name, format); err != nil {
		return Import{}, err
	}
	var out Import
	err = postgres.Tx(ctx, im.listings.pool, actor, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `INSERT INTO listing.imports (organization_id, source_name, format, originating_system_name,
			blob_key, created_by) VALUES ($1, $2, $3, $4, $5, $6) RETURNING `+importColumns,
			actor.OrgID, truncate(name, 255), format, strings.TrimSpace(source), obj.Key, memberOf(actor))
		if err != nil {
			return err
		}
		if out, err = pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Import]); err != nil {
			return err
		}
		_, err = im.jobs.InsertTx(ctx, tx, ImportArgs{OrganizationID: actor.OrgID, ImportID: out.ID}, nil)
		return err
	})
	return out, err
}

// format returns the given format, checked, or detects it from the stored
// file's name and first bytes.
func (im *Imports) format(ctx context.Context, key, name, format string) (string, error) {
	switch format {
	case FormatJSON, FormatJSONL, FormatCSV:
		return format, nil
	case "":
	default:
		return "", realty.FieldError("format", "must be json, jsonl or csv")
	}
	f, _, err := im.blobs.Open(ctx, key)
	if err != nil {
		return "", err
	}
	defer f.Close()
	head := make([]byte, sniffBytes)
	n, _ := io.ReadFull(f, head)
	return DetectFormat(name, head[:n])
}

func memberOf(actor realty.Actor) *realty.ID {
	if actor.MemberID.IsZero() {
		return nil
	}
	return &actor.MemberID
}

func truncate(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n])
	}
	return s
}

// importJob is what the job needs of an import's record.
type importJob struct {
	Status                string     `db:"status"`
	Format                string     `db:"format"`
	OriginatingSystemName string     `db:"originating_system_name"`
	BlobKey               *string    `db:"blob_key"`
	CreatedBy             *realty.ID `db:"created_by"` // the uploading member
}

// Run imports an uploaded file: the job's work. It acts as the member who
// uploaded the file, with their permissions now (System when no member is
// recorded), and records running, then succeeded with the counts and the
// first rejects, or failed with the reason. An import already succeeded is
// not run again, and running one again after a failure is harmless: rows
// already imported are found unchanged. Errors worth retrying are
// returned; a refused import is recorded and cancels the job.
func (im *Imports) Run(ctx context.Context, orgID, id realty.ID) error {
	sys := realty.System(orgID)
	rows, err := postgres.ReadAll[importJob](ctx, im.listings.pool, sys, `SELECT status, format, originating_system_name,
		blob_key, created_by FROM listing.imports WHERE organization_id = $1 AND id = $2`, orgID, id)
	switch {
	case err != nil:
		return err
	case len(rows) == 0:
		return river.JobCancel(errImportNotFound)
	case rows[0].Status == "succeeded":
		return nil
	}
	job := rows[0]
	actor, err := im.runAs(ctx, orgID, job)
	if err == nil && job.BlobKey == nil {
		err = realty.FieldError("file", "the import has no stored file")
	}
	if err != nil {
		return river.JobCancel(im.finish(ctx, sys, id, ImportResult{}, err))
	}
	if err := im.setRunning(ctx, sys, id); err != nil {
		return err
	}
	res, err := im.importBlob(ctx, actor, *job.BlobKey, ImportOptions{Format: job.Format, Source: job.OriginatingSystemName})
	err = im.finish(ctx, sys, id, res, err)
	if k := realty.KindOf(err); k == realty.Invalid || k == realty.Forbidden {
		return river.JobCancel(err)
	}
	return err
}

// runAs is the actor an import runs as: its uploader, who must still be
// allowed to import, or System when none is recorded.
func (im *Imports) runAs(ctx context.Context, orgID realty.ID, job importJob) (realty.Actor, error) {
	if job.CreatedBy == nil {
		return realty.System(orgID), nil
	}
	actor, err := im.listings.orgs.MemberActor(ctx, orgID, *job.CreatedBy)
	if err != nil {
		return actor, err
	}
	if actor.OrgID != orgID || !actor.Can("listing.import") || actor.PropertyScope != nil {
		return actor, &realty.Error{Kind: realty.Forbidden, Message: "the member who uploaded the file may no longer import listings"}
	}
	return actor, nil
}

func (im *Imports) importBlob(ctx context.Context, actor realty.Actor, key string, opt ImportOptions) (ImportResult, error) {
	f, _, err := im.blobs.Open(ctx, key)
	if err != nil {
		return ImportResult{}, err
	}
	defer f.Close()
	return im.listings.ImportFile(ctx, actor, f, opt)
}

func (im *Imports) setRunning(ctx context.Context, sys realty.Actor, id realty.ID) error {
	return postgres.Tx(ctx, im.listings.pool, sys, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `UPDATE listing.imports SET status = 'running', started_at = now(), finished_at = NULL, error = NULL
			WHERE organization_id = $1 AND id = $2`, sys.OrgID, id)
		return err
	})
}

// finish records the outcome, and returns runErr (or the recording's error).
// A failure's reason is what a caller may see; the cause goes to the log.
func (im *Imports) finish(ctx context.Context, sys realty.Actor, id realty.ID, res ImportResult, runErr error) error {
	status, reason := "succeeded", (*string)(nil)
	if runErr != nil {
		status, reason = "failed", ptrTo(realty.MessageOf(runErr))
		if im.log != nil && realty.KindOf(runErr) == realty.Internal {
			im.log.ErrorContext(ctx, "listing import failed", "import_id", id, "err", runErr)
		}
	}
	if res.Rejects == nil {
		res.Rejects = []Reject{}
	}
	ctx = context.WithoutCancel(ctx) // record the outcome even when the job is being stopped
	err := postgres.Tx(ctx, im.listings.pool, sys, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `UPDATE listing.imports SET status = $3, total = $4, inserted = $5, updated = $6,
			unchanged = $7, rejected = $8, rejects = $9, error = $10, finished_at = now()
			WHERE organization_id = $1 AND id = $2`, sys.OrgID, id, status, res.Total, res.Inserted, res.Updated,
			max(res.Unchanged, 0), res.Rejected, res.Rejects, reason)
		return err
	})
	return errors.Join(runErr, err)
}

func ptrTo[T any](v T) *T { return &v }
