package listing

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5/pgtype"
	"github.com/shopspring/decimal"

	"realty"
)

// fieldReader reads a record's fields into a row, keeping the first
// problem, which names the RESO field.
type fieldReader struct {
	rec *record
	row *importRow
	err error
}

func (f *fieldReader) fail(field, format string, args ...any) {
	if f.err == nil {
		f.err = realty.FieldError(field, fmt.Sprintf(format, args...))
	}
}

// get returns a field's non-empty value; present says the record has the
// field at all (and sets bit when given).
func (f *fieldReader) get(field string, bit int64) (v value, present bool) {
	v, present, err := f.rec.get(field)
	if err != nil {
		f.fail(field, "%v", err)
		return value{null: true}, present
	}
	if present {
		f.row.present |= bit
	}
	if v.isList {
		v.text = strings.Join(v.list, ",")
	}
	return v, present
}

// text reads a string of at most max characters.
func (f *fieldReader) text(field string, bit int64, max int) *string {
	v, _ := f.get(field, bit)
	if v.null {
		return nil
	}
	if !validText(v.text) {
		f.fail(field, "is not valid UTF-8 text")
	}
	if utf8.RuneCountInString(v.text) > max {
		f.fail(field, "must be at most %d characters", max)
	}
	return &v.text
}

// number reads a decimal in [min, max], rounded to scale places.
func (f *fieldReader) number(field string, bit int64, min, max decimal.Decimal, scale int32) *decimal.Decimal {
	v, _ := f.get(field, bit)
	if v.null {
		return nil
	}
	d, err := decimal.NewFromString(v.text)
	if err != nil {
		f.fail(field, "%q is not a number", v.text)
		return nil
	}
	d = d.Round(scale)
	switch {
	case min.Equal(cent) && d.LessThan(min):
		f.fail(field, "must be positive")
		return nil
	case d.LessThan(min) || d.GreaterThan(max):
		f.fail(field, "must be between %s and %s", min, max)
		return nil
	}
	return &d
}

// measure reads a positive decimal at most max, rounded to scale places,
// where 0 means "not applicable" or "unknown", as feeds send it (a lot's
// LivingArea, a condominium's LotSizeArea, an active listing's
// ClosePrice): no value, as an empty field.
func (f *fieldReader) measure(field string, bit int64, max decimal.Decimal, scale int32) *decimal.Decimal {
	d := f.number(field, bit, zero, max, scale)
	if d != nil && d.IsZero() {
		return nil
	}
	return d
}

// integer reads a whole number in [min, max].
func (f *fieldReader) integer(field string, bit int64, min, max int64) *int32 {
	d := f.number(field, bit, decimal.NewFromInt(min), decimal.NewFromInt(max), 3)
	if d == nil {
		return nil
	}
	if !d.IsInteger() {
		f.fail(field, "must be a whole number")
		return nil
	}
	n := int32(d.IntPart())
	return &n
}

// date reads a calendar day, YYYY-MM-DD.
func (f *fieldReader) date(field string, bit int64) pgtype.Date {
	v, _ := f.get(field, bit)
	if v.null {
		return pgtype.Date{}
	}
	t, err := time.Parse(time.DateOnly, v.text)
	if err != nil {
		f.fail(field, "%q is not a date (YYYY-MM-DD)", v.text)
		return pgtype.Date{}
	}
	return pgtype.Date{Time: t, Valid: true}
}

// list reads a multi-value field: a JSON array, or a comma list.
func (f *fieldReader) list(field string, bit int64) []string {
	v, present := f.get(field, bit)
	if !present {
		return nil
	}
	items := v.list
	if !v.isList {
		items = strings.Split(v.text, ",")
	}
	out := make([]string, 0, len(items))
	for _, it := range items {
		if it = strings.TrimSpace(it); it != "" {
			out = append(out, it)
		}
		if !validText(it) || len(it) > 255 {
			f.fail(field, "items must be UTF-8 text of at most 255 bytes")
		}
	}
	return out
}

// enum reads a value of a closed list, matched without regard to case or
// spaces ("Active Under Contract" is ActiveUnderContract).
func (f *fieldReader) enum(field string, bit int64, values map[string]string) *string {
	v, _ := f.get(field, bit)
	if v.null {
		return nil
	}
	canon, ok := values[enumKey(v.text)]
	if !ok {
		f.fail(field, "%q is not a RESO %s", v.text, field)
		return nil
	}
	return &canon
}

// validText reports whether PostgreSQL will take s as text: UTF-8 without
// NUL.
func validText(s string) bool {
	return utf8.ValidString(s) && strings.IndexByte(s, 0) < 0
}

func enumKey(s string) string {
	return strings.ToLower(strings.ReplaceAll(s, " ", ""))
}

func enumIndex(values []string) map[string]string {
	m := make(map[string]string, len(values))
	for _, v := range values {
		m[enumKey(v)] = v
	}
	return m
}

var (
	statusIndex = enumIndex(StandardStatuses)
	typeIndex   = enumIndex(PropertyTypes)
)
