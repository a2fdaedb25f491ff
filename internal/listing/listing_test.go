package listing_test

import (
	"context"
	"testing"

	"github.com/shopspring/decimal"

	"realty"
	"realty/internal/fixture/fixturetest"
	"realty/internal/listing"
	"realty/internal/postgres/pgtest"
	"realty/internal/property"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

type setupResult struct {
	env      fixturetest.Env
	listings *listing.Service
	props    *property.Service
}

func setup(t *testing.T) setupResult {
	t.Helper()
	env := fixturetest.New(t)
	return setupResult{env: env, listings: env.Listing, props: env.Property}
}

func price(s string) *decimal.Decimal {
	d := decimal.RequireFromString(s)
	return &d
}

func TestCreateAndHistory(t *testing.T) {
	t.Parallel()
	s := setup(t)
	o := s.env.Organization(t, "acme")
	ctx := context.Background()
	agent := o.Personas["agent"].Actor
	lat, lng := 40.7128, -74.006
	l, err := s.listings.Create(ctx, agent, listing.Input{
		Property: &property.Input{AddressLine1: "12 Harbor View Road", City: "New York", StateProvince: "NY", PostalCode: strp("10004"),
			Latitude: &lat, Longitude: &lng, Bedrooms: intp(3), Bathrooms: floatp(2), LivingArea: floatp(1850)},
		Fields: listing.Fields{ListPrice: price("950000"), PublicRemarks: strp("Sunny corner with granite kitchen")},
	})
	if err != nil {
		t.Fatal(err)
	}
	if l.StandardStatus != "Active" || *l.BedroomsTotal != 3 || l.ListAgentID == nil || *l.ListAgentID != agent.MemberID {
		t.Fatalf("created %+v", l)
	}
	up, err := s.listings.Update(ctx, agent, l.ID, listing.Fields{ListPrice: price("925000")})
	if err != nil || !up.ListPrice.Equal(decimal.RequireFromString("925000")) || up.PriceChangeTimestamp == nil {
		t.Fatalf("price change: %+v %v", up, err)
	}
	st := "Pending"
	if _, err := s.listings.Update(ctx, agent, l.ID, listing.Fields{StandardStatus: &st}); err != nil {
		t.Fatal(err)
	}
	st = "Active"
	if _, err := s.listings.Update(ctx, agent, l.ID, listing.Fields{StandardStatus: &st}); err != nil {
		t.Fatal(err)
	}
	h, err := s.listings.History(ctx, agent, l.ID)
	if err != nil {
		t.Fatal(err)
	}
	var types []string
	for _, e := range h {
		types = append(types, *e.ChangeType)
		if e.ChangedBy == nil || *e.ChangedBy != agent.UserID {
			t.Errorf("entry %+v not attributed to the agent", e)
		}
		if name := o.Personas["agent"].User.Name(); e.ChangedByName == nil || *e.ChangedByName != name {
			t.Errorf("entry %+v not named after the agent %q", e, name)
		}
	}
	want := []string{"NewListing", "PriceChange", "Pending", "BackOnMarket"}
	if len(types) != len(want) {
		t.Fatalf("history %v, want %v", types, want)
	}
	for i := range want {
		if types[i] != want[i] {
			t.Fatalf("history %v, want %v", types, want)
		}
	}
	t.Run("ErrOthersListing", func(t *testing.T) {
		other := o.Personas["broker"].Actor
		if _, err := s.listings.Update(ctx, other, l.ID, listing.Fields{ListPrice: price("1")}); err != nil {
			t.Fatalf("broker (manage) may change any listing: %v", err)
		}
		pm := o.Personas["property_manager"].Actor
		if _, err := s.listings.Update(ctx, pm, l.ID, listing.Fields{ListPrice: price("2")}); realty.KindOf(err) != realty.Forbidden {
			t.Fatalf("another writer changed the agent's listing: %v", err)
		}
	})
	t.Run("OKSearch", func(t *testing.T) {
		km := 5.0
		res, err := s.listings.Search(ctx, agent, listing.Query{Q: "granite", Lat: &lat, Lng: &lng, RadiusKm: &km, Count: true})
		if err != nil || len(res.Items) != 1 || res.Total == nil || *res.Total != 1 || res.Items[0].Relevance == nil {
			t.Fatalf("search: %+v %v", res, err)
		}
		res, err = s.listings.Search(ctx, agent, listing.Query{Q: "Harbor Vi", Sort: "price_asc"})
		if err != nil || len(res.Items) != 1 {
			t.Fatalf("partial address search: %+v %v", res, err)
		}
	})
}

func strp(s string) *string     { return &s }
func intp(i int) *int           { return &i }
func floatp(f float64) *float64 { return &f }
