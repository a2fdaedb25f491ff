// Package jsonw appends JSON values to byte slices, producing exactly what
// encoding/json produces (with HTML escaping off, as the API encodes), for
// the few hot responses that encode themselves instead of going through
// reflection. Every type that uses it has a test comparing its output with
// encoding/json's on random values.
package jsonw

import (
	"math"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/shopspring/decimal"

	"realty"
)

// Appender is a value that writes its own JSON.
type Appender interface {
	AppendJSON(b []byte) []byte
}

// Key appends `"name":`, preceded by a comma unless b ends an opening brace.
func Key(b []byte, name string) []byte {
	if n := len(b); n > 0 && b[n-1] != '{' {
		b = append(b, ',')
	}
	b = append(b, '"')
	b = append(b, name...)
	return append(b, '"', ':')
}

const hex = "0123456789abcdef"

// String appends s as a JSON string, escaped as encoding/json does with
// HTML escaping off: quotes, backslashes, control characters, U+2028 and
// U+2029; invalid UTF-8 becomes U+FFFD.
func String(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hex[r&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// Float appends f as encoding/json formats a float64. NaN and infinities,
// which encoding/json refuses, are written as null.
func Float(b []byte, f float64) []byte {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return append(b, "null"...)
	}
	abs := math.Abs(f)
	format := byte('f')
	if abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		format = 'e'
	}
	b = strconv.AppendFloat(b, f, format, -1, 64)
	if format == 'e' {
		// clean up e-09 to e-9, as encoding/json does
		n := len(b)
		if n >= 4 && b[n-4] == 'e' && b[n-3] == '-' && b[n-2] == '0' {
			b[n-2] = b[n-1]
			b = b[:n-1]
		}
	}
	return b
}

// Int appends i.
func Int(b []byte, i int) []byte { return strconv.AppendInt(b, int64(i), 10) }

// Decimal appends d as shopspring/decimal's MarshalJSON does: a quoted
// string.
func Decimal(b []byte, d decimal.Decimal) []byte {
	b = append(b, '"')
	b = append(b, d.String()...)
	return append(b, '"')
}

// Time appends t as time.Time's MarshalJSON does (RFC 3339 with
// nanoseconds, trailing zeros dropped).
func Time(b []byte, t time.Time) []byte {
	b = append(b, '"')
	b = t.AppendFormat(b, time.RFC3339Nano)
	return append(b, '"')
}

// ID appends id as a quoted canonical UUID.
func ID(b []byte, id realty.ID) []byte {
	b = append(b, '"')
	b = append(b, id.String()...)
	return append(b, '"')
}
