package document

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"realty"
)

// Share is a link that lets someone without an account open one document.
type Share struct {
	ID           realty.ID  `db:"id" json:"id"`
	DocumentID   realty.ID  `db:"document_id" json:"document_id"`
	Label        *string    `db:"label" json:"label,omitempty" doc:"who the link is for"`
	ExpiresAt    time.Time  `db:"expires_at" json:"expires_at"`
	MaxDownloads *int       `db:"max_downloads" json:"max_downloads,omitempty"`
	Downloads    int        `db:"downloads" json:"downloads"`
	HasPassword  bool       `db:"has_password" json:"has_password"`
	RevokedAt    *time.Time `db:"revoked_at" json:"revoked_at,omitempty"`
	CreatedBy    *realty.ID `db:"created_by" json:"created_by,omitempty"`
	CreatedAt    time.Time  `db:"created_at" json:"created_at"`
}

const shareColumns = `id, document_id, label, expires_at, max_downloads, downloads, password_hash IS NOT NULL AS has_password,
	revoked_at, created_by, created_at`

// ShareInput makes a share link. ExpiresInDays defaults to 7, at most
// MaxShareDays; an empty Password makes a link without one.
type ShareInput struct {
	Label         string `json:"label,omitempty" maxLength:"200"`
	ExpiresInDays int    `json:"expires_in_days,omitempty" minimum:"0" maximum:"90"`
	MaxDownloads  *int   `json:"max_downloads,omitempty" minimum:"1" maximum:"100000"`
	Password      string `json:"password,omitempty" maxLength:"200"`
}

// MaxShareDays is the longest a share link lives.
const MaxShareDays = 90

// MinSharePassword is the shortest share-link password.
const MinSharePassword = 8

// CreateShare makes a share link for a document and returns it with its
// token, shown only now: "dsh_<organization hex>_<secret>"; only the
// secret's SHA-256 is stored. A staff-only document cannot be shared.
// Errors: Forbidden without document.share; NotFound as Get; Invalid
// naming expires_in_days, max_downloads, password, label or visibility.
func (s *Service) CreateShare(ctx context.Context, actor realty.Actor, id realty.ID, in ShareInput) (Share, string, error) {
	if err := actor.Require("document.share"); err != nil {
		return Share{}, "", err
	}
	if in.ExpiresInDays == 0 {
		in.ExpiresInDays = 7
	}
	if in.ExpiresInDays < 1 || in.ExpiresInDays > MaxShareDays {
		return Share{}, "", realty.FieldError("expires_in_days", "must be 1 to 90")
	}
	var hash, label *string
	if in.Password != "" {
		if len([]rune(in.Password)) < MinSharePassword || len(in.Password) > 200 {
			return Share{}, "", realty.FieldError("password", "must be 8 to 200 characters")
		}
		h := s.secrets.HashSecret(in.Password)
		hash = &h
	}
	if l := strings.TrimSpace(in.Label); l != "" {
		label = &l
	}
	token, tokenHash := shareToken(actor.OrgID)
	var out Share
	err := s.tx(ctx, actor, func(tx pgx.Tx) error {
		d, err := getTx(ctx, tx, actor, id)
		if err != nil {
			return err
		}
		if d.Visibility == "staff" {
			return realty.FieldError("visibility", "the document is for staff only; make it visible to participants or the public before sharing it by link")
		}
		rows, err := tx.Query(ctx, `INSERT INTO document.document_shares (organization_id, id, document_id, token_hash, label,
			expires_at, max_downloads, password_hash, created_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING `+shareColumns,
			actor.OrgID, realty.NewID(), id, tokenHash, label, s.now().Add(time.Duration(in.ExpiresInDays)*24*time.Hour),
			in.MaxDownloads, hash, memberOrNil(actor))
		if err != nil {
			return err
		}
		out, err = pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Share])
		return err
	})
	if err != nil {
		return Share{}, "", err
	}
	return out, token, nil
}

// shareToken returns "dsh_<organization hex>_<secret>" and the hash stored.
// The organization is in the clear so opening the link can scope itself
// before anyone is known; only the secret grants anything.
func shareToken(orgID realty.ID) (string, []byte) {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	secret := base64.RawURLEncoding.EncodeToString(b)
	sum := sha256.Sum256([]byte(secret))
	return "dsh_" + hex.EncodeToString(orgID[:]) + "_" + secret, sum[:]
}

// parseShareToken returns the organization and secret hash of a token.
func parseShareToken(token string) (realty.ID, []byte, bool) {
	rest, ok := strings.CutPrefix(strings.TrimSpace(token), "dsh_")
	orgHex, secret, found := strings.Cut(rest, "_")
	var org realty.ID
	if n, err := hex.Decode(org[:], []byte(orgHex)); !ok || !found || err != nil || n != 16 || len(orgHex) != 32 || secret == "" {
		return realty.ID{}, nil, false
	}
	sum := sha256.Sum256([]byte(secret))
	return org, sum[:], true
}

// Shares lists a document's share links, newest first. Errors:
// Forbidden without document.share; NotFound as Get.
func (s *Service) Shares(ctx context.Context, actor realty.Actor, id realty.ID) ([]Share, error) {
	if err := actor.Require("document.share"); err != nil {
		return nil, err
	}
	if _, err := s.Get(ctx, actor, id); err != nil {
		return nil, err
	}
	return readAll[Share](ctx, s, actor, `SELECT `+shareColumns+` FROM document.document_shares
		WHERE organization_id = $1 AND document_id = $2 ORDER BY created_at DESC, id DESC`, actor.OrgID, id)
}

// RevokeShare ends a share link at once (revoking twice keeps the first
// time). Errors: Forbidden without document.share; NotFound for a link of
// a document the actor cannot see.
func (s *Service) RevokeShare(ctx context.Context, actor realty.Actor, shareID realty.ID) (Share, error) {
	if err := actor.Require("document.share"); err != nil {
		return Share{}, err
	}
	var out Share
	err := s.tx(ctx, actor, func(tx pgx.Tx) error {
		var docID realty.ID
		err := tx.QueryRow(ctx, `SELECT document_id FROM document.document_shares WHERE organization_id = $1 AND id = $2`,
			actor.OrgID, shareID).Scan(&docID)
		if errors.Is(err, pgx.ErrNoRows) {
			return &realty.Error{Kind: realty.NotFound, Message: "share link not found"}
		} else if err != nil {
			return err
		}
		if _, err := getTx(ctx, tx, actor, docID); err != nil {
			return &realty.Error{Kind: realty.NotFound, Message: "share link not found"}
		}
		rows, err := tx.Query(ctx, `UPDATE document.document_shares SET revoked_at = coalesce(revoked_at, $3)
			WHERE organization_id = $1 AND id = $2 RETURNING `+shareColumns, actor.OrgID, shareID, s.now())
		if err != nil {
			return err
		}
		out, err = pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Share])
		return err
	})
	return out, err
}
