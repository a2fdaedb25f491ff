package listing

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/shopspring/decimal"

	"realty"
)

// copyStaging is the COPY that fills the staging table from a batch's
// encoded rows.
var copyStaging = "COPY pg_temp.import_rows (" + strings.Join(stagingColumns, ", ") + ") FROM STDIN"

// encodeCopy renders a batch's rows in COPY's text format. The reader
// goroutine does it while the previous batch is merging, so the COPY
// itself only moves bytes.
func encodeCopy(rows []importRow) []byte {
	var b bytes.Buffer
	b.Grow(len(rows) * 400)
	for i := range rows {
		encodeRow(&b, &rows[i])
	}
	return b.Bytes()
}

func encodeRow(b *bytes.Buffer, r *importRow) {
	e := copyEncoder{b}
	e.int(int64(r.seq))
	e.int(int64(r.row))
	e.int(r.present)
	e.text(&r.listingKey)
	e.text(r.listingID)
	e.text(&r.osn)
	e.text(&r.osk)
	for _, s := range []*string{r.status, r.mlsStatus, r.propertyType, r.subType, r.listType} {
		e.text(s)
	}
	e.decimal(&r.listPrice)
	e.decimal(r.originalPrice)
	e.decimal(r.closePrice)
	for _, d := range r.dates {
		e.date(d)
	}
	e.id(r.agent)
	e.text(r.publicRemarks)
	e.text(r.privateRemarks)
	e.text(&r.street)
	e.text(r.unit)
	e.text(&r.city)
	for _, s := range []*string{r.state, r.postal, r.country} {
		e.text(s)
	}
	e.decimal(r.lat)
	e.decimal(r.lng)
	e.int32(r.beds)
	e.decimal(r.baths)
	e.decimal(r.livingArea)
	e.decimal(r.lotSize)
	e.int32(r.yearBuilt)
	for _, l := range r.lists {
		e.list(l)
	}
	// Ids for the listing and the property the row may make: generated
	// here, so the merge's INSERT … SELECT calls no volatile function.
	for range 2 {
		id := realty.NewID()
		e.id(&id)
	}
	b.Bytes()[b.Len()-1] = '\n' // the last column ends the line
}

// copyEncoder writes columns in COPY text format, each followed by a tab.
type copyEncoder struct{ b *bytes.Buffer }

func (e copyEncoder) null() { e.b.WriteString("\\N\t") }

func (e copyEncoder) int(n int64) {
	e.b.WriteString(strconv.FormatInt(n, 10))
	e.b.WriteByte('\t')
}

func (e copyEncoder) int32(n *int32) {
	if n == nil {
		e.null()
		return
	}
	e.int(int64(*n))
}

func (e copyEncoder) decimal(d *decimal.Decimal) {
	if d == nil {
		e.null()
		return
	}
	e.b.WriteString(d.String())
	e.b.WriteByte('\t')
}

func (e copyEncoder) date(d pgtype.Date) {
	if !d.Valid {
		e.null()
		return
	}
	e.b.WriteString(d.Time.Format(time.DateOnly))
	e.b.WriteByte('\t')
}

func (e copyEncoder) id(id *realty.ID) {
	if id == nil {
		e.null()
		return
	}
	e.b.WriteString(id.String())
	e.b.WriteByte('\t')
}

func (e copyEncoder) text(s *string) {
	if s == nil {
		e.null()
		return
	}
	copyEscape(e.b, *s)
	e.b.WriteByte('\t')
}

// list writes a text[] literal: {"a","b"}, each element quoted.
func (e copyEncoder) list(items []string) {
	if items == nil {
		e.null()
		return
	}
	var lit strings.Builder
	lit.WriteByte('{')
	for i, it := range items {
		if i > 0 {
			lit.WriteByte(',')
		}
		lit.WriteByte('"')
		lit.WriteString(arrayEscaper.Replace(it))
		lit.WriteByte('"')
	}
	lit.WriteByte('}')
	copyEscape(e.b, lit.String())
	e.b.WriteByte('\t')
}

var arrayEscaper = strings.NewReplacer(`\`, `\\`, `"`, `\"`)

// copyEscape writes s with COPY's text-format escapes.
func copyEscape(b *bytes.Buffer, s string) {
	start := 0
	for i := 0; i < len(s); i++ {
		var esc string
		switch s[i] {
		case '\\':
			esc = `\\`
		case '\t':
			esc = `\t`
		case '\n':
			esc = `\n`
		case '\r':
			esc = `\r`
		default:
			continue
		}
		b.WriteString(s[start:i])
		b.WriteString(esc)
		start = i + 1
	}
	b.WriteString(s[start:])
}

// copyBatch streams a batch's encoded rows into the staging table,
// reporting progress as the bytes go.
func copyBatch(ctx context.Context, tx pgx.Tx, b *importBatch, tick func(copied int)) error {
	var r io.Reader = bytes.NewReader(b.copyData)
	if tick != nil {
		r = &progressReader{r: r, total: len(b.copyData), rows: len(b.rows), tick: tick}
	}
	tag, err := tx.Conn().PgConn().CopyFrom(ctx, r, copyStaging)
	if err != nil {
		return fmt.Errorf("copy: %w", err)
	}
	if int(tag.RowsAffected()) != len(b.rows) {
		return fmt.Errorf("copy: %d rows staged of %d", tag.RowsAffected(), len(b.rows))
	}
	return nil
}

// progressReader reports the rows a COPY has sent, in proportion to its
// bytes.
type progressReader struct {
	r           io.Reader
	read, total int
	rows        int
	tick        func(int)
}

// Read implements io.Reader, reporting progress after each read.
func (p *progressReader) Read(buf []byte) (int, error) {
	n, err := p.r.Read(buf)
	p.read += n
	p.tick(p.rows * p.read / max(p.total, 1))
	return n, err
}
