// Package leasing holds tenants and leases: who rents which unit, on what
// terms, from when to when. A lease's activation occupies its unit and its
// end frees it, through the property domain in the same transaction; two
// active leases of one unit never overlap (an exclusion constraint).
// Residents linked to a tenant see only their own tenancy, checked here
// and again by row-level security (see docs/leasing.md).
package leasing

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"realty"
	"realty/internal/postgres"
)

func init() {
	postgres.RegisterConstraints(map[string]postgres.Constraint{
		"leasing.tenants_kind_check":                {Kind: realty.Invalid, Field: "kind", Message: "must be person or company"},
		"leasing.tenants_first_name_check":          {Kind: realty.Invalid, Field: "first_name", Message: "must be 1 to 100 characters"},
		"leasing.tenants_last_name_check":           {Kind: realty.Invalid, Field: "last_name", Message: "must be 1 to 100 characters"},
		"leasing.tenants_company_name_check":        {Kind: realty.Invalid, Field: "company_name", Message: "must be 1 to 200 characters"},
		"leasing.tenants_name_check":                {Kind: realty.Invalid, Field: "first_name", Message: "a person needs first and last name, a company its name"},
		"leasing.tenants_email_check":               {Kind: realty.Invalid, Field: "email", Message: "must be an e-mail address"},
		"leasing.tenants_phone_check":               {Kind: realty.Invalid, Field: "phone", Message: "must be a phone number in E.164 form"},
		"leasing.tenants_status_check":              {Kind: realty.Invalid, Field: "status", Message: "must be prospect, applicant, approved, active, notice_given or moved_out"},
		"leasing.tenants_emergency_contacts_check":  {Kind: realty.Invalid, Field: "emergency_contacts", Message: "at most 5 contacts"},
		"leasing.tenants_notes_check":               {Kind: realty.Invalid, Field: "notes", Message: "at most 4000 characters"},
		"leasing.tenants_government_id_last4_check": {Kind: realty.Invalid, Field: "government_id_last4", Message: "must be 4 letters or digits"},
		"leasing.tenants_annual_income_check":       {Kind: realty.Invalid, Field: "annual_income", Message: "must not be negative"},
		"leasing.tenants_screening_result_check":    {Kind: realty.Invalid, Field: "screening_result", Message: "must be pending, passed, conditional or failed"},
		"leasing.tenants_screening_notes_check":     {Kind: realty.Invalid, Field: "screening_notes", Message: "at most 4000 characters"},
		"leasing.tenants_member_fkey":               {Kind: realty.Invalid, Field: "member_id", Message: "no such member"},
		"leasing.tenants_member_key":                {Kind: realty.Conflict, Field: "member_id", Message: "is linked to another tenant"},
		"leasing.leases_type_check":                 {Kind: realty.Invalid, Field: "lease_type", Message: "must be fixed or month_to_month"},
		"leasing.leases_rent_check":                 {Kind: realty.Invalid, Field: "rent", Message: "must not be negative"},
		"leasing.leases_rent_due_day_check":         {Kind: realty.Invalid, Field: "rent_due_day", Message: "must be between 1 and 31"},
		"leasing.leases_deposit_check":              {Kind: realty.Invalid, Field: "deposit", Message: "must not be negative"},
		"leasing.leases_late_fee_kind_check":        {Kind: realty.Invalid, Field: "late_fee_kind", Message: "must be none, flat or percent"},
		"leasing.leases_late_fee_amount_check":      {Kind: realty.Invalid, Field: "late_fee_amount", Message: "must not be negative"},
		"leasing.leases_late_fee_percent_check":     {Kind: realty.Invalid, Field: "late_fee_percent", Message: "must be between 0 and 100"},
		"leasing.leases_late_fee_grace_days_check":  {Kind: realty.Invalid, Field: "late_fee_grace_days", Message: "must be between 0 and 60"},
		"leasing.leases_late_fee_cap_check":         {Kind: realty.Invalid, Field: "late_fee_cap", Message: "must not be negative"},
		"leasing.leases_late_fee_check":             {Kind: realty.Invalid, Field: "late_fee_kind", Message: "a flat fee needs late_fee_amount, a percentage late_fee_percent"},
		"leasing.leases_notice_days_check":          {Kind: realty.Invalid, Field: "notice_days", Message: "must be between 0 and 365"},
		"leasing.leases_increase_pct_check":         {Kind: realty.Invalid, Field: "increase_pct", Message: "must be between -100 and 100"},
		"leasing.leases_status_check":               {Kind: realty.Invalid, Field: "status", Message: "must be draft, active, expired, terminated or renewed"},
		"leasing.leases_termination_reason_check":   {Kind: realty.Invalid, Field: "reason", Message: "at most 500 characters"},
		"leasing.leases_dates_check":                {Kind: realty.Invalid, Field: "end_date", Message: "must not be before start_date"},
		"leasing.leases_fixed_end_check":            {Kind: realty.Invalid, Field: "end_date", Message: "a fixed lease needs an end date"},
		"leasing.leases_terminated_check":           {Kind: realty.Invalid, Field: "date", Message: "a terminated lease needs its date"},
		"leasing.leases_unit_fkey":                  {Kind: realty.Invalid, Field: "unit_id", Message: "no such unit"},
		"leasing.leases_property_fkey":              {Kind: realty.Invalid, Field: "unit_id", Message: "no such property"},
		"leasing.leases_renewal_of_fkey":            {Kind: realty.NotFound, Message: "lease not found"},
		"leasing.leases_renewal_of_key":             {Kind: realty.Conflict, Field: "id", Message: "the lease has already been renewed"},
		"leasing.leases_no_overlap":                 {Kind: realty.Conflict, Field: "start_date", Message: "another active lease of the unit overlaps these dates"},
		"leasing.lease_tenants_tenant_fkey":         {Kind: realty.Invalid, Field: "tenants", Message: "no such tenant"},
		"leasing.lease_tenants_key":                 {Kind: realty.Invalid, Field: "tenants", Message: "a tenant is named twice"},
		"leasing.lease_tenants_primary_key":         {Kind: realty.Invalid, Field: "tenants", Message: "exactly one tenant is primary"},
		"leasing.lease_charges_kind_check":          {Kind: realty.Invalid, Field: "charges", Message: "kind must be parking, pet, utility or other"},
		"leasing.lease_charges_description_check":   {Kind: realty.Invalid, Field: "charges", Message: "description at most 200 characters"},
		"leasing.lease_charges_amount_check":        {Kind: realty.Invalid, Field: "charges", Message: "amount must be positive"},
		"leasing.lease_charges_account_fkey":        {Kind: realty.Invalid, Field: "charges", Message: "no such account"},
		"ledger.journal_lines_lease_fkey":           {Kind: realty.Invalid, Field: "lease_id", Message: "no such lease"},
		"ledger.journal_lines_tenant_fkey":          {Kind: realty.Invalid, Field: "tenant_id", Message: "no such tenant"},
	})
}

// Permissions are the leasing domain's permissions.
var Permissions = []realty.Permission{
	{Name: "lease.read", Description: "See tenants (without screening data) and leases",
		Roles: []string{"property_manager", "accountant"}},
	{Name: "lease.manage", Description: "Create and change tenants and leases; activate, end and renew leases",
		Roles: []string{"property_manager"}},
	{Name: "tenant.screening", Description: "See and change tenants' screening data (birth date, id, income, result)",
		Roles: []string{"property_manager"}},
	{Name: "tenancy.own", Description: "See one's own tenancy (the resident portal)",
		Roles: []string{"resident"}},
}

// Service is the leasing domain.
type Service struct {
	pool *postgres.Pool
	now  func() time.Time
}

// New returns the leasing service; now is its clock (time.Now when nil).
func New(pool *postgres.Pool, now func() time.Time) *Service {
	if now == nil {
		now = time.Now
	}
	return &Service{pool: pool, now: now}
}

// FenceActor marks a resident (an actor who may see their own tenancy but
// not leases in general) as such and links them to their tenant, so their
// transactions are fenced to it by row-level security. Other actors pass
// unchanged. It is the org service's actor hook (org.Service.OnActor).
func (s *Service) FenceActor(ctx context.Context, actor realty.Actor) (realty.Actor, error) {
	if !actor.Can("tenancy.own") || actor.Can("lease.read") || actor.MemberID.IsZero() {
		return actor, nil
	}
	var ids []realty.ID
	err := postgres.Read(ctx, s.pool, actor, func(rows pgx.Rows) error {
		var err error
		ids, err = pgx.CollectRows(rows, pgx.RowTo[realty.ID])
		return err
	}, `SELECT id FROM leasing.tenants WHERE organization_id = $1 AND member_id = $2`, actor.OrgID, actor.MemberID)
	if err != nil {
		return realty.Actor{}, err
	}
	actor.Resident = true
	if len(ids) == 1 {
		actor.TenantID = ids[0]
	}
	return actor, nil
}

// tx runs fn in a transaction scoped to actor.
func (s *Service) tx(ctx context.Context, actor realty.Actor, fn func(pgx.Tx) error) error {
	return postgres.Tx(ctx, s.pool, actor, fn)
}
