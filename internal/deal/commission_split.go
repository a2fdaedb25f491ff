package deal

import (
	"fmt"
	"time"

	"github.com/shopspring/decimal"

	"realty"
)

// Split is one payee's part of a commission. The splits of a commission
// add up to its gross exactly.
type Split struct {
	ID            realty.ID       `db:"id" json:"id" doc:"the split, to pay it once the commission is posted"`
	LineNo        int             `db:"line_no" json:"line_no"`
	Payee         string          `db:"payee" json:"payee" enum:"brokerage,agent,referral"`
	MemberID      *realty.ID      `db:"member_id" json:"member_id,omitempty" doc:"the agent, for an agent's split"`
	PayeeName     string          `db:"payee_name" json:"payee_name"`
	Side          *string         `db:"side" json:"side,omitempty" enum:"listing,buyer"`
	SideShare     decimal.Decimal `db:"side_share" json:"side_share" doc:"an agent's part of the gross before their plan's split (their GCI)"`
	Amount        decimal.Decimal `db:"amount" json:"amount"`
	CompanyDollar decimal.Decimal `db:"company_dollar" json:"company_dollar" doc:"what the brokerage keeps of the agent's side share (counts toward the agent's cap)"`
	Basis         string          `db:"basis" json:"basis" doc:"how the amount was reached, in words"`
	PaidOn        *realty.Date    `db:"paid_on" json:"paid_on,omitempty" doc:"the day the payee was paid (agents' and referral splits, after closing)"`
	PaidReference *string         `db:"paid_reference" json:"paid_reference,omitempty" doc:"the payment's reference, e.g. a check number"`
	PaidAt        *time.Time      `db:"paid_at" json:"paid_at,omitempty"`
}

// commissionAgent is one agent on a side of a commission, with their plan.
type commissionAgent struct {
	MemberID realty.ID
	Name     string
	// Split is the agent's percentage of their side share.
	Split decimal.Decimal
	// CapRoom is what the brokerage may still keep from the agent this cap
	// year; nil when the plan has no cap.
	CapRoom *decimal.Decimal
}

// commissionSide is the listing or buyer side of a commission: its
// percentage of the net (after the referral fee) and its agents.
type commissionSide struct {
	Side   string
	Pct    decimal.Decimal
	Agents []commissionAgent
}

// splitInput is what dividing a commission takes.
type splitInput struct {
	Gross          decimal.Decimal
	ReferralRate   *decimal.Decimal
	ReferralAmount *decimal.Decimal
	ReferralName   string
	Sides          []commissionSide
	BrokerageName  string
}

var hundred = decimal.NewFromInt(100)

// commissionCents rounds a payee's share down to the cent: what rounding
// leaves over goes to the brokerage.
func commissionCents(d decimal.Decimal) decimal.Decimal { return d.RoundFloor(2) }

// commissionPct is d × pct %, rounded down to the cent.
func commissionPct(d, pct decimal.Decimal) decimal.Decimal {
	return commissionCents(d.Mul(pct).Div(hundred))
}

// commissionSplits divides a commission: the referral fee off the top
// (capped at the gross), the rest between the sides by their percentages,
// each side's share equally between its agents, each agent's share by
// their plan (the brokerage's part limited by what is left of the agent's
// annual cap, after which the agent keeps 100 %), and the brokerage the
// remainder, so the splits add up to the gross exactly. Every payee's
// share but the brokerage's is rounded down to the cent. The brokerage's
// line comes first, then the agents', then the referral's.
func commissionSplits(in splitInput) []Split {
	gross := in.Gross
	var referral decimal.Decimal
	switch {
	case in.ReferralAmount != nil:
		referral = decimal.Min(*in.ReferralAmount, gross)
	case in.ReferralRate != nil:
		referral = commissionPct(gross, *in.ReferralRate)
	}
	net := gross.Sub(referral)
	room := map[realty.ID]*decimal.Decimal{}
	var agents []Split
	paid := referral
	for _, side := range in.Sides {
		if len(side.Agents) == 0 {
			continue
		}
		sideAmt := commissionPct(net, side.Pct)
		each := commissionCents(sideAmt.Div(decimal.NewFromInt(int64(len(side.Agents)))))
		for _, a := range side.Agents {
			if _, seen := room[a.MemberID]; !seen {
				room[a.MemberID] = a.CapRoom
			}
			s := agentSplit(a, side.Side, each, room[a.MemberID])
			paid = paid.Add(s.Amount)
			agents = append(agents, s)
		}
	}
	out := []Split{{Payee: "brokerage", PayeeName: in.BrokerageName, Amount: gross.Sub(paid),
		Basis: "the brokerage's share and what rounding leaves"}}
	out = append(out, agents...)
	if referral.IsPositive() || in.ReferralName != "" {
		out = append(out, Split{Payee: "referral", PayeeName: in.ReferralName, Amount: referral, Basis: referralBasis(in)})
	}
	for i := range out {
		out[i].LineNo = i + 1
	}
	return out
}

// agentSplit is one agent's split of share under their plan; room (nil:
// no cap) is what the brokerage may still keep, lowered by what it keeps.
func agentSplit(a commissionAgent, side string, share decimal.Decimal, room *decimal.Decimal) Split {
	agentAmt := commissionPct(share, a.Split)
	company := share.Sub(agentAmt)
	basis := fmt.Sprintf("%s%% of the %s side share %s", a.Split.String(), side, share.StringFixed(2))
	if room != nil {
		left := decimal.Max(*room, decimal.Zero)
		if company.GreaterThan(left) {
			company = left
			agentAmt = share.Sub(company)
			basis = fmt.Sprintf("the %s side share %s less the %s left of the brokerage's cap", side, share.StringFixed(2), left.StringFixed(2))
			if left.IsZero() {
				basis = fmt.Sprintf("100%% of the %s side share %s: cap reached", side, share.StringFixed(2))
			}
		}
		*room = room.Sub(company)
	}
	id, s := a.MemberID, side
	return Split{Payee: "agent", MemberID: &id, PayeeName: a.Name, Side: &s, SideShare: share, Amount: agentAmt,
		CompanyDollar: company, Basis: basis}
}

func referralBasis(in splitInput) string {
	switch {
	case in.ReferralAmount != nil:
		return "referral fee of " + in.ReferralAmount.StringFixed(2)
	case in.ReferralRate != nil:
		return "referral fee of " + in.ReferralRate.String() + "% of the gross"
	}
	return "referral fee"
}
