package deal

import (
	"time"

	"realty"
)

// DaysOff is an organization's calendar of non-working days besides
// Saturdays and Sundays: its holidays, by day.
type DaysOff map[realty.Date]bool

// Working reports whether d is a business day: a weekday not off.
func (off DaysOff) Working(d realty.Date) bool {
	wd := d.Time().Weekday()
	return wd != time.Saturday && wd != time.Sunday && !off[d]
}

// ShiftDays is every due date's arithmetic: the day n days after from
// (before it when n is negative). With business set, n counts business
// days (from itself never counts; 0 business days is from itself). In
// calendar days, a result on a weekend or a day off moves to the next
// business day (the previous one when n is negative: a deadline before an
// event stays before it), as contracts word it ("if the last day falls on
// a weekend or holiday, the deadline is the next business day").
func ShiftDays(from realty.Date, n int, business bool, off DaysOff) realty.Date {
	step := 1
	if n < 0 {
		step, n = -1, -n
	}
	if !business {
		d := from.AddDays(step * n)
		if n == 0 {
			return d
		}
		for !off.Working(d) {
			d = d.AddDays(step)
		}
		return d
	}
	d := from
	for n > 0 {
		d = d.AddDays(step)
		if off.Working(d) {
			n--
		}
	}
	return d
}
