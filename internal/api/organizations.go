package api

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"realty/internal/org"
)

// NewOrganizationInput creates an organization.
type NewOrganizationInput struct {
	Body struct {
		Name     string `json:"name" maxLength:"200"`
		Slug     string `json:"slug" maxLength:"63" doc:"lower-case letters, digits and dashes; unique"`
		Kind     string `json:"kind,omitempty" enum:"brokerage,property_manager,both"`
		TimeZone string `json:"time_zone,omitempty" doc:"IANA time zone, default UTC" maxLength:"64"`
		Currency string `json:"currency,omitempty" doc:"ISO 4217 code, default USD" maxLength:"3"`
	}
}

// OrganizationOutput is an organization.
type OrganizationOutput struct{ Body org.Organization }

// MembershipsOutput lists the caller's organizations.
type MembershipsOutput struct {
	Body struct {
		Items []org.Membership `json:"items"`
	}
}

// OrganizationPatchInput changes settings; absent fields stay.
type OrganizationPatchInput struct {
	Body struct {
		Name             *string   `json:"name,omitempty" maxLength:"200"`
		Kind             *string   `json:"kind,omitempty" enum:"brokerage,property_manager,both"`
		TimeZone         *string   `json:"time_zone,omitempty" maxLength:"64"`
		Currency         *string   `json:"currency,omitempty" maxLength:"3"`
		MFARequiredRoles *[]string `json:"mfa_required_roles,omitempty" doc:"role keys whose members must use two-factor authentication" maxItems:"50" maxLength:"40"`
	}
}

func routeOrganizations(a huma.API, d Deps) {
	tags := []string{"Organizations"}
	Register(a, huma.Operation{OperationID: "list-my-organizations", Method: http.MethodGet, Path: Prefix + "/organizations", Tags: tags,
		Summary: "Organizations you belong to"}, Access{User: true}, func(ctx context.Context, _ *struct{}) (*MembershipsOutput, error) {
		list, err := d.Org.Memberships(ctx, actor(ctx).UserID)
		out := &MembershipsOutput{}
		out.Body.Items = list
		return out, err
	})
	Register(a, huma.Operation{OperationID: "create-organization", Method: http.MethodPost, Path: Prefix + "/organizations", Tags: tags,
		Summary: "Create an organization (you become its owner)", DefaultStatus: http.StatusCreated},
		Access{User: true}, func(ctx context.Context, in *NewOrganizationInput) (*OrganizationOutput, error) {
			b := in.Body
			o, err := d.Org.CreateOrganization(ctx, actor(ctx), org.NewOrganization{Name: b.Name, Slug: b.Slug, Kind: b.Kind, TimeZone: b.TimeZone, Currency: b.Currency})
			return &OrganizationOutput{Body: o}, err
		})
	Register(a, huma.Operation{OperationID: "get-organization", Method: http.MethodGet, Path: Prefix + "/organization", Tags: tags,
		Summary: "The organization you act in"}, Access{Permission: "org.read"}, func(ctx context.Context, _ *struct{}) (*OrganizationOutput, error) {
		o, err := d.Org.Organization(ctx, actor(ctx))
		return &OrganizationOutput{Body: o}, err
	})
	Register(a, huma.Operation{OperationID: "update-organization", Method: http.MethodPatch, Path: Prefix + "/organization", Tags: tags,
		Summary: "Change the organization's settings"}, Access{Permission: "org.update"},
		func(ctx context.Context, in *OrganizationPatchInput) (*OrganizationOutput, error) {
			b := in.Body
			o, err := d.Org.UpdateOrganization(ctx, actor(ctx), org.OrganizationPatch{Name: b.Name, Kind: b.Kind, TimeZone: b.TimeZone,
				Currency: b.Currency, MFARequiredRoles: b.MFARequiredRoles})
			return &OrganizationOutput{Body: o}, err
		})
}
