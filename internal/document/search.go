package document

import (
	"context"
	"strconv"
	"strings"

	"realty"
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

// List returns the organization's documents the actor may see that match
// f: ranked by ts_rank when f.Query is set, newest first otherwise. Errors:
// Forbidden without document.read; Invalid naming limit or entity_type.
func (s *Service) List(ctx context.Context, actor realty.Actor, f Filter) ([]Hit, error) {
	if err := actor.Require("document.read"); err != nil {
		return nil, err
	}
	switch {
	case f.Limit == 0:
		f.Limit = DefaultLimit
	case f.Limit < 0 || f.Limit > MaxLimit:
		return nil, realty.FieldError("limit", "must be 1 to 100")
	}
	args := []any{actor.OrgID, scopeArg(actor), f.Limit}
	where := []string{"d.organization_id = $1", "d.deleted_at IS NULL", "($2::uuid[] IS NULL OR d.property_id = ANY($2))"}
	add := func(cond string, v any) {
		args = append(args, v)
		where = append(where, strings.ReplaceAll(cond, "?", "$"+strconv.Itoa(len(args))))
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
	rank, order := "0::real", "d.created_at DESC, d.id DESC"
	if q := strings.TrimSpace(f.Query); q != "" {
		add("v.search_document @@ websearch_to_tsquery('english', ?)", q)
		rank = "ts_rank(v.search_document, websearch_to_tsquery('english', $" + strconv.Itoa(len(args)) + "))"
		order = "rank DESC, d.id DESC"
	}
	sql := strings.Replace(documentSelect, "d.updated_at", "d.updated_at, "+rank+" AS rank", 1) +
		" WHERE " + strings.Join(where, " AND ") + " ORDER BY " + order + " LIMIT $3"
	return readAll[Hit](ctx, s, actor, sql, args...)
}
