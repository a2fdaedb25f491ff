// Package deal holds a brokerage's transactions: deals moving through an
// enforced stage machine (stages.go) with their stage history and
// participants. Agents see and change the deals they own; holders of
// deal.manage (brokers) see and change every deal of the organization.
// See docs/deals.md.
package deal

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"realty"
	"realty/internal/postgres"
)

// Permissions are the deal domain's permissions.
var Permissions = []realty.Permission{
	{Name: "deal.read", Description: "See one's own deals (owned as their agent), their participants, stages and history",
		Roles: []string{"broker", "agent"}},
	{Name: "deal.write", Description: "Open deals, change one's own, add participants and move them through their stages",
		Roles: []string{"broker", "agent"}},
	{Name: "deal.manage", Description: "See and change every deal of the organization, reassign agents",
		Roles: []string{"broker"}},
}

func init() {
	postgres.RegisterConstraints(map[string]postgres.Constraint{
		"deal.deals_title_check":               {Kind: realty.Invalid, Field: "title", Message: "must be 1 to 200 characters"},
		"deal.deals_kind_check":                {Kind: realty.Invalid, Field: "kind", Message: "must be one of " + kindList},
		"deal.deals_side_check":                {Kind: realty.Invalid, Field: "side", Message: "must be buyer, seller or dual"},
		"deal.deals_stage_check":               {Kind: realty.Invalid, Field: "stage", Message: "must be one of " + stageList},
		"deal.deals_price_check":               {Kind: realty.Invalid, Field: "price", Message: "must be between 0 and 999,999,999,999.99"},
		"deal.deals_close_price_check":         {Kind: realty.Invalid, Field: "close_price", Message: "must be between 0 and 999,999,999,999.99"},
		"deal.deals_notes_check":               {Kind: realty.Invalid, Field: "notes", Message: "at most 8000 characters"},
		"deal.deals_property_fkey":             {Kind: realty.Invalid, Field: "property_id", Message: "no such property"},
		"deal.deals_listing_fkey":              {Kind: realty.Invalid, Field: "listing_id", Message: "no such listing"},
		"deal.deals_agent_fkey":                {Kind: realty.Invalid, Field: "agent_id", Message: "no such member"},
		"deal.deals_closed_check":              {Kind: realty.Invalid, Field: "actual_close", Message: "a closed deal needs its closing date, and only a closed deal has one"},
		"deal.deals_close_dates_check":         {Kind: realty.Invalid, Field: "expected_close", Message: "must not be before contract_date"},
		"deal.deal_stage_history_reason_check": {Kind: realty.Invalid, Field: "reason", Message: "at most 1000 characters"},
		"deal.deal_stage_history_deal_fkey":    {Kind: realty.NotFound, Message: "deal not found"},
		"deal.deal_participants_role_check":    {Kind: realty.Invalid, Field: "role", Message: "must be one of " + roleList},
		"deal.deal_participants_name_check":    {Kind: realty.Invalid, Field: "name", Message: "must be 1 to 200 characters"},
		"deal.deal_participants_company_check": {Kind: realty.Invalid, Field: "company", Message: "must be 1 to 200 characters"},
		"deal.deal_participants_email_check":   {Kind: realty.Invalid, Field: "email", Message: "must be an e-mail address"},
		"deal.deal_participants_phone_check":   {Kind: realty.Invalid, Field: "phone", Message: "must be a phone number in E.164 form"},
		"deal.deal_participants_deal_fkey":     {Kind: realty.NotFound, Message: "deal not found"},
		"deal.deal_participants_client_fkey":   {Kind: realty.Invalid, Field: "client_id", Message: "no such client"},
		"deal.deal_participants_member_fkey":   {Kind: realty.Invalid, Field: "member_id", Message: "no such member"},
		"deal.deal_participants_who_check":     {Kind: realty.Invalid, Field: "client_id", Message: "name exactly one of client_id, member_id or name"},
		"deal.deal_participants_client_key":    {Kind: realty.Conflict, Field: "client_id", Message: "this client already has this role in the deal"},
		"deal.deal_participants_member_key":    {Kind: realty.Conflict, Field: "member_id", Message: "this member already has this role in the deal"},
	})
}

// Service is the deal domain.
type Service struct {
	pool *postgres.Pool
	now  func() time.Time
	// listings and filer are what the move's effects reach (UseListings,
	// UseDocumentFiler).
	listings ListingFollower
	filer    DocumentFiler
}

// New returns the deal service; now is its clock (time.Now when nil).
func New(pool *postgres.Pool, now func() time.Time) *Service {
	if now == nil {
		now = time.Now
	}
	return &Service{pool: pool, now: now}
}

// tx runs fn in a transaction scoped to actor.
func (s *Service) tx(ctx context.Context, actor realty.Actor, fn func(pgx.Tx) error) error {
	return postgres.Tx(ctx, s.pool, actor, fn)
}
