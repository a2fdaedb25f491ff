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
	// MinScore keeps clients whose lead score is at least this (a client
	// not yet scored has none).
	MinScore *int
	// Sort is "newest" (the default) or "score": hottest leads first,
	// clients not yet scored last.
	Sort   string
	Cursor string
	Limit  int
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
	if f.MinScore != nil {
		add("c.lead_score >= @min_score", "min_score", *f.MinScore)
	}
	order := ` ORDER BY c.created_at DESC, c.id DESC`
	if f.Sort == "score" {
		order = ` ORDER BY c.lead_score DESC NULLS LAST, c.id DESC`
	} else if f.Sort != "" && f.Sort != "newest" {
		return ClientPage{}, realty.FieldError("sort", "must be newest or score")
	}
	if f.Cursor != "" {
		cond, err := listCursor(f, args)
		if err != nil {
			return ClientPage{}, err
		}
		where = append(where, cond)
	}
	items, err := postgres.ReadAll[Client](ctx, s.pool, actor, `SELECT `+clientColumns+` FROM crm.clients c
		WHERE `+strings.Join(where, " AND ")+order+` LIMIT @limit`, pgx.NamedArgs(args))
	if err != nil {
		return ClientPage{}, err
	}
	p := ClientPage{Items: items}
	if len(items) > limit {
		p.Items = items[:limit]
		last := p.Items[limit-1]
		p.NextCursor = postgres.EncodeCursor(last.CreatedAt, last.ID)
		if f.Sort == "score" {
			p.NextCursor = postgres.EncodeCursor(scoreKey(last.LeadScore), last.ID)
		}
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

// listCursor is the keyset condition continuing after f.Cursor in f's
// order, its values put in args. Invalid naming cursor for a cursor this
// list did not return.
func listCursor(f Filter, args map[string]any) (string, error) {
	var id realty.ID
	if f.Sort == "score" {
		var score int
		if err := postgres.DecodeCursor(f.Cursor, &score, &id); err != nil {
			return "", err
		}
		args["c_score"], args["c_id"] = score, id
		if score < 0 { // among the clients not yet scored
			return "(c.lead_score IS NULL AND c.id < @c_id)", nil
		}
		return "(c.lead_score < @c_score OR (c.lead_score = @c_score AND c.id < @c_id) OR c.lead_score IS NULL)", nil
	}
	var at time.Time
	if err := postgres.DecodeCursor(f.Cursor, &at, &id); err != nil {
		return "", err
	}
	args["c_at"], args["c_id"] = at, id
	return "(c.created_at, c.id) < (@c_at, @c_id)", nil
}

// scoreKey is a score in a cursor: -1 for none.
func scoreKey(score *int) int {
	if score == nil {
		return -1
	}
	return *score
}
