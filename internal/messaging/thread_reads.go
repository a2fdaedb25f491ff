package messaging

import (
	"context"

	"github.com/jackc/pgx/v5"

	"realty"
	"realty/internal/postgres"
)

// threadSelect reads threads with the unread count of member $2: the
// others' messages after $2's read marker.
const threadSelect = `SELECT t.id, t.subject, t.tenant_id, t.vendor_id, t.created_by, t.last_message_at, t.created_at,
	(SELECT count(*)::int FROM messaging.thread_messages m WHERE m.organization_id = $1 AND m.thread_id = t.id
		AND m.sender_id <> $2 AND m.created_at > coalesce(r.read_at, '-infinity')) AS unread
	FROM messaging.threads t
	LEFT JOIN messaging.thread_reads r ON r.organization_id = $1 AND r.thread_id = t.id AND r.member_id = $2
	WHERE t.organization_id = $1`

// threadTx returns a thread as actor sees it (only tenant's when tenant is
// not nil), NotFound otherwise.
func threadTx(ctx context.Context, tx pgx.Tx, actor realty.Actor, id realty.ID, tenant *realty.ID) (Thread, error) {
	rows, err := tx.Query(ctx, threadSelect+` AND t.id = $3 AND ($4::uuid IS NULL OR t.tenant_id = $4)`,
		actor.OrgID, actor.MemberID, id, tenant)
	if err != nil {
		return Thread{}, err
	}
	t, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Thread])
	if err == pgx.ErrNoRows {
		return Thread{}, errThreadNotFound
	}
	return t, err
}

// threadView returns a thread with its messages, oldest first.
func (s *Service) threadView(ctx context.Context, tx pgx.Tx, actor realty.Actor, id realty.ID, tenant *realty.ID) (ThreadView, error) {
	t, err := threadTx(ctx, tx, actor, id, tenant)
	if err != nil {
		return ThreadView{}, err
	}
	rows, err := tx.Query(ctx, `SELECT id, thread_id, sender_id, from_staff, body, created_at FROM messaging.thread_messages
		WHERE organization_id = $1 AND thread_id = $2 ORDER BY created_at, id`, actor.OrgID, id)
	if err != nil {
		return ThreadView{}, err
	}
	msgs, err := pgx.CollectRows(rows, pgx.RowToStructByName[Message])
	return ThreadView{Thread: t, Messages: msgs}, err
}

// ThreadFilter selects a page of threads, most recently active first.
type ThreadFilter struct {
	TenantID *realty.ID
	Cursor   string
	Limit    int
}

// Threads lists the threads actor may see, most recently active first,
// each with the caller's unread count: every thread of the organization
// for staff (message.read), their own tenancy's for a resident. Invalid
// naming cursor for a cursor this list did not make; Forbidden as side.
func (s *Service) Threads(ctx context.Context, actor realty.Actor, f ThreadFilter) (Page[Thread], error) {
	tenant, err := side(actor, "message.read", false)
	if err != nil {
		return Page[Thread]{}, err
	}
	if tenant == nil {
		tenant = f.TenantID
	}
	at, after, err := decodeCursor(f.Cursor)
	if err != nil {
		return Page[Thread]{}, err
	}
	limit := min(max(f.Limit, 1), 100)
	items, err := postgres.ReadAll[Thread](ctx, s.pool, actor, threadSelect+` AND ($3::uuid IS NULL OR t.tenant_id = $3)
		AND ($4::timestamptz IS NULL OR (t.last_message_at, t.id) < ($4, $5))
		ORDER BY t.last_message_at DESC, t.id DESC LIMIT $6`, actor.OrgID, actor.MemberID, tenant, at, after, limit+1)
	if err != nil {
		return Page[Thread]{}, err
	}
	return page(items, limit, func(t Thread) string { return encodeCursor(t.LastMessageAt, t.ID) }), nil
}

// Thread returns one thread with its messages (reading it marks nothing:
// MarkThreadRead does). NotFound for a thread the actor cannot see (a
// resident: another tenancy's); Forbidden as side.
func (s *Service) Thread(ctx context.Context, actor realty.Actor, id realty.ID) (ThreadView, error) {
	tenant, err := side(actor, "message.read", false)
	if err != nil {
		return ThreadView{}, err
	}
	var out ThreadView
	err = postgres.Tx(ctx, s.pool, actor, func(tx pgx.Tx) error {
		out, err = s.threadView(ctx, tx, actor, id, tenant)
		return err
	})
	return out, err
}

// MarkThreadRead marks everything in a thread read for the acting member.
// Errors as Thread, and Forbidden for an actor acting for no member.
func (s *Service) MarkThreadRead(ctx context.Context, actor realty.Actor, id realty.ID) error {
	tenant, err := side(actor, "message.read", true)
	if err != nil {
		return err
	}
	return postgres.Tx(ctx, s.pool, actor, func(tx pgx.Tx) error {
		t, err := threadTx(ctx, tx, actor, id, tenant)
		if err != nil {
			return err
		}
		return markRead(ctx, tx, actor, t)
	})
}

// UnreadThreads counts the threads with a message the acting member has
// not read. Errors as Threads.
func (s *Service) UnreadThreads(ctx context.Context, actor realty.Actor) (int, error) {
	tenant, err := side(actor, "message.read", false)
	if err != nil {
		return 0, err
	}
	var n int
	err = postgres.Read(ctx, s.pool, actor, func(rows pgx.Rows) error {
		n, err = pgx.CollectExactlyOneRow(rows, pgx.RowTo[int])
		return err
	}, `SELECT count(*)::int FROM (`+threadSelect+` AND ($3::uuid IS NULL OR t.tenant_id = $3)) x WHERE unread > 0`,
		actor.OrgID, actor.MemberID, tenant)
	return n, err
}
