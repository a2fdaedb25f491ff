package api

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"
	"github.com/shopspring/decimal"

	"realty"
	"realty/internal/crm"
)

// PreferenceBody is a saved preference's criteria, all of them: a change
// replaces every one.
type PreferenceBody struct {
	Name           string           `json:"name,omitempty" maxLength:"100" doc:"default: Saved search"`
	ListType       string           `json:"list_type,omitempty" enum:"sale,lease" doc:"default: sale"`
	PriceMin       *decimal.Decimal `json:"price_min,omitempty" maxLength:"20" numeric:"14,2"`
	PriceMax       *decimal.Decimal `json:"price_max,omitempty" maxLength:"20" numeric:"14,2"`
	BedroomsMin    *int             `json:"bedrooms_min,omitempty" minimum:"0" maximum:"200"`
	BathroomsMin   *float64         `json:"bathrooms_min,omitempty" minimum:"0" maximum:"200"`
	PropertyTypes  []string         `json:"property_types,omitempty" maxItems:"9" maxLength:"50" doc:"RESO PropertyType values; none: any"`
	CentreLat      *float64         `json:"centre_lat,omitempty" minimum:"-90" maximum:"90" doc:"with centre_lon and radius_km: a radius search"`
	CentreLon      *float64         `json:"centre_lon,omitempty" minimum:"-180" maximum:"180"`
	RadiusKm       *float64         `json:"radius_km,omitempty" minimum:"0" maximum:"500"`
	Cities         []string         `json:"cities,omitempty" maxItems:"50" maxLength:"100" doc:"instead of a radius"`
	PostalCodes    []string         `json:"postal_codes,omitempty" maxItems:"50" maxLength:"100" doc:"instead of a radius"`
	LivingAreaMin  *float64         `json:"living_area_min,omitempty" minimum:"0" maximum:"10000000"`
	LivingAreaMax  *float64         `json:"living_area_max,omitempty" minimum:"0" maximum:"10000000"`
	Features       []string         `json:"features,omitempty" maxItems:"30" maxLength:"100" doc:"must-haves"`
	Keywords       []string         `json:"keywords,omitempty" maxItems:"30" maxLength:"100"`
	Extra          map[string]any   `json:"extra,omitempty" doc:"anything else the client asked for (not matched), at most 8000 characters"`
	Active         *bool            `json:"active,omitempty" doc:"default: true"`
	AlertFrequency string           `json:"alert_frequency,omitempty" enum:"instant,daily,weekly,never" doc:"default: instant"`
}

func (b PreferenceBody) input() crm.PreferenceInput {
	return crm.PreferenceInput{Name: b.Name, ListType: b.ListType, PriceMin: b.PriceMin, PriceMax: b.PriceMax, BedroomsMin: b.BedroomsMin,
		BathroomsMin: b.BathroomsMin, PropertyTypes: b.PropertyTypes, CentreLat: b.CentreLat, CentreLon: b.CentreLon, RadiusKm: b.RadiusKm,
		Cities: b.Cities, PostalCodes: b.PostalCodes, LivingAreaMin: b.LivingAreaMin, LivingAreaMax: b.LivingAreaMax, Features: b.Features,
		Keywords: b.Keywords, Extra: b.Extra, Active: b.Active, AlertFrequency: b.AlertFrequency}
}

// SavedSearchOutput is a saved preference.
type SavedSearchOutput struct{ Body crm.ClientPreference }

// Preferences are a client's preferences, oldest first.
type Preferences struct {
	Items []crm.ClientPreference `json:"items"`
}

// MatchesInput selects a client's matches.
type MatchesInput struct {
	ID       realty.ID `path:"id"`
	Status   string    `query:"status" enum:"new,notified,viewed,interested,dismissed" doc:"default: every status but dismissed"`
	Inactive bool      `query:"inactive" doc:"include matches whose listing no longer fits (left Active, or changed)"`
	Cursor   string    `query:"cursor" maxLength:"500"`
	Limit    int       `query:"limit" minimum:"1" maximum:"100" default:"50" doc:"page size, at most MaxPageSize (100)"`
}

// MatchStatusBody sets what the client made of a match.
type MatchStatusBody struct {
	Status string `json:"status" enum:"viewed,interested,dismissed" doc:"dismissed: not offered again unless the price drops"`
}

// MatchOutput is a match.
type MatchOutput struct{ Body crm.Match }

func routeMatches(a huma.API, d Deps) {
	tags := []string{"Matches"}
	read, write := Access{Permission: "client.read"}, Access{Permission: "client.write"}
	Register(a, huma.Operation{OperationID: "list-preferences", Method: http.MethodGet, Path: Prefix + "/clients/{id}/preferences",
		Tags: tags, Summary: "A client's saved preferences"}, read, func(ctx context.Context, in *IDPath) (*struct{ Body Preferences }, error) {
		items, err := d.CRM.Preferences(ctx, actor(ctx), in.ID)
		return &struct{ Body Preferences }{Preferences{Items: items}}, err
	})
	Register(a, huma.Operation{OperationID: "create-preference", Method: http.MethodPost, Path: Prefix + "/clients/{id}/preferences",
		Tags: tags, Summary: "Save what a client is looking for", Description: "Listings are matched against it in the background.",
		DefaultStatus: http.StatusCreated}, write, func(ctx context.Context, in *struct {
		ID   realty.ID `path:"id"`
		Body PreferenceBody
	}) (*SavedSearchOutput, error) {
		p, err := d.CRM.CreatePreference(ctx, actor(ctx), in.ID, in.Body.input())
		return &SavedSearchOutput{Body: p}, err
	})
	Register(a, huma.Operation{OperationID: "get-preference", Method: http.MethodGet, Path: Prefix + "/preferences/{id}", Tags: tags,
		Summary: "One saved preference"}, read, func(ctx context.Context, in *IDPath) (*SavedSearchOutput, error) {
		p, err := d.CRM.ClientPreference(ctx, actor(ctx), in.ID)
		return &SavedSearchOutput{Body: p}, err
	})
	Register(a, huma.Operation{OperationID: "replace-preference", Method: http.MethodPut, Path: Prefix + "/preferences/{id}", Tags: tags,
		Summary: "Replace a saved preference's criteria"}, write, func(ctx context.Context, in *struct {
		ID   realty.ID `path:"id"`
		Body PreferenceBody
	}) (*SavedSearchOutput, error) {
		p, err := d.CRM.UpdatePreference(ctx, actor(ctx), in.ID, in.Body.input())
		return &SavedSearchOutput{Body: p}, err
	})
	Register(a, huma.Operation{OperationID: "delete-preference", Method: http.MethodDelete, Path: Prefix + "/preferences/{id}", Tags: tags,
		Summary: "Delete a saved preference and its matches", DefaultStatus: http.StatusNoContent}, write,
		func(ctx context.Context, in *IDPath) (*struct{}, error) {
			return nil, d.CRM.DeletePreference(ctx, actor(ctx), in.ID)
		})
	Register(a, huma.Operation{OperationID: "list-client-matches", Method: http.MethodGet, Path: Prefix + "/clients/{id}/matches", Tags: tags,
		Summary: "Listings matched to a client, best first", Description: "Each with its score and the per-criterion breakdown that explains it."},
		read, func(ctx context.Context, in *MatchesInput) (*struct{ Body crm.MatchPage }, error) {
			p, err := d.CRM.Matches(ctx, actor(ctx), in.ID, crm.MatchFilter{Status: in.Status, Inactive: in.Inactive, Cursor: in.Cursor, Limit: in.Limit})
			return &struct{ Body crm.MatchPage }{p}, err
		})
	Register(a, huma.Operation{OperationID: "get-match", Method: http.MethodGet, Path: Prefix + "/matches/{id}", Tags: tags,
		Summary: "One match with its breakdown"}, read, func(ctx context.Context, in *IDPath) (*MatchOutput, error) {
		m, err := d.CRM.Match(ctx, actor(ctx), in.ID)
		return &MatchOutput{Body: m}, err
	})
	Register(a, huma.Operation{OperationID: "set-match-status", Method: http.MethodPut, Path: Prefix + "/matches/{id}/status", Tags: tags,
		Summary: "Record what the client made of a match"}, write, func(ctx context.Context, in *struct {
		ID   realty.ID `path:"id"`
		Body MatchStatusBody
	}) (*MatchOutput, error) {
		m, err := d.CRM.SetMatchStatus(ctx, actor(ctx), in.ID, in.Body.Status)
		return &MatchOutput{Body: m}, err
	})
}
