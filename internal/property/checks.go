package property

import (
	"realty"
	"realty/internal/postgres"
)

// The CHECK constraints of the property schema not registered beside the code
// that writes their columns, so a violation names its column, whichever
// statement tripped it. (TestCheckConstraintsMapped in internal/structure
// fails on a CHECK constraint nobody registered.)
func init() {
	postgres.RegisterConstraints(map[string]postgres.Constraint{
		"property.buildings_floors_check":             {Kind: realty.Invalid, Field: "floors", Message: "must be between 0 and 300"},
		"property.buildings_year_built_check":         {Kind: realty.Invalid, Field: "year_built", Message: "must be between 1600 and 2200"},
		"property.media_blob_key_check":               {Kind: realty.Invalid, Field: "blob_key", Message: "must be a SHA-256 in hex"},
		"property.media_caption_check":                {Kind: realty.Invalid, Field: "caption", Message: "must be at most 500 characters"},
		"property.media_size_bytes_check":             {Kind: realty.Invalid, Field: "size_bytes", Message: "must not be negative"},
		"property.media_url_check":                    {Kind: realty.Invalid, Field: "url", Message: "must be an http or https URL"},
		"property.properties_acquisition_price_check": {Kind: realty.Invalid, Field: "acquisition_price", Message: "must not be negative"},
		"property.properties_address_line2_check":     {Kind: realty.Invalid, Field: "address_line2", Message: "must be at most 200 characters"},
		"property.properties_annual_insurance_check":  {Kind: realty.Invalid, Field: "annual_insurance", Message: "must not be negative"},
		"property.properties_annual_tax_check":        {Kind: realty.Invalid, Field: "annual_tax", Message: "must not be negative"},
		"property.properties_lot_size_check":          {Kind: realty.Invalid, Field: "lot_size", Message: "must be positive"},
		"property.properties_market_value_check":      {Kind: realty.Invalid, Field: "market_value", Message: "must not be negative"},
		"property.properties_parcel_number_check":     {Kind: realty.Invalid, Field: "parcel_number", Message: "must be at most 50 characters"},
		"property.properties_postal_code_check":       {Kind: realty.Invalid, Field: "postal_code", Message: "must be at most 20 characters"},
		"property.properties_state_province_check":    {Kind: realty.Invalid, Field: "state_province", Message: "must be at most 100 characters"},
		"property.properties_subtype_check":           {Kind: realty.Invalid, Field: "subtype", Message: "must be at most 50 characters"},
		"property.units_area_check":                   {Kind: realty.Invalid, Field: "area", Message: "must be positive"},
		"property.units_bathrooms_check":              {Kind: realty.Invalid, Field: "bathrooms", Message: "must be between 0 and 50"},
		"property.units_bedrooms_check":               {Kind: realty.Invalid, Field: "bedrooms", Message: "must be between 0 and 50"},
		"property.units_floor_check":                  {Kind: realty.Invalid, Field: "floor", Message: "must be between -10 and 300"},
		"property.units_unit_type_check":              {Kind: realty.Invalid, Field: "unit_type", Message: "must be at most 50 characters"},
		"property.valuations_check":                   {Kind: realty.Invalid, Field: "low_price", Message: "must not exceed high_price"},
		"property.valuations_confidence_check":        {Kind: realty.Invalid, Field: "confidence", Message: "must be between 0 and 1"},
		"property.valuations_high_price_check":        {Kind: realty.Invalid, Field: "high_price", Message: "must not be negative"},
		"property.valuations_low_price_check":         {Kind: realty.Invalid, Field: "low_price", Message: "must not be negative"},
		"property.valuations_market_position_check":   {Kind: realty.Invalid, Field: "market_position", Message: "must be one of above, at, below"},
		"property.valuations_suggested_price_check":   {Kind: realty.Invalid, Field: "suggested_price", Message: "must not be negative"},
	})
}
