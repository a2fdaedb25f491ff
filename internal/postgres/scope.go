package postgres

import (
	"context"
	"strings"

	"github.com/jackc/pgx/v5"

	"realty"
)

// A transaction is scoped to an organization, a user and a request with
// three SET LOCAL statements:
//
//	SET LOCAL app.org_id = '<uuid>'
//	SET LOCAL app.user_id = '<uuid>'
//	SET LOCAL app.request_id = '<id>'
//
// SET LOCAL, not set_config(…, true): Citus propagates SET LOCAL commands to
// the workers (with citus.propagate_set_commands = 'local', which the
// migrator gives the runtime role), but not settings made by set_config, so
// on a distributed table the shards would see no organization at all. SET
// takes no bind parameters, so the values are literals, and every one is
// validated before it is written into SQL: ids are realty.ID, whose String
// is always the canonical 36-character form (hex digits and hyphens), and a
// request id is used only when it is 1 to 64 characters of [A-Za-z0-9._-]
// (anything else is recorded as none). Nothing else ever reaches these
// statements. A missing value is set to '' so that app.current_org_id() and
// app.current_user_id() return NULL and the transaction sees no
// organization-owned rows (fail closed).
//
// The values make every statement's text distinct, so the statements are
// never prepared: Tx sends them with BEGIN as one simple-protocol message,
// Read and ReadBatch as unnamed statements in their pipeline. pgx's statement
// cache, keyed by SQL text, would otherwise prepare (in an extra round trip)
// and keep one entry per organization, user and request.

// maxRequestID is the longest request id recorded; the server accepts
// X-Request-ID headers up to this length.
const maxRequestID = 64

// ValidRequestID reports whether id may be written into a scoping statement:
// 1 to 64 characters, each a letter, digit, '.', '_' or '-'.
func ValidRequestID(id string) bool {
	if len(id) == 0 || len(id) > maxRequestID {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '.' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

// idLiteral is id's canonical form, or "" for the zero id.
func idLiteral(id realty.ID) string {
	if id.IsZero() {
		return ""
	}
	return id.String()
}

// quote returns s as a SQL string literal. s has been validated by its
// caller; a quote, a backslash or a NUL in it is a bug and panics rather
// than reaching the server.
func quote(s string) string {
	if strings.ContainsAny(s, "'\\\x00") {
		panic("postgres: unvalidated value in a scoping statement")
	}
	return "'" + s + "'"
}

// scopeStatements returns the three SET LOCAL statements scoping a
// transaction to actor and ctx's request id, and for a resident actor a
// fourth, fencing it to their tenancy: app.tenant_id, read by
// app.current_tenant_id() in the resident policies. A resident linked to no
// tenant is fenced to the nil uuid, which no row carries (fail closed).
func scopeStatements(ctx context.Context, actor realty.Actor) []string {
	req := realty.RequestID(ctx)
	if !ValidRequestID(req) {
		req = ""
	}
	s := []string{
		"SET LOCAL app.org_id = " + quote(idLiteral(actor.OrgID)),
		"SET LOCAL app.user_id = " + quote(idLiteral(actor.UserID)),
		"SET LOCAL app.request_id = " + quote(req),
	}
	if actor.Resident {
		s = append(s, "SET LOCAL app.tenant_id = "+quote(actor.TenantID.String()))
	}
	return s
}

// ScopeSQL is the scoping as one multi-statement string (for the simple
// protocol, e.g. after BEGIN in a transaction's begin query). Exported for
// measurements that replay realty's SQL without it.
func ScopeSQL(ctx context.Context, actor realty.Actor) string {
	return strings.Join(scopeStatements(ctx, actor), "; ")
}

// SetUser makes user the acting user of the rest of tx (for the audit trail
// and the policies that read app.user_id), e.g. once an account has been
// created inside the transaction. The statement has no arguments, so pgx
// sends it with the simple protocol and prepares nothing.
func SetUser(ctx context.Context, tx pgx.Tx, user realty.ID) error {
	_, err := tx.Exec(ctx, "SET LOCAL app.user_id = "+quote(idLiteral(user)))
	return err
}

// SetOrg makes org the organization of the rest of tx, e.g. for a
// transaction begun before its organization was known (a sign-in) that
// records an event of that organization: audit.record_security_event
// refuses an organization other than the transaction's.
func SetOrg(ctx context.Context, tx pgx.Tx, org realty.ID) error {
	_, err := tx.Exec(ctx, "SET LOCAL app.org_id = "+quote(idLiteral(org)))
	return err
}
