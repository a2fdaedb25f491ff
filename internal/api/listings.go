package api

import (
	"context"
	"net/http"
	"net/url"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"realty"
	"realty/internal/listing"
)

// SearchInput is GET /listings.
type SearchInput struct {
	Status        string    `query:"status" doc:"comma-separated RESO StandardStatus values, e.g. Active,ComingSoon"`
	ListType      string    `query:"list_type" enum:"sale,lease"`
	PropertyType  string    `query:"property_type" doc:"comma-separated RESO PropertyType values"`
	SubType       string    `query:"property_sub_type"`
	MinPrice      string    `query:"min_price" doc:"decimal"`
	MaxPrice      string    `query:"max_price" doc:"decimal"`
	MinBeds       int       `query:"min_beds" minimum:"0"`
	MinBaths      float64   `query:"min_baths" minimum:"0"`
	MinArea       float64   `query:"min_area" minimum:"0"`
	MaxArea       float64   `query:"max_area" minimum:"0"`
	City          string    `query:"city"`
	PostalCode    string    `query:"postal_code"`
	Agent         string    `query:"agent" doc:"member id of the listing agent"`
	ModifiedSince time.Time `query:"modified_since" doc:"RFC 3339"`
	Lat           float64   `query:"lat" minimum:"-90" maximum:"90"`
	Lng           float64   `query:"lng" minimum:"-180" maximum:"180"`
	RadiusKm      float64   `query:"radius_km" minimum:"0" maximum:"500"`
	Q             string    `query:"q" maxLength:"200" doc:"words in the address, features or remarks; or part of the street address"`
	Sort          string    `query:"sort" enum:"price_asc,price_desc,newest,distance,relevance"`
	Cursor        string    `query:"cursor"`
	Limit         int       `query:"limit" minimum:"1" maximum:"100" default:"20" doc:"page size, at most MaxPageSize (100)"`
	Count         bool      `query:"count" doc:"also return the total number of matches"`
}

// SearchOutput is a page of results.
type SearchOutput struct{ Body listing.Results }

// ListingOutput is a listing.
type ListingOutput struct{ Body listing.Listing }

func routeListings(a huma.API, d Deps) {
	tags := []string{"Listings"}
	read := Access{Permission: "listing.read"}
	Register(a, huma.Operation{OperationID: "search-listings", Method: http.MethodGet, Path: Prefix + "/listings", Tags: tags,
		Summary: "Search listings", Description: "Filters combine with AND. Pages continue with next_cursor; total only with count=true."},
		read, func(ctx context.Context, in *SearchInput) (*SearchOutput, error) {
			q, err := listing.ParseQuery(rawQuery(ctx)) // in: huma's validation of the same parameters
			if err != nil {
				return nil, err
			}
			res, err := d.Listing.Search(ctx, actor(ctx), q)
			return &SearchOutput{Body: res}, err
		})
	Register(a, huma.Operation{OperationID: "create-listing", Method: http.MethodPost, Path: Prefix + "/listings", Tags: tags,
		Summary: "List a property", DefaultStatus: http.StatusCreated}, Access{Permission: "listing.write"},
		func(ctx context.Context, in *struct{ Body NewListingBody }) (*ListingOutput, error) {
			l, err := d.Listing.Create(ctx, actor(ctx), in.Body.input())
			return &ListingOutput{Body: l}, err
		})
	Register(a, huma.Operation{OperationID: "get-listing", Method: http.MethodGet, Path: Prefix + "/listings/{id}", Tags: tags,
		Summary: "One listing"}, read, func(ctx context.Context, in *IDPath) (*ListingOutput, error) {
		l, err := d.Listing.Get(ctx, actor(ctx), in.ID)
		return &ListingOutput{Body: l}, err
	})
	Register(a, huma.Operation{OperationID: "update-listing", Method: http.MethodPatch, Path: Prefix + "/listings/{id}", Tags: tags,
		Summary: "Change a listing", Description: "Agents change their own listings; brokers any. Status and price changes enter the history."},
		Access{Permission: "listing.write"}, func(ctx context.Context, in *struct {
			ID   realty.ID `path:"id"`
			Body ListingFields
		}) (*ListingOutput, error) {
			l, err := d.Listing.Update(ctx, actor(ctx), in.ID, in.Body.fields())
			return &ListingOutput{Body: l}, err
		})
	routeListingExtras(a, d, tags)
}

type queryKey struct{}

// rawQuery returns the request's query parameters as sent.
func rawQuery(ctx context.Context) url.Values {
	v, _ := ctx.Value(queryKey{}).(url.Values)
	return v
}

// withQuery keeps the raw query parameters for handlers that parse them
// with the domain's own parser (which tells an absent parameter from a
// zero, as huma's typed inputs cannot).
func withQuery(ctx huma.Context, next func(huma.Context)) {
	u := ctx.URL()
	next(huma.WithValue(ctx, queryKey{}, u.Query()))
}
