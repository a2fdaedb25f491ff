// Package document holds an organization's documents: files filed against a
// property, listing, client, deal, lease, unit or work order, each with
// versions (the newest is current; older ones are kept), text extracted from
// PDFs and plain text for full-text search, share links for outside parties
// (token hashed, expiring, download-limited, revocable, optionally behind a
// password) and an access log of every view, download and refusal. The bytes
// live in the blob store under their SHA-256. See docs/documents.md.
package document

import (
	"context"
	"net/netip"
	"time"

	"github.com/jackc/pgx/v5"

	"realty"
	"realty/internal/blob"
	"realty/internal/identity"
	"realty/internal/postgres"
	"realty/internal/ratelimit"
)

// Permissions are the document domain's permissions.
var Permissions = []realty.Permission{
	{Name: "document.read", Description: "See documents, their versions and search their text",
		Roles: []string{"broker", "agent", "property_manager", "accountant"}},
	{Name: "document.write", Description: "Upload documents and new versions, change their title, category and visibility",
		Roles: []string{"broker", "agent", "property_manager"}},
	{Name: "document.share", Description: "Create and revoke share links and read the access log",
		Roles: []string{"broker", "agent", "property_manager"}},
	{Name: "document.manage", Description: "Delete documents and set how long they are retained",
		Roles: []string{"broker", "property_manager"}},
}

func init() {
	postgres.RegisterConstraints(map[string]postgres.Constraint{
		"document.documents_title_check":                {Kind: realty.Invalid, Field: "title", Message: "must be 1 to 200 characters"},
		"document.documents_category_check":             {Kind: realty.Invalid, Field: "category", Message: "must be a lower-case word of letters, digits and underscores (at most 60), e.g. purchase_agreement"},
		"document.documents_entity_type_check":          {Kind: realty.Invalid, Field: "entity_type", Message: "must be one of " + entityList},
		"document.documents_visibility_check":           {Kind: realty.Invalid, Field: "visibility", Message: "must be staff, participants or public"},
		"document.documents_created_by_fkey":            {Kind: realty.Invalid, Field: "created_by", Message: "no such member"},
		"document.document_versions_version_check":      {Kind: realty.Invalid, Field: "version", Message: "must be at least 1"},
		"document.document_versions_blob_key_check":     {Kind: realty.Invalid, Field: "file", Message: "is not a stored file"},
		"document.document_versions_sha256_check":       {Kind: realty.Invalid, Field: "file", Message: "is not a stored file"},
		"document.document_versions_size_check":         {Kind: realty.Invalid, Field: "file", Message: "is empty"},
		"document.document_versions_content_type_check": {Kind: realty.Invalid, Field: "file", Message: "has no content type"},
		"document.document_versions_file_name_check":    {Kind: realty.Invalid, Field: "file_name", Message: "must be 1 to 255 characters without slashes"},
		"document.document_versions_number_key":         {Kind: realty.Conflict, Field: "file", Message: "another version was uploaded at the same time; try again"},
		"document.document_versions_document_fkey":      {Kind: realty.NotFound, Message: "document not found"},
		"document.document_versions_uploaded_by_fkey":   {Kind: realty.Invalid, Field: "uploaded_by", Message: "no such member"},
		"document.document_shares_token_hash_check":     {Kind: realty.Invalid, Field: "token", Message: "is malformed"},
		"document.document_shares_label_check":          {Kind: realty.Invalid, Field: "label", Message: "must be 1 to 200 characters"},
		"document.document_shares_max_downloads_check":  {Kind: realty.Invalid, Field: "max_downloads", Message: "must be 1 to 100000"},
		"document.document_shares_downloads_check":      {Kind: realty.Invalid, Field: "downloads", Message: "must not be negative"},
		"document.document_shares_token_key":            {Kind: realty.Conflict, Field: "token", Message: "try again"},
		"document.document_shares_document_fkey":        {Kind: realty.NotFound, Message: "document not found"},
		"document.document_shares_created_by_fkey":      {Kind: realty.Invalid, Field: "created_by", Message: "no such member"},
		"document.document_access_log_action_check":     {Kind: realty.Invalid, Field: "action", Message: "must be view, download or refused"},
		"document.document_access_log_reason_check":     {Kind: realty.Invalid, Field: "reason", Message: "at most 200 characters"},
		"document.document_access_log_user_agent_check": {Kind: realty.Invalid, Field: "user_agent", Message: "at most 500 characters"},
		"document.document_access_log_document_fkey":    {Kind: realty.NotFound, Message: "document not found"},
		"document.document_access_log_version_fkey":     {Kind: realty.NotFound, Message: "version not found"},
		"document.document_access_log_member_fkey":      {Kind: realty.Invalid, Field: "member_id", Message: "no such member"},
		"document.document_access_log_share_fkey":       {Kind: realty.NotFound, Message: "share link not found"},
	})
}

// EntityTypes are what a document can be filed against.
var EntityTypes = []string{"property", "listing", "client", "deal", "lease", "unit", "work_order"}

const entityList = "property, listing, client, deal, lease, unit or work_order"

// Linker checks that the actor can see the entity a document is filed
// against and returns the property it belongs to (nil when none). It is the
// seam to the other domains, wired by the app; Invalid or NotFound when the
// entity is not the organization's or not the actor's to see.
type Linker func(ctx context.Context, actor realty.Actor, entityType string, id realty.ID) (*realty.ID, error)

// Service is the document domain.
type Service struct {
	pool      *postgres.Pool
	blobs     blob.Store
	secrets   *identity.Service
	maxBytes  int64
	now       func() time.Time
	link      Linker
	takesPart Participation
	limits    *ratelimit.Limiter
}

// DefaultMaxBytes bounds one uploaded file when New is given no limit.
const DefaultMaxBytes = 25 << 20

// New returns the document service: files up to maxBytes (DefaultMaxBytes
// when 0) go to blobs, share-link passwords are hashed by secrets, now is
// its clock (time.Now when nil).
func New(pool *postgres.Pool, blobs blob.Store, secrets *identity.Service, maxBytes int64, now func() time.Time) *Service {
	if now == nil {
		now = time.Now
	}
	if maxBytes <= 0 {
		maxBytes = DefaultMaxBytes
	}
	return &Service{pool: pool, blobs: blobs, secrets: secrets, maxBytes: maxBytes, now: now, limits: ratelimit.New(now)}
}

// UseLinker sets the check of linked entities (without one, any id of the
// right type is accepted and no property is recorded).
func (s *Service) UseLinker(l Linker) { s.link = l }

// Client is who opened a document: the address and user agent logged.
type Client = identity.Client

// tx runs fn in a transaction scoped to actor.
func (s *Service) tx(ctx context.Context, actor realty.Actor, fn func(pgx.Tx) error) error {
	return postgres.Tx(ctx, s.pool, actor, fn)
}

// ipArg is the address for an inet column, nil when unknown.
func ipArg(ip netip.Addr) *netip.Addr {
	if !ip.IsValid() {
		return nil
	}
	ip = ip.Unmap()
	return &ip
}

// memberOrNil is the actor's member id, nil for System.
func memberOrNil(actor realty.Actor) *realty.ID {
	if actor.MemberID.IsZero() {
		return nil
	}
	return &actor.MemberID
}

// scopeArg is the actor's property scope for "($n::uuid[] IS NULL OR
// property_id = ANY($n))"; nil when unscoped.
func scopeArg(actor realty.Actor) []realty.ID {
	if actor.PropertyScope == nil {
		return nil
	}
	return actor.PropertyScope
}
