package listing_test

import (
	"context"
	"testing"

	"realty"
	"realty/internal/listing"
	"realty/internal/property"
)

// TestDeleteProperty holds a property while a listing of it is on the
// market, and lets it go once the listing is off.
func TestDeleteProperty(t *testing.T) {
	t.Parallel()
	s := setup(t)
	o, other := s.env.Organization(t, "acme"), s.env.Organization(t, "globex")
	ctx := context.Background()
	broker := o.Personas["broker"].Actor
	l, err := s.listings.Create(ctx, broker, listing.Input{
		Property: &property.Input{AddressLine1: "3 Elm Street", City: "Springfield", StateProvince: "IL"},
		Fields:   listing.Fields{ListPrice: price("250000")},
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Run("ErrOnTheMarket", func(t *testing.T) {
		if err := s.listings.DeleteProperty(ctx, broker, l.PropertyID); realty.KindOf(err) != realty.Conflict {
			t.Fatalf("deleted a property listed Active: %v", err)
		}
	})
	t.Run("ErrForbidden", func(t *testing.T) {
		if err := s.listings.DeleteProperty(ctx, o.Personas["accountant"].Actor, l.PropertyID); realty.KindOf(err) != realty.Forbidden {
			t.Fatalf("accountant without property.write: %v", err)
		}
	})
	t.Run("ErrOtherOrganization", func(t *testing.T) {
		if err := s.listings.DeleteProperty(ctx, other.Personas["owner"].Actor, l.PropertyID); realty.KindOf(err) != realty.NotFound {
			t.Fatalf("another organization's owner: %v", err)
		}
	})
	st := "Withdrawn"
	if _, err := s.listings.Update(ctx, broker, l.ID, listing.Fields{StandardStatus: &st}); err != nil {
		t.Fatal(err)
	}
	if err := s.listings.DeleteProperty(ctx, broker, l.PropertyID); err != nil {
		t.Fatalf("off the market: %v", err)
	}
	if _, err := s.props.Get(ctx, broker, l.PropertyID); realty.KindOf(err) != realty.NotFound {
		t.Fatalf("deleted property still found: %v", err)
	}
}
