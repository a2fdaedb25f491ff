package leasing

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/nyaruka/phonenumbers"
	"github.com/shopspring/decimal"

	"realty"
	"realty/internal/postgres"
)

// Tenant is a person or company renting (or applying to rent) a unit.
// The screening fields are nil unless the reader holds tenant.screening.
type Tenant struct {
	ID                realty.ID          `db:"id" json:"id"`
	Kind              string             `db:"kind" json:"kind" enum:"person,company"`
	FirstName         *string            `db:"first_name" json:"first_name,omitempty"`
	LastName          *string            `db:"last_name" json:"last_name,omitempty"`
	CompanyName       *string            `db:"company_name" json:"company_name,omitempty"`
	Email             *string            `db:"email" json:"email,omitempty"`
	Phone             *string            `db:"phone" json:"phone,omitempty"`
	MemberID          *realty.ID         `db:"member_id" json:"member_id,omitempty" doc:"the member (a resident) using the portal as this tenant"`
	Status            string             `db:"status" json:"status" enum:"prospect,applicant,approved,active,notice_given,moved_out"`
	EmergencyContacts []EmergencyContact `db:"emergency_contacts" json:"emergency_contacts"`
	Notes             *string            `db:"notes" json:"notes,omitempty"`
	Screening         *Screening         `db:"-" json:"screening,omitempty" doc:"only for holders of tenant.screening"`
	CreatedAt         time.Time          `db:"created_at" json:"created_at"`
	UpdatedAt         time.Time          `db:"updated_at" json:"updated_at"`
}

// EmergencyContact is someone to call about a tenant.
type EmergencyContact struct {
	Name         string `json:"name" maxLength:"200"`
	Relationship string `json:"relationship,omitempty" maxLength:"100"`
	Phone        string `json:"phone,omitempty" maxLength:"30"`
	Email        string `json:"email,omitempty" maxLength:"254"`
}

// Screening is a tenant's personal screening data.
type Screening struct {
	DateOfBirth       *realty.Date     `db:"date_of_birth" json:"date_of_birth,omitempty"`
	GovernmentIDLast4 *string          `db:"government_id_last4" json:"government_id_last4,omitempty" maxLength:"4"`
	AnnualIncome      *decimal.Decimal `db:"annual_income" json:"annual_income,omitempty" maxLength:"20" numeric:"14,2"`
	Result            *string          `db:"screening_result" json:"result,omitempty" enum:"pending,passed,conditional,failed" maxLength:"20"`
	Date              *realty.Date     `db:"screening_date" json:"date,omitempty"`
	Notes             *string          `db:"screening_notes" json:"notes,omitempty" maxLength:"4000"`
}

// tenantRow is a tenants row with its screening columns.
type tenantRow struct {
	Tenant    `json:"-"`
	Screening `json:"-"`
}

const tenantColumns = `id, kind, first_name, last_name, company_name, email, phone, member_id, status, emergency_contacts, notes,
	created_at, updated_at, date_of_birth, government_id_last4, annual_income, screening_result, screening_date, screening_notes`

// view is the tenant as actor may see it: screening only with
// tenant.screening.
func (r tenantRow) view(actor realty.Actor) Tenant {
	t := r.Tenant
	if actor.Can("tenant.screening") {
		sc := r.Screening
		t.Screening = &sc
	}
	if t.EmergencyContacts == nil {
		t.EmergencyContacts = []EmergencyContact{}
	}
	return t
}

// TenantInput is what creating or replacing a tenant takes. Screening is
// written only by holders of tenant.screening (Forbidden otherwise).
type TenantInput struct {
	Kind              string
	FirstName         *string
	LastName          *string
	CompanyName       *string
	Email             *string
	Phone             *string
	MemberID          *realty.ID
	EmergencyContacts []EmergencyContact
	Notes             *string
	Screening         *Screening
}

func (in *TenantInput) normalize(actor realty.Actor) error {
	in.Kind = strings.TrimSpace(in.Kind)
	if in.Kind == "" {
		in.Kind = "person"
	}
	for _, p := range []**string{&in.FirstName, &in.LastName, &in.CompanyName, &in.Email, &in.Notes} {
		if *p != nil {
			if v := strings.TrimSpace(**p); v == "" {
				*p = nil
			} else {
				*p = &v
			}
		}
	}
	if in.Phone != nil {
		e164, err := normalizePhone(*in.Phone)
		if err != nil {
			return err
		}
		in.Phone = e164
	}
	if in.EmergencyContacts == nil {
		in.EmergencyContacts = []EmergencyContact{}
	}
	if in.Screening != nil && !actor.Can("tenant.screening") {
		return realty.FieldError("screening", "needs the tenant.screening permission")
	}
	if in.Screening == nil {
		in.Screening = &Screening{}
	}
	return nil
}

// normalizePhone returns raw in E.164 form, reading a number without
// country code as a US one; nil for an empty raw.
func normalizePhone(raw string) (*string, error) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return nil, nil
	}
	n, err := phonenumbers.Parse(raw, "US")
	if err != nil || !phonenumbers.IsValidNumber(n) {
		return nil, realty.FieldError("phone", "is not a valid phone number (write it with its country code, e.g. +1 415 555 2671)")
	}
	out := phonenumbers.Format(n, phonenumbers.E164)
	return &out, nil
}

func (in TenantInput) args() []any {
	contacts, _ := json.Marshal(in.EmergencyContacts)
	sc := in.Screening
	return []any{in.Kind, in.FirstName, in.LastName, in.CompanyName, in.Email, in.Phone, in.MemberID, string(contacts), in.Notes,
		sc.DateOfBirth, sc.GovernmentIDLast4, sc.AnnualIncome, sc.Result, sc.Date, sc.Notes}
}

var errTenantNotFound = &realty.Error{Kind: realty.NotFound, Message: "tenant not found"}

// CreateTenant adds a prospect. Forbidden without lease.manage (or, for
// screening data, tenant.screening); Invalid naming the field; Conflict
// when member_id is linked to another tenant.
func (s *Service) CreateTenant(ctx context.Context, actor realty.Actor, in TenantInput) (Tenant, error) {
	if err := actor.Require("lease.manage"); err != nil {
		return Tenant{}, err
	}
	if err := in.normalize(actor); err != nil {
		return Tenant{}, err
	}
	var out Tenant
	err := s.tx(ctx, actor, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `INSERT INTO leasing.tenants (organization_id, id, kind, first_name, last_name, company_name,
			email, phone, member_id, emergency_contacts, notes, date_of_birth, government_id_last4, annual_income,
			screening_result, screening_date, screening_notes)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17) RETURNING `+tenantColumns,
			append([]any{actor.OrgID, realty.NewID()}, in.args()...)...)
		if err != nil {
			return err
		}
		r, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[tenantRow])
		out = r.view(actor)
		return err
	})
	return out, err
}

// UpdateTenant replaces a tenant's fields (not its status); screening
// data is kept as it is when the actor may not see it. Forbidden without
// lease.manage; NotFound; Invalid naming the field.
func (s *Service) UpdateTenant(ctx context.Context, actor realty.Actor, id realty.ID, in TenantInput) (Tenant, error) {
	if err := actor.Require("lease.manage"); err != nil {
		return Tenant{}, err
	}
	keepScreening := in.Screening == nil || !actor.Can("tenant.screening")
	if err := in.normalize(actor); err != nil {
		return Tenant{}, err
	}
	var out Tenant
	err := s.tx(ctx, actor, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `UPDATE leasing.tenants SET kind = $3, first_name = $4, last_name = $5, company_name = $6,
			email = $7, phone = $8, member_id = $9, emergency_contacts = $10, notes = $11,
			date_of_birth = CASE WHEN $18 THEN date_of_birth ELSE $12 END,
			government_id_last4 = CASE WHEN $18 THEN government_id_last4 ELSE $13 END,
			annual_income = CASE WHEN $18 THEN annual_income ELSE $14 END,
			screening_result = CASE WHEN $18 THEN screening_result ELSE $15 END,
			screening_date = CASE WHEN $18 THEN screening_date ELSE $16 END,
			screening_notes = CASE WHEN $18 THEN screening_notes ELSE $17 END
			WHERE organization_id = $1 AND id = $2 RETURNING `+tenantColumns,
			append(append([]any{actor.OrgID, id}, in.args()...), keepScreening)...)
		if err != nil {
			return err
		}
		r, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[tenantRow])
		if errorsIsNoRows(err) {
			return errTenantNotFound
		}
		out = r.view(actor)
		return err
	})
	return out, err
}

// Tenant returns one tenant. Forbidden without lease.read (a resident reads
// their own through Tenancy); NotFound.
func (s *Service) Tenant(ctx context.Context, actor realty.Actor, id realty.ID) (Tenant, error) {
	if err := actor.Require("lease.read"); err != nil {
		return Tenant{}, err
	}
	rows, err := postgres.ReadAll[tenantRow](ctx, s.pool, actor, `SELECT `+tenantColumns+` FROM leasing.tenants
		WHERE organization_id = $1 AND id = $2`, actor.OrgID, id)
	if err != nil {
		return Tenant{}, err
	}
	if len(rows) == 0 {
		return Tenant{}, errTenantNotFound
	}
	return rows[0].view(actor), nil
}

// TenantFilter narrows a tenant list; Cursor continues a previous page.
type TenantFilter struct {
	Status string
	Query  string // part of a name or e-mail
	Cursor string
	Limit  int
}

// TenantPage is a page of tenants by name.
type TenantPage struct {
	Items      []Tenant `json:"items"`
	NextCursor string   `json:"next_cursor,omitempty"`
}

// tenantSortKey is the name tenants are listed by.
const tenantSortKey = `lower(coalesce(company_name, last_name || ' ' || first_name))`

// Tenants lists tenants by name, Limit (1–100, default 50) a page.
// Forbidden without lease.read; Invalid naming cursor for a cursor this
// list did not return.
func (s *Service) Tenants(ctx context.Context, actor realty.Actor, f TenantFilter) (TenantPage, error) {
	if err := actor.Require("lease.read"); err != nil {
		return TenantPage{}, err
	}
	f.Limit = pageSize(f.Limit)
	var afterName string
	afterID := realty.ID{}
	if f.Cursor != "" {
		if err := postgres.DecodeCursor(f.Cursor, &afterName, &afterID); err != nil {
			return TenantPage{}, err
		}
	}
	type row struct {
		tenantRow
		SortKey string `db:"sort_key"`
	}
	rows, err := postgres.ReadAll[row](ctx, s.pool, actor, `SELECT `+tenantColumns+`, `+tenantSortKey+` AS sort_key
		FROM leasing.tenants WHERE organization_id = @org AND (@status = '' OR status = @status)
		  AND (@q = '' OR concat_ws(' ', first_name, last_name, company_name, email) ILIKE '%' || @q || '%')
		  AND (@cursor = '' OR (`+tenantSortKey+`, id) > (@after_name, @after_id))
		ORDER BY `+tenantSortKey+`, id LIMIT @limit`,
		pgx.NamedArgs{"org": actor.OrgID, "status": f.Status, "q": strings.TrimSpace(f.Query), "cursor": f.Cursor,
			"after_name": afterName, "after_id": afterID, "limit": f.Limit + 1})
	if err != nil {
		return TenantPage{}, err
	}
	page := TenantPage{Items: []Tenant{}}
	for i, r := range rows {
		if i == f.Limit {
			last := rows[i-1]
			page.NextCursor = postgres.EncodeCursor(last.SortKey, last.ID)
			break
		}
		page.Items = append(page.Items, r.view(actor))
	}
	return page, nil
}

// pageSize is limit within 1–100, 50 when unset.
func pageSize(limit int) int {
	if limit <= 0 {
		return 50
	}
	return min(limit, 100)
}

// tenantMoves are the status changes a tenant may make by hand.
var tenantMoves = map[string][]string{
	"prospect":     {"applicant", "approved", "moved_out"},
	"applicant":    {"approved", "prospect", "moved_out"},
	"approved":     {"active", "applicant", "moved_out"},
	"active":       {"notice_given", "moved_out"},
	"notice_given": {"active", "moved_out"},
	"moved_out":    {"prospect"},
}

// CanMoveTenant reports whether a tenant may go from status from to to.
func CanMoveTenant(from, to string) bool { return slices.Contains(tenantMoves[from], to) }

// SetTenantStatus moves a tenant to status. Forbidden without
// lease.manage; NotFound; Invalid naming status for a move tenantMoves
// does not allow.
func (s *Service) SetTenantStatus(ctx context.Context, actor realty.Actor, id realty.ID, status string) (Tenant, error) {
	if err := actor.Require("lease.manage"); err != nil {
		return Tenant{}, err
	}
	var out Tenant
	err := s.tx(ctx, actor, func(tx pgx.Tx) error {
		var cur string
		err := tx.QueryRow(ctx, `SELECT status FROM leasing.tenants WHERE organization_id = $1 AND id = $2 FOR UPDATE`,
			actor.OrgID, id).Scan(&cur)
		if errorsIsNoRows(err) {
			return errTenantNotFound
		} else if err != nil {
			return err
		}
		if !CanMoveTenant(cur, status) {
			return realty.FieldError("status", "a tenant cannot go from "+cur+" to "+status)
		}
		out, err = setTenantStatusTx(ctx, tx, actor, id, status)
		return err
	})
	return out, err
}

func setTenantStatusTx(ctx context.Context, tx pgx.Tx, actor realty.Actor, id realty.ID, status string) (Tenant, error) {
	rows, err := tx.Query(ctx, `UPDATE leasing.tenants SET status = $3 WHERE organization_id = $1 AND id = $2 RETURNING `+tenantColumns,
		actor.OrgID, id, status)
	if err != nil {
		return Tenant{}, err
	}
	r, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[tenantRow])
	return r.view(actor), err
}

// TenantNames maps each of ids to its tenant's display name (the company,
// else first and last name) in one query; ids of no tenant of the
// organization are left out. Forbidden without lease.read.
func (s *Service) TenantNames(ctx context.Context, actor realty.Actor, ids []realty.ID) (map[realty.ID]string, error) {
	out := map[realty.ID]string{}
	if err := actor.Require("lease.read"); err != nil || len(ids) == 0 {
		return out, err
	}
	err := postgres.Read(ctx, s.pool, actor, func(rows pgx.Rows) error {
		var id realty.ID
		var name string
		_, err := pgx.ForEachRow(rows, []any{&id, &name}, func() error {
			out[id] = name
			return nil
		})
		return err
	}, `SELECT id, coalesce(company_name, btrim(coalesce(first_name, '') || ' ' || coalesce(last_name, '')))
		FROM leasing.tenants WHERE organization_id = $1 AND id = ANY($2)`, actor.OrgID, ids)
	return out, err
}
