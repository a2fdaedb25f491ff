package listing

import (
	"realty"
	"realty/internal/postgres"
)

// The CHECK constraints of the listing schema not registered beside the code
// that writes their columns, so a violation names its column, whichever
// statement tripped it. (TestCheckConstraintsMapped in internal/structure
// fails on a CHECK constraint nobody registered.)
func init() {
	postgres.RegisterConstraints(map[string]postgres.Constraint{
		"listing.imports_blob_key_check":                 {Kind: realty.Invalid, Field: "blob_key", Message: "must be a SHA-256 in hex"},
		"listing.imports_format_check":                   {Kind: realty.Invalid, Field: "format", Message: "must be one of json, jsonl, csv"},
		"listing.imports_status_check":                   {Kind: realty.Invalid, Field: "status", Message: "must be one of queued, running, succeeded, failed"},
		"listing.listing_history_change_type_check":      {Kind: realty.Invalid, Field: "change_type", Message: "must be one of Active, ActiveUnderContract, BackOnMarket, Canceled, Closed, ComingSoon, Deleted, Expired, Hold, NewListing, Pending, PriceChange, Withdrawn"},
		"listing.listings_association_fee_check":         {Kind: realty.Invalid, Field: "association_fee", Message: "must not be negative"},
		"listing.listings_garage_spaces_check":           {Kind: realty.Invalid, Field: "garage_spaces", Message: "must be between 0 and 100"},
		"listing.listings_listing_id_check":              {Kind: realty.Invalid, Field: "listing_id", Message: "must be at most 255 characters"},
		"listing.listings_location_check":                {Kind: realty.Invalid, Field: "latitude", Message: "must be given together with longitude"},
		"listing.listings_lot_size_area_check":           {Kind: realty.Invalid, Field: "lot_size_area", Message: "must be positive"},
		"listing.listings_mls_status_check":              {Kind: realty.Invalid, Field: "mls_status", Message: "must be at most 50 characters"},
		"listing.listings_original_list_price_check":     {Kind: realty.Invalid, Field: "original_list_price", Message: "must be positive"},
		"listing.listings_originating_system_key_check":  {Kind: realty.Invalid, Field: "originating_system_key", Message: "must be at most 255 characters"},
		"listing.listings_originating_system_name_check": {Kind: realty.Invalid, Field: "originating_system_name", Message: "must be at most 255 characters"},
		"listing.listings_primary_photo_check":           {Kind: realty.Invalid, Field: "primary_photo", Message: "must be a SHA-256 in hex"},
		"listing.listings_private_remarks_check":         {Kind: realty.Invalid, Field: "private_remarks", Message: "must be at most 4000 characters"},
		"listing.listings_property_sub_type_check":       {Kind: realty.Invalid, Field: "property_sub_type", Message: "must be at most 50 characters"},
		"listing.listings_public_remarks_check":          {Kind: realty.Invalid, Field: "public_remarks", Message: "must be at most 4000 characters"},
		"listing.listings_stories_check":                 {Kind: realty.Invalid, Field: "stories", Message: "must be between 0 and 300"},
		"listing.listings_tax_annual_amount_check":       {Kind: realty.Invalid, Field: "tax_annual_amount", Message: "must not be negative"},
		"listing.listings_year_built_check":              {Kind: realty.Invalid, Field: "year_built", Message: "must be between 1600 and 2200"},
		"listing.mls_statuses_mls_status_check":          {Kind: realty.Invalid, Field: "mls_status", Message: "must be 1 to 50 characters"},
		"listing.open_houses_refreshments_check":         {Kind: realty.Invalid, Field: "refreshments", Message: "must be at most 200 characters"},
		"listing.open_houses_remarks_check":              {Kind: realty.Invalid, Field: "remarks", Message: "must be at most 2000 characters"},
		"listing.open_houses_status_check":               {Kind: realty.Invalid, Field: "status", Message: "must be one of Active, Canceled, Ended"},
	})
}
