package property_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/shopspring/decimal"

	"realty"
	"realty/internal/fixture/fixturetest"
	"realty/internal/listing"
	"realty/internal/property"
)

// near places a point dKm north of Springfield's centre.
func near(dKm float64) (float64, float64) { return 39.7817 + dKm/111.2, -89.6501 }

func house(dKm float64, area float64) fixturetest.Home {
	lat, lng := near(dKm)
	return fixturetest.Home{Lat: lat, Lng: lng, Area: area, Beds: 3, Baths: 2, Lot: 6000, Year: 1990, Condition: 3}
}

// TestCMAConfidence: fewer comparables, or farther ones, lower the
// confidence; none at all is refused naming the radius; sales imported from
// an MLS count as the organization's own.
func TestCMAConfidence(t *testing.T) {
	t.Parallel()
	env := fixturetest.New(t)
	o := env.Organization(t, "acme")
	agent := o.Personas["agent"].Actor
	ctx := context.Background()
	asOf := realty.Date{Year: 2026, Month: 6, Day: 30}
	for i := range 8 {
		env.Sold(t, agent, fmt.Sprintf("%d Near Street", i), house(0.1*float64(i+1), 1800+float64(i*20)),
			decimal.NewFromInt(int64(330000+i*2000)), asOf.AddDays(-20*(i+1)))
	}
	// Two sales 8 km out, imported from an MLS.
	var mls strings.Builder
	for i := range 2 {
		lat, lng := near(8 + 0.2*float64(i))
		fmt.Fprintf(&mls, `{"ListingKey": "MLS%d", "StandardStatus": "Closed", "PropertyType": "Residential", "ListPrice": 340000, "ClosePrice": 335000, "CloseDate": "2026-05-0%d", "UnparsedAddress": "%d Far Road", "City": "Springfield", "Latitude": %f, "Longitude": %f, "LivingArea": 1850, "BedroomsTotal": 3, "BathroomsTotalInteger": 2, "YearBuilt": 1990}`+"\n",
			i, i+1, i+1, lat, lng)
	}
	if _, err := env.Listing.ImportFile(ctx, realty.System(o.Organization.ID), strings.NewReader(mls.String()),
		listing.ImportOptions{Name: "far.jsonl", Source: "SPRINGMLS"}); err != nil {
		t.Fatal(err)
	}
	centre := env.Subject(t, agent, "1 Centre Street", house(0, 1850))
	far := env.Subject(t, agent, "1 Far Road", house(8.1, 1850))
	value := func(id realty.ID, o property.Options) property.Valuation {
		t.Helper()
		o.AsOf = &asOf
		v, err := env.Property.Valuate(ctx, agent, id, o)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	many := value(centre.ID, property.Options{})
	few := value(centre.ID, property.Options{MaxComps: 2})
	distant := value(far.ID, property.Options{RadiusKm: 10})
	t.Logf("confidence: 6 comparables within 1 km %.2f; the 2 nearest %.2f; the far subject (2 MLS sales beside it, 4 more 7–8 km off) %.2f", *many.Confidence, *few.Confidence, *distant.Confidence)
	if len(many.Comparables) != 6 || len(few.Comparables) != 2 {
		t.Fatalf("comparables: %d and %d, want 6 and 2", len(many.Comparables), len(few.Comparables))
	}
	if !(*few.Confidence < *many.Confidence) || !(*distant.Confidence < *many.Confidence) {
		t.Errorf("confidence %.2f with 6 near comparables is not above %.2f (2) and %.2f (far)", *many.Confidence, *few.Confidence, *distant.Confidence)
	}
	sources := map[string]int{}
	for _, c := range distant.Comparables {
		sources[c.Source]++
	}
	if sources["SPRINGMLS"] != 2 {
		t.Errorf("the far subject's comparables by source: %v, want the 2 MLS sales among them", sources)
	}

	lone := env.Subject(t, agent, "1 Lone Farm", house(30, 1850))
	_, err := env.Property.Valuate(ctx, agent, lone.ID, property.Options{AsOf: &asOf})
	if realty.KindOf(err) != realty.Invalid || realty.FieldsOf(err)["radius_km"] == "" {
		t.Fatalf("no comparables: %v, want Invalid naming radius_km", err)
	}
}

// TestCMARules: options and subjects a CMA cannot use are refused naming the
// field; the list price is placed against the range; the rates belong to
// brokers; a valuation stays in its organization.
func TestCMARules(t *testing.T) {
	t.Parallel()
	env := fixturetest.New(t)
	acme, globex := env.Organization(t, "acme"), env.Organization(t, "globex")
	agent, broker := acme.Personas["agent"].Actor, acme.Personas["broker"].Actor
	ctx := context.Background()
	v := env.Valuation(t, acme)
	if v.LowPrice.GreaterThan(v.SuggestedPrice) || v.HighPrice.LessThan(v.SuggestedPrice) || v.MarketPosition != nil {
		t.Fatalf("valuation %s–%s–%s, position %v", v.LowPrice, v.SuggestedPrice, v.HighPrice, v.MarketPosition)
	}
	for _, c := range v.Comparables {
		if len(c.Adjustments) == 0 || c.Adjustments[0].Factor != "time" || c.Condition == nil {
			t.Fatalf("comparable %s: adjustments %+v, condition %v", c.Address, c.Adjustments, c.Condition)
		}
	}
	high := v.HighPrice.Add(decimal.NewFromInt(50000))
	above, err := env.Property.Valuate(ctx, agent, v.PropertyID, property.Options{ListPrice: &high})
	if err != nil || above.MarketPosition == nil || *above.MarketPosition != "above" || !strings.Contains(*above.Recommendations, "above") {
		t.Fatalf("listed above the range: %v %v", above.MarketPosition, err)
	}
	bare, err := env.Property.Create(ctx, agent, property.Input{AddressLine1: "2 Nowhere", City: "Springfield"})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		field string
		id    realty.ID
		o     property.Options
	}{
		{"latitude", bare.ID, property.Options{}},
		{"months", v.PropertyID, property.Options{Months: 40}},
		{"radius_km", v.PropertyID, property.Options{RadiusKm: 51}},
		{"max_comps", v.PropertyID, property.Options{MaxComps: 21}},
		{"property_type", v.PropertyID, property.Options{PropertyType: "ResidentialLease"}},
	} {
		_, err := env.Property.Valuate(ctx, agent, c.id, c.o)
		if realty.KindOf(err) != realty.Invalid || realty.FieldsOf(err)[c.field] == "" {
			t.Errorf("%s: %v, want Invalid naming it", c.field, err)
		}
	}
	if _, err := env.Property.Valuate(ctx, acme.Personas["property_manager"].Actor, v.PropertyID, property.Options{}); realty.KindOf(err) != realty.Forbidden {
		t.Errorf("property manager runs a CMA: %v", err)
	}
	list, err := env.Property.Valuations(ctx, agent, v.PropertyID)
	if err != nil || len(list) != 2 || list[0].ID != above.ID {
		t.Fatalf("valuations: %d %v", len(list), err)
	}
	if _, err := env.Property.Valuation(ctx, globex.Personas["broker"].Actor, v.ID); realty.KindOf(err) != realty.NotFound {
		t.Errorf("globex reads acme's valuation: %v", err)
	}

	rates := property.DefaultRates()
	rates.Market = " Shelbyville "
	if _, err := env.Property.SetAdjustmentRates(ctx, agent, rates); realty.KindOf(err) != realty.Forbidden {
		t.Errorf("agent sets rates: %v", err)
	}
	rates.MonthlyAppreciation = decimal.NewFromInt(11)
	if _, err := env.Property.SetAdjustmentRates(ctx, broker, rates); realty.FieldsOf(err)["monthly_appreciation"] == "" {
		t.Errorf("11 %% a month: %v", err)
	}
	rates.MonthlyAppreciation, rates.PerArea = decimal.Zero, decimal.NewFromInt(-1)
	if _, err := env.Property.SetAdjustmentRates(ctx, broker, rates); realty.FieldsOf(err)["per_area"] == "" {
		t.Errorf("negative rate: %v", err)
	}
	rates.PerArea = decimal.NewFromInt(200)
	got, err := env.Property.SetAdjustmentRates(ctx, broker, rates)
	if err != nil || got.Market != "shelbyville" || !got.PerArea.Equal(rates.PerArea) {
		t.Fatalf("set rates: %+v %v", got, err)
	}
	all, err := env.Property.AdjustmentRates(ctx, agent)
	if err != nil || len(all) != 2 || all[0].Market != "default" {
		t.Fatalf("rates: %+v %v", all, err)
	}
}
