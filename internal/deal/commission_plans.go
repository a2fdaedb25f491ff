package deal

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/shopspring/decimal"

	"realty"
	"realty/internal/org"
	"realty/internal/postgres"
)

func init() {
	postgres.RegisterConstraints(map[string]postgres.Constraint{
		"deal.agent_plans_agent_split_check": {Kind: realty.Invalid, Field: "agent_split", Message: "must be a percentage from 0 to 100"},
		"deal.agent_plans_annual_cap_check":  {Kind: realty.Invalid, Field: "annual_cap", Message: "must be between 0 and 999,999,999,999.99"},
		"deal.agent_plans_member_key":        {Kind: realty.Conflict, Field: "member_id", Message: "the member already has a plan"},
		"deal.agent_plans_member_fkey":       {Kind: realty.NotFound, Message: "member not found"},
	})
}

// DefaultAgentSplit is the agent's percentage of their side share when they
// have no plan (and no cap).
var DefaultAgentSplit = decimal.NewFromInt(70)

// AgentPlan is an agent's commission plan: their percentage of their side
// of every commission, and the annual cap on what the brokerage keeps from
// them, after which they keep 100 % until the cap year starts again.
type AgentPlan struct {
	ID           realty.ID        `db:"id" json:"id"`
	MemberID     realty.ID        `db:"member_id" json:"member_id"`
	AgentSplit   decimal.Decimal  `db:"agent_split" json:"agent_split" doc:"the agent's percentage, e.g. \"70\""`
	AnnualCap    *decimal.Decimal `db:"annual_cap" json:"annual_cap,omitempty" doc:"the most the brokerage keeps from the agent in a cap year; absent: no cap"`
	CapYearStart realty.Date      `db:"cap_year_start" json:"cap_year_start" doc:"the cap year starts on this month and day every year"`
	CreatedAt    time.Time        `db:"created_at" json:"created_at"`
	UpdatedAt    time.Time        `db:"updated_at" json:"updated_at"`
}

const planColumns = `id, member_id, agent_split, annual_cap, cap_year_start, created_at, updated_at`

// AgentPlanInput sets a plan; CapYearStart defaults to January 1.
type AgentPlanInput struct {
	AgentSplit   decimal.Decimal  `json:"agent_split"`
	AnnualCap    *decimal.Decimal `json:"annual_cap,omitempty"`
	CapYearStart *realty.Date     `json:"cap_year_start,omitempty" doc:"default January 1"`
}

// AgentPlans lists the agents' plans: every plan for holders of
// deal.manage, else the actor's own. Forbidden without deal.read.
func (s *Service) AgentPlans(ctx context.Context, actor realty.Actor) ([]AgentPlan, error) {
	if err := actor.Require("deal.read"); err != nil {
		return nil, err
	}
	return postgres.ReadAll[AgentPlan](ctx, s.pool, actor, `SELECT `+planColumns+` FROM deal.agent_plans
		WHERE organization_id = $1 AND ($2 OR member_id = $3) ORDER BY member_id`, actor.OrgID, seesAll(actor), actor.MemberID)
}

// SetAgentPlan sets (or replaces) a member's plan; closings already posted
// keep their splits. Errors: Forbidden without deal.manage; NotFound for a
// member not of the organization; Invalid naming the field.
func (s *Service) SetAgentPlan(ctx context.Context, actor realty.Actor, memberID realty.ID, in AgentPlanInput) (AgentPlan, error) {
	if err := actor.Require("deal.manage"); err != nil {
		return AgentPlan{}, err
	}
	if in.CapYearStart == nil {
		in.CapYearStart = &realty.Date{Year: s.now().UTC().Year(), Month: 1, Day: 1}
	}
	if in.AnnualCap != nil && !in.AnnualCap.Equal(in.AnnualCap.Round(2)) {
		return AgentPlan{}, realty.FieldError("annual_cap", "must be in whole cents")
	}
	var out AgentPlan
	err := s.tx(ctx, actor, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `INSERT INTO deal.agent_plans (organization_id, id, member_id, agent_split, annual_cap, cap_year_start)
			VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (organization_id, member_id)
			DO UPDATE SET agent_split = $4, annual_cap = $5, cap_year_start = $6 RETURNING `+planColumns,
			actor.OrgID, realty.NewID(), memberID, in.AgentSplit, in.AnnualCap, in.CapYearStart)
		if err != nil {
			return err
		}
		out, err = pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[AgentPlan])
		return err
	})
	return out, err
}

// commissionSides is who shares deal d's commission: the listing side (a
// seller-side deal), the buyer side (a buyer-side deal) or both (a dual
// deal, by the commission's listing_side_pct); each side's agents are the
// members participating as listing_agent or buyer_agent, else the deal's
// agent. Each agent comes with their plan and the room left under its cap
// in the cap year of day asOf.
func commissionSidesTx(ctx context.Context, tx pgx.Tx, actor realty.Actor, d Deal, c Commission, asOf realty.Date, lock bool) ([]commissionSide, error) {
	byRole, err := commissionAgentIDsTx(ctx, tx, actor, d.ID)
	if err != nil {
		return nil, err
	}
	pick := func(role string) []realty.ID {
		if ids := byRole[role]; len(ids) > 0 {
			return ids
		}
		if d.AgentID != nil {
			return []realty.ID{*d.AgentID}
		}
		return nil
	}
	var sides []commissionSide
	switch d.Side {
	case "seller":
		sides = []commissionSide{{Side: "listing", Pct: hundred}}
	case "buyer":
		sides = []commissionSide{{Side: "buyer", Pct: hundred}}
	default:
		sides = []commissionSide{{Side: "listing", Pct: c.ListingSidePct}, {Side: "buyer", Pct: hundred.Sub(c.ListingSidePct)}}
	}
	var all []realty.ID
	for _, sd := range sides {
		all = append(all, pick(sd.Side+"_agent")...)
	}
	agents, err := commissionAgentsTx(ctx, tx, actor, all, asOf, lock)
	if err != nil {
		return nil, err
	}
	for i := range sides {
		for _, id := range pick(sides[i].Side + "_agent") {
			sides[i].Agents = append(sides[i].Agents, agents[id])
		}
	}
	return sides, nil
}

// commissionAgentIDsTx is the members participating in a deal as
// listing_agent or buyer_agent, by role.
func commissionAgentIDsTx(ctx context.Context, tx pgx.Tx, actor realty.Actor, dealID realty.ID) (map[string][]realty.ID, error) {
	rows, err := tx.Query(ctx, `SELECT role, member_id FROM deal.deal_participants WHERE organization_id = $1 AND deal_id = $2
		AND role IN ('listing_agent', 'buyer_agent') AND member_id IS NOT NULL ORDER BY role, member_id`, actor.OrgID, dealID)
	if err != nil {
		return nil, err
	}
	out := map[string][]realty.ID{}
	var role string
	var id realty.ID
	_, err = pgx.ForEachRow(rows, []any{&role, &id}, func() error {
		out[role] = append(out[role], id)
		return nil
	})
	return out, err
}

// commissionAgentsTx is each member's name, split and room left under the
// cap in the cap year of asOf (the brokerage's share from them on
// commissions closed in that year so far, this one's excluded as it is not
// closed yet).
func commissionAgentsTx(ctx context.Context, tx pgx.Tx, actor realty.Actor, ids []realty.ID, asOf realty.Date, lock bool) (map[realty.ID]commissionAgent, error) {
	names, err := org.MemberNamesTx(ctx, tx, actor, ids)
	if err != nil {
		return nil, err
	}
	q := `SELECT ` + planColumns + ` FROM deal.agent_plans WHERE organization_id = $1 AND member_id = ANY($2) ORDER BY member_id`
	if lock {
		q += ` FOR UPDATE`
	}
	rows, err := tx.Query(ctx, q, actor.OrgID, ids)
	if err != nil {
		return nil, err
	}
	plans, err := pgx.CollectRows(rows, pgx.RowToStructByName[AgentPlan])
	if err != nil {
		return nil, err
	}
	out := map[realty.ID]commissionAgent{}
	for _, id := range ids {
		out[id] = commissionAgent{MemberID: id, Name: names[id], Split: DefaultAgentSplit}
		if out[id].Name == "" {
			a := out[id]
			a.Name = "Agent " + id.String()[:8]
			out[id] = a
		}
	}
	for _, p := range plans {
		a := out[p.MemberID]
		a.Split = p.AgentSplit
		if p.AnnualCap != nil {
			used, err := commissionCapUsedTx(ctx, tx, actor, p, asOf)
			if err != nil {
				return nil, err
			}
			room := p.AnnualCap.Sub(used)
			a.CapRoom = &room
		}
		out[p.MemberID] = a
	}
	return out, nil
}

// commissionCapYear is the first day of plan p's cap year holding day.
func commissionCapYear(p AgentPlan, day realty.Date) realty.Date {
	start := time.Date(day.Year, time.Month(p.CapYearStart.Month), p.CapYearStart.Day, 0, 0, 0, 0, time.UTC)
	if start.After(day.Time()) {
		start = start.AddDate(-1, 0, 0)
	}
	return realty.DateOf(start)
}

// commissionCapUsedTx is what the brokerage kept from the plan's agent on
// commissions closed in the cap year of day, up to day.
func commissionCapUsedTx(ctx context.Context, tx pgx.Tx, actor realty.Actor, p AgentPlan, day realty.Date) (decimal.Decimal, error) {
	var used decimal.Decimal
	err := tx.QueryRow(ctx, `SELECT coalesce(sum(s.company_dollar), 0) FROM deal.commission_splits s
		JOIN deal.commissions c ON c.organization_id = s.organization_id AND c.id = s.commission_id
		WHERE s.organization_id = $1 AND s.member_id = $2 AND c.closed_on BETWEEN $3 AND $4`,
		actor.OrgID, p.MemberID, commissionCapYear(p, day), day).Scan(&used)
	return used, err
}
