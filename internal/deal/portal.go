package deal

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"realty"
	"realty/internal/postgres"
)

// FollowedDeal is what a participant sees of a deal they take part in:
// its stage and dates, read-only, without its price, notes or reasons.
type FollowedDeal struct {
	ID            realty.ID    `db:"id" json:"id"`
	Title         string       `db:"title" json:"title"`
	Kind          string       `db:"kind" json:"kind"`
	Stage         string       `db:"stage" json:"stage"`
	Role          string       `db:"role" json:"role" doc:"the participant's role"`
	ContractDate  *realty.Date `db:"contract_date" json:"contract_date,omitempty"`
	ExpectedClose *realty.Date `db:"expected_close" json:"expected_close,omitempty"`
	ActualClose   *realty.Date `db:"actual_close" json:"actual_close,omitempty"`
	// Stages are the stages the deal reached, oldest first.
	Stages []StageReached `db:"-" json:"stages"`
}

// StageReached is one stage a followed deal reached, and when.
type StageReached struct {
	Stage string    `json:"stage"`
	At    time.Time `json:"at"`
}

// Following lists the deals the actor takes part in as a member
// participant (a client with a sign-in added to their deal, a co-agent),
// the latest moved first, each with the stages it reached. Taking part is
// the permission: it needs none of the deal permissions, and shows no
// price, notes or reasons. An actor who is no member follows nothing.
func (s *Service) Following(ctx context.Context, actor realty.Actor) ([]FollowedDeal, error) {
	out := []FollowedDeal{}
	if actor.MemberID.IsZero() {
		return out, nil
	}
	err := postgres.ReadBatch(ctx, s.pool, actor, func(b *pgx.Batch) {
		b.Queue(`SELECT DISTINCT ON (d.stage_changed_at, d.id) d.id, d.title, d.kind, d.stage, p.role, d.contract_date,
			d.expected_close, d.actual_close
			FROM deal.deal_participants p JOIN deal.deals d ON d.organization_id = p.organization_id AND d.id = p.deal_id
			WHERE p.organization_id = $1 AND p.member_id = $2 ORDER BY d.stage_changed_at DESC, d.id, p.role`, actor.OrgID, actor.MemberID)
		b.Queue(`SELECT h.deal_id, h.to_stage, h.changed_at FROM deal.deal_stage_history h
			JOIN deal.deal_participants p ON p.organization_id = h.organization_id AND p.deal_id = h.deal_id
			WHERE h.organization_id = $1 AND p.member_id = $2 ORDER BY h.changed_at, h.id`, actor.OrgID, actor.MemberID)
	}, func(br pgx.BatchResults) error {
		rows, err := br.Query()
		if err != nil {
			return err
		}
		if out, err = pgx.CollectRows(rows, pgx.RowToStructByName[FollowedDeal]); err != nil {
			return err
		}
		if rows, err = br.Query(); err != nil {
			return err
		}
		var id realty.ID
		var st StageReached
		_, err = pgx.ForEachRow(rows, []any{&id, &st.Stage, &st.At}, func() error {
			for i := range out {
				if out[i].ID == id && (len(out[i].Stages) == 0 || out[i].Stages[len(out[i].Stages)-1] != st) {
					out[i].Stages = append(out[i].Stages, st)
				}
			}
			return nil
		})
		return err
	})
	if out == nil {
		out = []FollowedDeal{}
	}
	return out, err
}

// TakesPart is nil when the actor takes part in the deal as a member
// participant (what lets a client read the documents shared with the
// deal's participants). It needs no deal permission. Errors: NotFound
// when the actor does not take part in it, or it is not the
// organization's.
func (s *Service) TakesPart(ctx context.Context, actor realty.Actor, dealID realty.ID) error {
	var ok bool
	err := postgres.Read(ctx, s.pool, actor, func(rows pgx.Rows) error {
		for rows.Next() {
			if err := rows.Scan(&ok); err != nil {
				return err
			}
		}
		return rows.Err()
	}, `SELECT EXISTS (SELECT FROM deal.deal_participants WHERE organization_id = $1 AND deal_id = $2 AND member_id = $3)`,
		actor.OrgID, dealID, actor.MemberID)
	if err == nil && !ok {
		err = &realty.Error{Kind: realty.NotFound, Message: "deal not found"}
	}
	return err
}
