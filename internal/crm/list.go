package crm

import (
	"context"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"realty"
	"realty/internal/postgres"
)

// Filter selects clients; every field narrows the list. Q matches part of
// the name, e-mail address or phone number.
type Filter struct {
	Stage         string
	NurtureStatus string
	Source        string
	AgentID       *realty.ID
	Tag           string
	Q             string
	Cursor        string
	Limit         int
}

// ClientPage is a page of clients, newest first.
type ClientPage struct {
	Items      []Client `json:"items"`
	NextCursor string   `json:"next_cursor,omitempty"`
}

// List returns the clients the actor may see, newest first, a page at a
// time. Forbidden without client.read; Invalid naming cursor for a cursor
// this list did not return.
func (s *Service) List(ctx context.Context, actor realty.Actor, f Filter) (ClientPage, error) {
	if err := actor.Require("client.read"); err != nil {
		return ClientPage{}, err
	}
	limit := pageSize(f.Limit)
	args := scopeArgs(actor)
	args["limit"] = limit + 1
	where := []string{clientScope}
	add := func(cond, name string, v any) { where, args[name] = append(where, cond), v }
	if f.Stage != "" {
		add("c.stage = @stage", "stage", f.Stage)
	}
	if f.NurtureStatus != "" {
		add("c.nurture_status = @nurture", "nurture", f.NurtureStatus)
	}
	if f.Source != "" {
		add("c.source = @source", "source", f.Source)
	}
	if f.AgentID != nil {
		add("c.assigned_agent_id = @agent", "agent", *f.AgentID)
	}
	if f.Tag != "" {
		add("c.tags @> ARRAY[@tag::text]", "tag", f.Tag)
	}
	if q := searchTerm(f.Q); q != "" {
		add("c.search_text LIKE '%' || @q || '%'", "q", escapeLike(q))
	}
	if f.Cursor != "" {
		var at time.Time
		var id realty.ID
		if err := postgres.DecodeCursor(f.Cursor, &at, &id); err != nil {
			return ClientPage{}, err
		}
		add("(c.created_at, c.id) < (@c_at, @c_id)", "c_at", at)
		args["c_id"] = id
	}
	items, err := postgres.ReadAll[Client](ctx, s.pool, actor, `SELECT `+clientColumns+` FROM crm.clients c
		WHERE `+strings.Join(where, " AND ")+` ORDER BY c.created_at DESC, c.id DESC LIMIT @limit`, pgx.NamedArgs(args))
	if err != nil {
		return ClientPage{}, err
	}
	p := ClientPage{Items: items}
	if len(items) > limit {
		p.Items = items[:limit]
		last := p.Items[limit-1]
		p.NextCursor = postgres.EncodeCursor(last.CreatedAt, last.ID)
	}
	if p.Items == nil {
		p.Items = []Client{}
	}
	return p, nil
}

// MaxPage is the largest page a list returns; a Limit of zero asks for
// DefaultPage.
const (
	MaxPage     = 100
	DefaultPage = 50
)

func pageSize(n int) int {
	if n <= 0 || n > MaxPage {
		return DefaultPage
	}
	return n
}

// searchTerm is what Q looks for in the name, e-mail and phone text: the
// digits alone when Q is written like a phone number ("(415) 555-26"), so
// any notation finds the E.164 form.
func searchTerm(q string) string {
	q = strings.ToLower(strings.TrimSpace(q))
	digits := strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, q)
	if len(digits) >= 3 && strings.Trim(q, "0123456789+-.() ") == "" {
		return digits
	}
	return q
}

func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}
