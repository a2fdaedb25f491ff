package crm

import (
	"testing"

	"github.com/shopspring/decimal"

	"realty/internal/listing"
)

// TestAdmitsIsHardWithin: the scan's prepared check agrees with hardWithin
// on prices at and around both ends of the band, in whole cents and in
// fractions of a cent (which take the exact path), and on city case.
func TestAdmitsIsHardWithin(t *testing.T) {
	t.Parallel()
	d := func(s string) *decimal.Decimal { v := decimal.RequireFromString(s); return &v }
	prefs := []ClientPreference{
		{ListType: "sale", PriceMin: d("100000"), PriceMax: d("200000"), Cities: []string{"Springfield"}},
		{ListType: "sale", PriceMin: d("100000.01"), PriceMax: d("199999.99")},
		{ListType: "sale", PriceMax: d("200000"), Cities: []string{"SPRINGFIELD", "Shelbyville"}},
	}
	prices := []string{"89999.99", "90000", "90000.001", "90000.01", "150000", "219999.99", "220000", "220000.001", "220000.01", "219999.989"}
	cities := []string{"Springfield", "springfield", "Capital City"}
	var n int
	for _, p := range prefs {
		b := bandOf(p)
		for _, price := range prices {
			for _, city := range cities {
				l := listing.Facts{ListType: "sale", StandardStatus: "Active", ListPrice: *d(price), City: city}
				x := factsOf([]listing.Facts{l})
				want := hardWithin(p, b.low, b.high, l)
				if got := b.admits(&l, &x[0]); got != want {
					t.Errorf("price %s, city %s against %+v: admits %v, hardWithin %v", price, city, p, got, want)
				}
				if want {
					n++
				}
			}
		}
	}
	if n == 0 {
		t.Fatal("no pair admitted: the cases test nothing")
	}
}
