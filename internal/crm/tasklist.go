package crm

import (
	"context"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"realty"
	"realty/internal/postgres"
)

// TaskViews are the "my tasks" views, each a window on unfinished tasks by
// due time in the organization's time zone.
var TaskViews = []string{"overdue", "today", "upcoming"}

// TaskFilter selects tasks. Mine keeps the actor's own (owned) tasks. View
// keeps unfinished tasks: overdue (due before now), today (due today in the
// organization's time zone) or upcoming (due after today); a view lists by
// due time, soonest first, any other list newest first.
type TaskFilter struct {
	Mine     bool
	OwnerID  *realty.ID
	ClientID *realty.ID
	Status   string
	View     string
	Cursor   string
	Limit    int
}

// TaskPage is a page of tasks.
type TaskPage struct {
	Items      []Task `json:"items"`
	NextCursor string `json:"next_cursor,omitempty"`
}

// Tasks returns the tasks the actor may see, a page at a time. Forbidden
// without client.read; Invalid naming view or cursor.
func (s *Service) Tasks(ctx context.Context, actor realty.Actor, f TaskFilter) (TaskPage, error) {
	if err := actor.Require("client.read"); err != nil {
		return TaskPage{}, err
	}
	limit := pageSize(f.Limit)
	args := pgx.NamedArgs{"org": actor.OrgID, "all": seesAll(actor), "me": me(actor), "limit": limit + 1}
	where := []string{taskScope}
	add := func(cond, name string, v any) { where, args[name] = append(where, cond), v }
	if f.Mine {
		add("t.owner_id = @mine", "mine", me(actor))
	}
	if f.OwnerID != nil {
		add("t.owner_id = @owner", "owner", *f.OwnerID)
	}
	if f.ClientID != nil {
		add("t.client_id = @client", "client", *f.ClientID)
	}
	if f.Status != "" {
		add("t.status = @status", "status", f.Status)
	}
	byDue := f.View != ""
	if byDue {
		from, to, err := s.window(ctx, actor, f.View)
		if err != nil {
			return TaskPage{}, err
		}
		where = append(where, "t.status IN ('open', 'in_progress')", "t.due_at >= @from", "t.due_at < @to")
		args["from"], args["to"] = from, to
	}
	order := "t.created_at DESC, t.id DESC"
	if f.Cursor != "" {
		var at time.Time
		var id realty.ID
		if err := postgres.DecodeCursor(f.Cursor, &at, &id); err != nil {
			return TaskPage{}, err
		}
		cond := "(t.created_at, t.id) < (@c_at, @c_id)"
		if byDue {
			cond = "(t.due_at, t.id) > (@c_at, @c_id)"
		}
		add(cond, "c_at", at)
		args["c_id"] = id
	}
	if byDue {
		order = "t.due_at, t.id"
	}
	items, err := postgres.ReadAll[Task](ctx, s.pool, actor, `SELECT `+taskColumns+` FROM crm.tasks t
		WHERE `+strings.Join(where, " AND ")+` ORDER BY `+order+` LIMIT @limit`, args)
	if err != nil {
		return TaskPage{}, err
	}
	p := TaskPage{Items: items}
	if len(items) > limit {
		p.Items = items[:limit]
		last := p.Items[limit-1]
		at := last.CreatedAt
		if byDue {
			at = *last.DueAt
		}
		p.NextCursor = postgres.EncodeCursor(at, last.ID)
	}
	if p.Items == nil {
		p.Items = []Task{}
	}
	return p, nil
}

// window is the due-time range of a view: overdue is before now, today is
// from now's midnight to the next in the organization's time zone (what is
// overdue today shows in both), upcoming from the next midnight on.
func (s *Service) window(ctx context.Context, actor realty.Actor, view string) (time.Time, time.Time, error) {
	now := s.now().In(s.location(ctx, actor))
	midnight := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, now.Location())
	tomorrow := midnight.AddDate(0, 0, 1)
	far := time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC)
	switch view {
	case "overdue":
		return time.Time{}.AddDate(1, 0, 0), now, nil
	case "today":
		return midnight, tomorrow, nil
	case "upcoming":
		return tomorrow, far, nil
	}
	return time.Time{}, time.Time{}, realty.FieldError("view", "must be overdue, today or upcoming")
}
