package api

import (
	"context"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"
	"github.com/jackc/pgx/v5"
	"github.com/shopspring/decimal"

	"realty"
	"realty/internal/deal"
)

// EscrowDepositBody records an earnest money deposit due.
type EscrowDepositBody struct {
	Holder     string          `json:"holder" enum:"brokerage,title,escrow,attorney,other" doc:"only the brokerage's own trust account is in its books"`
	HolderName *string         `json:"holder_name,omitempty" maxLength:"200"`
	Amount     decimal.Decimal `json:"amount" maxLength:"20" numeric:"14,2" doc:"positive, in whole cents"`
	DueDate    *realty.Date    `json:"due_date,omitempty"`
}

// ReceiveEscrowInput receives a due deposit.
type ReceiveEscrowInput struct {
	IdempotentID
	Body struct {
		ReceivedOn *realty.Date `json:"received_on,omitempty" doc:"default today in the organization's time zone"`
	}
}

// CommissionBody sets a deal's commission.
type CommissionBody struct {
	GrossRate      *decimal.Decimal `json:"gross_rate,omitempty" maxLength:"20" numeric:"7,4" doc:"percentage of the close price, e.g. \"3\"; or gross_amount"`
	GrossAmount    *decimal.Decimal `json:"gross_amount,omitempty" maxLength:"20" numeric:"14,2"`
	ListingSidePct *decimal.Decimal `json:"listing_side_pct,omitempty" maxLength:"20" numeric:"5,2" doc:"the listing side's percentage of a dual deal's commission (default 50)"`
	ReferralRate   *decimal.Decimal `json:"referral_rate,omitempty" maxLength:"20" numeric:"7,4" doc:"percentage of the gross; or referral_amount"`
	ReferralAmount *decimal.Decimal `json:"referral_amount,omitempty" maxLength:"20" numeric:"14,2"`
	ReferralName   *string          `json:"referral_name,omitempty" maxLength:"200" doc:"the referral party, with a referral fee"`
}

// AgentPlanBody sets an agent's commission plan.
type AgentPlanBody struct {
	AgentSplit   decimal.Decimal  `json:"agent_split" maxLength:"20" numeric:"5,2" doc:"the agent's percentage of their side of a commission, 0 to 100"`
	AnnualCap    *decimal.Decimal `json:"annual_cap,omitempty" maxLength:"20" numeric:"14,2" doc:"the most the brokerage keeps from the agent in a cap year; absent: no cap"`
	CapYearStart *realty.Date     `json:"cap_year_start,omitempty" doc:"the cap year starts on this month and day (default January 1)"`
}

// EscrowDepositOutput is one deposit.
type EscrowDepositOutput struct{ Body deal.EscrowDeposit }

// EscrowDepositsOutput is a deal's deposits.
type EscrowDepositsOutput struct {
	Body struct {
		Items []deal.EscrowDeposit `json:"items"`
	}
}

// CommissionOutput is a deal's commission with its splits.
type CommissionOutput struct{ Body deal.Commission }

// AgentPlanOutput is one plan.
type AgentPlanOutput struct{ Body deal.AgentPlan }

// AgentPlansOutput is the plans the caller may see.
type AgentPlansOutput struct {
	Body struct {
		Items []deal.AgentPlan `json:"items"`
	}
}

// GCIOutput is gross commission income by agent.
type GCIOutput struct {
	Body struct {
		Year  int             `json:"year"`
		Items []deal.AgentGCI `json:"items"`
	}
}

// HTMLOutput is a printable page.
type HTMLOutput struct {
	ContentType string `header:"Content-Type"`
	Body        []byte
}

const moneyDoc = "Earnest money the brokerage holds posts trust cash ↔ escrow held for clients when received, and out of trust " +
	"when released at closing or refunded when the deal falls through or is withdrawn."

func routeDealMoney(a huma.API, d Deps) {
	tags := []string{"Deal money"}
	read, write, manage := Access{Permission: "deal.read"}, Access{Permission: "deal.write"}, Access{Permission: "deal.manage"}
	Register(a, huma.Operation{OperationID: "list-escrow-deposits", Method: http.MethodGet, Path: Prefix + "/deals/{id}/escrow-deposits",
		Tags: tags, Summary: "A deal's earnest money deposits", Description: moneyDoc}, read,
		func(ctx context.Context, in *IDPath) (*EscrowDepositsOutput, error) {
			items, err := d.Deal.EscrowDeposits(ctx, actor(ctx), in.ID)
			out := &EscrowDepositsOutput{}
			out.Body.Items = items
			return out, err
		})
	Register(a, huma.Operation{OperationID: "create-escrow-deposit", Method: http.MethodPost, Path: Prefix + "/deals/{id}/escrow-deposits",
		Tags: tags, Summary: "Record an earnest money deposit due", Description: "409 when the deal has ended.", DefaultStatus: http.StatusCreated}, write,
		func(ctx context.Context, in *struct {
			ID   realty.ID `path:"id"`
			Body EscrowDepositBody
		}) (*EscrowDepositOutput, error) {
			b := in.Body
			dep, err := d.Deal.AddEscrowDeposit(ctx, actor(ctx), in.ID, deal.EscrowDepositInput{Holder: b.Holder, HolderName: b.HolderName,
				Amount: b.Amount, DueDate: b.DueDate})
			return &EscrowDepositOutput{Body: dep}, err
		})
	registerIdempotent(a, d, huma.Operation{OperationID: "receive-escrow-deposit", Method: http.MethodPost, Path: Prefix + "/escrow-deposits/{id}/receive",
		Tags: tags, Summary: "Record a deposit received", Description: moneyDoc + " 409 unless due on an open deal.", DefaultStatus: http.StatusOK},
		write, idempotentOp[ReceiveEscrowInput, deal.EscrowDeposit]{
			key:  func(in *ReceiveEscrowInput) string { return in.IdempotencyKey.IdempotencyKey },
			body: func(in *ReceiveEscrowInput) any { return []any{in.ID, in.Body} },
			work: func(ctx context.Context, tx pgx.Tx, in *ReceiveEscrowInput) (deal.EscrowDeposit, error) {
				return d.Deal.ReceiveEscrowDepositTx(ctx, tx, actor(ctx), in.ID, in.Body.ReceivedOn)
			}})
	routeCommissions(a, d, tags, read, write, manage)
	routeCommissionPayout(a, d, tags, manage)
}

func routeCommissions(a huma.API, d Deps, tags []string, read, write, manage Access) {
	Register(a, huma.Operation{OperationID: "get-commission", Method: http.MethodGet, Path: Prefix + "/deals/{id}/commission",
		Tags: tags, Summary: "A deal's commission and its splits", Description: "Before closing the splits are a preview at the deal's price."}, read,
		func(ctx context.Context, in *IDPath) (*CommissionOutput, error) {
			c, err := d.Deal.Commission(ctx, actor(ctx), in.ID)
			return &CommissionOutput{Body: c}, err
		})
	Register(a, huma.Operation{OperationID: "set-commission", Method: http.MethodPut, Path: Prefix + "/deals/{id}/commission",
		Tags: tags, Summary: "Set a deal's commission", Description: "A deal closes only with its commission set; at closing it is split again " +
			"at the close price (each agent by their plan and cap, what rounding leaves to the brokerage), posted to the ledger and no longer " +
			"changes (409)."}, write,
		func(ctx context.Context, in *struct {
			ID   realty.ID `path:"id"`
			Body CommissionBody
		}) (*CommissionOutput, error) {
			b := in.Body
			c, err := d.Deal.SetCommission(ctx, actor(ctx), in.ID, deal.CommissionInput{GrossRate: b.GrossRate, GrossAmount: b.GrossAmount,
				ListingSidePct: b.ListingSidePct, ReferralRate: b.ReferralRate, ReferralAmount: b.ReferralAmount, ReferralName: b.ReferralName})
			return &CommissionOutput{Body: c}, err
		})
	Register(a, huma.Operation{OperationID: "get-commission-authorization", Method: http.MethodGet, Path: Prefix + "/deals/{id}/commission/authorization",
		Tags: tags, Summary: "The commission disbursement authorisation", Description: "The printable HTML page generated when the deal closed; " +
			"404 before."}, read,
		func(ctx context.Context, in *IDPath) (*HTMLOutput, error) {
			page, err := d.Deal.CommissionAuthorization(ctx, actor(ctx), in.ID)
			if err != nil {
				return nil, err
			}
			return &HTMLOutput{ContentType: "text/html; charset=utf-8", Body: []byte(page)}, nil
		})
	Register(a, huma.Operation{OperationID: "list-agent-plans", Method: http.MethodGet, Path: Prefix + "/agent-plans", Tags: tags,
		Summary: "Agents' commission plans", Description: "Every plan with deal.manage, else the caller's own."}, read,
		func(ctx context.Context, _ *struct{}) (*AgentPlansOutput, error) {
			items, err := d.Deal.AgentPlans(ctx, actor(ctx))
			out := &AgentPlansOutput{}
			out.Body.Items = items
			return out, err
		})
	Register(a, huma.Operation{OperationID: "set-agent-plan", Method: http.MethodPut, Path: Prefix + "/agent-plans/{id}", Tags: tags,
		Summary: "Set a member's commission plan", Description: "{id} is the member. Commissions already posted keep their splits."}, manage,
		func(ctx context.Context, in *struct {
			ID   realty.ID `path:"id"`
			Body AgentPlanBody
		}) (*AgentPlanOutput, error) {
			p, err := d.Deal.SetAgentPlan(ctx, actor(ctx), in.ID, deal.AgentPlanInput{AgentSplit: in.Body.AgentSplit, AnnualCap: in.Body.AnnualCap,
				CapYearStart: in.Body.CapYearStart})
			return &AgentPlanOutput{Body: p}, err
		})
	Register(a, huma.Operation{OperationID: "gci-by-agent", Method: http.MethodGet, Path: Prefix + "/commissions/gci", Tags: tags,
		Summary: "Gross commission income by agent, year to date", Description: "Every agent with deal.manage, else the caller's own."}, read,
		func(ctx context.Context, in *struct {
			Year int `query:"year" minimum:"2000" maximum:"2999" doc:"default this year"`
		}) (*GCIOutput, error) {
			if in.Year == 0 {
				in.Year = time.Now().UTC().Year()
			}
			items, err := d.Deal.GCI(ctx, actor(ctx), in.Year)
			out := &GCIOutput{}
			out.Body.Year, out.Body.Items = in.Year, items
			return out, err
		})
}
