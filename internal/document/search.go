package document

import (
	"context"
	"strconv"
	"strings"
	"time"

	"realty"
	"realty/internal/postgres"
)

// Filter selects documents: of one entity, one category, and matching a
// full-text query (ranked), newest first otherwise.
type Filter struct {
	EntityType string
	EntityID   *realty.ID
	Category   string
	// Query is full-text search over titles, file names and the extracted
	// text of current versions (web-search syntax: words, "phrases", -not).
	Query string
	// Limit is at most MaxLimit; 0 means DefaultLimit.
	Limit int
	// Cursor is the NextCursor of the page before.
	Cursor string
}

// HitPage is a page of documents with the cursor of the next, if any.
type HitPage struct {
	Items      []Hit  `json:"items"`
	NextCursor string `json:"next_cursor,omitempty"`
}

// Hit is a document found by a list or search, with its rank (0 without a
// query).
type Hit struct {
	Document
	Rank float32 `db:"rank" json:"rank"`
}

// DefaultLimit and MaxLimit bound one list.
const (
	DefaultLimit = 50
	MaxLimit     = 100
)

// List returns a page of the organization's documents the actor may see
// that match f: ranked by ts_rank when f.Query is set, newest first
// otherwise. Errors: Forbidden without document.read; Invalid naming limit
// or cursor.
func (s *Service) List(ctx context.Context, actor realty.Actor, f Filter) (HitPage, error) {
	if err := actor.Require("document.read"); err != nil {
		return HitPage{}, err
	}
	switch {
	case f.Limit == 0:
		f.Limit = DefaultLimit
	case f.Limit < 0 || f.Limit > MaxLimit:
		return HitPage{}, realty.FieldError("limit", "must be 1 to 100")
	}
	args := []any{actor.OrgID, scopeArg(actor), f.Limit + 1}
	where := []string{"d.organization_id = $1", "d.deleted_at IS NULL", "($2::uuid[] IS NULL OR d.property_id = ANY($2))"}
	bind := func(v any) string {
		args = append(args, v)
		return "$" + strconv.Itoa(len(args))
	}
	add := func(cond string, v any) string {
		n := bind(v)
		where = append(where, strings.ReplaceAll(cond, "?", n))
		return n
	}
	if f.EntityType != "" {
		add("d.entity_type = ?", f.EntityType)
	}
	if f.EntityID != nil {
		add("d.entity_id = ?", *f.EntityID)
	}
	if f.Category != "" {
		add("d.category = ?", f.Category)
	}
	rank, order, key := "0::real", "d.created_at DESC, d.id DESC", "d.created_at"
	if q := strings.TrimSpace(f.Query); q != "" {
		n := add("v.search_document @@ websearch_to_tsquery('english', ?)", q)
		rank = "ts_rank(v.search_document, websearch_to_tsquery('english', " + n + "))"
		order, key = "rank DESC, d.id DESC", rank
	}
	if f.Cursor != "" {
		cond, err := keyset(f, key, bind)
		if err != nil {
			return HitPage{}, err
		}
		where = append(where, cond)
	}
	sql := strings.Replace(documentSelect, "d.updated_at", "d.updated_at, "+rank+" AS rank", 1) +
		" WHERE " + strings.Join(where, " AND ") + " ORDER BY " + order + " LIMIT $3"
	hits, err := readAll[Hit](ctx, s, actor, sql, args...)
	if err != nil {
		return HitPage{}, err
	}
	page := HitPage{Items: hits}
	if page.Items == nil {
		page.Items = []Hit{}
	}
	if len(hits) > f.Limit {
		page.Items = hits[:f.Limit]
		last := page.Items[f.Limit-1]
		if strings.TrimSpace(f.Query) != "" {
			page.NextCursor = postgres.EncodeCursor(last.Rank, last.ID)
		} else {
			page.NextCursor = postgres.EncodeCursor(last.CreatedAt, last.ID)
		}
	}
	return page, nil
}

// keyset is the condition "after the cursor's row" in the list's order:
// by rank when searching, else by creation time.
func keyset(f Filter, key string, bind func(any) string) (string, error) {
	var afterID realty.ID
	if strings.TrimSpace(f.Query) != "" {
		var rank float32
		if err := postgres.DecodeCursor(f.Cursor, &rank, &afterID); err != nil {
			return "", err
		}
		return "(" + key + ", d.id) < (" + bind(rank) + "::real, " + bind(afterID) + ")", nil
	}
	var after time.Time
	if err := postgres.DecodeCursor(f.Cursor, &after, &afterID); err != nil {
		return "", err
	}
	return "(" + key + ", d.id) < (" + bind(after) + "::timestamptz, " + bind(afterID) + ")", nil
}
