package deal

import (
	"context"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"

	"realty"
	"realty/internal/postgres"
)

// Filter narrows the deal list; zero fields do not filter.
type Filter struct {
	Stage   string
	AgentID *realty.ID
	Cursor  string
	// Limit is the page size, 1 to 100 (default 50).
	Limit int
}

// DealPage is a page of deals, the latest moved first.
type DealPage struct {
	Items      []Deal `json:"items"`
	NextCursor string `json:"next_cursor,omitempty"`
}

// List lists the deals the actor may see (their own; every deal with
// deal.manage), the latest moved first, a page at a time. Errors:
// Forbidden without deal.read; Invalid naming stage or cursor.
func (s *Service) List(ctx context.Context, actor realty.Actor, f Filter) (DealPage, error) {
	if err := actor.Require("deal.read"); err != nil {
		return DealPage{}, err
	}
	if f.Stage != "" && !slices.Contains(Stages, f.Stage) {
		return DealPage{}, realty.FieldError("stage", "must be one of "+stageList)
	}
	f.Limit = flowPageSize(f.Limit)
	after, afterID := time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC), realty.ID{}
	if f.Cursor != "" {
		if err := postgres.DecodeCursor(f.Cursor, &after, &afterID); err != nil {
			return DealPage{}, err
		}
	}
	items, err := postgres.ReadAll[Deal](ctx, s.pool, actor, `SELECT `+dealColumns+` FROM deal.deals
		WHERE organization_id = @org AND (@all OR agent_id = @me) AND (@stage = '' OR stage = @stage)
		  AND (@agent::uuid IS NULL OR agent_id = @agent) AND (stage_changed_at, id) < (@after, @after_id)
		ORDER BY stage_changed_at DESC, id DESC LIMIT @limit`,
		pgx.NamedArgs{"org": actor.OrgID, "all": seesAll(actor), "me": actor.MemberID, "stage": f.Stage, "agent": f.AgentID,
			"after": after, "after_id": afterID, "limit": f.Limit + 1})
	if err != nil {
		return DealPage{}, err
	}
	page := DealPage{Items: items}
	if page.Items == nil {
		page.Items = []Deal{}
	}
	if len(items) > f.Limit {
		page.Items = items[:f.Limit]
		last := page.Items[f.Limit-1]
		page.NextCursor = postgres.EncodeCursor(last.StageChangedAt, last.ID)
	}
	return page, nil
}

// flowPageSize is a list's page size: 50 unless asked, at most 100.
func flowPageSize(n int) int {
	switch {
	case n <= 0:
		return 50
	case n > 100:
		return 100
	}
	return n
}

// DealStageChange is one row of a deal's stage history.
type DealStageChange struct {
	ID        realty.ID  `db:"id" json:"id"`
	FromStage *string    `db:"from_stage" json:"from_stage,omitempty" doc:"absent for the stage a deal opened at"`
	ToStage   string     `db:"to_stage" json:"to_stage"`
	Reason    *string    `db:"reason" json:"reason,omitempty"`
	ChangedBy *realty.ID `db:"changed_by" json:"changed_by,omitempty" doc:"the member who moved the deal"`
	ChangedAt time.Time  `db:"changed_at" json:"changed_at"`
}

// History returns a deal's stage changes, oldest first. Errors: Forbidden
// without deal.read; NotFound for a deal the actor may not see.
func (s *Service) History(ctx context.Context, actor realty.Actor, id realty.ID) ([]DealStageChange, error) {
	if err := actor.Require("deal.read"); err != nil {
		return nil, err
	}
	var out []DealStageChange
	err := s.tx(ctx, actor, func(tx pgx.Tx) error {
		if _, err := GetTx(ctx, tx, actor, id, false); err != nil {
			return err
		}
		rows, err := tx.Query(ctx, `SELECT id, from_stage, to_stage, reason, changed_by, changed_at FROM deal.deal_stage_history
			WHERE organization_id = $1 AND deal_id = $2 ORDER BY changed_at, id`, actor.OrgID, id)
		if err != nil {
			return err
		}
		out, err = pgx.CollectRows(rows, pgx.RowToStructByName[DealStageChange])
		return err
	})
	return out, err
}
