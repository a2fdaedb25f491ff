package reso

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgtype"
)

// renderer writes rows as OData JSON straight from the wire values: text
// as it comes, decimals as their exact digits, dates and instants decoded
// from PostgreSQL's binary form (other forms go through pgx's type map).
type renderer struct {
	fields []*field
	names  [][]byte // `"Name":` of each field
	origin string   // scheme://host, for MediaURL links
	types  *pgtype.Map
}

func newRenderer(fields []*field, origin string, types *pgtype.Map) *renderer {
	r := &renderer{fields: fields, origin: origin, types: types, names: make([][]byte, len(fields))}
	for i, f := range fields {
		r.names[i] = []byte(strconv.Quote(f.Name) + ":")
	}
	return r
}

// properties appends the row's fields as JSON members, each preceded by a
// comma unless it is the first and first is set.
func (r *renderer) properties(buf *bytes.Buffer, fds []pgconn.FieldDescription, vals [][]byte, first bool) error {
	for i, f := range r.fields {
		if i > 0 || !first {
			buf.WriteByte(',')
		}
		buf.Write(r.names[i])
		if err := r.value(buf, f, fds[i], vals[i]); err != nil {
			return fmt.Errorf("render %s: %w", f.Name, err)
		}
	}
	return nil
}

func (r *renderer) value(buf *bytes.Buffer, f *field, fd pgconn.FieldDescription, raw []byte) error {
	if raw == nil {
		if f.Kind == kCollection {
			buf.WriteString("[]")
		} else {
			buf.WriteString("null")
		}
		return nil
	}
	switch f.Kind {
	case kString, kEnum:
		if f.Link && len(raw) > 0 && raw[0] == '/' {
			appendJSONString(buf, append([]byte(r.origin), raw...))
			return nil
		}
		appendJSONString(buf, raw)
	case kDecimal, kInt64:
		writeNumber(buf, raw)
	case kBoolean:
		writeBool(buf, fd, raw)
	case kDate:
		return r.writeDate(buf, fd, raw)
	case kDateTimeOffset:
		ts, ok, err := r.instant(fd, raw)
		if err != nil || !ok {
			buf.WriteString("null")
			return err
		}
		buf.WriteByte('"')
		buf.Write(ts.AppendFormat(buf.AvailableBuffer(), time.RFC3339Nano))
		buf.WriteByte('"')
	case kCollection:
		return r.writeCollection(buf, f, fd, raw)
	}
	return nil
}

// writeNumber writes a numeric's text; NaN and infinities, which JSON
// cannot say, become null.
func writeNumber(buf *bytes.Buffer, raw []byte) {
	if c := raw[0]; c != '-' && (c < '0' || c > '9') {
		buf.WriteString("null")
		return
	}
	if bytes.Equal(raw, []byte("-Infinity")) {
		buf.WriteString("null")
		return
	}
	buf.Write(raw)
}

func writeBool(buf *bytes.Buffer, fd pgconn.FieldDescription, raw []byte) {
	if (fd.Format == pgtype.BinaryFormatCode && raw[0] == 1) || (fd.Format == pgtype.TextFormatCode && raw[0] == 't') {
		buf.WriteString("true")
		return
	}
	buf.WriteString("false")
}

// pgEpoch is PostgreSQL's binary date and timestamp epoch.
var pgEpoch = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)

func (r *renderer) writeDate(buf *bytes.Buffer, fd pgconn.FieldDescription, raw []byte) error {
	var d time.Time
	if fd.Format == pgtype.BinaryFormatCode && len(raw) == 4 {
		days := int32(binary.BigEndian.Uint32(raw))
		if days == math.MaxInt32 || days == math.MinInt32 { // ±infinity
			buf.WriteString("null")
			return nil
		}
		d = pgEpoch.AddDate(0, 0, int(days))
	} else {
		var v pgtype.Date
		if err := r.types.Scan(fd.DataTypeOID, fd.Format, raw, &v); err != nil {
			return err
		}
		if v.InfinityModifier != pgtype.Finite {
			buf.WriteString("null")
			return nil
		}
		d = v.Time
	}
	buf.WriteByte('"')
	buf.Write(d.AppendFormat(buf.AvailableBuffer(), time.DateOnly))
	buf.WriteByte('"')
	return nil
}

// instant decodes a timestamptz; ok is false for ±infinity.
func (r *renderer) instant(fd pgconn.FieldDescription, raw []byte) (time.Time, bool, error) {
	if fd.Format == pgtype.BinaryFormatCode && len(raw) == 8 {
		us := int64(binary.BigEndian.Uint64(raw))
		if us == math.MaxInt64 || us == math.MinInt64 {
			return time.Time{}, false, nil
		}
		return time.UnixMicro(us + pgEpoch.UnixMicro()).UTC(), true, nil
	}
	var v pgtype.Timestamptz
	if err := r.types.Scan(fd.DataTypeOID, fd.Format, raw, &v); err != nil {
		return time.Time{}, false, err
	}
	return v.Time.UTC(), v.InfinityModifier == pgtype.Finite, nil
}

// writeCollection writes the members of the enumeration found in a text
// array; stored values outside it are not served (nor matched by filters).
func (r *renderer) writeCollection(buf *bytes.Buffer, f *field, fd pgconn.FieldDescription, raw []byte) error {
	buf.WriteByte('[')
	n := 0
	add := func(v []byte) {
		if !f.Enum.member[string(v)] {
			return
		}
		if n++; n > 1 {
			buf.WriteByte(',')
		}
		appendJSONString(buf, v)
	}
	if fd.Format != pgtype.BinaryFormatCode || !eachArrayElement(raw, add) {
		var values []string
		if err := r.types.Scan(fd.DataTypeOID, fd.Format, raw, &values); err != nil {
			return err
		}
		for _, v := range values {
			add([]byte(v))
		}
	}
	buf.WriteByte(']')
	return nil
}

// eachArrayElement walks a one-dimensional array in PostgreSQL's binary
// form (ndim, flags, element type, length and lower bound, then each
// element's length and bytes), calling fn with each non-null element. It
// reports false, having called nothing, for any other shape.
func eachArrayElement(raw []byte, fn func([]byte)) bool {
	if len(raw) < 12 {
		return false
	}
	switch binary.BigEndian.Uint32(raw) {
	case 0:
		return true // empty
	case 1:
	default:
		return false
	}
	if len(raw) < 20 {
		return false
	}
	count := int(binary.BigEndian.Uint32(raw[12:]))
	if !walkElements(raw, count, nil) {
		return false
	}
	walkElements(raw, count, fn)
	return true
}

// walkElements checks the bounds of count elements from offset 20 and,
// when fn is set, calls it with each non-null one.
func walkElements(raw []byte, count int, fn func([]byte)) bool {
	p := 20
	for range count {
		if p+4 > len(raw) {
			return false
		}
		size := int(int32(binary.BigEndian.Uint32(raw[p:])))
		p += 4
		if size < 0 {
			continue // a null element
		}
		if p+size > len(raw) {
			return false
		}
		if fn != nil {
			fn(raw[p : p+size])
		}
		p += size
	}
	return true
}

const hex = "0123456789abcdef"

// appendJSONString writes s as a JSON string: quotes, backslashes and
// control characters escaped, invalid UTF-8 replaced.
func appendJSONString(buf *bytes.Buffer, s []byte) {
	buf.WriteByte('"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' && c < utf8.RuneSelf {
			i++
			continue
		}
		if c >= utf8.RuneSelf {
			r, size := utf8.DecodeRune(s[i:])
			if r != utf8.RuneError || size != 1 {
				i += size
				continue
			}
		}
		buf.Write(s[start:i])
		switch {
		case c == '"' || c == '\\':
			buf.WriteByte('\\')
			buf.WriteByte(c)
		case c == '\n':
			buf.WriteString(`\n`)
		case c == '\t':
			buf.WriteString(`\t`)
		case c == '\r':
			buf.WriteString(`\r`)
		case c < 0x20:
			buf.WriteString(`\u00`)
			buf.WriteByte(hex[c>>4])
			buf.WriteByte(hex[c&0xf])
		default:
			buf.WriteString(`\ufffd`)
		}
		i++
		start = i
	}
	buf.Write(s[start:])
	buf.WriteByte('"')
}
