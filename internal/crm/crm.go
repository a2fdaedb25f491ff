// Package crm is the brokerage CRM: clients (leads and clients in one table,
// moving through stages with a kept history), their interactions and tasks,
// one merged timeline per client, duplicate detection and merging, and the
// round-robin assignment of new leads among a pool of agents.
//
// Scope: a member holding client.manage sees and changes every client and
// task of the organization; a member holding only client.read / client.write
// sees and changes the clients assigned to them or created by them, and the
// tasks they own or created. Another member's client is NotFound to them,
// never Forbidden, so its existence does not leak.
package crm

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"

	"realty"
	"realty/internal/listing"
	"realty/internal/org"
	"realty/internal/postgres"
)

// Permissions are the CRM's permissions.
var Permissions = []realty.Permission{
	{Name: "client.read", Description: "See one's own clients and leads (assigned to or created by one), their timeline and one's tasks",
		Roles: []string{"broker", "agent"}},
	{Name: "client.write", Description: "Create clients and leads, change one's own, log interactions and work one's tasks",
		Roles: []string{"broker", "agent"}},
	{Name: "client.manage", Description: "See and change every client and task, assign agents, merge duplicates, set the lead pool",
		Roles: []string{"broker"}},
	{Name: "lead.create", Description: "Capture leads from a website (for API keys of lead forms)", Roles: []string{"broker"}},
}

func init() {
	postgres.RegisterConstraints(map[string]postgres.Constraint{
		"crm.clients_stage_check":               {Kind: realty.Invalid, Field: "stage", Message: "must be lead, prospect, active, under_contract, closed or lost"},
		"crm.clients_nurture_check":             {Kind: realty.Invalid, Field: "nurture_status", Message: "must be new, hot, warm or cold"},
		"crm.clients_source_check":              {Kind: realty.Invalid, Field: "source", Message: "must be 1 to 50 characters"},
		"crm.clients_first_name_check":          {Kind: realty.Invalid, Field: "first_name", Message: "must be 1 to 100 characters"},
		"crm.clients_last_name_check":           {Kind: realty.Invalid, Field: "last_name", Message: "must be at most 100 characters"},
		"crm.clients_email_check":               {Kind: realty.Invalid, Field: "email", Message: "must be an e-mail address"},
		"crm.clients_phone_check":               {Kind: realty.Invalid, Field: "phone", Message: "must be a phone number in E.164 form"},
		"crm.clients_budget_min_check":          {Kind: realty.Invalid, Field: "budget_min", Message: "must not be negative"},
		"crm.clients_budget_max_check":          {Kind: realty.Invalid, Field: "budget_max", Message: "must not be negative"},
		"crm.clients_budget_check":              {Kind: realty.Invalid, Field: "budget_min", Message: "must not exceed budget_max"},
		"crm.clients_lead_score_check":          {Kind: realty.Invalid, Field: "lead_score", Message: "must be between 0 and 100"},
		"crm.clients_tags_check":                {Kind: realty.Invalid, Field: "tags", Message: "at most 50 tags"},
		"crm.clients_notes_check":               {Kind: realty.Invalid, Field: "notes", Message: "must be at most 4000 characters"},
		"crm.clients_merged_check":              {Kind: realty.Invalid, Field: "duplicate_ids", Message: "a client cannot be merged into itself"},
		"crm.clients_email_key":                 {Kind: realty.Conflict, Field: "email", Message: "another client has this e-mail address"},
		"crm.clients_phone_key":                 {Kind: realty.Conflict, Field: "phone", Message: "another client has this phone number"},
		"crm.clients_agent_fkey":                {Kind: realty.Invalid, Field: "assigned_agent_id", Message: "no such member"},
		"crm.client_stage_changes_reason_check": {Kind: realty.Invalid, Field: "reason", Message: "must be at most 500 characters"},
		"crm.interactions_type_check":           {Kind: realty.Invalid, Field: "type", Message: "must be email, call, meeting, sms or note"},
		"crm.interactions_notes_check":          {Kind: realty.Invalid, Field: "notes", Message: "must be at most 4000 characters"},
		"crm.interactions_outcome_check":        {Kind: realty.Invalid, Field: "outcome", Message: "must be at most 200 characters"},
		"crm.tasks_title_check":                 {Kind: realty.Invalid, Field: "title", Message: "must be 1 to 200 characters"},
		"crm.tasks_description_check":           {Kind: realty.Invalid, Field: "description", Message: "must be at most 4000 characters"},
		"crm.tasks_status_check":                {Kind: realty.Invalid, Field: "status", Message: "must be open, in_progress, done or canceled"},
		"crm.tasks_priority_check":              {Kind: realty.Invalid, Field: "priority", Message: "must be low, normal, high or urgent"},
		"crm.tasks_category_check":              {Kind: realty.Invalid, Field: "category", Message: "must be at most 50 characters"},
		"crm.tasks_progress_check":              {Kind: realty.Invalid, Field: "progress", Message: "must be between 0 and 100"},
		"crm.tasks_owner_fkey":                  {Kind: realty.Invalid, Field: "owner_id", Message: "no such member"},
		"crm.tasks_client_fkey":                 {Kind: realty.Invalid, Field: "client_id", Message: "no such client"},
		"crm.tasks_property_fkey":               {Kind: realty.Invalid, Field: "property_id", Message: "no such property"},
		"crm.tasks_listing_fkey":                {Kind: realty.Invalid, Field: "listing_id", Message: "no such listing"},
		"crm.settings_phone_region_check":       {Kind: realty.Invalid, Field: "phone_region", Message: "must be an ISO 3166 two-letter code such as US"},
		"crm.pool_members_member_fkey":          {Kind: realty.Invalid, Field: "member_ids", Message: "no such member"},
		"crm.pool_members_member_key":           {Kind: realty.Invalid, Field: "member_ids", Message: "a member is in the pool once"},
	})
}

// Service is the CRM.
type Service struct {
	pool     *postgres.Pool
	orgs     *org.Service
	now      func() time.Time
	announce Announcer
	listings *listing.Service
	jobs     *river.Client[pgx.Tx]
	// scanChunk and scanBatch size the full rematch's reads: listings per
	// chunk and preferences per batch (zero: scanChunkSize, rematchBatch).
	// Tests set them small to cross the boundaries.
	scanChunk, scanBatch int
}

// New returns the CRM service; orgs answers the organization's time zone,
// announce is told of new leads, assignments, stage changes and matches
// (nil: no one is), listings gives the match engine the listings' facts,
// and jobs (an insert-only River client; nil: none) takes the rematch,
// digest and score-recompute jobs in the callers' transactions (without it
// scores change only when recomputed by hand).
func New(pool *postgres.Pool, orgs *org.Service, now func() time.Time, announce Announcer, listings *listing.Service,
	jobs *river.Client[pgx.Tx]) *Service {
	if now == nil {
		now = time.Now
	}
	if announce == nil {
		announce = silent{}
	}
	return &Service{pool: pool, orgs: orgs, now: now, announce: announce, listings: listings, jobs: jobs}
}

// seesAll says whether the actor works every client of the organization
// rather than only their own.
func seesAll(actor realty.Actor) bool {
	return actor.Can("client.manage")
}

// me is the actor's member id for scope filters and authorship, NULL for an
// actor that is no member (the System actor, which sees all).
func me(actor realty.Actor) *realty.ID {
	if actor.MemberID.IsZero() {
		return nil
	}
	id := actor.MemberID
	return &id
}

// clientScope is the WHERE every read and write of a client carries: the
// organization, live (not merged away), and the actor's own clients unless
// they see all.
const clientScope = `c.organization_id = @org AND c.merged_into IS NULL
	AND (@all::bool OR c.assigned_agent_id = @me OR c.created_by = @me)`

func scopeArgs(actor realty.Actor) map[string]any {
	return map[string]any{"org": actor.OrgID, "all": seesAll(actor), "me": me(actor)}
}

var errClientNotFound = &realty.Error{Kind: realty.NotFound, Message: "client not found"}

// location is the organization's time zone (UTC when unknown).
func (s *Service) location(ctx context.Context, actor realty.Actor) *time.Location {
	o, err := s.orgs.Organization(ctx, realty.System(actor.OrgID))
	if err != nil {
		return time.UTC
	}
	loc, err := time.LoadLocation(o.TimeZone)
	if err != nil {
		return time.UTC
	}
	return loc
}
