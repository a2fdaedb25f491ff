package deal_test

import (
	"testing"

	"realty"
	"realty/internal/deal"
)

func day(s string) realty.Date {
	d, err := realty.ParseDate(s)
	if err != nil {
		panic(err)
	}
	return d
}

// TestShiftDays is every due date's arithmetic across weekends, holidays
// (observed ones too), month and year ends, in both directions.
func TestShiftDays(t *testing.T) {
	t.Parallel()
	off := deal.DaysOff{}
	for _, h := range deal.PublicHolidays("US", 2026) {
		off[h.Day] = true
	}
	for _, h := range deal.PublicHolidays("US", 2027) {
		off[h.Day] = true
	}
	cases := []struct {
		name     string
		from     string
		n        int
		business bool
		want     string
	}{
		{"zero business days is the day itself", "2026-03-07", 0, true, "2026-03-07"},
		{"zero calendar days is the day itself", "2026-03-07", 0, false, "2026-03-07"},
		{"business days skip a weekend", "2026-03-06", 1, true, "2026-03-09"},
		{"five business days from a Monday", "2026-03-02", 5, true, "2026-03-09"},
		{"from a Saturday, the first business day is Monday", "2026-03-07", 1, true, "2026-03-09"},
		{"over Memorial Day", "2026-05-22", 1, true, "2026-05-26"},
		{"over Independence Day observed on Friday 3 July", "2026-07-02", 1, true, "2026-07-06"},
		{"across a month end", "2026-04-29", 3, true, "2026-05-04"},
		{"across the year end, Christmas and New Year's Day", "2026-12-23", 3, true, "2026-12-29"},
		{"year end into January", "2026-12-30", 2, true, "2027-01-04"},
		{"New Year's Day 2028 observed on Friday 31 December 2027", "2027-12-30", 1, true, "2028-01-03"},
		{"negative business days go back over a weekend", "2026-03-09", -1, true, "2026-03-06"},
		{"negative business days go back over Thanksgiving", "2026-11-27", -1, true, "2026-11-25"},
		{"negative business days across a year end", "2027-01-04", -2, true, "2026-12-30"},
		{"calendar days landing on a weekday stay", "2026-03-02", 10, false, "2026-03-12"},
		{"calendar days landing on Sunday move to Monday", "2026-03-05", 10, false, "2026-03-16"},
		{"calendar days landing on Labor Day move to Tuesday", "2026-08-28", 10, false, "2026-09-08"},
		{"calendar days across February's end", "2026-02-20", 10, false, "2026-03-02"},
		{"calendar days landing on Christmas move past it", "2026-12-15", 10, false, "2026-12-28"},
		{"calendar days before, landing on Saturday, move to Friday", "2026-03-16", -2, false, "2026-03-13"},
		{"calendar days before, landing on Columbus Day, move to Friday", "2026-10-22", -10, false, "2026-10-09"},
		{"leap year February", "2028-02-28", 1, true, "2028-02-29"},
	}
	for _, c := range cases {
		if got := deal.ShiftDays(day(c.from), c.n, c.business, off); got != day(c.want) {
			t.Errorf("%s: ShiftDays(%s, %d, business %v) = %s, want %s", c.name, c.from, c.n, c.business, got, c.want)
		}
	}
}

// TestPublicHolidays checks each country's rules on years whose dates are
// published: fixed dates, nth weekdays, Easter, and the observed and
// substitute days of weekend holidays.
func TestPublicHolidays(t *testing.T) {
	t.Parallel()
	want := map[string]map[int][]string{
		"US": {
			2026: {"2026-01-01", "2026-01-19", "2026-02-16", "2026-05-25", "2026-06-19", "2026-07-03", "2026-09-07", "2026-10-12",
				"2026-11-11", "2026-11-26", "2026-12-25"},
			2027: {"2027-01-01", "2027-01-18", "2027-02-15", "2027-05-31", "2027-06-18", "2027-07-05", "2027-09-06", "2027-10-11",
				"2027-11-11", "2027-11-25", "2027-12-24", "2027-12-31"},
			2028: {"2028-01-17", "2028-02-21", "2028-05-29", "2028-06-19", "2028-07-04", "2028-09-04", "2028-10-09",
				"2028-11-10", "2028-11-23", "2028-12-25"},
		},
		"GB": {
			2026: {"2026-01-01", "2026-04-03", "2026-04-06", "2026-05-04", "2026-05-25", "2026-08-31", "2026-12-25", "2026-12-28"},
			2027: {"2027-01-01", "2027-03-26", "2027-03-29", "2027-05-03", "2027-05-31", "2027-08-30", "2027-12-27", "2027-12-28"},
		},
		"CA": {
			2026: {"2026-01-01", "2026-04-03", "2026-05-18", "2026-07-01", "2026-09-07", "2026-09-30", "2026-10-12", "2026-11-11",
				"2026-12-25", "2026-12-28"},
			2027: {"2027-01-01", "2027-03-26", "2027-05-24", "2027-07-01", "2027-09-06", "2027-09-30", "2027-10-11", "2027-11-11",
				"2027-12-27", "2027-12-28"},
		},
	}
	for country, years := range want {
		for year, days := range years {
			got := deal.PublicHolidays(country, year)
			var gotDays []string
			for _, h := range got {
				gotDays = append(gotDays, h.Day.String())
			}
			if len(gotDays) != len(days) {
				t.Errorf("%s %d: %v, want %v", country, year, gotDays, days)
				continue
			}
			for i := range days {
				if gotDays[i] != days[i] {
					t.Errorf("%s %d: day %d is %s, want %s (all: %v)", country, year, i, gotDays[i], days[i], gotDays)
				}
			}
		}
	}
	if got := deal.PublicHolidays("FR", 2026); got != nil {
		t.Errorf("a country without rules: %v", got)
	}
	for _, c := range []struct{ tz, cur, want string }{
		{"Europe/London", "USD", "GB"}, {"America/Toronto", "USD", "CA"}, {"UTC", "USD", "US"}, {"UTC", "CAD", "CA"}, {"UTC", "EUR", ""},
	} {
		if got := deal.HolidayCountry(c.tz, c.cur); got != c.want {
			t.Errorf("HolidayCountry(%s, %s) = %q, want %q", c.tz, c.cur, got, c.want)
		}
	}
}
