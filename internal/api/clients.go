package api

import (
	"context"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"
	"github.com/shopspring/decimal"

	"realty"
	"realty/internal/crm"
)

// ClientBody is a new client's or lead's fields.
type ClientBody struct {
	FirstName       string           `json:"first_name" maxLength:"100"`
	LastName        string           `json:"last_name,omitempty" maxLength:"100"`
	Email           string           `json:"email,omitempty" maxLength:"254"`
	Phone           string           `json:"phone,omitempty" maxLength:"40" doc:"any notation; stored in E.164, read in the organization's phone region without a country code"`
	Source          string           `json:"source,omitempty" maxLength:"50" doc:"default: manual (website for captured leads)"`
	Stage           string           `json:"stage,omitempty" enum:"lead,prospect,active,under_contract,closed,lost"`
	NurtureStatus   string           `json:"nurture_status,omitempty" enum:"new,hot,warm,cold"`
	AssignedAgentID *realty.ID       `json:"assigned_agent_id,omitempty" doc:"default: the creator if they work only their own clients, else the next agent of the lead pool"`
	BudgetMin       *decimal.Decimal `json:"budget_min,omitempty" maxLength:"20" numeric:"14,2"`
	BudgetMax       *decimal.Decimal `json:"budget_max,omitempty" maxLength:"20" numeric:"14,2"`
	Tags            []string         `json:"tags,omitempty" maxItems:"50" maxLength:"50"`
	Notes           string           `json:"notes,omitempty" maxLength:"4000"`
	EmailConsent    bool             `json:"email_consent,omitempty"`
	SMSConsent      bool             `json:"sms_consent,omitempty"`
}

func (b ClientBody) input() crm.Input {
	return crm.Input{FirstName: b.FirstName, LastName: b.LastName, Email: b.Email, Phone: b.Phone, Source: b.Source, Stage: b.Stage,
		NurtureStatus: b.NurtureStatus, AssignedAgentID: b.AssignedAgentID, BudgetMin: b.BudgetMin, BudgetMax: b.BudgetMax,
		Tags: b.Tags, Notes: b.Notes, EmailConsent: b.EmailConsent, SMSConsent: b.SMSConsent}
}

// LeadBody is what a website's lead form sends.
type LeadBody struct {
	FirstName    string           `json:"first_name" maxLength:"100"`
	LastName     string           `json:"last_name,omitempty" maxLength:"100"`
	Email        string           `json:"email,omitempty" maxLength:"254"`
	Phone        string           `json:"phone,omitempty" maxLength:"40"`
	Source       string           `json:"source,omitempty" maxLength:"50" doc:"default: website"`
	BudgetMin    *decimal.Decimal `json:"budget_min,omitempty" maxLength:"20" numeric:"14,2"`
	BudgetMax    *decimal.Decimal `json:"budget_max,omitempty" maxLength:"20" numeric:"14,2"`
	Notes        string           `json:"notes,omitempty" maxLength:"4000" doc:"the visitor's message"`
	EmailConsent bool             `json:"email_consent,omitempty"`
	SMSConsent   bool             `json:"sms_consent,omitempty"`
}

// ClientPatchBody changes a client's facts; absent fields stay, an empty
// email or phone removes it.
type ClientPatchBody struct {
	FirstName     *string          `json:"first_name,omitempty" maxLength:"100"`
	LastName      *string          `json:"last_name,omitempty" maxLength:"100"`
	Email         *string          `json:"email,omitempty" maxLength:"254"`
	Phone         *string          `json:"phone,omitempty" maxLength:"40"`
	Source        *string          `json:"source,omitempty" maxLength:"50"`
	NurtureStatus *string          `json:"nurture_status,omitempty" enum:"new,hot,warm,cold"`
	BudgetMin     *decimal.Decimal `json:"budget_min,omitempty" maxLength:"20" numeric:"14,2"`
	BudgetMax     *decimal.Decimal `json:"budget_max,omitempty" maxLength:"20" numeric:"14,2"`
	Tags          *[]string        `json:"tags,omitempty" maxItems:"50" maxLength:"50"`
	Notes         *string          `json:"notes,omitempty" maxLength:"4000"`
	EmailConsent  *bool            `json:"email_consent,omitempty"`
	SMSConsent    *bool            `json:"sms_consent,omitempty"`
}

func (b ClientPatchBody) patch() crm.Patch {
	return crm.Patch{FirstName: b.FirstName, LastName: b.LastName, Email: b.Email, Phone: b.Phone, Source: b.Source,
		NurtureStatus: b.NurtureStatus, BudgetMin: b.BudgetMin, BudgetMax: b.BudgetMax, Tags: b.Tags, Notes: b.Notes,
		EmailConsent: b.EmailConsent, SMSConsent: b.SMSConsent}
}

// ClientsInput filters the client list.
type ClientsInput struct {
	Stage         string `query:"stage" enum:"lead,prospect,active,under_contract,closed,lost"`
	NurtureStatus string `query:"nurture_status" enum:"new,hot,warm,cold"`
	Agent         string `query:"agent" maxLength:"36" doc:"member id of the assigned agent"`
	Tag           string `query:"tag" maxLength:"50"`
	Source        string `query:"source" maxLength:"50"`
	Q             string `query:"q" maxLength:"200" doc:"part of the name, e-mail address or phone number"`
	MinScore      int    `query:"min_score" minimum:"0" maximum:"100" doc:"only clients whose lead score is at least this"`
	Sort          string `query:"sort" enum:"newest,score" default:"newest" doc:"newest first, or score: hottest leads first (not yet scored last)"`
	Cursor        string `query:"cursor" maxLength:"500"`
	Limit         int    `query:"limit" minimum:"1" maximum:"100" default:"50" doc:"page size, at most MaxPageSize (100)"`
}

// ClientOutput is a client.
type ClientOutput struct{ Body crm.Client }

// PageInput is a cursor page of something under a path id.
type PageInput struct {
	ID     realty.ID `path:"id"`
	Cursor string    `query:"cursor" maxLength:"500"`
	Limit  int       `query:"limit" minimum:"1" maximum:"100" default:"50" doc:"page size, at most MaxPageSize (100)"`
}

// StageBody moves a client to another stage.
type StageBody struct {
	Stage  string `json:"stage" enum:"lead,prospect,active,under_contract,closed,lost"`
	Reason string `json:"reason,omitempty" maxLength:"500"`
}

// StageChangeResult is a client after a stage change, with the change.
type StageChangeResult struct {
	Client crm.Client      `json:"client"`
	Change crm.StageChange `json:"change"`
}

// StageHistory is a client's stage changes, oldest first.
type StageHistory struct {
	Items []crm.StageChange `json:"items"`
}

func routeClients(a huma.API, d Deps) {
	tags := []string{"Clients"}
	read, write := Access{Permission: "client.read"}, Access{Permission: "client.write"}
	Register(a, huma.Operation{OperationID: "list-clients", Method: http.MethodGet, Path: Prefix + "/clients", Tags: tags,
		Summary: "Clients and leads, newest first", Description: "An agent sees the clients assigned to or created by them; client.manage sees all."},
		read, func(ctx context.Context, in *ClientsInput) (*struct{ Body crm.ClientPage }, error) {
			f := crm.Filter{Stage: in.Stage, NurtureStatus: in.NurtureStatus, Source: in.Source, Tag: in.Tag, Q: in.Q, Sort: in.Sort, Cursor: in.Cursor, Limit: in.Limit}
			if in.MinScore > 0 {
				f.MinScore = &in.MinScore
			}
			var err error
			if f.AgentID, err = optionalID(in.Agent, "agent"); err != nil {
				return nil, err
			}
			p, err := d.CRM.List(ctx, actor(ctx), f)
			return &struct{ Body crm.ClientPage }{p}, err
		})
	Register(a, huma.Operation{OperationID: "create-client", Method: http.MethodPost, Path: Prefix + "/clients", Tags: tags,
		Summary: "Add a client or lead", Description: "409 names the existing client with the same e-mail address or phone number.",
		DefaultStatus: http.StatusCreated}, write, func(ctx context.Context, in *struct{ Body ClientBody }) (*ClientOutput, error) {
		c, err := d.CRM.Create(ctx, actor(ctx), in.Body.input())
		return &ClientOutput{Body: c}, err
	})
	Register(a, huma.Operation{OperationID: "get-client", Method: http.MethodGet, Path: Prefix + "/clients/{id}", Tags: tags,
		Summary: "One client"}, read, func(ctx context.Context, in *IDPath) (*ClientOutput, error) {
		c, err := d.CRM.Get(ctx, actor(ctx), in.ID)
		return &ClientOutput{Body: c}, err
	})
	Register(a, huma.Operation{OperationID: "update-client", Method: http.MethodPatch, Path: Prefix + "/clients/{id}", Tags: tags,
		Summary: "Change a client's facts"}, write, func(ctx context.Context, in *struct {
		ID   realty.ID `path:"id"`
		Body ClientPatchBody
	}) (*ClientOutput, error) {
		c, err := d.CRM.Update(ctx, actor(ctx), in.ID, in.Body.patch())
		return &ClientOutput{Body: c}, err
	})
	Register(a, huma.Operation{OperationID: "change-client-stage", Method: http.MethodPost, Path: Prefix + "/clients/{id}/stage", Tags: tags,
		Summary: "Move a client to another stage", Description: "Only the allowed moves; each is kept in the stage history with who, when and why."},
		write, func(ctx context.Context, in *struct {
			ID   realty.ID `path:"id"`
			Body StageBody
		}) (*struct{ Body StageChangeResult }, error) {
			c, ch, err := d.CRM.ChangeStage(ctx, actor(ctx), in.ID, in.Body.Stage, in.Body.Reason)
			return &struct{ Body StageChangeResult }{StageChangeResult{Client: c, Change: ch}}, err
		})
	Register(a, huma.Operation{OperationID: "client-stage-history", Method: http.MethodGet, Path: Prefix + "/clients/{id}/stage-history", Tags: tags,
		Summary: "A client's stage changes, oldest first"}, read, func(ctx context.Context, in *IDPath) (*struct{ Body StageHistory }, error) {
		h, err := d.CRM.StageHistory(ctx, actor(ctx), in.ID)
		return &struct{ Body StageHistory }{StageHistory{Items: h}}, err
	})
	Register(a, huma.Operation{OperationID: "client-score", Method: http.MethodGet, Path: Prefix + "/clients/{id}/score", Tags: tags,
		Summary: "A client's lead score and the reasons it is made of",
		Description: "Score 0–100, when it was computed, and every reason with its points, largest first; the points add up to the score " +
			"(a last reason named clamp keeps the sum within 0–100). Recomputed after every change of its inputs and nightly."},
		read, func(ctx context.Context, in *IDPath) (*struct{ Body crm.Score }, error) {
			s, err := d.CRM.ClientScore(ctx, actor(ctx), in.ID)
			return &struct{ Body crm.Score }{s}, err
		})
	Register(a, huma.Operation{OperationID: "client-timeline", Method: http.MethodGet, Path: Prefix + "/clients/{id}/timeline", Tags: tags,
		Summary: "What happened with a client, newest first", Description: "Interactions, tasks and stage changes in one list; pages continue with next_cursor."},
		read, func(ctx context.Context, in *PageInput) (*struct{ Body crm.Timeline }, error) {
			t, err := d.CRM.Timeline(ctx, actor(ctx), in.ID, in.Cursor, in.Limit)
			return &struct{ Body crm.Timeline }{t}, err
		})
	routeClientWork(a, d, tags)
}

// InteractionBody logs a contact with a client.
type InteractionBody struct {
	Type       string    `json:"type" enum:"email,call,meeting,sms,note"`
	Notes      string    `json:"notes,omitempty" maxLength:"4000"`
	Outcome    string    `json:"outcome,omitempty" maxLength:"200"`
	OccurredAt time.Time `json:"occurred_at,omitempty" doc:"default: now"`
}

// AssigneeBody names a client's agent; absent: nobody.
type AssigneeBody struct {
	AgentID *realty.ID `json:"agent_id,omitempty"`
}

// MergeBody names the duplicates folded into the client of the path.
type MergeBody struct {
	DuplicateIDs []realty.ID `json:"duplicate_ids" minItems:"1" maxItems:"20"`
}

func routeClientWork(a huma.API, d Deps, tags []string) {
	read, write, manage := Access{Permission: "client.read"}, Access{Permission: "client.write"}, Access{Permission: "client.manage"}
	Register(a, huma.Operation{OperationID: "list-interactions", Method: http.MethodGet, Path: Prefix + "/clients/{id}/interactions", Tags: tags,
		Summary: "A client's interactions, newest first"}, read, func(ctx context.Context, in *PageInput) (*struct{ Body crm.InteractionPage }, error) {
		p, err := d.CRM.Interactions(ctx, actor(ctx), in.ID, in.Cursor, in.Limit)
		return &struct{ Body crm.InteractionPage }{p}, err
	})
	Register(a, huma.Operation{OperationID: "log-interaction", Method: http.MethodPost, Path: Prefix + "/clients/{id}/interactions", Tags: tags,
		Summary: "Log a call, e-mail, meeting, SMS or note", DefaultStatus: http.StatusCreated}, write, func(ctx context.Context, in *struct {
		ID   realty.ID `path:"id"`
		Body InteractionBody
	}) (*struct{ Body crm.Interaction }, error) {
		b := in.Body
		i, err := d.CRM.LogInteraction(ctx, actor(ctx), in.ID, crm.InteractionInput{Type: b.Type, Notes: b.Notes, Outcome: b.Outcome, OccurredAt: b.OccurredAt})
		return &struct{ Body crm.Interaction }{i}, err
	})
	Register(a, huma.Operation{OperationID: "assign-client", Method: http.MethodPut, Path: Prefix + "/clients/{id}/assignee", Tags: tags,
		Summary: "Give a client to an agent"}, manage, func(ctx context.Context, in *struct {
		ID   realty.ID `path:"id"`
		Body AssigneeBody
	}) (*ClientOutput, error) {
		c, err := d.CRM.Assign(ctx, actor(ctx), in.ID, in.Body.AgentID)
		return &ClientOutput{Body: c}, err
	})
	Register(a, huma.Operation{OperationID: "merge-clients", Method: http.MethodPost, Path: Prefix + "/clients/{id}/merge", Tags: tags,
		Summary: "Fold duplicates into this client", Description: "Their interactions, tasks and stage history move here in one transaction; the duplicates are marked merged."},
		manage, func(ctx context.Context, in *struct {
			ID   realty.ID `path:"id"`
			Body MergeBody
		}) (*struct{ Body crm.MergeResult }, error) {
			r, err := d.CRM.Merge(ctx, actor(ctx), in.ID, in.Body.DuplicateIDs)
			return &struct{ Body crm.MergeResult }{r}, err
		})
	Register(a, huma.Operation{OperationID: "get-crm-settings", Method: http.MethodGet, Path: Prefix + "/crm/settings", Tags: tags,
		Summary: "The phone region and the lead pool"}, manage, func(ctx context.Context, _ *struct{}) (*struct{ Body crm.Settings }, error) {
		s, err := d.CRM.GetSettings(ctx, actor(ctx))
		return &struct{ Body crm.Settings }{s}, err
	})
	Register(a, huma.Operation{OperationID: "replace-crm-settings", Method: http.MethodPut, Path: Prefix + "/crm/settings", Tags: tags,
		Summary: "Set the phone region and the lead pool", Description: "New leads without an agent go to the pool's members in turn, in order."},
		manage, func(ctx context.Context, in *struct{ Body CRMSettingsBody }) (*struct{ Body crm.Settings }, error) {
			s, err := d.CRM.SetSettings(ctx, actor(ctx), crm.Settings{PhoneRegion: in.Body.PhoneRegion, PoolMembers: in.Body.PoolMemberIDs})
			return &struct{ Body crm.Settings }{s}, err
		})
	Register(a, huma.Operation{OperationID: "capture-lead", Method: http.MethodPost, Path: Prefix + "/leads", Tags: tags,
		Summary: "Capture a lead from a website form", Description: "For an API key holding lead.create. The lead goes to the next agent of the pool; 409 names the existing client for a known e-mail address or phone number.",
		DefaultStatus: http.StatusCreated}, Access{Permission: "lead.create"}, func(ctx context.Context, in *struct{ Body LeadBody }) (*ClientOutput, error) {
		b := in.Body
		c, err := d.CRM.CaptureLead(ctx, actor(ctx), crm.Input{FirstName: b.FirstName, LastName: b.LastName, Email: b.Email, Phone: b.Phone,
			Source: b.Source, BudgetMin: b.BudgetMin, BudgetMax: b.BudgetMax, Notes: b.Notes, EmailConsent: b.EmailConsent, SMSConsent: b.SMSConsent})
		return &ClientOutput{Body: c}, err
	})
}

// CRMSettingsBody replaces the CRM settings.
type CRMSettingsBody struct {
	PhoneRegion   string      `json:"phone_region,omitempty" maxLength:"2" doc:"ISO 3166 two-letter code, default US"`
	PoolMemberIDs []realty.ID `json:"pool_member_ids" maxItems:"200" doc:"the agents new leads go to in turn, in order"`
}
