package leasing

import (
	"time"

	"github.com/shopspring/decimal"

	"realty"
)

// DaysIn is the number of days of month m of year y.
func DaysIn(y int, m time.Month) int {
	return time.Date(y, m+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

// DueDate is the day rent falls due in the month of period for a lease
// whose rent is due on dueDay (1–31): that day, or the month's last day
// when the month is shorter (due day 31 is 30 April, 28 or 29 February).
func DueDate(period realty.Date, dueDay int) realty.Date {
	d := min(max(dueDay, 1), DaysIn(period.Year, period.Month))
	return realty.Date{Year: period.Year, Month: period.Month, Day: d}
}

// Prorate is the part of a monthly rent owed for the days from through to
// (both included) of one calendar month: rent × days ÷ days in that month,
// rounded half-even to the cent. A span covering the whole month is the
// whole rent. Invalid naming to when to is before from or in another
// month.
func Prorate(rent decimal.Decimal, from, to realty.Date) (decimal.Decimal, error) {
	if to.Before(from) {
		return decimal.Decimal{}, realty.FieldError("to", "is before from")
	}
	if to.Year != from.Year || to.Month != from.Month {
		return decimal.Decimal{}, realty.FieldError("to", "must be in the same month as from")
	}
	days := to.Day - from.Day + 1
	month := DaysIn(from.Year, from.Month)
	if days == month {
		return rent, nil
	}
	return rent.Mul(decimal.NewFromInt(int64(days))).Div(decimal.NewFromInt(int64(month))).RoundBank(2), nil
}
