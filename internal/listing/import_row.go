package listing

import (
	"strings"
	"unicode/utf8"

	"github.com/jackc/pgx/v5/pgtype"
	"github.com/shopspring/decimal"

	"realty"
)

// RESO Data Dictionary names of the Property fields an import reads.
const (
	fListingKey            = "ListingKey"
	fListingID             = "ListingId"
	fOriginatingSystemName = "OriginatingSystemName"
	fOriginatingSystemKey  = "OriginatingSystemKey"
	fStandardStatus        = "StandardStatus"
	fMlsStatus             = "MlsStatus"
	fPropertyType          = "PropertyType"
	fPropertySubType       = "PropertySubType"
	fListPrice             = "ListPrice"
	fCity                  = "City"
	fListAgentEmail        = "ListAgentEmail"
)

// Presence bits say which optional fields a record carried (a column of the
// CSV header, a key of the JSON object): an absent field leaves an existing
// listing's value alone, a present empty one clears it.
const (
	hasListingID int64 = 1 << iota
	hasStatus
	hasMlsStatus
	hasPropertyType // and the list type it implies
	hasSubType
	hasOriginalPrice
	hasClosePrice
	hasContractDate
	hasOnMarketDate
	hasOffMarketDate
	hasCloseDate
	hasExpirationDate
	hasAgent
	hasPublicRemarks
	hasPrivateRemarks
	hasUnitNumber
	hasState
	hasPostalCode
	hasCountry
	hasLocation // Latitude and Longitude
	hasBedrooms
	hasBathrooms
	hasLivingArea
	hasLotSize
	hasYearBuilt
	hasAppliances
	hasCooling
	hasHeating
	hasFlooring
	hasView
	hasPoolFeatures
)

// dateFields are the RESO dates an import reads, in importRow.dates order.
var dateFields = [...]importField{
	{"ListingContractDate", "listing_contract_date", hasContractDate}, {"OnMarketDate", "on_market_date", hasOnMarketDate},
	{"OffMarketDate", "off_market_date", hasOffMarketDate}, {"CloseDate", "close_date", hasCloseDate},
	{"ExpirationDate", "expiration_date", hasExpirationDate},
}

// listFields are the RESO multi-value fields an import reads, in
// importRow.lists order: arrays in JSON, comma lists in CSV.
var listFields = [...]importField{
	{"Appliances", "appliances", hasAppliances}, {"Cooling", "cooling", hasCooling}, {"Heating", "heating", hasHeating},
	{"Flooring", "flooring", hasFlooring}, {"View", "view", hasView}, {"PoolFeatures", "pool_features", hasPoolFeatures},
}

// importField is an optional RESO field and the listing column it fills.
type importField struct {
	name string // RESO
	col  string // listing.listings
	bit  int64  // presence
}

// importRow is one valid record, typed as the staging table holds it.
type importRow struct {
	seq, row            int
	addrLane            int
	present             int64
	listingKey          string
	osn, osk            string
	listingID           *string
	status, mlsStatus   *string
	propertyType        *string
	subType, listType   *string
	listPrice           decimal.Decimal
	originalPrice       *decimal.Decimal
	closePrice          *decimal.Decimal
	dates               [len(dateFields)]pgtype.Date
	agent               *realty.ID
	publicRemarks       *string
	privateRemarks      *string
	street, city        string
	unit, state         *string
	postal, country     *string
	lat, lng            *decimal.Decimal
	beds, yearBuilt     *int32
	baths               *decimal.Decimal
	livingArea, lotSize *decimal.Decimal
	lists               [len(listFields)][]string
}

// importLookups are the organization's data a record's fields map onto.
type importLookups struct {
	statuses map[string]string    // MLS status, exact and lower-case → StandardStatus
	agents   map[string]realty.ID // lower-case email → active member
	source   string               // OriginatingSystemName for records without one
}

// parseRow validates a record and returns it typed, or an Invalid error
// naming the RESO field at fault.
func parseRow(rec *record, lk *importLookups) (importRow, error) {
	row := importRow{row: rec.row}
	f := &fieldReader{rec: rec, row: &row}
	f.identity(lk)
	f.statusAndType(lk)
	f.prices()
	for i, d := range dateFields {
		row.dates[i] = f.date(d.name, d.bit)
	}
	on, off := row.dates[1], row.dates[2]
	if on.Valid && off.Valid && off.Time.Before(on.Time) {
		f.fail("OffMarketDate", "must not be before OnMarketDate")
	}
	f.address()
	f.facts()
	for i, l := range listFields {
		row.lists[i] = f.list(l.name, l.bit)
	}
	row.publicRemarks = f.text("PublicRemarks", hasPublicRemarks, 4000)
	row.privateRemarks = f.text("PrivateRemarks", hasPrivateRemarks, 4000)
	if v, ok := f.get(fListAgentEmail, hasAgent); ok && !v.null {
		if id, ok := lk.agents[strings.ToLower(v.text)]; ok {
			row.agent = &id
		}
	}
	return row, f.err
}

func (f *fieldReader) identity(lk *importLookups) {
	r := f.row
	if key := f.text(fListingKey, 0, 255); key != nil {
		r.listingKey = *key
	} else {
		f.fail(fListingKey, "is required")
	}
	r.listingID = f.text(fListingID, hasListingID, 255)
	r.osn = lk.source
	if osn := f.text(fOriginatingSystemName, 0, 255); osn != nil {
		r.osn = *osn
	}
	if r.osn == "" {
		f.fail(fOriginatingSystemName, "is required (or name a default source for the import)")
	}
	r.osk = r.listingKey
	if osk := f.text(fOriginatingSystemKey, 0, 255); osk != nil {
		r.osk = *osk
	}
}

// statusAndType reads StandardStatus, or maps MlsStatus onto it through
// the organization's mapping, and PropertyType with the list type it
// implies.
func (f *fieldReader) statusAndType(lk *importLookups) {
	r := f.row
	r.status = f.enum(fStandardStatus, hasStatus, statusIndex)
	r.mlsStatus = f.text(fMlsStatus, hasMlsStatus, 50)
	if r.status == nil {
		r.present &^= hasStatus
	}
	if r.status == nil && r.mlsStatus != nil && f.err == nil {
		st, ok := lk.statuses[*r.mlsStatus]
		if !ok {
			st, ok = lk.statuses[strings.ToLower(*r.mlsStatus)]
		}
		if !ok {
			st, ok = statusIndex[enumKey(*r.mlsStatus)]
		}
		if !ok {
			f.fail(fMlsStatus, "%q has no mapping to a RESO StandardStatus: map it, or send StandardStatus", *r.mlsStatus)
		}
		r.status = &st
		r.present |= hasStatus
	}
	r.propertyType = f.enum(fPropertyType, hasPropertyType, typeIndex)
	if r.propertyType == nil {
		r.present &^= hasPropertyType
	} else {
		lt := "sale"
		if strings.HasSuffix(*r.propertyType, "Lease") {
			lt = "lease"
		}
		r.listType = &lt
	}
	r.subType = f.text(fPropertySubType, hasSubType, 50)
}

var (
	cent      = decimal.New(1, -2)
	maxMoney  = decimal.RequireFromString("999999999999.99")
	zero      = decimal.Zero
	maxArea   = decimal.RequireFromString("9999999999.99")
	acre      = decimal.NewFromInt(43560)
	maxCount  = decimal.NewFromInt(200)
	latBound  = decimal.NewFromInt(90)
	longBound = decimal.NewFromInt(180)
)

func (f *fieldReader) prices() {
	r := f.row
	if p := f.number(fListPrice, 0, cent, maxMoney, 2); p != nil {
		r.listPrice = *p
	} else if f.err == nil {
		f.fail(fListPrice, "is required")
	}
	r.originalPrice = f.measure("OriginalListPrice", hasOriginalPrice, maxMoney, 2)
	r.closePrice = f.measure("ClosePrice", hasClosePrice, maxMoney, 2)
}

// yearBuilt reads YearBuilt in 1600–2200; 0 is "unknown" (a parcel with
// nothing built, an old house nobody dated).
func (f *fieldReader) yearBuilt() *int32 {
	if d := f.measure("YearBuilt", hasYearBuilt, decimal.NewFromInt(2200), 3); d == nil {
		return nil
	}
	return f.integer("YearBuilt", hasYearBuilt, 1600, 2200)
}

// address reads the street address (UnparsedAddress, or its parts), city,
// state, postal code, country and coordinates.
func (f *fieldReader) address() {
	r := f.row
	r.street = f.street()
	if city := f.text(fCity, 0, 100); city != nil {
		r.city = *city
	} else {
		f.fail(fCity, "is required")
	}
	// UnparsedAddress may carry the city, state and code after a comma.
	if i := strings.Index(strings.ToLower(r.street), ", "+strings.ToLower(r.city)); i > 0 && r.city != "" {
		r.street = strings.TrimSpace(r.street[:i])
	}
	if utf8.RuneCountInString(r.street) > 200 {
		f.fail("UnparsedAddress", "must be at most 200 characters")
	}
	r.unit = f.text("UnitNumber", hasUnitNumber, 25)
	r.state = f.text("StateOrProvince", hasState, 100)
	r.postal = f.text("PostalCode", hasPostalCode, 20)
	if r.country = f.text("Country", hasCountry, 10); r.country != nil {
		c := strings.ToUpper(*r.country)
		if len(c) != 2 || c[0] < 'A' || c[0] > 'Z' || c[1] < 'A' || c[1] > 'Z' {
			f.fail("Country", "must be an ISO 3166 two-letter code such as US")
		}
		r.country = &c
	}
	r.lat = f.number("Latitude", hasLocation, latBound.Neg(), latBound, 6)
	r.lng = f.number("Longitude", hasLocation, longBound.Neg(), longBound, 6)
	if (r.lat == nil) != (r.lng == nil) {
		f.fail("Latitude", "Latitude and Longitude go together")
	}
	// 0, 0 is what feeds send for a listing not geocoded, never a place
	// anyone sells (it is at sea).
	if r.lat != nil && r.lng != nil && r.lat.IsZero() && r.lng.IsZero() {
		r.lat, r.lng = nil, nil
	}
}

// street is StreetNumber, StreetDirPrefix, StreetName, StreetSuffix and
// StreetDirSuffix when number and name are given, else UnparsedAddress.
func (f *fieldReader) street() string {
	number, name := f.text("StreetNumber", 0, 25), f.text("StreetName", 0, 100)
	unparsed := f.text("UnparsedAddress", 0, 255)
	switch {
	case number != nil && name != nil:
		parts := []string{*number}
		for _, p := range []string{"StreetDirPrefix", "StreetName", "StreetSuffix", "StreetDirSuffix"} {
			if v := f.text(p, 0, 100); v != nil {
				parts = append(parts, *v)
			}
		}
		return strings.Join(parts, " ")
	case unparsed != nil:
		return *unparsed
	}
	f.fail("UnparsedAddress", "is required (or StreetNumber and StreetName)")
	return ""
}

// facts reads the size and age of what is offered.
func (f *fieldReader) facts() {
	r := f.row
	r.beds = f.integer("BedroomsTotal", hasBedrooms, 0, 200)
	r.baths = f.number("BathroomsTotalInteger", hasBathrooms, zero, maxCount, 1)
	r.livingArea = f.measure("LivingArea", hasLivingArea, maxArea, 2)
	r.yearBuilt = f.yearBuilt()
	// LotSizeSquareFeet is the listing's unit; LotSizeArea counts in
	// LotSizeUnits, square feet unless said to be acres.
	if sqft := f.measure("LotSizeSquareFeet", hasLotSize, maxMoney, 2); sqft != nil {
		r.lotSize = sqft
		return
	}
	area := f.measure("LotSizeArea", hasLotSize, maxMoney, 2)
	if units, _ := f.get("LotSizeUnits", 0); area != nil && enumKey(units.text) == "acres" {
		a := area.Mul(acre).Round(2)
		area = &a
	}
	r.lotSize = area
}

// rejectOf is the reject of a record that could not be read or failed
// validation with err.
func rejectOf(rec *record, err error) Reject {
	reason := realty.MessageOf(err)
	if rec.bad != "" {
		reason = "the record " + rec.bad
	}
	key := ""
	if rec.bad == "" {
		if v, ok, _ := rec.get(fListingKey); ok {
			key = v.text
		}
	}
	return Reject{Row: rec.row, ListingKey: key, Reason: reason}
}
