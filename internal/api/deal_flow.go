package api

import (
	"context"
	"net/http"

	"strings"

	"github.com/danielgtaylor/huma/v2"
	"github.com/shopspring/decimal"

	"realty"
	"realty/internal/deal"
)

// DealBody is what opening a deal takes.
type DealBody struct {
	Title         string           `json:"title" minLength:"1" maxLength:"200"`
	Kind          string           `json:"kind" enum:"purchase,sale,lease,referral,refinance"`
	Side          string           `json:"side" enum:"buyer,seller,dual"`
	PropertyID    *realty.ID       `json:"property_id,omitempty"`
	ListingID     *realty.ID       `json:"listing_id,omitempty" doc:"the listing that follows the deal: Pending under contract, Closed at closing"`
	AgentID       *realty.ID       `json:"agent_id,omitempty" doc:"default the caller; another member needs deal.manage"`
	Price         *decimal.Decimal `json:"price,omitempty" maxLength:"20" numeric:"14,2"`
	ContractDate  *realty.Date     `json:"contract_date,omitempty"`
	ExpectedClose *realty.Date     `json:"expected_close,omitempty"`
	Notes         *string          `json:"notes,omitempty" maxLength:"8000"`
}

// DealPatchBody changes a deal's editable fields; absent fields stay.
type DealPatchBody struct {
	Title         *string          `json:"title,omitempty" minLength:"1" maxLength:"200"`
	PropertyID    *realty.ID       `json:"property_id,omitempty"`
	ListingID     *realty.ID       `json:"listing_id,omitempty" doc:"fixed once the deal is under contract"`
	AgentID       *realty.ID       `json:"agent_id,omitempty" doc:"reassigning the deal needs deal.manage"`
	Price         *decimal.Decimal `json:"price,omitempty" maxLength:"20" numeric:"14,2"`
	ContractDate  *realty.Date     `json:"contract_date,omitempty"`
	ExpectedClose *realty.Date     `json:"expected_close,omitempty"`
	Notes         *string          `json:"notes,omitempty" maxLength:"8000"`
}

// MoveBody is one stage transition.
type MoveBody struct {
	To          string           `json:"to" enum:"lead,active,offer,under_contract,due_diligence,clear_to_close,closed,fell_through,withdrawn"`
	Reason      string           `json:"reason,omitempty" maxLength:"1000" doc:"why, kept in the stage history"`
	ActualClose *realty.Date     `json:"actual_close,omitempty" doc:"moving to closed: the closing date (default today, UTC)"`
	ClosePrice  *decimal.Decimal `json:"close_price,omitempty" maxLength:"20" numeric:"14,2" doc:"moving to closed: default the deal's price"`
}

// DealOutput is a deal.
type DealOutput struct{ Body deal.Deal }

// DealsInput filters the deal list.
type DealsInput struct {
	Stage   string `query:"stage" enum:"lead,active,offer,under_contract,due_diligence,clear_to_close,closed,fell_through,withdrawn"`
	AgentID string `query:"agent_id" maxLength:"36"`
	Cursor  string `query:"cursor" maxLength:"500"`
	Limit   int    `query:"limit" minimum:"1" maximum:"100" default:"50" doc:"page size, at most 100"`
}

// DealsOutput is a page of deals.
type DealsOutput struct{ Body deal.DealPage }

// DealBoardOutput is the pipeline board.
type DealBoardOutput struct{ Body DealBoardOutputBody }

// DealBoardOutputBody is the board's columns. It writes its own JSON
// (deal.AppendBoardJSON: the board is a large response, and reflection cost
// more than the read); the name keeps the schema's.
type DealBoardOutputBody struct {
	Columns []deal.BoardColumn `json:"columns"`
}

// AppendJSON writes the body as encoding/json would.
func (b DealBoardOutputBody) AppendJSON(dst []byte) []byte {
	return deal.AppendBoardJSON(dst, b.Columns)
}

// DealHistoryOutput is a deal's stage history.
type DealHistoryOutput struct {
	Body struct {
		Items []deal.DealStageChange `json:"items"`
	}
}

// ParticipantsOutput is a deal's participants.
type ParticipantsOutput struct {
	Body struct {
		Items []deal.Participant `json:"items"`
	}
}

// ParticipantOutput is one participant.
type ParticipantOutput struct{ Body deal.Participant }

// dealMachineDoc writes the stage machine as the move operation documents
// it, from deal.Transitions itself, so the docs cannot drift from the code.
func dealMachineDoc() string {
	var b strings.Builder
	b.WriteString("Moves the deal through its stage machine. Allowed moves (from → to):\n\n| from | may move to |\n|---|---|\n")
	for _, from := range deal.Stages {
		to := deal.Transitions[from]
		cell := strings.Join(to, ", ")
		if len(to) == 0 {
			cell = "— (final)"
		}
		b.WriteString("| " + from + " | " + cell + " |\n")
	}
	b.WriteString("\nA move the table does not allow, or one a guard refuses (an executed contract before under_contract, " +
		"milestones and commission before closed…), is a 422 whose `errors` name `to` with the reason. A deal that " +
		"moved meanwhile is a 409 naming `to`: of two concurrent moves one wins. The deal's listing follows it: " +
		"Pending under contract, Closed at closing, Active again when it falls through.")
	return b.String()
}

func routeDealFlow(a huma.API, d Deps) {
	tags := []string{"Deals"}
	read, write := Access{Permission: "deal.read"}, Access{Permission: "deal.write"}
	Register(a, huma.Operation{OperationID: "list-deals", Method: http.MethodGet, Path: Prefix + "/deals", Tags: tags,
		Summary: "List deals, the latest moved first", Description: "Agents see their own deals; holders of deal.manage every deal."},
		read, listDeals(d))
	Register(a, huma.Operation{OperationID: "create-deal", Method: http.MethodPost, Path: Prefix + "/deals", Tags: tags,
		Summary: "Open a deal at the lead stage", DefaultStatus: http.StatusCreated}, write,
		func(ctx context.Context, in *struct{ Body DealBody }) (*DealOutput, error) {
			b := in.Body
			out, err := d.Deal.Create(ctx, actor(ctx), deal.Input{Title: b.Title, Kind: b.Kind, Side: b.Side, PropertyID: b.PropertyID,
				ListingID: b.ListingID, AgentID: b.AgentID, Price: b.Price, ContractDate: b.ContractDate, ExpectedClose: b.ExpectedClose,
				Notes: b.Notes})
			return &DealOutput{Body: out}, err
		})
	Register(a, huma.Operation{OperationID: "get-deal-board", Method: http.MethodGet, Path: Prefix + "/deal-board", Tags: tags,
		Summary: "The pipeline board: a column per stage with its count and latest moved deals"}, read,
		func(ctx context.Context, in *struct {
			PerStage int `query:"per_stage" minimum:"1" maximum:"100" default:"50"`
		}) (*DealBoardOutput, error) {
			cols, err := d.Deal.Board(ctx, actor(ctx), in.PerStage)
			out := &DealBoardOutput{}
			out.Body.Columns = cols
			return out, err
		})
	Register(a, huma.Operation{OperationID: "get-deal", Method: http.MethodGet, Path: Prefix + "/deals/{id}", Tags: tags,
		Summary: "One deal"}, read,
		func(ctx context.Context, in *IDPath) (*DealOutput, error) {
			out, err := d.Deal.Get(ctx, actor(ctx), in.ID)
			return &DealOutput{Body: out}, err
		})
	Register(a, huma.Operation{OperationID: "update-deal", Method: http.MethodPatch, Path: Prefix + "/deals/{id}", Tags: tags,
		Summary: "Change a deal's title, price, dates, property, listing or notes", Description: "Absent fields stay. " +
			"Reassigning the agent needs deal.manage (403 naming agent_id); the listing is fixed under contract (409 naming listing_id); " +
			"an ended deal changes only its notes (409)."}, write,
		func(ctx context.Context, in *struct {
			ID   realty.ID `path:"id"`
			Body DealPatchBody
		}) (*DealOutput, error) {
			out, err := d.Deal.Update(ctx, actor(ctx), in.ID, deal.Patch(in.Body))
			return &DealOutput{Body: out}, err
		})
	routeDealMoves(a, d, tags, read, write)
	routeDealParticipants(a, d, tags, read, write)
}

func routeDealMoves(a huma.API, d Deps, tags []string, read, write Access) {
	Register(a, huma.Operation{OperationID: "move-deal", Method: http.MethodPost, Path: Prefix + "/deals/{id}/moves", Tags: tags,
		Summary: "Move a deal to another stage", Description: dealMachineDoc()}, write,
		func(ctx context.Context, in *struct {
			ID   realty.ID `path:"id"`
			Body MoveBody
		}) (*DealOutput, error) {
			b := in.Body
			out, err := d.Deal.Move(ctx, actor(ctx), in.ID, deal.MoveInput{To: b.To, Reason: b.Reason, ActualClose: b.ActualClose,
				ClosePrice: b.ClosePrice})
			return &DealOutput{Body: out}, err
		})
	Register(a, huma.Operation{OperationID: "deal-history", Method: http.MethodGet, Path: Prefix + "/deals/{id}/history", Tags: tags,
		Summary: "A deal's stage changes, oldest first: who, when and why"}, read,
		func(ctx context.Context, in *IDPath) (*DealHistoryOutput, error) {
			items, err := d.Deal.History(ctx, actor(ctx), in.ID)
			out := &DealHistoryOutput{}
			out.Body.Items = items
			return out, err
		})
}

func routeDealParticipants(a huma.API, d Deps, tags []string, read, write Access) {
	Register(a, huma.Operation{OperationID: "list-deal-participants", Method: http.MethodGet, Path: Prefix + "/deals/{id}/participants",
		Tags: tags, Summary: "A deal's participants, by role"}, read,
		func(ctx context.Context, in *IDPath) (*ParticipantsOutput, error) {
			items, err := d.Deal.Participants(ctx, actor(ctx), in.ID)
			out := &ParticipantsOutput{}
			out.Body.Items = items
			return out, err
		})
	Register(a, huma.Operation{OperationID: "add-deal-participant", Method: http.MethodPost, Path: Prefix + "/deals/{id}/participants",
		Tags: tags, Summary: "Add a client, a member or an outside party to a deal", DefaultStatus: http.StatusCreated,
		Description: "Exactly one of client_id, member_id or name (an outside party, with company, email and phone). " +
			"Roles: " + strings.Join(deal.Roles, ", ") + ". A client or member holds a role at most once (409)."}, write,
		func(ctx context.Context, in *struct {
			ID   realty.ID `path:"id"`
			Body deal.ParticipantInput
		}) (*ParticipantOutput, error) {
			out, err := d.Deal.AddParticipant(ctx, actor(ctx), in.ID, in.Body)
			return &ParticipantOutput{Body: out}, err
		})
	Register(a, huma.Operation{OperationID: "remove-deal-participant", Method: http.MethodDelete, Path: Prefix + "/deal-participants/{id}",
		Tags: tags, Summary: "Remove a participant from its deal", DefaultStatus: http.StatusNoContent}, write,
		func(ctx context.Context, in *IDPath) (*struct{}, error) {
			return nil, d.Deal.RemoveParticipant(ctx, actor(ctx), in.ID)
		})
}

func listDeals(d Deps) func(context.Context, *DealsInput) (*DealsOutput, error) {
	return func(ctx context.Context, in *DealsInput) (*DealsOutput, error) {
		agent, err := optionalID(in.AgentID, "agent_id")
		if err != nil {
			return nil, err
		}
		page, err := d.Deal.List(ctx, actor(ctx), deal.Filter{Stage: in.Stage, AgentID: agent, Cursor: in.Cursor, Limit: in.Limit})
		return &DealsOutput{Body: page}, err
	}
}
