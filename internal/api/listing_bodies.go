package api

import (
	"context"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"
	"github.com/shopspring/decimal"

	"realty"
	"realty/internal/listing"
)

// ListingFields are a listing's changeable fields; absent fields stay.
type ListingFields struct {
	StandardStatus      *string          `json:"standard_status,omitempty" enum:"Active,ActiveUnderContract,Canceled,Closed,ComingSoon,Delete,Expired,Hold,Incomplete,Pending,Withdrawn"`
	MlsStatus           *string          `json:"mls_status,omitempty" maxLength:"50" doc:"a local status; sets standard_status through the MLS status mapping when that is absent"`
	PropertyType        *string          `json:"property_type,omitempty" enum:"BusinessOpportunity,CommercialLease,CommercialSale,Farm,Land,ManufacturedInPark,Residential,ResidentialIncome,ResidentialLease"`
	PropertySubType     *string          `json:"property_sub_type,omitempty" maxLength:"50"`
	ListPrice           *decimal.Decimal `json:"list_price,omitempty" maxLength:"20" numeric:"14,2"`
	ClosePrice          *decimal.Decimal `json:"close_price,omitempty" maxLength:"20" numeric:"14,2"`
	ListingContractDate *realty.Date     `json:"listing_contract_date,omitempty"`
	OnMarketDate        *realty.Date     `json:"on_market_date,omitempty"`
	OffMarketDate       *realty.Date     `json:"off_market_date,omitempty"`
	CloseDate           *realty.Date     `json:"close_date,omitempty"`
	ExpirationDate      *realty.Date     `json:"expiration_date,omitempty"`
	ListAgentID         *realty.ID       `json:"list_agent_id,omitempty"`
	PublicRemarks       *string          `json:"public_remarks,omitempty" maxLength:"4000"`
	PrivateRemarks      *string          `json:"private_remarks,omitempty" maxLength:"4000"`
	BedroomsTotal       *int             `json:"bedrooms_total,omitempty" minimum:"0" maximum:"200"`
	BathroomsTotal      *float64         `json:"bathrooms_total,omitempty" minimum:"0" maximum:"200"`
	LivingArea          *float64         `json:"living_area,omitempty" minimum:"0.01" maximum:"99999999" doc:"positive; stored to 0.01"`
	LotSizeArea         *float64         `json:"lot_size_area,omitempty" minimum:"0.01" maximum:"9999999999" doc:"positive; stored to 0.01"`
	YearBuilt           *int             `json:"year_built,omitempty" minimum:"1600" maximum:"2200"`
	Stories             *int             `json:"stories,omitempty" minimum:"0" maximum:"300"`
	GarageSpaces        *int             `json:"garage_spaces,omitempty" minimum:"0" maximum:"100"`
	AssociationFee      *decimal.Decimal `json:"association_fee,omitempty" maxLength:"20" numeric:"12,2"`
	TaxAnnualAmount     *decimal.Decimal `json:"tax_annual_amount,omitempty" maxLength:"20" numeric:"14,2"`
	Features            *[]string        `json:"features,omitempty" maxItems:"100" maxLength:"100"`
	Appliances          *[]string        `json:"appliances,omitempty" maxItems:"100" maxLength:"100"`
	Cooling             *[]string        `json:"cooling,omitempty" maxItems:"100" maxLength:"100"`
	Heating             *[]string        `json:"heating,omitempty" maxItems:"100" maxLength:"100"`
	Flooring            *[]string        `json:"flooring,omitempty" maxItems:"100" maxLength:"100"`
	View                *[]string        `json:"view,omitempty" maxItems:"100" maxLength:"100"`
	PoolFeatures        *[]string        `json:"pool_features,omitempty" maxItems:"100" maxLength:"100"`
}

func (b ListingFields) fields() listing.Fields {
	return listing.Fields{StandardStatus: b.StandardStatus, MlsStatus: b.MlsStatus, PropertyType: b.PropertyType,
		PropertySubType: b.PropertySubType, ListPrice: b.ListPrice, ClosePrice: b.ClosePrice, ListingContractDate: b.ListingContractDate,
		OnMarketDate: b.OnMarketDate, OffMarketDate: b.OffMarketDate, CloseDate: b.CloseDate, ExpirationDate: b.ExpirationDate,
		ListAgentID: b.ListAgentID, PublicRemarks: b.PublicRemarks, PrivateRemarks: b.PrivateRemarks, BedroomsTotal: b.BedroomsTotal,
		BathroomsTotal: b.BathroomsTotal, LivingArea: b.LivingArea, LotSizeArea: b.LotSizeArea, YearBuilt: b.YearBuilt,
		Stories: b.Stories, GarageSpaces: b.GarageSpaces, AssociationFee: b.AssociationFee, TaxAnnualAmount: b.TaxAnnualAmount,
		Features: b.Features, Appliances: b.Appliances, Cooling: b.Cooling, Heating: b.Heating, Flooring: b.Flooring, View: b.View,
		PoolFeatures: b.PoolFeatures}
}

// NewListingBody creates a listing: of an existing property (property_id),
// or of one described inline (property).
type NewListingBody struct {
	PropertyID            *realty.ID    `json:"property_id,omitempty"`
	Property              *PropertyBody `json:"property,omitempty"`
	UnitID                *realty.ID    `json:"unit_id,omitempty"`
	ListingKey            string        `json:"listing_key,omitempty" maxLength:"255" doc:"default: generated"`
	ListingID             *string       `json:"listing_id,omitempty" maxLength:"255"`
	OriginatingSystemName *string       `json:"originating_system_name,omitempty" maxLength:"255"`
	OriginatingSystemKey  *string       `json:"originating_system_key,omitempty" maxLength:"255"`
	ListType              string        `json:"list_type,omitempty" enum:"sale,lease"`
	ListingFields
}

func (b NewListingBody) input() listing.Input {
	in := listing.Input{PropertyID: b.PropertyID, UnitID: b.UnitID, ListingKey: b.ListingKey, ListingID: b.ListingID,
		OriginatingSystemName: b.OriginatingSystemName, OriginatingSystemKey: b.OriginatingSystemKey, ListType: b.ListType,
		Fields: b.ListingFields.fields()}
	if b.Property != nil {
		p := b.Property.input()
		in.Property = &p
	}
	return in
}

// OpenHouseBody schedules an open house.
type OpenHouseBody struct {
	StartsAt       time.Time  `json:"starts_at"`
	EndsAt         time.Time  `json:"ends_at"`
	OpenHouseType  string     `json:"open_house_type,omitempty" enum:"Broker,Office,Public,Association,Virtual"`
	Remarks        *string    `json:"remarks,omitempty" maxLength:"2000"`
	Refreshments   *string    `json:"refreshments,omitempty" maxLength:"200"`
	ShowingAgentID *realty.ID `json:"showing_agent_id,omitempty"`
}

func routeListingExtras(a huma.API, d Deps, tags []string) {
	read := Access{Permission: "listing.read"}
	Register(a, huma.Operation{OperationID: "listing-history", Method: http.MethodGet, Path: Prefix + "/listings/{id}/history", Tags: tags,
		Summary: "Status and price history"}, read, func(ctx context.Context, in *IDPath) (*struct {
		Body struct {
			Items []listing.HistoryEntry `json:"items"`
		}
	}, error) {
		h, err := d.Listing.History(ctx, actor(ctx), in.ID)
		out := &struct {
			Body struct {
				Items []listing.HistoryEntry `json:"items"`
			}
		}{}
		out.Body.Items = h
		return out, err
	})
	Register(a, huma.Operation{OperationID: "list-open-houses", Method: http.MethodGet, Path: Prefix + "/listings/{id}/open-houses", Tags: tags,
		Summary: "A listing's open houses"}, read, func(ctx context.Context, in *IDPath) (*struct {
		Body struct {
			Items []listing.OpenHouse `json:"items"`
		}
	}, error) {
		list, err := d.Listing.OpenHouses(ctx, actor(ctx), in.ID)
		out := &struct {
			Body struct {
				Items []listing.OpenHouse `json:"items"`
			}
		}{}
		out.Body.Items = list
		return out, err
	})
	Register(a, huma.Operation{OperationID: "schedule-open-house", Method: http.MethodPost, Path: Prefix + "/listings/{id}/open-houses", Tags: tags,
		Summary: "Schedule an open house", DefaultStatus: http.StatusCreated}, Access{Permission: "listing.write"},
		func(ctx context.Context, in *struct {
			ID   realty.ID `path:"id"`
			Body OpenHouseBody
		}) (*struct{ Body listing.OpenHouse }, error) {
			b := in.Body
			oh, err := d.Listing.ScheduleOpenHouse(ctx, actor(ctx), in.ID, listing.OpenHouseInput{StartsAt: b.StartsAt, EndsAt: b.EndsAt,
				OpenHouseType: b.OpenHouseType, Remarks: b.Remarks, Refreshments: b.Refreshments, ShowingAgentID: b.ShowingAgentID})
			return &struct{ Body listing.OpenHouse }{oh}, err
		})
	Register(a, huma.Operation{OperationID: "cancel-open-house", Method: http.MethodDelete, Path: Prefix + "/open-houses/{id}", Tags: tags,
		Summary: "Cancel an open house", DefaultStatus: http.StatusNoContent}, Access{Permission: "listing.write"},
		func(ctx context.Context, in *IDPath) (*struct{}, error) {
			return nil, d.Listing.CancelOpenHouse(ctx, actor(ctx), in.ID)
		})
	routeStatusMappings(a, d, tags)
}

func routeStatusMappings(a huma.API, d Deps, tags []string) {
	Register(a, huma.Operation{OperationID: "list-mls-statuses", Method: http.MethodGet, Path: Prefix + "/mls-statuses", Tags: tags,
		Summary: "Local MLS statuses and the RESO status each means"}, Access{Permission: "listing.read"},
		func(ctx context.Context, _ *struct{}) (*struct {
			Body struct {
				Items []listing.StatusMapping `json:"items"`
			}
		}, error) {
			list, err := d.Listing.StatusMappings(ctx, actor(ctx))
			out := &struct {
				Body struct {
					Items []listing.StatusMapping `json:"items"`
				}
			}{}
			out.Body.Items = list
			return out, err
		})
	Register(a, huma.Operation{OperationID: "map-mls-status", Method: http.MethodPut, Path: Prefix + "/mls-statuses", Tags: tags,
		Summary: "Map a local MLS status onto a RESO StandardStatus"}, Access{Permission: "listing.manage"},
		func(ctx context.Context, in *struct {
			Body struct {
				MlsStatus      string `json:"mls_status" maxLength:"50"`
				StandardStatus string `json:"standard_status" enum:"Active,ActiveUnderContract,Canceled,Closed,ComingSoon,Delete,Expired,Hold,Incomplete,Pending,Withdrawn"`
			}
		}) (*struct{ Body listing.StatusMapping }, error) {
			m, err := d.Listing.MapStatus(ctx, actor(ctx), in.Body.MlsStatus, in.Body.StandardStatus)
			return &struct{ Body listing.StatusMapping }{m}, err
		})
}
