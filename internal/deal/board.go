package deal

import (
	"context"

	"github.com/jackc/pgx/v5"

	"realty"
	"realty/internal/postgres"
)

// BoardColumn is one stage of the pipeline board: how many deals the actor sees
// there and the latest moved of them.
type BoardColumn struct {
	Stage string `json:"stage"`
	Count int    `json:"count"`
	Deals []Deal `json:"deals"`
}

// Board returns the pipeline: a column per stage in pipeline order, each
// with its count and its perStage (1 to 100, default 50) latest moved
// deals the actor sees (their own; every deal with deal.manage), in one
// round trip. Errors: Forbidden without deal.read.
func (s *Service) Board(ctx context.Context, actor realty.Actor, perStage int) ([]BoardColumn, error) {
	if err := actor.Require("deal.read"); err != nil {
		return nil, err
	}
	args := pgx.NamedArgs{"org": actor.OrgID, "all": seesAll(actor), "me": actor.MemberID, "stages": Stages,
		"limit": flowPageSize(perStage)}
	cols := make([]BoardColumn, len(Stages))
	at := map[string]*BoardColumn{}
	for i, st := range Stages {
		cols[i] = BoardColumn{Stage: st, Deals: []Deal{}}
		at[st] = &cols[i]
	}
	err := postgres.ReadBatch(ctx, s.pool, actor, func(b *pgx.Batch) {
		b.Queue(`SELECT stage, count(*)::int FROM deal.deals WHERE organization_id = @org AND (@all OR agent_id = @me)
			GROUP BY stage`, args)
		b.Queue(`SELECT d.* FROM unnest(@stages::text[]) AS s(stage) CROSS JOIN LATERAL (SELECT `+dealColumns+`
			FROM deal.deals WHERE organization_id = @org AND stage = s.stage AND (@all OR agent_id = @me)
			ORDER BY stage_changed_at DESC, id DESC LIMIT @limit) d`, args)
	}, func(br pgx.BatchResults) error {
		rows, err := br.Query()
		if err != nil {
			return err
		}
		var stage string
		var n int
		if _, err := pgx.ForEachRow(rows, []any{&stage, &n}, func() error {
			at[stage].Count = n
			return nil
		}); err != nil {
			return err
		}
		if rows, err = br.Query(); err != nil {
			return err
		}
		deals, err := pgx.CollectRows(rows, pgx.RowToStructByName[Deal])
		for _, d := range deals {
			at[d.Stage].Deals = append(at[d.Stage].Deals, d)
		}
		return err
	})
	return cols, err
}

// Closing lists the deals the actor sees that close within [from, to]: the
// open ones expected to close then and the ones that closed then, by
// closing date. The broker's view shows the current month. Errors:
// Forbidden without deal.read; Invalid naming "to" when to is before from.
func (s *Service) Closing(ctx context.Context, actor realty.Actor, from, to realty.Date) ([]Deal, error) {
	if err := actor.Require("deal.read"); err != nil {
		return nil, err
	}
	if to.Before(from) {
		return nil, realty.FieldError("to", "must not be before from")
	}
	out, err := postgres.ReadAll[Deal](ctx, s.pool, actor, `SELECT `+dealColumns+` FROM deal.deals
		WHERE organization_id = @org AND (@all OR agent_id = @me) AND (
		  (stage NOT IN ('closed', 'fell_through', 'withdrawn') AND expected_close BETWEEN @from AND @to)
		  OR (stage = 'closed' AND actual_close BETWEEN @from AND @to))
		ORDER BY coalesce(actual_close, expected_close), id`,
		pgx.NamedArgs{"org": actor.OrgID, "all": seesAll(actor), "me": actor.MemberID, "from": from, "to": to})
	if out == nil {
		out = []Deal{}
	}
	return out, err
}
