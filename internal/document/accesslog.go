package document

import (
	"context"
	"net/netip"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"realty"
)

// Access is one line of a document's access log: who (a member, or a
// share link) did what, from where and when.
type Access struct {
	ID         realty.ID   `db:"id" json:"id"`
	DocumentID realty.ID   `db:"document_id" json:"document_id"`
	VersionID  *realty.ID  `db:"version_id" json:"version_id,omitempty"`
	Version    *int        `db:"version" json:"version,omitempty"`
	MemberID   *realty.ID  `db:"member_id" json:"member_id,omitempty"`
	ShareID    *realty.ID  `db:"share_id" json:"share_id,omitempty"`
	ShareLabel *string     `db:"share_label" json:"share_label,omitempty"`
	Action     string      `db:"action" json:"action" enum:"view,download,refused"`
	Reason     *string     `db:"reason" json:"reason,omitempty" doc:"why a share link was refused"`
	IP         *netip.Addr `db:"ip" json:"ip,omitempty"`
	UserAgent  *string     `db:"user_agent" json:"user_agent,omitempty"`
	At         time.Time   `db:"at" json:"at"`
}

// entry is a line to log.
type entry struct {
	DocumentID realty.ID
	VersionID  *realty.ID
	MemberID   *realty.ID
	ShareID    *realty.ID
	Action     string
	Reason     string
}

// logTx appends one line to the access log of an organization's document.
func logTx(ctx context.Context, tx pgx.Tx, orgID realty.ID, e entry, c Client) error {
	var reason, agent *string
	if e.Reason != "" {
		reason = &e.Reason
	}
	if ua := strings.ToValidUTF8(strings.TrimSpace(c.UserAgent), ""); ua != "" {
		if len(ua) > 500 {
			ua = strings.ToValidUTF8(ua[:500], "")
		}
		agent = &ua
	}
	_, err := tx.Exec(ctx, `INSERT INTO document.document_access_log (organization_id, id, document_id, version_id, member_id,
		share_id, action, reason, ip, user_agent) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
		orgID, realty.NewID(), e.DocumentID, e.VersionID, e.MemberID, e.ShareID, e.Action, reason, ipArg(c.IP), agent)
	return err
}

// AccessLog returns a document's access log, newest first, at most 500
// lines. Errors: Forbidden without document.share; NotFound as Get.
func (s *Service) AccessLog(ctx context.Context, actor realty.Actor, id realty.ID) ([]Access, error) {
	if err := actor.Require("document.share"); err != nil {
		return nil, err
	}
	if _, err := s.Get(ctx, actor, id); err != nil {
		return nil, err
	}
	return readAll[Access](ctx, s, actor, `SELECT l.id, l.document_id, l.version_id, v.version, l.member_id, l.share_id, sh.label AS share_label, l.action, l.reason, l.ip, l.user_agent, l.at
		FROM document.document_access_log l
		LEFT JOIN document.document_versions v ON v.organization_id = l.organization_id AND v.id = l.version_id
		LEFT JOIN document.document_shares sh ON sh.organization_id = l.organization_id AND sh.id = l.share_id
		WHERE l.organization_id = $1 AND l.document_id = $2 ORDER BY l.at DESC, l.id DESC LIMIT 500`, actor.OrgID, id)
}
