package listing_test

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
)

// outsideSample is a RESO Web API response of n Property records shaped as
// MLS feeds send them: every fifth record a lot or farm parcel with 0 for
// the facts that do not apply (LivingArea, bedrooms, bathrooms, YearBuilt,
// StoriesTotal, GarageSpaces), condominiums with a LotSizeArea of 0,
// ClosePrice and OriginalListPrice 0 while unknown, coordinates 0 when not
// geocoded, DaysOnMarket and BathroomsHalf 0 on new listings, and fields
// realty does not import beside the ones it does.
func outsideSample(n int) []map[string]any {
	rng := rand.New(rand.NewPCG(7, 11))
	cities := []string{"Austin", "Round Rock", "Pflugerville", "Georgetown", "Kyle"}
	out := make([]map[string]any, n)
	for i := range n {
		r := map[string]any{
			"ListingKey": fmt.Sprintf("OUT%04d", i), "ListingId": fmt.Sprintf("MLS%06d", 100000+i),
			"StandardStatus": "Active", "MlsStatus": "Active", "ListPrice": 150000 + rng.IntN(900)*1000,
			"OriginalListPrice": 0, "ClosePrice": 0, "DaysOnMarket": 0, "BathroomsHalf": 0, "GarageSpaces": 2,
			"UnparsedAddress": fmt.Sprintf("%d County Road %d", 100+i, i%40), "City": cities[i%len(cities)],
			"StateOrProvince": "TX", "PostalCode": "78641", "Country": "US",
			"Latitude": 30.2 + float64(i)/1000, "Longitude": -97.7 - float64(i)/1000, "ListOfficeName": "Hill Country Realty",
			"ModificationTimestamp": "2025-03-01T10:00:00Z", "PhotosCount": rng.IntN(30),
		}
		switch {
		case i%5 == 0: // a lot, acreage or farm parcel: nothing built
			r["PropertyType"], r["PropertySubType"] = "Land", "UnimprovedLand"
			if i%10 == 0 {
				r["PropertyType"], r["PropertySubType"] = "Farm", "Ranch"
			}
			for _, f := range []string{"LivingArea", "BedroomsTotal", "BathroomsTotalInteger", "BathroomsFull", "YearBuilt",
				"StoriesTotal", "GarageSpaces"} {
				r[f] = 0
			}
			r["LotSizeArea"], r["LotSizeUnits"] = 1+rng.IntN(40), "Acres"
		case i%5 == 1: // a condominium: no lot of its own
			r["PropertyType"], r["PropertySubType"] = "Residential", "Condominium"
			r["LivingArea"], r["BedroomsTotal"], r["BathroomsTotalInteger"] = 700+rng.IntN(800), 1+rng.IntN(2), 1+rng.IntN(2)
			r["YearBuilt"], r["LotSizeArea"], r["LotSizeSquareFeet"], r["GarageSpaces"] = 1985+rng.IntN(38), 0, 0, 0
		default:
			r["PropertyType"], r["PropertySubType"] = "Residential", "SingleFamilyResidence"
			r["LivingArea"], r["BedroomsTotal"], r["BathroomsTotalInteger"] = 1200+rng.IntN(3000), 2+rng.IntN(4), 1+rng.IntN(3)
			r["YearBuilt"], r["LotSizeSquareFeet"], r["StoriesTotal"] = 1950+rng.IntN(74), 5000+rng.IntN(20000), 1+rng.IntN(2)
		}
		if i%7 == 3 { // not geocoded
			r["Latitude"], r["Longitude"] = 0, 0
		}
		if i%9 == 4 { // sold: the prices are known
			r["StandardStatus"], r["MlsStatus"] = "Closed", "Sold"
			r["ClosePrice"], r["OriginalListPrice"], r["CloseDate"] = r["ListPrice"], r["ListPrice"], "2025-02-20"
		}
		out[i] = r
	}
	return out
}

// TestImportOutsideSample imports 200 feed-shaped records, a fifth of
// them land with 0 for what does not apply: every record imports, and a 0
// that means "not applicable" or "unknown" is stored as no value.
func TestImportOutsideSample(t *testing.T) {
	t.Parallel()
	s := newImportSetup(t)
	records := outsideSample(200)
	body, err := json.Marshal(map[string]any{"@odata.context": "https://mls.example/odata/$metadata#Property", "value": records})
	if err != nil {
		t.Fatal(err)
	}
	res := s.run(t, "sample.json", string(body))
	t.Logf("imported %d of %d", res.Inserted, len(records))
	wantCounts(t, res, 200, 200, 0, 0, 0)
	land := s.byKey(t, "OUT0005")
	if land.LivingArea != nil || land.YearBuilt != nil || *land.BedroomsTotal != 0 || *land.BathroomsTotal != 0 ||
		land.ClosePrice != nil || land.LotSizeArea == nil || int(*land.LotSizeArea)%43560 != 0 {
		t.Errorf("land: living %v, year %v, beds %v, baths %v, close %v, lot %v", land.LivingArea, land.YearBuilt,
			land.BedroomsTotal, land.BathroomsTotal, land.ClosePrice, land.LotSizeArea)
	}
	if condo := s.byKey(t, "OUT0001"); condo.LotSizeArea != nil || condo.LivingArea == nil {
		t.Errorf("condo: lot %v, living %v", condo.LotSizeArea, condo.LivingArea)
	}
	if unplaced := s.byKey(t, "OUT0003"); unplaced.Latitude != nil || unplaced.Longitude != nil {
		t.Errorf("coordinates 0, 0 stored as %v, %v", *unplaced.Latitude, *unplaced.Longitude)
	}
	if orig := s.byKey(t, "OUT0002"); orig.OriginalListPrice == nil || !orig.OriginalListPrice.Equal(orig.ListPrice) {
		t.Errorf("OriginalListPrice 0 should default to the list price, got %v", orig.OriginalListPrice)
	}
	if sold := s.byKey(t, "OUT0004"); sold.ClosePrice == nil || sold.StandardStatus != "Closed" {
		t.Errorf("sold listing: %s, close price %v", sold.StandardStatus, sold.ClosePrice)
	}
	if n := s.count(t, `SELECT count(*) FROM listing.listings WHERE organization_id = $1 AND living_area IS NULL`); n != 40 {
		t.Errorf("%d listings without a living area, want the 40 parcels", n)
	}
}

// TestImportZeroIsNotNegative: 0 reads as no value, while values that are
// wrong rather than unknown are still refused, naming the field.
func TestImportZeroIsNotNegative(t *testing.T) {
	t.Parallel()
	s := newImportSetup(t)
	body := "ListingKey,ListPrice,UnparsedAddress,City,LivingArea,YearBuilt,ClosePrice,Latitude,Longitude\n" +
		"Z1,100000,1 A St,Kyle,0,0,0,0,0\n" +
		"Z2,100000,2 A St,Kyle,-1,,,,\n" +
		"Z3,100000,3 A St,Kyle,,1500,,,\n" +
		"Z4,100000,4 A St,Kyle,,,-5,,\n" +
		"Z5,100000,5 A St,Kyle,,,,0,-97.7\n"
	res := s.run(t, "zero.csv", body)
	wantCounts(t, res, 5, 2, 0, 0, 3)
	for i, field := range []string{"LivingArea", "YearBuilt", "ClosePrice"} {
		if r := res.Rejects[i]; r.ListingKey != fmt.Sprintf("Z%d", i+2) || !strings.HasPrefix(r.Reason, field+":") {
			t.Errorf("reject %d = %+v, want %s", i, r, field)
		}
	}
	if z5 := s.byKey(t, "Z5"); z5.Latitude == nil || *z5.Latitude != 0 {
		t.Errorf("latitude 0 with a longitude is a place: got %v", z5.Latitude)
	}
}
