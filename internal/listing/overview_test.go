package listing_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"realty"
	"realty/internal/fixture"
	"realty/internal/listing"
	"realty/internal/property"
)

// overviewListing lists a new property as the persona, in status, its
// agreement ending in expires days, and optionally repriced.
func overviewListing(t *testing.T, s setupResult, o fixture.Org, persona, street, status string, expires int, reprice bool) listing.Listing {
	t.Helper()
	ctx := context.Background()
	actor := o.Personas[persona].Actor
	exp := realty.DateOf(time.Now().UTC()).AddDays(expires)
	l, err := s.listings.Create(ctx, actor, listing.Input{Property: &property.Input{AddressLine1: street, City: "Austin"},
		ListingKey: street, Fields: listing.Fields{ListPrice: price("500000"), StandardStatus: &status, ExpirationDate: &exp}})
	if err != nil {
		t.Fatal(err)
	}
	if reprice {
		if l, err = s.listings.Update(ctx, actor, l.ID, listing.Fields{ListPrice: price("480000")}); err != nil {
			t.Fatal(err)
		}
	}
	return l
}

// TestOverview: an agent's overview counts only their own listings, a
// broker's the whole organization's, and neither ever another
// organization's; the property scope narrows it; "this week" ends after
// seven days; without listing.read it is Forbidden.
func TestOverview(t *testing.T) {
	t.Parallel()
	s := setup(t)
	ctx := context.Background()
	acme, globex := s.env.Organization(t, "acme"), s.env.Organization(t, "globex")
	a1 := overviewListing(t, s, acme, "agent", "1 Soon Street", "Active", 10, false)
	overviewListing(t, s, acme, "agent", "2 Later Street", "Pending", 60, true)
	overviewListing(t, s, acme, "agent", "3 Sold Street", "Closed", 5, false)
	overviewListing(t, s, acme, "broker", "4 Broker Street", "Active", 3, true)
	overviewListing(t, s, globex, "agent", "9 Foreign Road", "Active", 2, true)
	overviewListing(t, s, globex, "broker", "8 Foreign Road", "ComingSoon", 1, true)

	type summary struct {
		Own                              bool
		ByStatus                         []listing.StatusCount
		Total, New, Prices, Expiring     int
		FirstExpiring, FirstPriceAddress string
	}
	sum := func(actor realty.Actor) summary {
		t.Helper()
		o, err := s.listings.Overview(ctx, actor)
		if err != nil {
			t.Fatal(err)
		}
		out := summary{Own: o.Own, ByStatus: o.ByStatus, Total: o.Total, New: o.NewCount, Prices: o.PriceChangeCount, Expiring: o.ExpiringCount}
		if len(o.Expiring) > 0 {
			out.FirstExpiring = o.Expiring[0].StreetAddress
		}
		if len(o.PriceChanges) > 0 {
			out.FirstPriceAddress = o.PriceChanges[0].StreetAddress
			if o.PriceChanges[0].PreviousPrice == nil || o.PriceChanges[0].PreviousPrice.String() != "500000" {
				t.Errorf("price change without its previous price: %+v", o.PriceChanges[0])
			}
		}
		return out
	}
	for name, c := range map[string]struct {
		actor realty.Actor
		want  summary
	}{
		"OKAgentOwn": {acme.Personas["agent"].Actor, summary{Own: true, Total: 3, New: 3, Prices: 1, Expiring: 1,
			ByStatus:      []listing.StatusCount{{"Active", 1}, {"Closed", 1}, {"Pending", 1}},
			FirstExpiring: "1 Soon Street", FirstPriceAddress: "2 Later Street"}},
		"OKBrokerOrganization": {acme.Personas["broker"].Actor, summary{Total: 4, New: 4, Prices: 2, Expiring: 2,
			ByStatus:      []listing.StatusCount{{"Active", 2}, {"Closed", 1}, {"Pending", 1}},
			FirstExpiring: "4 Broker Street", FirstPriceAddress: "4 Broker Street"}},
		"OKOtherOrganization": {globex.Personas["owner"].Actor, summary{Total: 2, New: 2, Prices: 2, Expiring: 2,
			ByStatus:      []listing.StatusCount{{"Active", 1}, {"ComingSoon", 1}},
			FirstExpiring: "8 Foreign Road", FirstPriceAddress: "8 Foreign Road"}},
		"OKPropertyScope": {scopedTo(acme.Personas["broker"].Actor, a1.PropertyID), summary{Total: 1, New: 1, Expiring: 1,
			ByStatus: []listing.StatusCount{{"Active", 1}}, FirstExpiring: "1 Soon Street"}},
	} {
		t.Run(name, func(t *testing.T) {
			if diff := cmp.Diff(c.want, sum(c.actor)); diff != "" {
				t.Errorf("overview (-want +got):\n%s", diff)
			}
		})
	}
	t.Run("ErrWithoutListingRead", func(t *testing.T) {
		if _, err := s.listings.Overview(ctx, acme.Personas["client"].Actor); realty.KindOf(err) != realty.Forbidden {
			t.Fatalf("client: %v, want Forbidden", err)
		}
	})
	t.Run("OKWeekEnds", func(t *testing.T) {
		listing.SetClock(s.listings, func() time.Time { return time.Now().Add(8 * 24 * time.Hour) })
		t.Cleanup(func() { listing.SetClock(s.listings, time.Now) })
		got := sum(acme.Personas["broker"].Actor)
		if got.Total != 4 || got.New != 0 || got.Prices != 0 || got.Expiring != 1 || got.FirstExpiring != "1 Soon Street" {
			t.Fatalf("eight days on: %+v, want 4 listings, nothing new or repriced, one expiring (1 Soon Street)", got)
		}
	})
}

func scopedTo(a realty.Actor, ids ...realty.ID) realty.Actor {
	a.PropertyScope = ids
	return a
}
