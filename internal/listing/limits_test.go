package listing_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/shopspring/decimal"

	"realty"
	"realty/internal/listing"
	"realty/internal/org"
	"realty/internal/property"
)

// TestPlanLimitListings: at max_properties, a listing that would create its
// property is a plan-limit Conflict and writes nothing, while a listing of
// an existing property still goes in; an MLS import makes properties up to
// the limit and rejects each row that would need one more, naming the
// limit, while rows at known addresses still go in.
func TestPlanLimitListings(t *testing.T) {
	t.Parallel()
	s := newImportSetup(t)
	ctx := context.Background()
	broker := s.org.Personas["broker"].Actor
	price := decimal.RequireFromString("250000")
	wantCounts(t, s.run(t, "first.csv", csvFile(3, nil)), 3, 3, 0, 0, 0)
	s.env.SetPlanLimit(t, s.sys.OrgID, org.LimitProperties, 6)
	// Rows 1–3 are known addresses (updated: new prices), 4–10 need a
	// property each and only 3 fit.
	res := s.run(t, "second.csv", csvFile(10, func(i int, f []string) { f[4] = fmt.Sprint(200000 + i) }))
	wantCounts(t, res, 10, 3, 3, 0, 4)
	for _, r := range res.Rejects {
		if !strings.Contains(r.Reason, "max_properties") {
			t.Errorf("reject %+v does not name the limit", r)
		}
	}
	if n := s.count(t, `SELECT count(*) FROM property.properties WHERE organization_id = $1`); n != 6 {
		t.Fatalf("%d properties after the import, want the limit of 6", n)
	}
	_, err := s.env.Listing.Create(ctx, broker, listing.Input{ListingKey: "NEW1",
		Property: &property.Input{AddressLine1: "1 Full Street", City: "Springfield"}, Fields: listing.Fields{ListPrice: &price}})
	if !org.IsPlanLimit(err) || realty.KindOf(err) != realty.Conflict {
		t.Fatalf("a listing creating a 7th property: %v, want a plan-limit Conflict", err)
	}
	if n := s.count(t, `SELECT count(*) FROM listing.listings WHERE organization_id = $1 AND listing_key = 'NEW1'`); n != 0 {
		t.Fatalf("the refused listing was written")
	}
	known := s.byKey(t, "K1")
	if _, err := s.env.Listing.Create(ctx, broker, listing.Input{ListingKey: "NEW2", PropertyID: &known.PropertyID,
		Fields: listing.Fields{ListPrice: &price}}); err != nil {
		t.Fatalf("a listing of an existing property: %v", err)
	}
}
