package reso

// facet is what $metadata declares of a served Edm.String beside its type:
// the most characters a value has, and the Data Dictionary lookup whose
// values it takes when it is a lookup served as a string (RESO's
// RESO.OData.Metadata.LookupName annotation; the values are in the Lookup
// entity set).
type facet struct {
	maxLength int
	lookup    string
}

// stringFacets are the facets of every served string field, by
// "Set.Field". MaxLength is the Data Dictionary's suggested length, except
// where realty keeps longer values (a user's name or email, an open
// house's remarks, a city or state as free text): there it is the bound
// the database holds them to, so that no value served is longer than
// declared. TestMetadataConformsToDictionary pins both kinds and
// docs/reso.md lists them.
var stringFacets = map[string]facet{
	"Property.ListingKey":            {255, ""},
	"Property.ListingId":             {255, ""},
	"Property.OriginatingSystemName": {255, ""},
	"Property.OriginatingSystemKey":  {255, ""},
	"Property.MlsStatus":             {50, "MlsStatus"},
	"Property.PropertySubType":       {50, "PropertySubType"},
	"Property.ListAgentKey":          {255, ""},
	"Property.UnparsedAddress":       {255, ""},
	"Property.UnitNumber":            {25, ""},
	"Property.City":                  {100, "City"},            // the Dictionary suggests 50
	"Property.StateOrProvince":       {100, "StateOrProvince"}, // 2: realty keeps what was entered
	"Property.PostalCode":            {20, ""},                 // 10
	"Property.Country":               {2, "Country"},
	"Property.PublicRemarks":         {4000, ""},

	"Member.MemberKey":            {255, ""},
	"Member.MemberFirstName":      {100, ""}, // 50
	"Member.MemberLastName":       {100, ""}, // 50
	"Member.MemberFullName":       {201, ""}, // 150: first, space, last
	"Member.MemberEmail":          {254, ""}, // 80: any address mail takes
	"Member.MemberPreferredPhone": {40, ""},  // 16
	"Member.JobTitle":             {100, ""}, // 50

	"OpenHouse.OpenHouseKey":     {255, ""},
	"OpenHouse.ListingKey":       {255, ""},
	"OpenHouse.ListingId":        {255, ""},
	"OpenHouse.OpenHouseRemarks": {2000, ""}, // 500
	"OpenHouse.Refreshments":     {255, ""},
	"OpenHouse.ShowingAgentKey":  {255, ""},

	"Media.MediaKey":          {255, ""},
	"Media.ResourceName":      {50, "ResourceName"},
	"Media.ResourceRecordKey": {255, ""},
	"Media.MediaURL":          {8000, ""},
	"Media.LongDescription":   {1024, ""},

	"Office.OfficeKey":  {255, ""},
	"Office.OfficeName": {255, ""}, // organization names hold at most 200
}
