package audit

import (
	"context"
	"encoding/json"
	"fmt"
	"net/netip"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"realty"
	"realty/internal/postgres"
)

// Service reads the audit trail.
type Service struct {
	pool *postgres.Pool
}

// New returns the audit service.
func New(pool *postgres.Pool) *Service { return &Service{pool: pool} }

// Change is one row change of an organization-owned table.
type Change struct {
	ID        realty.ID       `db:"id" json:"id"`
	Table     string          `db:"table_name" json:"table"`
	RecordID  *realty.ID      `db:"record_id" json:"record_id,omitempty"`
	Action    string          `db:"action" json:"action" enum:"INSERT,UPDATE,DELETE"`
	OldData   json.RawMessage `db:"old_data" json:"old_data,omitempty"`
	NewData   json.RawMessage `db:"new_data" json:"new_data,omitempty" doc:"the inserted row, or an update's changed columns"`
	UserID    *realty.ID      `db:"user_id" json:"user_id,omitempty"`
	RequestID *string         `db:"request_id" json:"request_id,omitempty"`
	ChangedAt time.Time       `db:"changed_at" json:"changed_at"`
}

// Event is one security event.
type Event struct {
	ID         realty.ID       `db:"id" json:"id"`
	Kind       string          `db:"kind" json:"kind"`
	UserID     *realty.ID      `db:"user_id" json:"user_id,omitempty"`
	IP         *netip.Addr     `db:"ip" json:"ip,omitempty"`
	UserAgent  *string         `db:"user_agent" json:"user_agent,omitempty"`
	Details    json.RawMessage `db:"details" json:"details"`
	OccurredAt time.Time       `db:"occurred_at" json:"occurred_at"`
}

// Filter selects audit rows: every set field must match. Cursor continues a
// previous page (newest first).
type Filter struct {
	Table    string
	Kind     string
	RecordID *realty.ID
	UserID   *realty.ID
	From, To *time.Time
	Cursor   string
	Limit    int
}

// Page is one page of results and the cursor of the next ("" at the end).
type Page[T any] struct {
	Items      []T    `json:"items"`
	NextCursor string `json:"next_cursor,omitempty"`
}

func encodeCursor(at time.Time, id realty.ID) string {
	return postgres.EncodeCursor(at.UnixMicro(), id)
}

// where builds the shared filter clauses; timeColumn is the row's instant.
func (f Filter) where(orgID realty.ID, timeColumn string) ([]string, pgx.NamedArgs, error) {
	where := []string{"organization_id = @org"}
	args := pgx.NamedArgs{"org": orgID}
	var micros int64
	var cursorID realty.ID
	if f.Cursor != "" {
		if err := postgres.DecodeCursor(f.Cursor, &micros, &cursorID); err != nil {
			return nil, nil, err
		}
	}
	add := func(clause, name string, v any) {
		where = append(where, clause)
		args[name] = v
	}
	if f.Table != "" {
		add("table_name = @table", "table", f.Table)
	}
	if f.Kind != "" {
		add("kind = @kind", "kind", f.Kind)
	}
	if f.RecordID != nil {
		add("record_id = @record", "record", *f.RecordID)
	}
	if f.UserID != nil {
		add("user_id = @user", "user", *f.UserID)
	}
	if f.From != nil {
		add(timeColumn+" >= @from", "from", *f.From)
	}
	if f.To != nil {
		add(timeColumn+" < @to", "to", *f.To)
	}
	if f.Cursor != "" {
		where = append(where, fmt.Sprintf("(%s, id) < (@cursor_at, @cursor_id)", timeColumn))
		args["cursor_at"], args["cursor_id"] = time.UnixMicro(micros), cursorID
	}
	return where, args, nil
}

func (f Filter) limit() int {
	if f.Limit <= 0 || f.Limit > 200 {
		return 50
	}
	return f.Limit
}

// Changes returns the organization's row changes, newest first. Forbidden
// without audit.read; Invalid naming cursor for a cursor not from this API,
// or kind (a filter of security events).
func (s *Service) Changes(ctx context.Context, actor realty.Actor, f Filter) (Page[Change], error) {
	if err := actor.Require("audit.read"); err != nil {
		return Page[Change]{}, err
	}
	if f.Kind != "" {
		return Page[Change]{}, realty.FieldError("kind", "filters security events, not row changes")
	}
	where, args, err := f.where(actor.OrgID, "changed_at")
	if err != nil {
		return Page[Change]{}, err
	}
	args["limit"] = f.limit() + 1
	items, err := postgres.ReadAll[Change](ctx, s.pool, actor, `SELECT id, table_name, record_id, action, old_data, new_data,
		user_id, request_id, changed_at FROM audit.changes WHERE `+strings.Join(where, " AND ")+`
		ORDER BY changed_at DESC, id DESC LIMIT @limit`, args)
	if err != nil {
		return Page[Change]{}, err
	}
	return page(items, f.limit(), func(c Change) string { return encodeCursor(c.ChangedAt, c.ID) }), nil
}

// Events returns the organization's security events, newest first. Errors
// as Changes, and Invalid naming table or record_id (filters of row changes).
func (s *Service) Events(ctx context.Context, actor realty.Actor, f Filter) (Page[Event], error) {
	if err := actor.Require("audit.read"); err != nil {
		return Page[Event]{}, err
	}
	if f.Table != "" {
		return Page[Event]{}, realty.FieldError("table", "filters row changes, not security events")
	}
	if f.RecordID != nil {
		return Page[Event]{}, realty.FieldError("record_id", "filters row changes, not security events")
	}
	where, args, err := f.where(actor.OrgID, "occurred_at")
	if err != nil {
		return Page[Event]{}, err
	}
	args["limit"] = f.limit() + 1
	items, err := postgres.ReadAll[Event](ctx, s.pool, actor, `SELECT id, kind, user_id, ip, user_agent, details, occurred_at
		FROM audit.security_events WHERE `+strings.Join(where, " AND ")+`
		ORDER BY occurred_at DESC, id DESC LIMIT @limit`, args)
	if err != nil {
		return Page[Event]{}, err
	}
	return page(items, f.limit(), func(e Event) string { return encodeCursor(e.OccurredAt, e.ID) }), nil
}

// page trims the extra row fetched to learn whether another page follows.
func page[T any](items []T, limit int, cursorOf func(T) string) Page[T] {
	p := Page[T]{Items: items}
	if p.Items == nil {
		p.Items = []T{}
	}
	if len(items) > limit {
		p.Items = items[:limit]
		p.NextCursor = cursorOf(items[limit-1])
	}
	return p
}
