package document

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"

	"realty"
	"realty/internal/blob"
)

// Version is one uploaded file of a document.
type Version struct {
	ID          realty.ID  `db:"id" json:"id"`
	DocumentID  realty.ID  `db:"document_id" json:"document_id"`
	Version     int        `db:"version" json:"version"`
	BlobKey     string     `db:"blob_key" json:"-"`
	SHA256      string     `db:"sha256" json:"sha256"`
	SizeBytes   int64      `db:"size_bytes" json:"size_bytes"`
	ContentType string     `db:"content_type" json:"content_type" doc:"sniffed from the bytes"`
	FileName    string     `db:"file_name" json:"file_name"`
	UploadedBy  *realty.ID `db:"uploaded_by" json:"uploaded_by,omitempty"`
	TextChars   int        `db:"text_chars" json:"text_chars" doc:"characters of text extracted for search"`
	CreatedAt   time.Time  `db:"created_at" json:"created_at"`
}

const versionColumns = `id, document_id, version, blob_key, sha256, size_bytes, content_type, file_name, uploaded_by,
	length(extracted_text) AS text_chars, created_at`

// File is an upload: the name the client gave (only shown, never used as a
// path) and the bytes.
type File struct {
	Name string
	Body io.Reader
}

// AcceptedTypes are the sniffed content types a document may have; the
// client's declared type and the file name's extension are never trusted.
// Office files (DOCX, XLSX) sniff as ZIP archives.
var AcceptedTypes = []string{"application/pdf", "text/plain; charset=utf-8", "image/jpeg", "image/png", "image/webp",
	"image/gif", "application/zip"}

// upload is a stored file ready to become a version.
type upload struct {
	obj  blob.Object
	name string
	text string
}

// store puts f's bytes in the blob store, checks the sniffed type and
// extracts its text. Invalid naming file.
func (s *Service) store(ctx context.Context, f File) (upload, error) {
	if f.Body == nil {
		return upload{}, realty.FieldError("file", "is required")
	}
	obj, err := s.blobs.Put(ctx, f.Body, s.maxBytes)
	if err != nil {
		return upload{}, err
	}
	if !slices.Contains(AcceptedTypes, obj.ContentType) {
		return upload{}, realty.FieldError("file", "is "+obj.ContentType+"; a document must be a PDF, plain text (UTF-8), "+
			"a JPEG, PNG, WebP or GIF image, or an office file")
	}
	text, err := s.extract(ctx, obj)
	if err != nil {
		return upload{}, err
	}
	return upload{obj: obj, name: CleanFileName(f.Name, obj.ContentType), text: text}, nil
}

// extract reads the stored bytes back and extracts their text.
func (s *Service) extract(ctx context.Context, obj blob.Object) (string, error) {
	if obj.ContentType != "application/pdf" && !strings.HasPrefix(obj.ContentType, "text/plain") {
		return "", nil
	}
	r, _, err := s.blobs.Open(ctx, obj.Key)
	if err != nil {
		return "", err
	}
	defer r.Close()
	b, err := io.ReadAll(io.LimitReader(r, s.maxBytes))
	if err != nil {
		return "", fmt.Errorf("read stored document: %w", err)
	}
	return ExtractText(obj.ContentType, b), nil
}

// maxFileName is the longest file name kept, in bytes.
const maxFileName = 255

// CleanFileName turns a client's file name into one that is only ever
// shown: the last path element (either slash), without control characters
// or NUL, without leading dots, at most 255 bytes cut at a character
// boundary (keeping the extension), and "document" plus an extension for
// the sniffed type when nothing is left.
func CleanFileName(name, contentType string) string {
	name = strings.ReplaceAll(name, `\`, "/")
	name = path.Base("/" + name)
	name = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || r == utf8.RuneError || r == '/' {
			return -1
		}
		return r
	}, strings.ToValidUTF8(name, ""))
	name = strings.TrimSpace(strings.TrimLeft(strings.TrimSpace(name), "."))
	if len(name) > maxFileName {
		ext := path.Ext(name)
		if len(ext) > 16 {
			ext = ""
		}
		stem := name[:maxFileName-len(ext)]
		for !utf8.ValidString(stem) {
			stem = stem[:len(stem)-1]
		}
		name = stem + ext
	}
	if name == "" {
		return "document" + extensionOf(contentType)
	}
	return name
}

func extensionOf(contentType string) string {
	switch {
	case contentType == "application/pdf":
		return ".pdf"
	case strings.HasPrefix(contentType, "text/plain"):
		return ".txt"
	case strings.HasPrefix(contentType, "image/"):
		return "." + strings.TrimPrefix(contentType, "image/")
	case contentType == "application/zip":
		return ".zip"
	}
	return ""
}

// searchExpr is the tsvector of a version: the document's title weighs
// most, then the file name, then the extracted text.
func searchExpr(title, fileName, text string) string {
	return `setweight(to_tsvector('english', ` + title + `), 'A') || setweight(to_tsvector('english', ` + fileName + `), 'B') ||
		setweight(to_tsvector('english', ` + text + `), 'C')`
}

// insertVersionTx adds version n of a document and makes it current. Only
// the current version is searchable: the older ones' search documents are
// emptied (they are kept, and found through their document), so a search
// matches each document once and reads no superseded text.
func insertVersionTx(ctx context.Context, tx pgx.Tx, actor realty.Actor, docID realty.ID, title string, n int, up upload) (Version, error) {
	id := realty.NewID()
	rows, err := tx.Query(ctx, `INSERT INTO document.document_versions (organization_id, id, document_id, version, blob_key, sha256,
		size_bytes, content_type, file_name, uploaded_by, extracted_text, search_document)
		VALUES ($1, $2, $3, $4, $5, $5, $6, $7, $8, $9, $10, `+searchExpr("$11", "$8", "$10")+`)
		RETURNING `+versionColumns, actor.OrgID, id, docID, n, up.obj.Key, up.obj.Size, up.obj.ContentType, up.name,
		memberOrNil(actor), up.text, title)
	if err != nil {
		return Version{}, err
	}
	v, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Version])
	if err != nil {
		return Version{}, err
	}
	if _, err = tx.Exec(ctx, `UPDATE document.document_versions SET search_document = ''::tsvector
		WHERE organization_id = $1 AND document_id = $2 AND id <> $3 AND search_document <> ''::tsvector`, actor.OrgID, docID, id); err != nil {
		return Version{}, err
	}
	_, err = tx.Exec(ctx, `UPDATE document.documents SET current_version_id = $3 WHERE organization_id = $1 AND id = $2`,
		actor.OrgID, docID, id)
	return v, err
}

// AddVersion uploads a new version of a document, which becomes current;
// the older ones are kept. Errors: Forbidden without document.write;
// NotFound as Get; Invalid naming file.
func (s *Service) AddVersion(ctx context.Context, actor realty.Actor, id realty.ID, f File) (Version, error) {
	if err := actor.Require("document.write"); err != nil {
		return Version{}, err
	}
	if _, err := s.Get(ctx, actor, id); err != nil {
		return Version{}, err
	}
	up, err := s.store(ctx, f)
	if err != nil {
		return Version{}, err
	}
	var out Version
	err = s.tx(ctx, actor, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `SELECT title FROM document.documents WHERE organization_id = $1 AND id = $2 AND deleted_at IS NULL
			FOR UPDATE`, actor.OrgID, id)
		if err != nil {
			return err
		}
		title, err := pgx.CollectExactlyOneRow(rows, pgx.RowTo[string])
		if errors.Is(err, pgx.ErrNoRows) {
			return errNotFound
		} else if err != nil {
			return err
		}
		var n int
		if err := tx.QueryRow(ctx, `SELECT coalesce(max(version), 0) + 1 FROM document.document_versions
			WHERE organization_id = $1 AND document_id = $2`, actor.OrgID, id).Scan(&n); err != nil {
			return err
		}
		out, err = insertVersionTx(ctx, tx, actor, id, title, n, up)
		return err
	})
	return out, err
}

// Versions lists a document's versions, newest first. Errors as Get.
func (s *Service) Versions(ctx context.Context, actor realty.Actor, id realty.ID) ([]Version, error) {
	if _, err := s.Get(ctx, actor, id); err != nil {
		return nil, err
	}
	return readAll[Version](ctx, s, actor, `SELECT `+versionColumns+` FROM document.document_versions
		WHERE organization_id = $1 AND document_id = $2 ORDER BY version DESC`, actor.OrgID, id)
}

// Open opens a version's bytes (the current one when version is 0) and
// logs the access: a view when inline, else a download. The caller closes
// the reader. An actor without document.read opens a document visible to
// participants of an entity they take part in (a client, their deal's),
// logged as theirs. Errors: as Get (Forbidden for any other document
// without document.read); NotFound for a version the document lacks.
func (s *Service) Open(ctx context.Context, actor realty.Actor, id realty.ID, version int, inline bool, c Client) (io.ReadSeekCloser, Version, error) {
	if denied := actor.Require("document.read"); denied != nil {
		if err := s.participantMay(ctx, actor, id, denied); err != nil {
			return nil, Version{}, err
		}
	}
	var v Version
	err := s.tx(ctx, actor, func(tx pgx.Tx) error {
		d, err := getTx(ctx, tx, actor, id)
		if err != nil {
			return err
		}
		if version == 0 {
			version = d.Version
		}
		rows, err := tx.Query(ctx, `SELECT `+versionColumns+` FROM document.document_versions
			WHERE organization_id = $1 AND document_id = $2 AND version = $3`, actor.OrgID, id, version)
		if err != nil {
			return err
		}
		if v, err = pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Version]); errors.Is(err, pgx.ErrNoRows) {
			return &realty.Error{Kind: realty.NotFound, Message: "version not found"}
		} else if err != nil {
			return err
		}
		action := "download"
		if inline {
			action = "view"
		}
		return logTx(ctx, tx, actor.OrgID, entry{DocumentID: id, VersionID: &v.ID, MemberID: memberOrNil(actor), Action: action}, c)
	})
	if err != nil {
		return nil, Version{}, err
	}
	r, _, err := s.blobs.Open(ctx, v.BlobKey)
	return r, v, err
}
