package api

import (
	"context"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"realty"
	"realty/internal/audit"
)

// AuditInput filters the audit trail.
type AuditInput struct {
	Table    string    `query:"table" doc:"row changes only: schema.table, e.g. org.members"`
	Kind     string    `query:"kind" doc:"security events only: the event kind, e.g. login.failed"`
	RecordID string    `query:"record_id" doc:"row changes only: the changed row's id"`
	UserID   string    `query:"user_id"`
	From     time.Time `query:"from" doc:"inclusive, RFC 3339"`
	To       time.Time `query:"to" doc:"exclusive, RFC 3339"`
	Cursor   string    `query:"cursor" doc:"next_cursor of the previous page"`
	Limit    int       `query:"limit" minimum:"1" maximum:"100" default:"50" doc:"page size, at most MaxPageSize (100)"`
}

func (in AuditInput) filter() (audit.Filter, error) {
	f := audit.Filter{Table: in.Table, Kind: in.Kind, Cursor: in.Cursor, Limit: in.Limit}
	for field, raw := range map[string]string{"record_id": in.RecordID, "user_id": in.UserID} {
		if raw == "" {
			continue
		}
		id, err := realty.ParseID(raw)
		if err != nil {
			return f, realty.FieldError(field, "is not a valid id")
		}
		if field == "record_id" {
			f.RecordID = &id
		} else {
			f.UserID = &id
		}
	}
	if !in.From.IsZero() {
		f.From = &in.From
	}
	if !in.To.IsZero() {
		f.To = &in.To
	}
	return f, nil
}

// ChangesOutput is a page of row changes.
type ChangesOutput struct{ Body audit.Page[audit.Change] }

// EventsOutput is a page of security events.
type EventsOutput struct{ Body audit.Page[audit.Event] }

func routeAudit(a huma.API, d Deps) {
	tags := []string{"Audit"}
	read := Access{Permission: "audit.read"}
	Register(a, huma.Operation{OperationID: "list-audit-changes", Method: http.MethodGet, Path: Prefix + "/audit/changes", Tags: tags,
		Summary: "Row changes, newest first"}, read, func(ctx context.Context, in *AuditInput) (*ChangesOutput, error) {
		f, err := in.filter()
		if err != nil {
			return nil, err
		}
		p, err := d.Audit.Changes(ctx, actor(ctx), f)
		return &ChangesOutput{Body: p}, err
	})
	Register(a, huma.Operation{OperationID: "list-security-events", Method: http.MethodGet, Path: Prefix + "/audit/security-events", Tags: tags,
		Summary: "Sign-ins, failures, lockouts, MFA changes and key use, newest first"}, read,
		func(ctx context.Context, in *AuditInput) (*EventsOutput, error) {
			f, err := in.filter()
			if err != nil {
				return nil, err
			}
			p, err := d.Audit.Events(ctx, actor(ctx), f)
			return &EventsOutput{Body: p}, err
		})
}
