package api

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"
	"github.com/shopspring/decimal"

	"realty"
	"realty/internal/leasing"
)

// TenantBody is what creating or replacing a tenant takes.
type TenantBody struct {
	Kind              string                     `json:"kind,omitempty" enum:"person,company" doc:"default person"`
	FirstName         *string                    `json:"first_name,omitempty" maxLength:"100"`
	LastName          *string                    `json:"last_name,omitempty" maxLength:"100"`
	CompanyName       *string                    `json:"company_name,omitempty" maxLength:"200"`
	Email             *string                    `json:"email,omitempty" maxLength:"254"`
	Phone             *string                    `json:"phone,omitempty" maxLength:"30" doc:"stored in E.164 form"`
	MemberID          *realty.ID                 `json:"member_id,omitempty" doc:"the member (a resident) who uses the portal as this tenant"`
	EmergencyContacts []leasing.EmergencyContact `json:"emergency_contacts,omitempty" maxItems:"5"`
	Notes             *string                    `json:"notes,omitempty" maxLength:"4000"`
	Screening         *leasing.Screening         `json:"screening,omitempty" doc:"needs tenant.screening; left as it is when absent"`
}

func (b TenantBody) input() leasing.TenantInput {
	return leasing.TenantInput{Kind: b.Kind, FirstName: b.FirstName, LastName: b.LastName, CompanyName: b.CompanyName,
		Email: b.Email, Phone: b.Phone, MemberID: b.MemberID, EmergencyContacts: b.EmergencyContacts, Notes: b.Notes,
		Screening: b.Screening}
}

// TenantOutput is a tenant.
type TenantOutput struct{ Body leasing.Tenant }

// TenantsInput filters the tenant list.
type TenantsInput struct {
	Status string `query:"status" enum:"prospect,applicant,approved,active,notice_given,moved_out"`
	Q      string `query:"q" maxLength:"200" doc:"part of a name or e-mail"`
	Cursor string `query:"cursor" maxLength:"500"`
	Limit  int    `query:"limit" minimum:"1" maximum:"100" default:"50" doc:"page size, at most MaxPageSize (100)"`
}

// TenantsOutput is a page of tenants.
type TenantsOutput struct{ Body leasing.TenantPage }

// TenantStatusInput moves a tenant.
type TenantStatusInput struct {
	ID   realty.ID `path:"id"`
	Body struct {
		Status string `json:"status" enum:"prospect,applicant,approved,active,notice_given,moved_out"`
	}
}

func routeTenants(a huma.API, d Deps) {
	tags := []string{"Leasing"}
	read, manage := Access{Permission: "lease.read"}, Access{Permission: "lease.manage"}
	Register(a, huma.Operation{OperationID: "list-tenants", Method: http.MethodGet, Path: Prefix + "/tenants", Tags: tags,
		Summary: "List tenants", Description: "Screening data only for holders of tenant.screening."}, read,
		func(ctx context.Context, in *TenantsInput) (*TenantsOutput, error) {
			page, err := d.Leasing.Tenants(ctx, actor(ctx), leasing.TenantFilter{Status: in.Status, Query: in.Q, Cursor: in.Cursor,
				Limit: in.Limit})
			return &TenantsOutput{Body: page}, err
		})
	Register(a, huma.Operation{OperationID: "get-tenant", Method: http.MethodGet, Path: Prefix + "/tenants/{id}", Tags: tags,
		Summary: "One tenant"}, read, func(ctx context.Context, in *IDPath) (*TenantOutput, error) {
		t, err := d.Leasing.Tenant(ctx, actor(ctx), in.ID)
		return &TenantOutput{Body: t}, err
	})
	Register(a, huma.Operation{OperationID: "create-tenant", Method: http.MethodPost, Path: Prefix + "/tenants", Tags: tags,
		Summary: "Add a tenant (a prospect)", DefaultStatus: http.StatusCreated}, manage,
		func(ctx context.Context, in *struct{ Body TenantBody }) (*TenantOutput, error) {
			t, err := d.Leasing.CreateTenant(ctx, actor(ctx), in.Body.input())
			return &TenantOutput{Body: t}, err
		})
	Register(a, huma.Operation{OperationID: "replace-tenant", Method: http.MethodPut, Path: Prefix + "/tenants/{id}", Tags: tags,
		Summary: "Replace a tenant's details (not its status)"}, manage,
		func(ctx context.Context, in *struct {
			ID   realty.ID `path:"id"`
			Body TenantBody
		}) (*TenantOutput, error) {
			t, err := d.Leasing.UpdateTenant(ctx, actor(ctx), in.ID, in.Body.input())
			return &TenantOutput{Body: t}, err
		})
	Register(a, huma.Operation{OperationID: "set-tenant-status", Method: http.MethodPost, Path: Prefix + "/tenants/{id}/status", Tags: tags,
		Summary: "Move a tenant to another status", Description: "prospect → applicant → approved → active → notice_given → moved_out, " +
			"with the steps back a manager may need; any other move is 422."}, manage,
		func(ctx context.Context, in *TenantStatusInput) (*TenantOutput, error) {
			t, err := d.Leasing.SetTenantStatus(ctx, actor(ctx), in.ID, in.Body.Status)
			return &TenantOutput{Body: t}, err
		})
}

// LeaseBody is what creating or replacing a lease takes. An active lease
// takes only the late-fee and renewal terms and the charges.
type LeaseBody struct {
	UnitID           realty.ID             `json:"unit_id"`
	Tenants          []leasing.LeaseTenant `json:"tenants" minItems:"1" maxItems:"10" doc:"one of them primary (the only one is)"`
	LeaseType        string                `json:"lease_type,omitempty" enum:"fixed,month_to_month" doc:"default fixed"`
	StartDate        realty.Date           `json:"start_date"`
	EndDate          *realty.Date          `json:"end_date,omitempty" doc:"required for a fixed lease"`
	Rent             decimal.Decimal       `json:"rent" maxLength:"20" numeric:"14,2"`
	RentDueDay       int                   `json:"rent_due_day,omitempty" minimum:"1" maximum:"31" doc:"default 1; past a short month's end, its last day"`
	Deposit          decimal.Decimal       `json:"deposit,omitempty" maxLength:"20" numeric:"14,2"`
	LateFeeKind      string                `json:"late_fee_kind,omitempty" enum:"none,flat,percent"`
	LateFeeAmount    *decimal.Decimal      `json:"late_fee_amount,omitempty" maxLength:"20" numeric:"14,2"`
	LateFeePercent   *decimal.Decimal      `json:"late_fee_percent,omitempty" maxLength:"20" numeric:"5,2"`
	LateFeeGraceDays *int                  `json:"late_fee_grace_days,omitempty" minimum:"0" maximum:"60" doc:"default 5"`
	LateFeeCap       *decimal.Decimal      `json:"late_fee_cap,omitempty" maxLength:"20" numeric:"14,2"`
	AutoRenew        bool                  `json:"auto_renew,omitempty"`
	NoticeDays       *int                  `json:"notice_days,omitempty" minimum:"0" maximum:"365" doc:"default 60"`
	IncreasePct      decimal.Decimal       `json:"increase_pct,omitempty" maxLength:"20" numeric:"5,2" doc:"the rent increase on renewal, in percent"`
	Charges          []leasing.Charge      `json:"charges,omitempty" maxItems:"20"`
}

func (b LeaseBody) input() leasing.LeaseInput {
	return leasing.LeaseInput{UnitID: b.UnitID, Tenants: b.Tenants, LeaseType: b.LeaseType, StartDate: b.StartDate, EndDate: b.EndDate,
		Rent: b.Rent, RentDueDay: b.RentDueDay, Deposit: b.Deposit, LateFeeKind: b.LateFeeKind, LateFeeAmount: b.LateFeeAmount,
		LateFeePercent: b.LateFeePercent, LateFeeGraceDays: b.LateFeeGraceDays, LateFeeCap: b.LateFeeCap, AutoRenew: b.AutoRenew,
		NoticeDays: b.NoticeDays, IncreasePct: b.IncreasePct, Charges: b.Charges}
}

// LeaseOutput is a lease.
type LeaseOutput struct{ Body leasing.Lease }

// LeasesInput filters the lease list.
type LeasesInput struct {
	UnitID     string `query:"unit_id" maxLength:"36"`
	PropertyID string `query:"property_id" maxLength:"36"`
	TenantID   string `query:"tenant_id" maxLength:"36"`
	Status     string `query:"status" enum:"draft,active,expired,terminated,renewed"`
	Cursor     string `query:"cursor" maxLength:"500"`
	Limit      int    `query:"limit" minimum:"1" maximum:"100" default:"50" doc:"page size, at most MaxPageSize (100)"`
}

func (in LeasesInput) filter() (leasing.LeaseFilter, error) {
	f := leasing.LeaseFilter{Status: in.Status, Cursor: in.Cursor, Limit: in.Limit}
	var err error
	if f.UnitID, err = optionalID(in.UnitID, "unit_id"); err != nil {
		return f, err
	}
	if f.PropertyID, err = optionalID(in.PropertyID, "property_id"); err != nil {
		return f, err
	}
	f.TenantID, err = optionalID(in.TenantID, "tenant_id")
	return f, err
}

// LeasesOutput is a page of leases.
type LeasesOutput struct{ Body leasing.LeasePage }

// LeaseDateInput is an action on a lease on a day.
type LeaseDateInput struct {
	ID   realty.ID `path:"id"`
	Body struct {
		Date realty.Date `json:"date"`
	}
}

// TerminateInput ends a lease early.
type TerminateInput struct {
	ID   realty.ID `path:"id"`
	Body struct {
		Date   realty.Date `json:"date" doc:"the last day of the lease"`
		Reason string      `json:"reason,omitempty" maxLength:"500"`
	}
}

// RenewInput renews a lease.
type RenewInput struct {
	ID   realty.ID `path:"id"`
	Body struct {
		StartDate   *realty.Date     `json:"start_date,omitempty" doc:"default the day after the old end"`
		EndDate     *realty.Date     `json:"end_date,omitempty" doc:"required for a fixed successor"`
		LeaseType   string           `json:"lease_type,omitempty" enum:"fixed,month_to_month"`
		IncreasePct *decimal.Decimal `json:"increase_pct,omitempty" maxLength:"20" numeric:"5,2" doc:"default the old lease's increase_pct"`
		Activate    bool             `json:"activate,omitempty" doc:"activate the successor at once (else it is a draft)"`
	}
}

func routeLeases(a huma.API, d Deps) {
	tags := []string{"Leasing"}
	read, manage := Access{Permission: "lease.read"}, Access{Permission: "lease.manage"}
	Register(a, huma.Operation{OperationID: "list-leases", Method: http.MethodGet, Path: Prefix + "/leases", Tags: tags,
		Summary: "List leases", Description: "Newest start first; filters by unit, property, tenant and status."}, read,
		func(ctx context.Context, in *LeasesInput) (*LeasesOutput, error) {
			f, err := in.filter()
			if err != nil {
				return nil, err
			}
			page, err := d.Leasing.Leases(ctx, actor(ctx), f)
			return &LeasesOutput{Body: page}, err
		})
	Register(a, huma.Operation{OperationID: "get-lease", Method: http.MethodGet, Path: Prefix + "/leases/{id}", Tags: tags,
		Summary: "One lease"}, read, func(ctx context.Context, in *IDPath) (*LeaseOutput, error) {
		l, err := d.Leasing.Lease(ctx, actor(ctx), in.ID)
		return &LeaseOutput{Body: l}, err
	})
	Register(a, huma.Operation{OperationID: "create-lease", Method: http.MethodPost, Path: Prefix + "/leases", Tags: tags,
		Summary: "Draft a lease", DefaultStatus: http.StatusCreated}, manage,
		func(ctx context.Context, in *struct{ Body LeaseBody }) (*LeaseOutput, error) {
			l, err := d.Leasing.CreateLease(ctx, actor(ctx), in.Body.input())
			return &LeaseOutput{Body: l}, err
		})
	Register(a, huma.Operation{OperationID: "replace-lease", Method: http.MethodPut, Path: Prefix + "/leases/{id}", Tags: tags,
		Summary: "Replace a lease's terms", Description: "A draft takes everything; an active lease only late-fee and renewal " +
			"terms and charges; an ended lease nothing (409)."}, manage,
		func(ctx context.Context, in *struct {
			ID   realty.ID `path:"id"`
			Body LeaseBody
		}) (*LeaseOutput, error) {
			l, err := d.Leasing.UpdateLease(ctx, actor(ctx), in.ID, in.Body.input())
			return &LeaseOutput{Body: l}, err
		})
	routeLeaseActions(a, d, tags, manage)
}

func routeLeaseActions(a huma.API, d Deps, tags []string, manage Access) {
	Register(a, huma.Operation{OperationID: "activate-lease", Method: http.MethodPost, Path: Prefix + "/leases/{id}/activate", Tags: tags,
		Summary: "Activate a draft lease", Description: "Occupies the unit. Another active lease of the unit overlapping " +
			"these dates is a 409 naming it."}, manage, func(ctx context.Context, in *IDPath) (*LeaseOutput, error) {
		l, err := d.Leasing.Activate(ctx, actor(ctx), in.ID)
		return &LeaseOutput{Body: l}, err
	})
	Register(a, huma.Operation{OperationID: "terminate-lease", Method: http.MethodPost, Path: Prefix + "/leases/{id}/terminate", Tags: tags,
		Summary: "End an active lease early", Description: "Frees the unit."}, manage,
		func(ctx context.Context, in *TerminateInput) (*LeaseOutput, error) {
			l, err := d.Leasing.Terminate(ctx, actor(ctx), in.ID, in.Body.Date, in.Body.Reason)
			return &LeaseOutput{Body: l}, err
		})
	Register(a, huma.Operation{OperationID: "renew-lease", Method: http.MethodPost, Path: Prefix + "/leases/{id}/renew", Tags: tags,
		Summary: "Renew an active lease", Description: "Creates the successor with the rent increase applied (half-even at " +
			"the cent) and marks this lease renewed.", DefaultStatus: http.StatusCreated}, manage,
		func(ctx context.Context, in *RenewInput) (*LeaseOutput, error) {
			b := in.Body
			l, err := d.Leasing.Renew(ctx, actor(ctx), in.ID, leasing.RenewInput{StartDate: b.StartDate, EndDate: b.EndDate,
				LeaseType: b.LeaseType, IncreasePct: b.IncreasePct, Activate: b.Activate})
			return &LeaseOutput{Body: l}, err
		})
	Register(a, huma.Operation{OperationID: "lease-move-in", Method: http.MethodPost, Path: Prefix + "/leases/{id}/move-in", Tags: tags,
		Summary: "Record the move-in", Description: "The lease's tenants become active."}, manage,
		func(ctx context.Context, in *LeaseDateInput) (*LeaseOutput, error) {
			l, err := d.Leasing.MoveIn(ctx, actor(ctx), in.ID, in.Body.Date)
			return &LeaseOutput{Body: l}, err
		})
	Register(a, huma.Operation{OperationID: "lease-move-out", Method: http.MethodPost, Path: Prefix + "/leases/{id}/move-out", Tags: tags,
		Summary: "Record the move-out", Description: "The lease's tenants become moved_out."}, manage,
		func(ctx context.Context, in *LeaseDateInput) (*LeaseOutput, error) {
			l, err := d.Leasing.MoveOut(ctx, actor(ctx), in.ID, in.Body.Date)
			return &LeaseOutput{Body: l}, err
		})
}

// TenancyOutput is the caller's own tenancy.
type TenancyOutput struct{ Body leasing.Tenancy }

func routeTenancy(a huma.API, d Deps) {
	tags := []string{"Resident"}
	own := Access{Permission: "tenancy.own"}
	Register(a, huma.Operation{OperationID: "get-my-tenancy", Method: http.MethodGet, Path: Prefix + "/me/tenancy", Tags: tags,
		Summary: "The caller's own tenant record and leases", Description: "For residents: 404 when the caller is linked " +
			"to no tenant."}, own, func(ctx context.Context, _ *struct{}) (*TenancyOutput, error) {
		t, err := d.Leasing.Tenancy(ctx, actor(ctx))
		return &TenancyOutput{Body: t}, err
	})
	Register(a, huma.Operation{OperationID: "get-my-lease", Method: http.MethodGet, Path: Prefix + "/me/leases/{id}", Tags: tags,
		Summary: "One lease of the caller's own tenancy", Description: "404 for any other lease."}, own,
		func(ctx context.Context, in *IDPath) (*LeaseOutput, error) {
			l, err := d.Leasing.MyLease(ctx, actor(ctx), in.ID)
			return &LeaseOutput{Body: l}, err
		})
}
