package crm

import (
	"context"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/shopspring/decimal"

	"realty"
	"realty/internal/postgres"
)

// Client is a lead or a client of the organization.
type Client struct {
	ID              realty.ID        `db:"id" json:"id"`
	Stage           string           `db:"stage" json:"stage" enum:"lead,prospect,active,under_contract,closed,lost"`
	NurtureStatus   string           `db:"nurture_status" json:"nurture_status" enum:"new,hot,warm,cold"`
	Source          string           `db:"source" json:"source"`
	AssignedAgentID *realty.ID       `db:"assigned_agent_id" json:"assigned_agent_id,omitempty" doc:"the member working this client"`
	FirstName       string           `db:"first_name" json:"first_name"`
	LastName        string           `db:"last_name" json:"last_name"`
	Email           *string          `db:"email" json:"email,omitempty"`
	Phone           *string          `db:"phone" json:"phone,omitempty" doc:"E.164, e.g. +14155552671"`
	BudgetMin       *decimal.Decimal `db:"budget_min" json:"budget_min,omitempty"`
	BudgetMax       *decimal.Decimal `db:"budget_max" json:"budget_max,omitempty"`
	Tags            []string         `db:"tags" json:"tags"`
	Notes           *string          `db:"notes" json:"notes,omitempty"`
	EmailConsent    bool             `db:"email_consent" json:"email_consent"`
	EmailConsentAt  *time.Time       `db:"email_consent_at" json:"email_consent_at,omitempty"`
	SMSConsent      bool             `db:"sms_consent" json:"sms_consent"`
	SMSConsentAt    *time.Time       `db:"sms_consent_at" json:"sms_consent_at,omitempty"`
	LastContactedAt *time.Time       `db:"last_contacted_at" json:"last_contacted_at,omitempty"`
	LeadScore       *int             `db:"lead_score" json:"lead_score,omitempty" doc:"0–100, absent until first computed; GET …/score explains it"`
	CreatedBy       *realty.ID       `db:"created_by" json:"created_by,omitempty"`
	CreatedAt       time.Time        `db:"created_at" json:"created_at"`
	UpdatedAt       time.Time        `db:"updated_at" json:"updated_at"`
}

const clientColumns = `c.id, c.stage, c.nurture_status, c.source, c.assigned_agent_id, c.first_name, c.last_name, c.email::text AS email,
	c.phone, c.budget_min, c.budget_max, c.tags, c.notes, c.email_consent, c.email_consent_at, c.sms_consent, c.sms_consent_at,
	c.last_contacted_at, c.lead_score, c.created_by, c.created_at, c.updated_at`

// Input is what creating a client takes. Empty strings mean absent.
type Input struct {
	FirstName       string
	LastName        string
	Email           string
	Phone           string
	Source          string
	Stage           string // lead when empty
	NurtureStatus   string // new when empty
	AssignedAgentID *realty.ID
	BudgetMin       *decimal.Decimal
	BudgetMax       *decimal.Decimal
	Tags            []string
	Notes           string
	EmailConsent    bool
	SMSConsent      bool
}

func (in *Input) normalize(region string) error {
	in.FirstName, in.LastName = strings.TrimSpace(in.FirstName), strings.TrimSpace(in.LastName)
	in.Email = strings.TrimSpace(in.Email)
	if in.FirstName == "" {
		return realty.FieldError("first_name", "is required")
	}
	if in.Stage == "" {
		in.Stage = "lead"
	}
	if in.NurtureStatus == "" {
		in.NurtureStatus = "new"
	}
	if in.Source = strings.TrimSpace(in.Source); in.Source == "" {
		in.Source = "manual"
	}
	if in.Tags == nil {
		in.Tags = []string{}
	}
	phone, err := NormalizePhone(in.Phone, region, "phone")
	in.Phone = phone
	return err
}

// Create adds a client (or lead) and records its first stage. Unless an
// agent is named, a member who works only their own clients gets it, and
// anyone else's new client goes to the next agent of the round-robin pool
// (unassigned when the pool is empty). It returns the client as created,
// its assignee among it. Forbidden without client.write, or for naming
// another agent without client.manage; Invalid naming the field; Conflict
// naming the existing client's id when one has the same e-mail address or
// phone number.
func (s *Service) Create(ctx context.Context, actor realty.Actor, in Input) (Client, error) {
	if err := actor.Require("client.write"); err != nil {
		return Client{}, err
	}
	if in.AssignedAgentID != nil && !seesAll(actor) && (me(actor) == nil || *in.AssignedAgentID != actor.MemberID) {
		return Client{}, &realty.Error{Kind: realty.Forbidden, Message: "only a member holding client.manage assigns clients to others"}
	}
	if in.AssignedAgentID == nil && !seesAll(actor) {
		in.AssignedAgentID = me(actor)
	}
	return s.create(ctx, actor, in)
}

// CaptureLead adds a lead from a website form: source "website" unless
// given, stage lead, assigned round-robin. It returns the lead as created.
// Forbidden without lead.create; Invalid naming the field; Conflict naming
// the existing client's id for a duplicate (the caller's form can say the
// person is known; the agent sees the existing client).
func (s *Service) CaptureLead(ctx context.Context, actor realty.Actor, in Input) (Client, error) {
	if err := actor.Require("lead.create"); err != nil {
		return Client{}, err
	}
	in.Stage, in.NurtureStatus, in.AssignedAgentID = "lead", "new", nil
	if strings.TrimSpace(in.Source) == "" {
		in.Source = "website"
	}
	return s.create(ctx, actor, in)
}

func (s *Service) create(ctx context.Context, actor realty.Actor, in Input) (Client, error) {
	var out Client
	err := postgres.Tx(ctx, s.pool, actor, func(tx pgx.Tx) error {
		st, err := settingsTx(ctx, tx, actor)
		if err != nil {
			return err
		}
		if err := in.normalize(st.PhoneRegion); err != nil {
			return err
		}
		if err := findDuplicate(ctx, tx, actor, in.Email, in.Phone, nil); err != nil {
			return err
		}
		if in.AssignedAgentID == nil && st.found {
			if in.AssignedAgentID, err = s.nextAgent(ctx, tx, actor, st.NextPosition); err != nil {
				return err
			}
		}
		if out, err = insertClient(ctx, tx, actor, in); err != nil {
			return err
		}
		if _, err = recordStage(ctx, tx, actor, out.ID, nil, out.Stage, nil); err != nil {
			return err
		}
		if err := s.rescoreTx(ctx, tx, actor, out.ID); err != nil {
			return err
		}
		return s.announceCreated(ctx, tx, actor, out)
	})
	return out, err
}

func insertClient(ctx context.Context, tx pgx.Tx, actor realty.Actor, in Input) (Client, error) {
	rows, err := tx.Query(ctx, `INSERT INTO crm.clients AS c (organization_id, id, stage, nurture_status, source, assigned_agent_id,
		first_name, last_name, email, phone, budget_min, budget_max, tags, notes, email_consent, email_consent_at, sms_consent,
		sms_consent_at, created_by)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, CASE WHEN $15 THEN now() END, $16,
		CASE WHEN $16 THEN now() END, $17)
		RETURNING `+clientColumns,
		actor.OrgID, realty.NewID(), in.Stage, in.NurtureStatus, in.Source, in.AssignedAgentID, in.FirstName, in.LastName,
		optional(in.Email), optional(in.Phone), in.BudgetMin, in.BudgetMax, in.Tags, optional(in.Notes), in.EmailConsent,
		in.SMSConsent, me(actor))
	if err != nil {
		return Client{}, err
	}
	return pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Client])
}

// findDuplicate returns a Conflict naming the live client (other than
// except) with the e-mail address or phone number, if there is one. It
// looks across the whole organization, whoever the client belongs to: a
// person is one client however many agents meet them.
func findDuplicate(ctx context.Context, tx pgx.Tx, actor realty.Actor, email, phone string, except *realty.ID) error {
	if email == "" && phone == "" {
		return nil
	}
	var id realty.ID
	var field string
	err := tx.QueryRow(ctx, `SELECT c.id, CASE WHEN c.email = $2::citext THEN 'email' ELSE 'phone' END
		FROM crm.clients c
		WHERE c.organization_id = $1 AND c.merged_into IS NULL AND ($4::uuid IS NULL OR c.id <> $4)
		  AND (c.email = $2::citext OR c.phone = $3)
		ORDER BY c.email = $2::citext DESC, c.created_at LIMIT 1`,
		actor.OrgID, optional(email), optional(phone), except).Scan(&id, &field)
	if err == pgx.ErrNoRows {
		return nil
	}
	if err != nil {
		return err
	}
	return &realty.Error{Kind: realty.Conflict, Message: "duplicate: client " + id.String() + " has the same " + field,
		Fields: map[string]string{field: "client " + id.String() + " has the same " + field}}
}

// DuplicateOf returns the id of the existing client a Conflict of Create,
// CaptureLead or Update names, and false for any other error.
func DuplicateOf(err error) (realty.ID, bool) {
	if realty.KindOf(err) != realty.Conflict {
		return realty.ID{}, false
	}
	for _, reason := range realty.FieldsOf(err) {
		if rest, ok := strings.CutPrefix(reason, "client "); ok {
			if id, err := realty.ParseID(strings.Fields(rest)[0]); err == nil {
				return id, true
			}
		}
	}
	return realty.ID{}, false
}

// Get returns a client. Forbidden without client.read; NotFound for another
// organization's client, one merged away, or another agent's client when
// the actor works only their own.
func (s *Service) Get(ctx context.Context, actor realty.Actor, id realty.ID) (Client, error) {
	if err := actor.Require("client.read"); err != nil {
		return Client{}, err
	}
	args := scopeArgs(actor)
	args["id"] = id
	rows, err := postgres.ReadAll[Client](ctx, s.pool, actor, `SELECT `+clientColumns+` FROM crm.clients c
		WHERE `+clientScope+` AND c.id = @id`, pgx.NamedArgs(args))
	if err != nil {
		return Client{}, err
	}
	if len(rows) == 0 {
		return Client{}, errClientNotFound
	}
	return rows[0], nil
}

// lockClient reads a client the actor may change, locked for the rest of
// tx. NotFound as Get.
func lockClient(ctx context.Context, tx pgx.Tx, actor realty.Actor, id realty.ID) (Client, error) {
	args := scopeArgs(actor)
	args["id"] = id
	rows, err := tx.Query(ctx, `SELECT `+clientColumns+` FROM crm.clients c WHERE `+clientScope+` AND c.id = @id FOR UPDATE`,
		pgx.NamedArgs(args))
	if err != nil {
		return Client{}, err
	}
	c, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Client])
	if realty.KindOf(postgres.MapError(err)) == realty.NotFound {
		return Client{}, errClientNotFound
	}
	return c, err
}

// updateClient sets columns of the client args["id"] within the actor's
// scope and returns it.
func updateClient(ctx context.Context, tx pgx.Tx, set string, args map[string]any) (Client, error) {
	rows, err := tx.Query(ctx, `UPDATE crm.clients c SET `+set+` WHERE `+clientScope+` AND c.id = @id RETURNING `+clientColumns,
		pgx.NamedArgs(args))
	if err != nil {
		return Client{}, err
	}
	c, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Client])
	if realty.KindOf(postgres.MapError(err)) == realty.NotFound {
		return Client{}, errClientNotFound
	}
	return c, err
}
