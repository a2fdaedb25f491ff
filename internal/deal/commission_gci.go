package deal

import (
	"context"

	"github.com/jackc/pgx/v5"
	"github.com/shopspring/decimal"

	"realty"
	"realty/internal/org"
)

// AgentGCI is one agent's gross commission income in a year to date: their
// part of the gross of the commissions closed (before their plan's split),
// what they earned of it, what the brokerage kept, and where they stand
// against their cap today.
type AgentGCI struct {
	MemberID      realty.ID        `db:"member_id" json:"member_id"`
	Name          string           `db:"-" json:"name"`
	Deals         int              `db:"deals" json:"deals" doc:"commissions closed with a split to the agent"`
	GCI           decimal.Decimal  `db:"gci" json:"gci"`
	AgentNet      decimal.Decimal  `db:"agent_net" json:"agent_net"`
	CompanyDollar decimal.Decimal  `db:"company_dollar" json:"company_dollar"`
	Cap           *decimal.Decimal `db:"-" json:"cap,omitempty" doc:"the agent's annual cap, if their plan has one"`
	CapUsed       *decimal.Decimal `db:"-" json:"cap_used,omitempty" doc:"what the brokerage kept from the agent in the current cap year"`
}

// GCI is every agent's gross commission income from January 1 of year up
// to today (the whole year for a past one), highest first: every agent's
// for holders of deal.manage, else the actor's own. Errors: Forbidden
// without deal.read; Invalid naming year outside 2000–2999.
func (s *Service) GCI(ctx context.Context, actor realty.Actor, year int) ([]AgentGCI, error) {
	if err := actor.Require("deal.read"); err != nil {
		return nil, err
	}
	if year < 2000 || year > 2999 {
		return nil, realty.FieldError("year", "must be a year from 2000 to 2999")
	}
	today := realty.DateOf(s.now().UTC())
	to := realty.Date{Year: year, Month: 12, Day: 31}
	if today.Year == year {
		to = today
	}
	var out []AgentGCI
	err := s.tx(ctx, actor, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `SELECT s.member_id, count(DISTINCT c.id)::int AS deals, sum(s.side_share) AS gci,
				sum(s.amount) AS agent_net, sum(s.company_dollar) AS company_dollar
			FROM deal.commission_splits s JOIN deal.commissions c ON c.organization_id = s.organization_id AND c.id = s.commission_id
			WHERE s.organization_id = $1 AND s.payee = 'agent' AND c.closed_on BETWEEN $2 AND $3 AND ($4 OR s.member_id = $5)
			GROUP BY s.member_id ORDER BY gci DESC, s.member_id`,
			actor.OrgID, realty.Date{Year: year, Month: 1, Day: 1}, to, seesAll(actor), actor.MemberID)
		if err != nil {
			return err
		}
		if out, err = pgx.CollectRows(rows, pgx.RowToStructByName[AgentGCI]); err != nil {
			return err
		}
		return gciDetailsTx(ctx, tx, actor, out, today)
	})
	return out, err
}

// gciDetailsTx fills the agents' names and their standing against their
// caps today.
func gciDetailsTx(ctx context.Context, tx pgx.Tx, actor realty.Actor, rows []AgentGCI, today realty.Date) error {
	ids := make([]realty.ID, len(rows))
	for i, r := range rows {
		ids[i] = r.MemberID
	}
	names, err := org.MemberNamesTx(ctx, tx, actor, ids)
	if err != nil {
		return err
	}
	q, err := tx.Query(ctx, `SELECT `+planColumns+` FROM deal.agent_plans WHERE organization_id = $1 AND member_id = ANY($2)`, actor.OrgID, ids)
	if err != nil {
		return err
	}
	plans, err := pgx.CollectRows(q, pgx.RowToStructByName[AgentPlan])
	if err != nil {
		return err
	}
	byMember := map[realty.ID]AgentPlan{}
	for _, p := range plans {
		byMember[p.MemberID] = p
	}
	for i := range rows {
		rows[i].Name = names[rows[i].MemberID]
		p, ok := byMember[rows[i].MemberID]
		if !ok || p.AnnualCap == nil {
			continue
		}
		used, err := commissionCapUsedTx(ctx, tx, actor, p, today)
		if err != nil {
			return err
		}
		rows[i].Cap, rows[i].CapUsed = p.AnnualCap, &used
	}
	return nil
}
