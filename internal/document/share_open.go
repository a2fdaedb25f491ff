package document

import (
	"context"
	"crypto/sha256"
	"errors"
	"io"
	"time"

	"github.com/jackc/pgx/v5"

	"realty"
	"realty/internal/ratelimit"
)

// Shared is what a share link shows before the download. Title and file
// are empty while a password is asked for.
type Shared struct {
	Title         string    `db:"title" json:"title,omitempty"`
	FileName      string    `db:"file_name" json:"file_name,omitempty"`
	ContentType   string    `db:"content_type" json:"content_type,omitempty"`
	SizeBytes     int64     `db:"size_bytes" json:"size_bytes,omitempty"`
	ExpiresAt     time.Time `db:"expires_at" json:"expires_at"`
	NeedsPassword bool      `db:"needs_password" json:"needs_password"`
	DownloadsLeft *int      `db:"downloads_left" json:"downloads_left,omitempty"`
}

// Limits of the public share-link endpoints, per process like the API's:
// SharePerIP opens (views and downloads) a minute from one client address
// (loopback, a local proxy, is not counted), and SharePasswordTries
// password attempts per link every SharePasswordWindow.
const (
	SharePerIP          = 60
	SharePasswordTries  = 10
	SharePasswordWindow = 15 * time.Minute
)

// sharedRow is a share link with its document's state, read for opening.
type sharedRow struct {
	Shared
	ShareID      realty.ID  `db:"share_id"`
	DocumentID   realty.ID  `db:"document_id"`
	VersionID    realty.ID  `db:"version_id"`
	BlobKey      string     `db:"blob_key"`
	PasswordHash *string    `db:"password_hash"`
	RevokedAt    *time.Time `db:"revoked_at"`
	Deleted      bool       `db:"deleted"`
}

var errShareNotFound = &realty.Error{Kind: realty.NotFound, Message: "share link not found"}

// ViewShare is the page a share link opens: what the document is (hidden
// behind the password when the link has one). The view is logged; a
// revoked, expired or used-up link is refused and the refusal logged.
// Errors: NotFound for a malformed or unknown token (one organization's
// token never names another's document); Forbidden, saying why, for a
// refused link; RateLimited past SharePerIP.
func (s *Service) ViewShare(ctx context.Context, token string, c Client) (Shared, error) {
	row, err := s.openShare(ctx, token, nil, c)
	if err != nil {
		return Shared{}, err
	}
	if row.NeedsPassword {
		return Shared{ExpiresAt: row.ExpiresAt, NeedsPassword: true, DownloadsLeft: row.DownloadsLeft}, nil
	}
	return row.Shared, nil
}

// DownloadShare opens the current version's bytes through a share link,
// counting the download. Errors as ViewShare, and Unauthenticated for a
// missing or wrong password (logged; RateLimited past SharePasswordTries).
// The caller closes the reader.
func (s *Service) DownloadShare(ctx context.Context, token, password string, c Client) (io.ReadSeekCloser, Shared, error) {
	row, err := s.openShare(ctx, token, &password, c)
	if err != nil {
		return nil, Shared{}, err
	}
	r, _, err := s.blobs.Open(ctx, row.BlobKey)
	return r, row.Shared, err
}

// openShare checks a link and logs the outcome: a view when password is
// nil, else a download. A refusal is logged in a transaction that commits.
func (s *Service) openShare(ctx context.Context, token string, password *string, c Client) (sharedRow, error) {
	if c.IP.IsValid() && !c.IP.Unmap().IsLoopback() {
		if d := s.limits.Take(limitKey("share:ip", c.IP.Unmap().String()), SharePerIP, time.Minute); !d.Allowed {
			return sharedRow{}, tooMany(d)
		}
	}
	orgID, hash, ok := parseShareToken(token)
	if !ok {
		return sharedRow{}, errShareNotFound
	}
	actor := realty.System(orgID)
	var row sharedRow
	var refusal error
	err := s.tx(ctx, actor, func(tx pgx.Tx) error {
		var err error
		if row, err = shareRowTx(ctx, tx, orgID, hash); err != nil {
			return err
		}
		reason, refused := s.checkShare(row, password)
		e := entry{DocumentID: row.DocumentID, VersionID: &row.VersionID, ShareID: &row.ShareID, Action: "view"}
		switch {
		case refused != nil:
			e.Action, e.Reason, e.VersionID, refusal = "refused", reason, nil, refused
		case password != nil:
			e.Action = "download"
			if _, err := tx.Exec(ctx, `UPDATE document.document_shares SET downloads = downloads + 1
				WHERE organization_id = $1 AND id = $2`, orgID, row.ShareID); err != nil {
				return err
			}
		}
		return logTx(ctx, tx, orgID, e, c)
	})
	if err != nil {
		return sharedRow{}, err
	}
	return row, refusal
}

// shareRowTx reads and locks the link with the token hash in the
// organization. NotFound when there is none.
func shareRowTx(ctx context.Context, tx pgx.Tx, orgID realty.ID, hash []byte) (sharedRow, error) {
	rows, err := tx.Query(ctx, `SELECT sh.id AS share_id, sh.document_id, v.id AS version_id, v.blob_key, d.title, v.file_name,
		v.content_type, v.size_bytes, sh.expires_at, sh.password_hash IS NOT NULL AS needs_password,
		sh.max_downloads - sh.downloads AS downloads_left, sh.password_hash, sh.revoked_at, d.deleted_at IS NOT NULL AS deleted
		FROM document.document_shares sh
		JOIN document.documents d ON d.organization_id = sh.organization_id AND d.id = sh.document_id
		JOIN document.document_versions v ON v.organization_id = d.organization_id AND v.id = d.current_version_id
		WHERE sh.organization_id = $1 AND sh.token_hash = $2 FOR UPDATE OF sh`, orgID, hash)
	if err != nil {
		return sharedRow{}, err
	}
	row, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[sharedRow])
	if errors.Is(err, pgx.ErrNoRows) {
		return sharedRow{}, errShareNotFound
	}
	return row, err
}

// checkShare says why a link is refused (reason logged, error returned),
// or nothing. password is nil for a view, which asks for none.
func (s *Service) checkShare(row sharedRow, password *string) (string, error) {
	refuse := func(reason, msg string) (string, error) {
		return reason, &realty.Error{Kind: realty.Forbidden, Message: msg}
	}
	switch {
	case row.Deleted:
		return refuse("document deleted", "this document is no longer shared")
	case row.RevokedAt != nil:
		return refuse("revoked", "this link has been revoked")
	case !s.now().Before(row.ExpiresAt):
		return refuse("expired", "this link has expired")
	case row.DownloadsLeft != nil && *row.DownloadsLeft <= 0:
		return refuse("download limit reached", "this link has been used as many times as it allows")
	case password == nil || row.PasswordHash == nil:
		return "", nil
	}
	if d := s.limits.Take(limitKey("share:password", row.ShareID.String()), SharePasswordTries, SharePasswordWindow); !d.Allowed {
		return "password attempts throttled", tooMany(d)
	}
	if *password == "" || !s.secrets.VerifySecret(*password, *row.PasswordHash) {
		return "wrong password", &realty.Error{Kind: realty.Unauthenticated, Message: "the password is wrong"}
	}
	return "", nil
}

// limitKey names a bucket of the share limits.
func limitKey(what, who string) ratelimit.Key {
	var k ratelimit.Key
	a, b := sha256.Sum256([]byte("document:"+what)), sha256.Sum256([]byte(who))
	copy(k.Org[:], a[:])
	copy(k.Credential[:], b[:])
	return k
}

func tooMany(d ratelimit.Decision) error {
	return realty.Errorf(realty.RateLimited, "too many requests; try again in %d seconds", max(1, ratelimit.Seconds(d.RetryAfter)))
}
