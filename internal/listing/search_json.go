package listing

import (
	"errors"

	"github.com/jackc/pgx/v5/pgtype"
	"github.com/shopspring/decimal"

	"realty/internal/jsonw"
)

// AppendJSON writes the results as encoding/json would (search is the
// hottest response; TestSearchJSONMatchesEncodingJSON holds the two equal
// for every field, so a field added to Summary must be added here).
func (r Results) AppendJSON(b []byte) []byte {
	b = append(b, `{"items":[`...)
	for i := range r.Items {
		if i > 0 {
			b = append(b, ',')
		}
		b = r.Items[i].AppendJSON(b)
	}
	if r.Items == nil {
		b = append(b[:len(b)-1], "null"...)
	} else {
		b = append(b, ']')
	}
	if r.NextCursor != "" {
		b = jsonw.String(jsonw.Key(b, "next_cursor"), r.NextCursor)
	}
	if r.Total != nil {
		b = jsonw.Int(jsonw.Key(b, "total"), *r.Total)
	}
	return append(b, '}')
}

// AppendJSON writes the summary as encoding/json would.
func (s *Summary) AppendJSON(b []byte) []byte {
	b = append(b, '{')
	b = jsonw.ID(jsonw.Key(b, "id"), s.ID)
	b = jsonw.String(jsonw.Key(b, "listing_key"), s.ListingKey)
	b = jsonw.String(jsonw.Key(b, "standard_status"), s.StandardStatus)
	b = jsonw.String(jsonw.Key(b, "list_type"), s.ListType)
	b = jsonw.String(jsonw.Key(b, "property_type"), s.PropertyType)
	b = jsonw.Decimal(jsonw.Key(b, "list_price"), s.ListPrice)
	b = jsonw.String(jsonw.Key(b, "street_address"), s.StreetAddress)
	b = jsonw.String(jsonw.Key(b, "city"), s.City)
	b = jsonw.String(jsonw.Key(b, "state_province"), s.StateProvince)
	if s.PostalCode != nil {
		b = jsonw.String(jsonw.Key(b, "postal_code"), *s.PostalCode)
	}
	if s.Latitude != nil {
		b = jsonw.Float(jsonw.Key(b, "latitude"), *s.Latitude)
	}
	if s.Longitude != nil {
		b = jsonw.Float(jsonw.Key(b, "longitude"), *s.Longitude)
	}
	if s.BedroomsTotal != nil {
		b = jsonw.Int(jsonw.Key(b, "bedrooms_total"), *s.BedroomsTotal)
	}
	if s.BathroomsTotal != nil {
		b = jsonw.Float(jsonw.Key(b, "bathrooms_total"), *s.BathroomsTotal)
	}
	if s.LivingArea != nil {
		b = jsonw.Float(jsonw.Key(b, "living_area"), *s.LivingArea)
	}
	b = jsonw.Int(jsonw.Key(b, "photos_count"), s.PhotosCount)
	if s.ListAgentID != nil {
		b = jsonw.ID(jsonw.Key(b, "list_agent_id"), *s.ListAgentID)
	}
	if s.DaysOnMarket != nil {
		b = jsonw.Int(jsonw.Key(b, "days_on_market"), *s.DaysOnMarket)
	}
	b = jsonw.Time(jsonw.Key(b, "original_entry_timestamp"), s.OriginalEntryTimestamp)
	b = jsonw.Time(jsonw.Key(b, "modification_timestamp"), s.ModificationTimestamp)
	if s.DistanceM != nil {
		b = jsonw.Decimal(jsonw.Key(b, "distance_m"), *s.DistanceM)
	}
	if s.Relevance != nil {
		b = jsonw.Decimal(jsonw.Key(b, "relevance"), *s.Relevance)
	}
	return append(b, '}')
}

// summaryTargets are the scan destinations of a search row, in the order of
// summaryColumns followed by distance_m and relevance. Search scans by
// position because it is the hottest read (TestSummaryScanByPosition holds
// the order to the db tags, so a column moved or added is caught).
func (s *Summary) summaryTargets() []any {
	return []any{&s.ID, &s.ListingKey, &s.StandardStatus, &s.ListType, &s.PropertyType, scaled{&s.ListPrice, -2},
		&s.StreetAddress, &s.City, &s.StateProvince, &s.PostalCode, &s.Latitude, &s.Longitude,
		&s.BedroomsTotal, &s.BathroomsTotal, &s.LivingArea, &s.PrimaryPhoto,
		&s.PhotosCount, &s.ListAgentID, &s.DaysOnMarket, &s.OriginalEntryTimestamp, &s.ModificationTimestamp,
		nullScaled{&s.DistanceM, -3}, nullScaled{&s.Relevance, -6}}
}

// scaled scans an int8 that is a decimal times 10^-exp into the decimal.
type scaled struct {
	dst *decimal.Decimal
	exp int32
}

func (s scaled) ScanInt64(v pgtype.Int8) error {
	if !v.Valid {
		return errors.New("scaled decimal: unexpected NULL")
	}
	*s.dst = decimal.New(v.Int64, s.exp)
	return nil
}

// nullScaled is scaled for a nullable column: NULL leaves a nil pointer.
type nullScaled struct {
	dst **decimal.Decimal
	exp int32
}

func (s nullScaled) ScanInt64(v pgtype.Int8) error {
	*s.dst = nil
	if v.Valid {
		d := decimal.New(v.Int64, s.exp)
		*s.dst = &d
	}
	return nil
}
