package deal

import (
	"slices"
	"time"

	"realty"
)

// A Holiday is a day off on an organization's calendar.
type Holiday struct {
	Day  realty.Date `json:"day"`
	Name string      `json:"name" maxLength:"200"`
}

// HolidayCountries are the countries whose public holidays realty computes.
var HolidayCountries = []string{"US", "CA", "GB"}

// PublicHolidays returns the public holidays of country (ISO 3166 alpha-2)
// observed in year, by day: the US federal holidays, Canada's federal
// statutory holidays, and the bank holidays of England and Wales. A
// holiday falling on a weekend is observed on a weekday, as each country's
// rule says: the US moves Saturday's to Friday and Sunday's to Monday (so
// New Year's Day of the next year can be observed on 31 December); Canada
// and Great Britain give the next weekday not already a holiday. One-off
// days (a jubilee, a state funeral) are not rules: organizations add them
// to their calendar. Another country has none (nil).
func PublicHolidays(country string, year int) []Holiday {
	var rules func(int) []Holiday
	observe := holidaySubstitute
	switch country {
	case "US":
		rules, observe = holidaysUS, holidayNearestWeekday
	case "CA":
		rules = holidaysCA
	case "GB":
		rules = holidaysGB
	default:
		return nil
	}
	var out []Holiday
	for y := year - 1; y <= year+1; y++ {
		for _, h := range observe(rules(y)) {
			if h.Day.Year == year {
				out = append(out, h)
			}
		}
	}
	slices.SortFunc(out, func(a, b Holiday) int { return a.Day.Time().Compare(b.Day.Time()) })
	return out
}

func holidaysUS(y int) []Holiday {
	return []Holiday{
		{holidayDay(y, time.January, 1), "New Year's Day"},
		{holidayNth(y, time.January, time.Monday, 3), "Martin Luther King Jr. Day"},
		{holidayNth(y, time.February, time.Monday, 3), "Washington's Birthday"},
		{holidayNth(y, time.May, time.Monday, -1), "Memorial Day"},
		{holidayDay(y, time.June, 19), "Juneteenth National Independence Day"},
		{holidayDay(y, time.July, 4), "Independence Day"},
		{holidayNth(y, time.September, time.Monday, 1), "Labor Day"},
		{holidayNth(y, time.October, time.Monday, 2), "Columbus Day"},
		{holidayDay(y, time.November, 11), "Veterans Day"},
		{holidayNth(y, time.November, time.Thursday, 4), "Thanksgiving Day"},
		{holidayDay(y, time.December, 25), "Christmas Day"},
	}
}

func holidaysCA(y int) []Holiday {
	easter := holidayEaster(y)
	return []Holiday{
		{holidayDay(y, time.January, 1), "New Year's Day"},
		{easter.AddDays(-2), "Good Friday"},
		{holidayMondayBefore(y, time.May, 25), "Victoria Day"},
		{holidayDay(y, time.July, 1), "Canada Day"},
		{holidayNth(y, time.September, time.Monday, 1), "Labour Day"},
		{holidayDay(y, time.September, 30), "National Day for Truth and Reconciliation"},
		{holidayNth(y, time.October, time.Monday, 2), "Thanksgiving"},
		{holidayDay(y, time.November, 11), "Remembrance Day"},
		{holidayDay(y, time.December, 25), "Christmas Day"},
		{holidayDay(y, time.December, 26), "Boxing Day"},
	}
}

func holidaysGB(y int) []Holiday {
	easter := holidayEaster(y)
	return []Holiday{
		{holidayDay(y, time.January, 1), "New Year's Day"},
		{easter.AddDays(-2), "Good Friday"},
		{easter.AddDays(1), "Easter Monday"},
		{holidayNth(y, time.May, time.Monday, 1), "Early May bank holiday"},
		{holidayNth(y, time.May, time.Monday, -1), "Spring bank holiday"},
		{holidayNth(y, time.August, time.Monday, -1), "Summer bank holiday"},
		{holidayDay(y, time.December, 25), "Christmas Day"},
		{holidayDay(y, time.December, 26), "Boxing Day"},
	}
}

// holidayNearestWeekday is the US rule: Saturday's holiday is observed on
// Friday, Sunday's on Monday.
func holidayNearestWeekday(hs []Holiday) []Holiday {
	out := make([]Holiday, 0, len(hs))
	for _, h := range hs {
		switch h.Day.Time().Weekday() {
		case time.Saturday:
			h = Holiday{h.Day.AddDays(-1), h.Name + " (observed)"}
		case time.Sunday:
			h = Holiday{h.Day.AddDays(1), h.Name + " (observed)"}
		}
		out = append(out, h)
	}
	return out
}

// holidaySubstitute is the Canadian and British rule: a holiday on a
// weekend is observed on the next weekday that is not already a holiday
// (Christmas on Saturday and Boxing Day on Sunday become Monday and
// Tuesday). hs is in date order.
func holidaySubstitute(hs []Holiday) []Holiday {
	taken := map[realty.Date]bool{}
	var out []Holiday
	for _, h := range hs {
		if !holidayWeekend(h.Day) {
			taken[h.Day] = true
			out = append(out, h)
		}
	}
	for _, h := range hs {
		if !holidayWeekend(h.Day) {
			continue
		}
		d := h.Day
		for holidayWeekend(d) || taken[d] {
			d = d.AddDays(1)
		}
		taken[d] = true
		out = append(out, Holiday{d, h.Name + " (substitute day)"})
	}
	return out
}

func holidayWeekend(d realty.Date) bool {
	wd := d.Time().Weekday()
	return wd == time.Saturday || wd == time.Sunday
}

func holidayDay(y int, m time.Month, d int) realty.Date {
	return realty.Date{Year: y, Month: m, Day: d}
}

// holidayNth is the nth weekday wd of the month (n = -1: the last).
func holidayNth(y int, m time.Month, wd time.Weekday, n int) realty.Date {
	if n < 0 {
		last := holidayDay(y, m+1, 1).AddDays(-1) // month 13 is next January
		back := (int(last.Time().Weekday()) - int(wd) + 7) % 7
		return last.AddDays(-back)
	}
	first := holidayDay(y, m, 1)
	ahead := (int(wd) - int(first.Time().Weekday()) + 7) % 7
	return first.AddDays(ahead + 7*(n-1))
}

// holidayMondayBefore is the last Monday strictly before day d of the month.
func holidayMondayBefore(y int, m time.Month, d int) realty.Date {
	day := holidayDay(y, m, d).AddDays(-1)
	for day.Time().Weekday() != time.Monday {
		day = day.AddDays(-1)
	}
	return day
}

// holidayEaster is Easter Sunday of year y (the anonymous Gregorian
// algorithm).
func holidayEaster(y int) realty.Date {
	a, b, c := y%19, y/100, y%100
	d, e := b/4, b%4
	f := (b + 8) / 25
	g := (b - f + 1) / 3
	h := (19*a + b - d - g + 15) % 30
	i, k := c/4, c%4
	l := (32 + 2*e + 2*i - h - k) % 7
	m := (a + 11*h + 22*l) / 451
	month := (h + l - 7*m + 114) / 31
	day := (h+l-7*m+114)%31 + 1
	return holidayDay(y, time.Month(month), day)
}

// HolidayCountry is the country whose public holidays an organization
// gets: from its time zone where the zone is one country's, else from its
// currency (USD, CAD, GBP); "" when neither says.
func HolidayCountry(timeZone, currency string) string {
	if c, ok := holidayZones[timeZone]; ok {
		return c
	}
	switch currency {
	case "USD":
		return "US"
	case "CAD":
		return "CA"
	case "GBP":
		return "GB"
	}
	return ""
}

var holidayZones = map[string]string{
	"Europe/London": "GB", "Europe/Belfast": "GB", "GB": "GB",
	"America/Toronto": "CA", "America/Vancouver": "CA", "America/Edmonton": "CA", "America/Winnipeg": "CA",
	"America/Halifax": "CA", "America/St_Johns": "CA", "America/Regina": "CA", "America/Montreal": "CA",
	"America/Moncton": "CA", "America/Whitehorse": "CA", "America/Yellowknife": "CA", "America/Iqaluit": "CA",
	"Canada/Eastern": "CA", "Canada/Pacific": "CA", "Canada/Central": "CA", "Canada/Mountain": "CA", "Canada/Atlantic": "CA",
	"America/New_York": "US", "America/Chicago": "US", "America/Denver": "US", "America/Los_Angeles": "US",
	"America/Phoenix": "US", "America/Anchorage": "US", "Pacific/Honolulu": "US", "America/Detroit": "US",
	"America/Boise": "US", "America/Indiana/Indianapolis": "US", "US/Eastern": "US", "US/Central": "US",
	"US/Mountain": "US", "US/Pacific": "US", "US/Alaska": "US", "US/Hawaii": "US",
}
