package api

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"realty"
	"realty/internal/maintenance"
)

// VendorBody is what creating or replacing a vendor takes.
type VendorBody struct {
	Name            string       `json:"name" maxLength:"200"`
	Trade           string       `json:"trade" enum:"plumbing,electrical,hvac,general,cleaning,landscaping,appliance,roofing,painting,pest_control,locksmith"`
	ContactName     *string      `json:"contact_name,omitempty" maxLength:"200"`
	Email           *string      `json:"email,omitempty" maxLength:"254"`
	Phone           *string      `json:"phone,omitempty" maxLength:"30" doc:"E.164, e.g. +13035550100"`
	InsuranceExpiry *realty.Date `json:"insurance_expiry,omitempty"`
	TaxID           *string      `json:"tax_id,omitempty" maxLength:"20" doc:"needs vendor.tax_id; kept as it is when absent"`
	Rating          *int         `json:"rating,omitempty" minimum:"1" maximum:"5"`
	Preferred       bool         `json:"preferred,omitempty" doc:"at most one preferred vendor per trade"`
	Active          *bool        `json:"active,omitempty" doc:"default true"`
	Notes           *string      `json:"notes,omitempty" maxLength:"4000"`
}

func (b VendorBody) input() maintenance.VendorInput {
	active := b.Active == nil || *b.Active
	return maintenance.VendorInput{Name: b.Name, Trade: b.Trade, ContactName: b.ContactName, Email: b.Email, Phone: b.Phone,
		InsuranceExpiry: b.InsuranceExpiry, TaxID: b.TaxID, Rating: b.Rating, Preferred: b.Preferred, Active: active, Notes: b.Notes}
}

// VendorOutput is a vendor.
type VendorOutput struct{ Body maintenance.Vendor }

// VendorsInput filters the vendor list.
type VendorsInput struct {
	Trade      string `query:"trade" enum:"plumbing,electrical,hvac,general,cleaning,landscaping,appliance,roofing,painting,pest_control,locksmith"`
	ActiveOnly bool   `query:"active_only"`
}

// VendorsOutput lists vendors.
type VendorsOutput struct {
	Body struct {
		Items []maintenance.Vendor `json:"items"`
	}
}

// TargetsOutput lists the response targets.
type TargetsOutput struct {
	Body struct {
		Items []maintenance.Target `json:"items"`
	}
}

func routeVendors(a huma.API, d Deps) {
	tags := []string{"Maintenance"}
	read, manage := Access{Permission: "maintenance.read"}, Access{Permission: "maintenance.manage"}
	Register(a, huma.Operation{OperationID: "list-vendors", Method: http.MethodGet, Path: Prefix + "/vendors", Tags: tags,
		Summary: "List vendors by name", Description: "Tax ids only for holders of vendor.tax_id (masked for others); " +
			"insurance_status turns expiring 30 days before the expiry."}, read,
		func(ctx context.Context, in *VendorsInput) (*VendorsOutput, error) {
			list, err := d.Maintenance.Vendors(ctx, actor(ctx), maintenance.VendorFilter{Trade: in.Trade, ActiveOnly: in.ActiveOnly})
			out := &VendorsOutput{}
			out.Body.Items = list
			return out, err
		})
	Register(a, huma.Operation{OperationID: "get-vendor", Method: http.MethodGet, Path: Prefix + "/vendors/{id}", Tags: tags,
		Summary: "One vendor"}, read, func(ctx context.Context, in *IDPath) (*VendorOutput, error) {
		v, err := d.Maintenance.Vendor(ctx, actor(ctx), in.ID)
		return &VendorOutput{Body: v}, err
	})
	Register(a, huma.Operation{OperationID: "create-vendor", Method: http.MethodPost, Path: Prefix + "/vendors", Tags: tags,
		Summary: "Add a vendor", DefaultStatus: http.StatusCreated}, manage,
		func(ctx context.Context, in *struct{ Body VendorBody }) (*VendorOutput, error) {
			v, err := d.Maintenance.CreateVendor(ctx, actor(ctx), in.Body.input())
			return &VendorOutput{Body: v}, err
		})
	Register(a, huma.Operation{OperationID: "replace-vendor", Method: http.MethodPut, Path: Prefix + "/vendors/{id}", Tags: tags,
		Summary: "Replace a vendor's details"}, manage, func(ctx context.Context, in *struct {
		ID   realty.ID `path:"id"`
		Body VendorBody
	}) (*VendorOutput, error) {
		v, err := d.Maintenance.UpdateVendor(ctx, actor(ctx), in.ID, in.Body.input())
		return &VendorOutput{Body: v}, err
	})
	Register(a, huma.Operation{OperationID: "get-response-targets", Method: http.MethodGet, Path: Prefix + "/maintenance/targets", Tags: tags,
		Summary: "The response target of each priority, in hours"}, read, func(ctx context.Context, _ *struct{}) (*TargetsOutput, error) {
		list, err := d.Maintenance.Targets(ctx, actor(ctx))
		out := &TargetsOutput{}
		out.Body.Items = list
		return out, err
	})
	Register(a, huma.Operation{OperationID: "set-response-targets", Method: http.MethodPut, Path: Prefix + "/maintenance/targets", Tags: tags,
		Summary: "Set response targets", Description: "The priorities given change; the others keep theirs. Work orders already filed keep their target."},
		manage, func(ctx context.Context, in *struct {
			Body struct {
				Items []maintenance.Target `json:"items" minItems:"1" maxItems:"4"`
			}
		}) (*TargetsOutput, error) {
			list, err := d.Maintenance.SetTargets(ctx, actor(ctx), in.Body.Items)
			out := &TargetsOutput{}
			out.Body.Items = list
			return out, err
		})
}
