package leasing_test

import (
	"testing"

	"github.com/shopspring/decimal"

	"realty"
	"realty/internal/leasing"
)

func TestProrate(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ rent, from, to, want string }{
		{"1500.00", "2027-01-01", "2027-01-31", "1500.00"}, // whole month
		{"1500.00", "2027-01-17", "2027-01-31", "725.81"},  // 15/31 = 725.806…
		{"1500.00", "2027-04-16", "2027-04-30", "750.00"},  // 15/30
		{"1400.00", "2027-02-15", "2027-02-28", "700.00"},  // 14/28, common year
		{"1450.00", "2028-02-15", "2028-02-29", "750.00"},  // 15/29, leap year
		{"1400.00", "2028-02-01", "2028-02-28", "1351.72"}, // 28/29 of a leap February
		{"1000.00", "2100-02-01", "2100-02-14", "500.00"},  // 2100 is not a leap year
		{"1000.00", "2000-02-01", "2000-02-29", "1000.00"}, // 2000 is
		{"999.99", "2027-03-31", "2027-03-31", "32.26"},    // one day of 31
		{"1000.00", "2027-06-01", "2027-06-01", "33.33"},   // one day of 30
		{"0.10", "2027-06-01", "2027-06-15", "0.05"},       // 0.05 exactly
		{"0.10", "2027-07-01", "2027-07-05", "0.02"},       // 0.016… up
	} {
		got, err := leasing.Prorate(decimal.RequireFromString(c.rent), date(c.from), date(c.to))
		if err != nil || got.StringFixed(2) != c.want {
			t.Errorf("Prorate(%s, %s, %s) = %v, %v; want %s", c.rent, c.from, c.to, got, err, c.want)
		}
	}
	if _, err := leasing.Prorate(decimal.NewFromInt(1), date("2027-01-20"), date("2027-02-05")); realty.KindOf(err) != realty.Invalid {
		t.Errorf("across months: %v, want Invalid", err)
	}
	if _, err := leasing.Prorate(decimal.NewFromInt(1), date("2027-01-20"), date("2027-01-05")); realty.KindOf(err) != realty.Invalid {
		t.Errorf("backwards: %v, want Invalid", err)
	}
}

func TestDueDate(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		period string
		day    int
		want   string
	}{
		{"2027-01-01", 31, "2027-01-31"}, {"2027-02-01", 31, "2027-02-28"}, {"2027-02-01", 29, "2027-02-28"},
		{"2028-02-01", 29, "2028-02-29"}, {"2028-02-01", 30, "2028-02-29"}, {"2028-02-01", 31, "2028-02-29"},
		{"2027-04-01", 31, "2027-04-30"}, {"2027-04-01", 30, "2027-04-30"}, {"2027-06-01", 29, "2027-06-29"},
		{"2027-09-01", 1, "2027-09-01"}, {"2100-02-01", 29, "2100-02-28"}, {"2027-12-01", 31, "2027-12-31"},
	} {
		if got := leasing.DueDate(date(c.period), c.day); got.String() != c.want {
			t.Errorf("DueDate(%s, %d) = %s, want %s", c.period, c.day, got, c.want)
		}
	}
}
