package listing

import (
	"encoding/binary"
	"math"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/shopspring/decimal"

	"realty"
)

// collectSummaries reads the search rows. Each row is decoded straight from
// its wire bytes when every column arrives as expected (pgx asks for the
// binary form of these types on the prepared search statement), which costs
// a fraction of pgx's general Scan; a row that does not — a column of
// another type or format, an infinite timestamp — goes through Scan, which
// reports what is wrong with it. TestSearchDecodeMatchesScan holds the two
// paths equal. The error is the Scan's or the rows'.
func collectSummaries(rows pgx.Rows) ([]Summary, error) {
	defer rows.Close()
	fds := rows.FieldDescriptions()
	var out []Summary
	for rows.Next() {
		var s Summary
		if !decodeSummary(s.summaryTargets(), fds, rows.RawValues()) {
			s = Summary{}
			if err := rows.Scan(s.summaryTargets()...); err != nil {
				return nil, err
			}
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// decodeSummary fills targets from the row's values; false when a column
// is not what its target expects (the targets may then be half-written).
func decodeSummary(targets []any, fds []pgconn.FieldDescription, vals [][]byte) bool {
	if len(targets) != len(vals) || len(fds) != len(vals) {
		return false
	}
	for i, t := range targets {
		if !decodeColumn(t, fds[i], vals[i]) {
			return false
		}
	}
	return true
}

// decodeColumn decodes one value into one of the target kinds of
// summaryTargets; a NULL is accepted only by a pointer target.
func decodeColumn(target any, fd pgconn.FieldDescription, v []byte) bool {
	switch t := target.(type) {
	case *string:
		return v != nil && isText(fd) && setString(t, v)
	case **string:
		return decodeNull(t, v, func(s *string) bool { return isText(fd) && setString(s, v) })
	case *realty.ID:
		return v != nil && wire(fd, pgtype.UUIDOID, v, 16) && copy(t[:], v) == 16
	case **realty.ID:
		return decodeNull(t, v, func(id *realty.ID) bool { return wire(fd, pgtype.UUIDOID, v, 16) && copy(id[:], v) == 16 })
	case *int:
		return v != nil && wire(fd, pgtype.Int4OID, v, 4) && setInt(t, v)
	case **int:
		return decodeNull(t, v, func(n *int) bool { return wire(fd, pgtype.Int4OID, v, 4) && setInt(n, v) })
	case **float64:
		return decodeNull(t, v, func(f *float64) bool {
			if !wire(fd, pgtype.Float8OID, v, 8) {
				return false
			}
			*f = math.Float64frombits(binary.BigEndian.Uint64(v))
			return true
		})
	case *time.Time:
		return v != nil && wire(fd, pgtype.TimestamptzOID, v, 8) && setTime(t, v)
	case scaled:
		if v == nil || !wire(fd, pgtype.Int8OID, v, 8) {
			return false
		}
		*t.dst = decimal.New(int64(binary.BigEndian.Uint64(v)), t.exp)
		return true
	case nullScaled:
		return decodeNull(t.dst, v, func(d *decimal.Decimal) bool {
			if !wire(fd, pgtype.Int8OID, v, 8) {
				return false
			}
			*d = decimal.New(int64(binary.BigEndian.Uint64(v)), t.exp)
			return true
		})
	}
	return false
}

// decodeNull decodes a nullable column: nil for a NULL, else a new value
// that dec fills from the column (false when it cannot).
func decodeNull[T any](dst **T, v []byte, dec func(*T) bool) bool {
	*dst = nil
	if v == nil {
		return true
	}
	x := new(T)
	*dst = x
	return dec(x)
}

// wire reports whether the column is the binary form of the type, of size
// bytes.
func wire(fd pgconn.FieldDescription, oid uint32, v []byte, size int) bool {
	return fd.DataTypeOID == oid && fd.Format == pgtype.BinaryFormatCode && len(v) == size
}

// isText reports whether the column is a text type; its bytes are the
// same in both formats.
func isText(fd pgconn.FieldDescription) bool {
	return fd.DataTypeOID == pgtype.TextOID || fd.DataTypeOID == pgtype.VarcharOID
}

func setString(dst *string, v []byte) bool {
	*dst = string(v)
	return true
}

func setInt(dst *int, v []byte) bool {
	*dst = int(int32(binary.BigEndian.Uint32(v)))
	return true
}

// microsY2K is 2000-01-01 UTC, PostgreSQL's timestamp epoch, in
// microseconds from the Unix epoch.
const microsY2K = 946_684_800 * 1_000_000

// setTime decodes a binary timestamptz as pgx does (time.Unix, so in
// time.Local); the infinities are left to Scan.
func setTime(dst *time.Time, v []byte) bool {
	us := int64(binary.BigEndian.Uint64(v))
	if us == math.MaxInt64 || us == math.MinInt64 {
		return false
	}
	*dst = time.Unix(microsY2K/1_000_000+us/1_000_000, (microsY2K%1_000_000*1_000)+(us%1_000_000*1_000))
	return true
}
