package deal

import (
	"time"

	"realty"
)

// Contract is one contract of a deal; its text lives in its versions.
type Contract struct {
	ID             realty.ID  `db:"id" json:"id"`
	DealID         realty.ID  `db:"deal_id" json:"deal_id"`
	TemplateID     *realty.ID `db:"template_id" json:"template_id,omitempty"`
	Title          string     `db:"title" json:"title"`
	Status         string     `db:"status" json:"status" enum:"draft,sent,signed,executed,void"`
	CurrentVersion int        `db:"current_version" json:"current_version" doc:"the number of the version signers sign now (the executed one once executed)"`
	SentAt         *time.Time `db:"sent_at" json:"sent_at,omitempty"`
	ExecutedAt     *time.Time `db:"executed_at" json:"executed_at,omitempty"`
	VoidedAt       *time.Time `db:"voided_at" json:"voided_at,omitempty"`
	VoidReason     *string    `db:"void_reason" json:"void_reason,omitempty"`
	CreatedBy      *realty.ID `db:"created_by" json:"created_by,omitempty"`
	CreatedAt      time.Time  `db:"created_at" json:"created_at"`
	UpdatedAt      time.Time  `db:"updated_at" json:"updated_at"`
}

const contractColumns = `id, deal_id, template_id, title, status, current_version, sent_at, executed_at, voided_at, void_reason,
	created_by, created_at, updated_at`

// ContractVersion is one immutable rendering of a contract: a PDF in the
// blob store with its SHA-256 and size.
type ContractVersion struct {
	ID         realty.ID  `db:"id" json:"id"`
	ContractID realty.ID  `db:"contract_id" json:"contract_id"`
	Number     int        `db:"number" json:"number"`
	Kind       string     `db:"kind" json:"kind" enum:"original,amendment,executed"`
	Body       string     `db:"body" json:"-"`
	BlobKey    string     `db:"blob_key" json:"-"`
	SHA256     string     `db:"sha256" json:"sha256"`
	Size       int64      `db:"size" json:"size"`
	CreatedBy  *realty.ID `db:"created_by" json:"created_by,omitempty"`
	CreatedAt  time.Time  `db:"created_at" json:"created_at"`
}

const versionColumns = `id, contract_id, number, kind, body, blob_key, sha256, size, created_by, created_at`

// ContractAmendment is a change to a contract, with the version of the
// contract as amended.
type ContractAmendment struct {
	ID            realty.ID   `db:"id" json:"id"`
	ContractID    realty.ID   `db:"contract_id" json:"contract_id"`
	Description   string      `db:"description" json:"description"`
	Body          string      `db:"body" json:"body"`
	EffectiveDate realty.Date `db:"effective_date" json:"effective_date"`
	VersionNumber int         `db:"version_number" json:"version_number"`
	CreatedBy     *realty.ID  `db:"created_by" json:"created_by,omitempty"`
	CreatedAt     time.Time   `db:"created_at" json:"created_at"`
}

const amendmentColumns = `id, contract_id, description, body, effective_date, version_number, created_by, created_at`

// Signer statuses.
const (
	SignerPending = "pending"
	SignerSent    = "sent"
	SignerSigned  = "signed"
)

// ContractSigner is one person who signs a contract, with the evidence of
// their signature once given.
type ContractSigner struct {
	ID            realty.ID  `db:"id" json:"id"`
	ContractID    realty.ID  `db:"contract_id" json:"contract_id"`
	Position      int        `db:"position" json:"position"`
	Name          string     `db:"name" json:"name"`
	Email         string     `db:"email" json:"email"`
	Role          string     `db:"role" json:"role" enum:"buyer,seller,buyer_agent,listing_agent,broker,attorney,witness,other"`
	Required      bool       `db:"required" json:"required"`
	Status        string     `db:"status" json:"status" enum:"pending,sent,signed"`
	ExpiresAt     *time.Time `db:"expires_at" json:"expires_at,omitempty" doc:"when the signer's link stops working"`
	SentAt        *time.Time `db:"sent_at" json:"sent_at,omitempty"`
	SignedAt      *time.Time `db:"signed_at" json:"signed_at,omitempty"`
	IP            *string    `db:"ip" json:"ip,omitempty"`
	UserAgent     *string    `db:"user_agent" json:"user_agent,omitempty"`
	TypedName     *string    `db:"typed_name" json:"typed_name,omitempty"`
	Consent       bool       `db:"consent" json:"consent"`
	SignedVersion *int       `db:"signed_version" json:"signed_version,omitempty"`
	SignedSHA256  *string    `db:"signed_sha256" json:"signed_sha256,omitempty"`
}

const signerColumns = `id, contract_id, position, name, email, role, required, status, expires_at, sent_at, signed_at,
	host(ip) AS ip, user_agent, typed_name, consent, signed_version, signed_sha256`

// ContractEvent is one step of a contract's audit trail.
type ContractEvent struct {
	ID        realty.ID  `db:"id" json:"id"`
	SignerID  *realty.ID `db:"signer_id" json:"signer_id,omitempty"`
	Event     string     `db:"event" json:"event" enum:"created,sent,viewed,signed,refused,executed,amended,voided,signer_added,signer_removed"`
	Reason    *string    `db:"reason" json:"reason,omitempty"`
	SHA256    *string    `db:"sha256" json:"sha256,omitempty"`
	IP        *string    `db:"ip" json:"ip,omitempty"`
	UserAgent *string    `db:"user_agent" json:"user_agent,omitempty"`
	MemberID  *realty.ID `db:"member_id" json:"member_id,omitempty"`
	CreatedAt time.Time  `db:"created_at" json:"created_at"`
}

const eventColumns = `id, signer_id, event, reason, sha256, host(ip) AS ip, user_agent, member_id, created_at`

// ContractDetail is a contract with its versions, amendments, signers and
// audit trail.
type ContractDetail struct {
	Contract   Contract            `json:"contract"`
	Versions   []ContractVersion   `json:"versions"`
	Amendments []ContractAmendment `json:"amendments"`
	Signers    []ContractSigner    `json:"signers"`
	Events     []ContractEvent     `json:"events"`
}

// SignerInput names one signer of a new contract.
type SignerInput struct {
	Name     string `json:"name" maxLength:"200"`
	Email    string `json:"email" maxLength:"254"`
	Role     string `json:"role" enum:"buyer,seller,buyer_agent,listing_agent,broker,attorney,witness,other"`
	Required *bool  `json:"required,omitempty" doc:"whether the contract is executed only once this signer signed (default true)"`
}

// ContractInput is what drawing a contract from a template takes.
type ContractInput struct {
	TemplateID realty.ID     `json:"template_id"`
	Title      string        `json:"title,omitempty" maxLength:"200" doc:"the template's name when empty"`
	Signers    []SignerInput `json:"signers" maxItems:"20"`
}

// AmendmentInput is a change to a contract.
type AmendmentInput struct {
	Description   string      `json:"description" maxLength:"1000" doc:"what changed, in a sentence"`
	Body          string      `json:"body" maxLength:"20000" doc:"the amendment's text, appended to the contract"`
	EffectiveDate realty.Date `json:"effective_date"`
}

// SignLink is a signer's one-time link, as e-mailed.
type SignLink struct {
	SignerID realty.ID
	Email    string
	URL      string
	Token    string
}
