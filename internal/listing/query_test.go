package listing_test

import (
	"net/url"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"realty"
	"realty/internal/listing"
)

func TestParseQuery(t *testing.T) {
	t.Parallel()
	t.Run("OK", func(t *testing.T) {
		v, _ := url.ParseQuery("status=Active,Pending&status=ComingSoon&property_type=Residential&city=+Austin+&min_price=100000.50" +
			"&min_beds=0&min_baths=1.5&lat=30.1&lng=-97.7&radius_km=5&agent=0190a6f0-0000-7000-8000-000000000001" +
			"&modified_since=2026-11-01&limit=50&count=true&sort=price_asc&q=pool")
		q, err := listing.ParseQuery(v)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff([]string{"Active", "Pending", "ComingSoon"}, q.Statuses); diff != "" {
			t.Errorf("statuses (-want +got):\n%s", diff)
		}
		if q.City != "Austin" || q.MinPrice.String() != "100000.5" || *q.MinBeds != 0 || *q.MinBaths != 1.5 || *q.RadiusKm != 5 ||
			q.AgentID.String() != "0190a6f0-0000-7000-8000-000000000001" || q.Limit != 50 || !q.Count || q.Sort != "price_asc" {
			t.Errorf("parsed %+v", q)
		}
		if want := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC); !q.ModifiedSince.Equal(want) {
			t.Errorf("modified_since = %v, want %v", q.ModifiedSince, want)
		}
	})
	t.Run("OKAbsentIsNoFilter", func(t *testing.T) {
		q, err := listing.ParseQuery(url.Values{"min_price": {""}, "min_beds": {" "}})
		if err != nil || q.MinPrice != nil || q.MinBeds != nil || q.Statuses != nil {
			t.Errorf("empty parameters: %+v, %v", q, err)
		}
	})
	t.Run("OKRFC3339", func(t *testing.T) {
		q, err := listing.ParseQuery(url.Values{"modified_since": {"2026-11-01T10:00:00+02:00"}})
		if err != nil || !q.ModifiedSince.Equal(time.Date(2026, 11, 1, 8, 0, 0, 0, time.UTC)) {
			t.Errorf("modified_since: %v, %v", q.ModifiedSince, err)
		}
	})
	for param, value := range map[string]string{"min_price": "lots", "min_beds": "2.5", "min_baths": "NaN", "lat": "Inf",
		"agent": "42", "modified_since": "yesterday", "limit": "ten", "count": "maybe"} {
		t.Run("ErrField_"+param, func(t *testing.T) {
			_, err := listing.ParseQuery(url.Values{param: {value}})
			if realty.KindOf(err) != realty.Invalid || realty.FieldsOf(err)[param] == "" {
				t.Errorf("%s=%s: %v, want Invalid naming %s", param, value, err, param)
			}
		})
	}
}

// TestSearchableStatuses offers every StandardStatus as a search filter but
// Delete and Incomplete, each one a real StandardStatus.
func TestSearchableStatuses(t *testing.T) {
	t.Parallel()
	for _, s := range listing.SearchableStatuses {
		if !slices.Contains(listing.StandardStatuses, s) {
			t.Errorf("%s is not a StandardStatus", s)
		}
	}
	for _, s := range listing.StandardStatuses {
		want := s != "Delete" && s != "Incomplete"
		if slices.Contains(listing.SearchableStatuses, s) != want {
			t.Errorf("%s offered = %v, want %v", s, !want, want)
		}
	}
}
