package api

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"
	"github.com/shopspring/decimal"

	"realty"
	"realty/internal/property"
)

// PropertyBody is a property's fields as the API takes them.
type PropertyBody struct {
	Name             string           `json:"name,omitempty" maxLength:"200" doc:"default: the first address line"`
	PropertyType     string           `json:"property_type,omitempty" enum:"residential,commercial,industrial,land,mixed"`
	Subtype          *string          `json:"subtype,omitempty" maxLength:"50"`
	Status           string           `json:"status,omitempty" enum:"active,inactive,under_construction,sold"`
	AddressLine1     string           `json:"address_line1" maxLength:"200"`
	AddressLine2     *string          `json:"address_line2,omitempty" maxLength:"200"`
	City             string           `json:"city" maxLength:"100"`
	StateProvince    string           `json:"state_province,omitempty" maxLength:"100"`
	PostalCode       *string          `json:"postal_code,omitempty" maxLength:"20"`
	Country          string           `json:"country,omitempty" doc:"ISO 3166 two-letter code, default US" maxLength:"2"`
	Latitude         *float64         `json:"latitude,omitempty" minimum:"-90" maximum:"90"`
	Longitude        *float64         `json:"longitude,omitempty" minimum:"-180" maximum:"180"`
	ParcelNumber     *string          `json:"parcel_number,omitempty" maxLength:"50"`
	YearBuilt        *int             `json:"year_built,omitempty" minimum:"1600" maximum:"2200"`
	LivingArea       *float64         `json:"living_area,omitempty" minimum:"0.01" maximum:"99999999" doc:"positive; stored to 0.01"`
	LotSize          *float64         `json:"lot_size,omitempty" minimum:"0.01" maximum:"9999999999" doc:"positive; stored to 0.01"`
	Bedrooms         *int             `json:"bedrooms,omitempty" minimum:"0" maximum:"200"`
	Bathrooms        *float64         `json:"bathrooms,omitempty" minimum:"0" maximum:"200"`
	Condition        *int             `json:"condition,omitempty" minimum:"1" maximum:"5" doc:"1 poor, 2 fair, 3 average, 4 good, 5 excellent (a CMA adjusts for it)"`
	Amenities        []string         `json:"amenities,omitempty" maxItems:"100" maxLength:"100"`
	ManagerID        *realty.ID       `json:"manager_id,omitempty"`
	MarketValue      *decimal.Decimal `json:"market_value,omitempty" maxLength:"20" numeric:"14,2"`
	AcquisitionPrice *decimal.Decimal `json:"acquisition_price,omitempty" maxLength:"20" numeric:"14,2"`
	AnnualTax        *decimal.Decimal `json:"annual_tax,omitempty" maxLength:"20" numeric:"14,2"`
}

func (b PropertyBody) input() property.Input {
	return property.Input{Name: b.Name, PropertyType: b.PropertyType, Subtype: b.Subtype, Status: b.Status, AddressLine1: b.AddressLine1,
		AddressLine2: b.AddressLine2, City: b.City, StateProvince: b.StateProvince, PostalCode: b.PostalCode, Country: b.Country,
		Latitude: b.Latitude, Longitude: b.Longitude, ParcelNumber: b.ParcelNumber, YearBuilt: b.YearBuilt, LivingArea: b.LivingArea,
		LotSize: b.LotSize, Bedrooms: b.Bedrooms, Bathrooms: b.Bathrooms, Condition: b.Condition, Amenities: b.Amenities, ManagerID: b.ManagerID,
		MarketValue: b.MarketValue, AcquisitionCost: b.AcquisitionPrice, AnnualTax: b.AnnualTax}
}

// PropertyOutput is a property.
type PropertyOutput struct{ Body property.Property }

// PropertiesInput filters the property list.
type PropertiesInput struct {
	City   string `query:"city"`
	Q      string `query:"q" doc:"part of the name or address"`
	Cursor string `query:"cursor"`
	Limit  int    `query:"limit" minimum:"1" maximum:"100" default:"50" doc:"page size, at most MaxPageSize (100)"`
}

// PropertiesOutput is a page of properties.
type PropertiesOutput struct{ Body property.Page }

// UnitBody is a unit's fields.
type UnitBody struct {
	BuildingID       *realty.ID       `json:"building_id,omitempty"`
	UnitNumber       string           `json:"unit_number" maxLength:"25"`
	UnitType         *string          `json:"unit_type,omitempty" maxLength:"50"`
	Floor            *int             `json:"floor,omitempty" minimum:"-10" maximum:"300"`
	Area             *float64         `json:"area,omitempty" minimum:"0.01" maximum:"99999999" doc:"positive; stored to 0.01"`
	Bedrooms         *int             `json:"bedrooms,omitempty" minimum:"0" maximum:"50"`
	Bathrooms        *float64         `json:"bathrooms,omitempty" minimum:"0" maximum:"50"`
	MarketRent       *decimal.Decimal `json:"market_rent,omitempty" maxLength:"20" numeric:"12,2"`
	Status           string           `json:"status,omitempty" enum:"vacant,occupied,maintenance,unavailable"`
	AvailabilityDate *realty.Date     `json:"availability_date,omitempty"`
}

func (b UnitBody) input() property.UnitInput {
	in := property.UnitInput{BuildingID: b.BuildingID, UnitNumber: b.UnitNumber, UnitType: b.UnitType, Floor: b.Floor, Area: b.Area,
		Bedrooms: b.Bedrooms, Bathrooms: b.Bathrooms, MarketRent: b.MarketRent, Status: b.Status}
	if b.AvailabilityDate != nil {
		t := b.AvailabilityDate.Time()
		in.AvailabilityDate = &t
	}
	return in
}

func routeProperties(a huma.API, d Deps) {
	tags := []string{"Properties"}
	read, write := Access{Permission: "property.read"}, Access{Permission: "property.write"}
	Register(a, huma.Operation{OperationID: "list-properties", Method: http.MethodGet, Path: Prefix + "/properties", Tags: tags,
		Summary: "Properties by name"}, read, func(ctx context.Context, in *PropertiesInput) (*PropertiesOutput, error) {
		p, err := d.Property.List(ctx, actor(ctx), property.Filter{City: in.City, Q: in.Q, Cursor: in.Cursor, Limit: in.Limit})
		return &PropertiesOutput{Body: p}, err
	})
	Register(a, huma.Operation{OperationID: "create-property", Method: http.MethodPost, Path: Prefix + "/properties", Tags: tags,
		Summary: "Add a property", DefaultStatus: http.StatusCreated}, write, func(ctx context.Context, in *struct{ Body PropertyBody }) (*PropertyOutput, error) {
		p, err := d.Property.Create(ctx, actor(ctx), in.Body.input())
		return &PropertyOutput{Body: p}, err
	})
	Register(a, huma.Operation{OperationID: "get-property", Method: http.MethodGet, Path: Prefix + "/properties/{id}", Tags: tags,
		Summary: "One property"}, read, func(ctx context.Context, in *IDPath) (*PropertyOutput, error) {
		p, err := d.Property.Get(ctx, actor(ctx), in.ID)
		return &PropertyOutput{Body: p}, err
	})
	Register(a, huma.Operation{OperationID: "replace-property", Method: http.MethodPut, Path: Prefix + "/properties/{id}", Tags: tags,
		Summary: "Replace a property's fields"}, write, func(ctx context.Context, in *struct {
		ID   realty.ID `path:"id"`
		Body PropertyBody
	}) (*PropertyOutput, error) {
		p, err := d.Property.Update(ctx, actor(ctx), in.ID, in.Body.input())
		return &PropertyOutput{Body: p}, err
	})
	Register(a, huma.Operation{OperationID: "delete-property", Method: http.MethodDelete, Path: Prefix + "/properties/{id}", Tags: tags,
		Summary: "Remove a property without listings on the market", DefaultStatus: http.StatusNoContent}, write,
		func(ctx context.Context, in *IDPath) (*struct{}, error) {
			return nil, d.Listing.DeleteProperty(ctx, actor(ctx), in.ID)
		})
	routeUnits(a, d, tags)
	routeMedia(a, d, tags)
}

// BuildingsOutput lists buildings.
type BuildingsOutput struct {
	Body struct {
		Items []property.Building `json:"items"`
	}
}

// UnitsOutput lists units.
type UnitsOutput struct {
	Body struct {
		Items []property.Unit `json:"items"`
	}
}

func routeUnits(a huma.API, d Deps, tags []string) {
	read, write := Access{Permission: "property.read"}, Access{Permission: "property.write"}
	Register(a, huma.Operation{OperationID: "list-buildings", Method: http.MethodGet, Path: Prefix + "/properties/{id}/buildings", Tags: tags,
		Summary: "A property's buildings"}, read, func(ctx context.Context, in *IDPath) (*BuildingsOutput, error) {
		list, err := d.Property.Buildings(ctx, actor(ctx), in.ID)
		out := &BuildingsOutput{}
		out.Body.Items = list
		return out, err
	})
	Register(a, huma.Operation{OperationID: "create-building", Method: http.MethodPost, Path: Prefix + "/properties/{id}/buildings", Tags: tags,
		Summary: "Add a building", DefaultStatus: http.StatusCreated}, write, func(ctx context.Context, in *struct {
		ID   realty.ID `path:"id"`
		Body struct {
			Name      string `json:"name" maxLength:"100"`
			Floors    *int   `json:"floors,omitempty" minimum:"0" maximum:"300"`
			YearBuilt *int   `json:"year_built,omitempty" minimum:"1600" maximum:"2200"`
		}
	}) (*struct{ Body property.Building }, error) {
		b, err := d.Property.CreateBuilding(ctx, actor(ctx), in.ID, property.BuildingInput{Name: in.Body.Name, Floors: in.Body.Floors, YearBuilt: in.Body.YearBuilt})
		return &struct{ Body property.Building }{b}, err
	})
	Register(a, huma.Operation{OperationID: "list-units", Method: http.MethodGet, Path: Prefix + "/properties/{id}/units", Tags: tags,
		Summary: "A property's units"}, read, func(ctx context.Context, in *IDPath) (*UnitsOutput, error) {
		list, err := d.Property.Units(ctx, actor(ctx), in.ID)
		out := &UnitsOutput{}
		out.Body.Items = list
		return out, err
	})
	Register(a, huma.Operation{OperationID: "create-unit", Method: http.MethodPost, Path: Prefix + "/properties/{id}/units", Tags: tags,
		Summary: "Add a unit", DefaultStatus: http.StatusCreated}, write, func(ctx context.Context, in *struct {
		ID   realty.ID `path:"id"`
		Body UnitBody
	}) (*struct{ Body property.Unit }, error) {
		u, err := d.Property.CreateUnit(ctx, actor(ctx), in.ID, in.Body.input())
		return &struct{ Body property.Unit }{u}, err
	})
	Register(a, huma.Operation{OperationID: "replace-unit", Method: http.MethodPut, Path: Prefix + "/units/{id}", Tags: tags,
		Summary: "Replace a unit's fields (its status among them)"}, write, func(ctx context.Context, in *struct {
		ID   realty.ID `path:"id"`
		Body UnitBody
	}) (*struct{ Body property.Unit }, error) {
		u, err := d.Property.UpdateUnit(ctx, actor(ctx), in.ID, in.Body.input())
		return &struct{ Body property.Unit }{u}, err
	})
}
