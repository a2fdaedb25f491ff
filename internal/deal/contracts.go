package deal

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"realty"
	"realty/internal/blob"
	"realty/internal/crm"
	"realty/internal/messaging"
	"realty/internal/org"
	"realty/internal/postgres"
	"realty/internal/ratelimit"
)

func init() {
	postgres.RegisterConstraints(map[string]postgres.Constraint{
		"deal.contract_templates_name_check":         {Kind: realty.Invalid, Field: "name", Message: "must be 1 to 200 characters"},
		"deal.contract_templates_body_check":         {Kind: realty.Invalid, Field: "body", Message: "must be 1 to 100,000 characters"},
		"deal.contract_templates_name_key":           {Kind: realty.Conflict, Field: "name", Message: "a template of this name exists"},
		"deal.contracts_title_check":                 {Kind: realty.Invalid, Field: "title", Message: "must be 1 to 200 characters"},
		"deal.contracts_status_check":                {Kind: realty.Invalid, Field: "status", Message: "must be draft, sent, signed, executed or void"},
		"deal.contracts_current_version_check":       {Kind: realty.Invalid, Field: "current_version", Message: "must not be negative"},
		"deal.contracts_void_reason_check":           {Kind: realty.Invalid, Field: "reason", Message: "at most 1000 characters"},
		"deal.contracts_executed_check":              {Kind: realty.Invalid, Field: "status", Message: "only an executed contract has its execution time"},
		"deal.contracts_void_check":                  {Kind: realty.Invalid, Field: "status", Message: "only a void contract has its voiding time"},
		"deal.contracts_deal_fkey":                   {Kind: realty.NotFound, Message: "deal not found"},
		"deal.contracts_template_fkey":               {Kind: realty.Invalid, Field: "template_id", Message: "no such template"},
		"deal.contract_versions_number_check":        {Kind: realty.Invalid, Field: "number", Message: "must be at least 1"},
		"deal.contract_versions_kind_check":          {Kind: realty.Invalid, Field: "kind", Message: "must be original, amendment or executed"},
		"deal.contract_versions_body_check":          {Kind: realty.Invalid, Field: "body", Message: "the document is longer than 200,000 characters"},
		"deal.contract_versions_blob_key_check":      {Kind: realty.Invalid, Field: "blob_key", Message: "is not a blob key"},
		"deal.contract_versions_sha256_check":        {Kind: realty.Invalid, Field: "sha256", Message: "is not a SHA-256 in hex"},
		"deal.contract_versions_size_check":          {Kind: realty.Invalid, Field: "size", Message: "must be positive"},
		"deal.contract_versions_number_key":          {Kind: realty.Conflict, Field: "number", Message: "the contract changed meanwhile: reload it and try again"},
		"deal.contract_amendments_description_check": {Kind: realty.Invalid, Field: "description", Message: "must be 1 to 1000 characters"},
		"deal.contract_amendments_body_check":        {Kind: realty.Invalid, Field: "body", Message: "must be 1 to 20,000 characters"},
		"deal.contract_signers_position_check":       {Kind: realty.Invalid, Field: "signers", Message: "at most 20 signers"},
		"deal.contract_signers_name_check":           {Kind: realty.Invalid, Field: "name", Message: "must be 1 to 200 characters"},
		"deal.contract_signers_email_check":          {Kind: realty.Invalid, Field: "email", Message: "must be an e-mail address"},
		"deal.contract_signers_role_check":           {Kind: realty.Invalid, Field: "role", Message: "must be one of " + signerRoleList},
		"deal.contract_signers_status_check":         {Kind: realty.Invalid, Field: "status", Message: "must be pending, sent or signed"},
		"deal.contract_signers_user_agent_check":     {Kind: realty.Invalid, Field: "user_agent", Message: "at most 500 characters"},
		"deal.contract_signers_typed_name_check":     {Kind: realty.Invalid, Field: "typed_name", Message: "type your full name (1 to 200 characters)"},
		"deal.contract_signers_signed_sha256_check":  {Kind: realty.Invalid, Field: "sha256", Message: "is not a SHA-256 in hex"},
		"deal.contract_signers_signed_check":         {Kind: realty.Invalid, Field: "consent", Message: "a signature needs the consent, the typed name and the document's SHA-256"},
		"deal.contract_signers_email_key":            {Kind: realty.Conflict, Field: "email", Message: "this address signs the contract once"},
		"deal.contract_events_event_check":           {Kind: realty.Invalid, Field: "event", Message: "is not a contract event"},
		"deal.contract_events_reason_check":          {Kind: realty.Invalid, Field: "reason", Message: "at most 1000 characters"},
		"deal.contract_events_sha256_check":          {Kind: realty.Invalid, Field: "sha256", Message: "is not a SHA-256 in hex"},
		"deal.contract_events_user_agent_check":      {Kind: realty.Invalid, Field: "user_agent", Message: "at most 500 characters"},
	})
	registerGuard(contractGuard)
}

// Contract statuses: draft → sent → signed → executed, or void.
const (
	ContractDraft    = "draft"
	ContractSent     = "sent"
	ContractSigned   = "signed"
	ContractExecuted = "executed"
	ContractVoid     = "void"
)

// SignerRoles are the roles a contract's signer signs in.
var SignerRoles = []string{"buyer", "seller", "buyer_agent", "listing_agent", "broker", "attorney", "witness", "other"}

const signerRoleList = "buyer, seller, buyer_agent, listing_agent, broker, attorney, witness or other"

// Mailer queues e-mail in the caller's transaction (messaging.Service).
type Mailer interface {
	EnqueueTx(ctx context.Context, tx pgx.Tx, actor realty.Actor, e messaging.Email) (realty.ID, error)
}

// Contracts is the contract part of the deal domain: templates, contracts
// with their versions and amendments, and the electronic signing. It is
// separate from Service because it needs the blob store (the rendered PDFs),
// the outbox (the signing links) and the names of the deal's people.
type Contracts struct {
	pool      *postgres.Pool
	blobs     blob.Store
	mail      Mailer
	org       *org.Service
	crm       *crm.Service
	publicURL string
	now       func() time.Time
	limits    *ratelimit.Limiter
}

// ContractDeps are what NewContracts takes.
type ContractDeps struct {
	Blobs blob.Store
	Mail  Mailer
	Org   *org.Service
	CRM   *crm.Service
	// PublicURL starts the signing links (http://127.0.0.1:8080 when empty).
	PublicURL string
	// Now is the clock (time.Now when nil).
	Now func() time.Time
}

// NewContracts returns the contract service over pool.
func NewContracts(pool *postgres.Pool, d ContractDeps) *Contracts {
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.PublicURL == "" {
		d.PublicURL = "http://127.0.0.1:8080"
	}
	return &Contracts{pool: pool, blobs: d.Blobs, mail: d.Mail, org: d.Org, crm: d.CRM, publicURL: d.PublicURL, now: d.Now,
		limits: ratelimit.New(d.Now)}
}

// ContractTemplate is a contract's text with merge fields ({{deal.price}}).
type ContractTemplate struct {
	ID        realty.ID  `db:"id" json:"id"`
	Name      string     `db:"name" json:"name"`
	Body      string     `db:"body" json:"body"`
	CreatedBy *realty.ID `db:"created_by" json:"created_by,omitempty"`
	CreatedAt time.Time  `db:"created_at" json:"created_at"`
	UpdatedAt time.Time  `db:"updated_at" json:"updated_at"`
}

const contractTemplateColumns = `id, name, body, created_by, created_at, updated_at`

// TemplateInput is a template's name and body. The body may name only the
// merge fields of MergeFields.
type TemplateInput struct {
	Name string `json:"name" maxLength:"200"`
	Body string `json:"body" maxLength:"100000" doc:"the contract's text; {{field}} is replaced by the deal's value (see MergeFields)"`
}

// Templates lists the organization's contract templates by name.
// Forbidden without deal.read.
func (c *Contracts) Templates(ctx context.Context, actor realty.Actor) ([]ContractTemplate, error) {
	if err := actor.Require("deal.read"); err != nil {
		return nil, err
	}
	return postgres.ReadAll[ContractTemplate](ctx, c.pool, actor, `SELECT `+contractTemplateColumns+`
		FROM deal.contract_templates WHERE organization_id = $1 ORDER BY name, id`, actor.OrgID)
}

// Template returns one template. Forbidden without deal.read; NotFound.
func (c *Contracts) Template(ctx context.Context, actor realty.Actor, id realty.ID) (ContractTemplate, error) {
	if err := actor.Require("deal.read"); err != nil {
		return ContractTemplate{}, err
	}
	var out ContractTemplate
	err := postgres.Tx(ctx, c.pool, actor, func(tx pgx.Tx) error {
		var err error
		out, err = templateTx(ctx, tx, actor, id)
		return err
	})
	return out, err
}

func templateTx(ctx context.Context, tx pgx.Tx, actor realty.Actor, id realty.ID) (ContractTemplate, error) {
	rows, err := tx.Query(ctx, `SELECT `+contractTemplateColumns+` FROM deal.contract_templates WHERE organization_id = $1 AND id = $2`, actor.OrgID, id)
	if err != nil {
		return ContractTemplate{}, err
	}
	t, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[ContractTemplate])
	return t, notFound(err, "contract template")
}

// CreateTemplate saves a new template. Forbidden without deal.manage;
// Invalid naming body for an unknown or malformed merge field; Conflict
// naming name when the name is taken.
func (c *Contracts) CreateTemplate(ctx context.Context, actor realty.Actor, in TemplateInput) (ContractTemplate, error) {
	if err := actor.Require("deal.manage"); err != nil {
		return ContractTemplate{}, err
	}
	if err := CheckMergeFields(in.Body); err != nil {
		return ContractTemplate{}, err
	}
	var out ContractTemplate
	err := postgres.Tx(ctx, c.pool, actor, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `INSERT INTO deal.contract_templates (organization_id, id, name, body, created_by)
			VALUES ($1, $2, $3, $4, $5) RETURNING `+contractTemplateColumns, actor.OrgID, realty.NewID(), in.Name, in.Body, memberOrNil(actor))
		if err != nil {
			return err
		}
		out, err = pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[ContractTemplate])
		return err
	})
	return out, err
}

// ReplaceTemplate changes a template's name and body; contracts drawn from
// it keep their versions. Errors as CreateTemplate, and NotFound.
func (c *Contracts) ReplaceTemplate(ctx context.Context, actor realty.Actor, id realty.ID, in TemplateInput) (ContractTemplate, error) {
	if err := actor.Require("deal.manage"); err != nil {
		return ContractTemplate{}, err
	}
	if err := CheckMergeFields(in.Body); err != nil {
		return ContractTemplate{}, err
	}
	var out ContractTemplate
	err := postgres.Tx(ctx, c.pool, actor, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `UPDATE deal.contract_templates SET name = $3, body = $4, updated_at = now()
			WHERE organization_id = $1 AND id = $2 RETURNING `+contractTemplateColumns, actor.OrgID, id, in.Name, in.Body)
		if err != nil {
			return err
		}
		out, err = pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[ContractTemplate])
		return notFound(err, "contract template")
	})
	return out, err
}

// contractGuard lets a deal move to under_contract only with an executed
// contract.
func contractGuard(ctx context.Context, tx pgx.Tx, actor realty.Actor, d Deal, to string) error {
	if to != UnderContract || d.Stage == DueDiligence || d.Stage == ClearToClose {
		return nil
	}
	var ok bool
	if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT FROM deal.contracts WHERE organization_id = $1 AND deal_id = $2 AND status = 'executed')`,
		actor.OrgID, d.ID).Scan(&ok); err != nil {
		return err
	}
	if !ok {
		return realty.FieldError("to", "the deal needs an executed contract (signed by every required signer) before it is under contract")
	}
	return nil
}
