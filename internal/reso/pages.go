package reso

import (
	"bytes"
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"realty"
	"realty/internal/postgres"
)

// page is what rendering a page found out.
type page struct {
	n       int       // rows rendered
	more    bool      // another row follows
	lastTS  time.Time // ModificationTimestamp of the last row rendered
	lastID  string    // id of the last row rendered
	splices           // where the rows' expansions go
}

// serveCollection answers a page of an entity set: the count (when asked)
// and the rows come from one round trip, and the JSON is written from the
// wire values without intermediate structs.
func (h *handler) serveCollection(w http.ResponseWriter, r *http.Request, set *entitySet, actor realty.Actor) {
	o, err := parseOptions(set, r.URL.RawQuery, false)
	if err == nil {
		err = requireExpansions(actor, o.expand)
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	applied := o.preferPageSize(r.Header.Values("Prefer"))
	q, err := collectionQuery(set, actor, o)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	buf := getBuffer()
	defer putBuffer(buf)
	base := origin(r)
	p, err := h.readPage(r.Context(), actor, q, buf, base+Root+"$metadata#"+set.Name+selection(set, o), base)
	if err == nil {
		err = h.expand(r.Context(), actor, base, o.expand, p.splices, buf)
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	buf.WriteByte(']')
	if p.more && q.limit > 0 {
		buf.WriteString(`,"@odata.nextLink":`)
		appendJSONString(buf, []byte(nextLink(r, base, o, p, q.keyset)))
	}
	buf.WriteByte('}')
	if o.capped {
		w.Header().Set("X-Max-Top", strconv.Itoa(maxTop))
	}
	if applied != "" {
		w.Header().Set("Preference-Applied", applied)
	}
	write(w, http.StatusOK, jsonType, buf.Bytes())
}

// readPage runs the count (when asked) and the page in one round trip and
// writes the response up to the end of the value array's rows.
func (h *handler) readPage(ctx context.Context, actor realty.Actor, q query, buf *bytes.Buffer, contextURL, base string) (page, error) {
	var p page
	err := postgres.ReadBatch(ctx, h.pool, actor, func(b *pgx.Batch) {
		if q.countSQL != "" {
			b.Queue(q.countSQL, q.countArgs...)
		}
		b.Queue(q.sql, q.args...)
	}, func(br pgx.BatchResults) error {
		buf.WriteString(`{"@odata.context":`)
		appendJSONString(buf, []byte(contextURL))
		if q.countSQL != "" {
			var n int64
			if err := br.QueryRow().Scan(&n); err != nil {
				return err
			}
			buf.WriteString(`,"@odata.count":` + strconv.FormatInt(n, 10))
		}
		buf.WriteString(`,"value":[`)
		rows, err := br.Query()
		if err != nil {
			return err
		}
		defer rows.Close()
		p, err = renderRows(buf, rows, q, base)
		return err
	})
	return p, err
}

// renderRows writes up to q.limit rows as JSON objects and notes whether
// one more came.
func renderRows(buf *bytes.Buffer, rows pgx.Rows, q query, base string) (page, error) {
	var p page
	rd := newRenderer(q.fields, base, rows.Conn().TypeMap())
	fds := rows.FieldDescriptions()
	var lastTS []byte
	hidden := len(q.fields)
	for rows.Next() {
		if p.n == q.limit {
			p.more = true
			break
		}
		vals := rows.RawValues()
		if p.n > 0 {
			buf.WriteByte(',')
		}
		buf.WriteByte('{')
		if err := rd.properties(buf, fds, vals, true); err != nil {
			return p, err
		}
		if len(q.expand) > 0 {
			p.mark(buf, vals, hidden+hiddenColumns, len(q.expand))
		}
		buf.WriteByte('}')
		p.n++
		lastTS = append(lastTS[:0], vals[hidden]...)
		p.lastID = string(vals[hidden+1])
	}
	if err := rows.Err(); err != nil || p.n == 0 {
		return p, err
	}
	ts, _, err := rd.instant(fds[hidden], lastTS)
	p.lastTS = ts
	return p, err
}

// selection is the context URL's select list: "(A,B)" when $select
// chose fewer than every field, with each expansion as Nav() or, under a
// nested $select, Nav(C,D): "(*,Media(MediaURL))".
func selection(set *entitySet, o options) string {
	var names []string
	if len(o.fields) == len(set.Fields) {
		if len(o.expand) == 0 {
			return ""
		}
		names = append(names, "*")
	}
	for _, f := range o.fields {
		if len(o.fields) < len(set.Fields) {
			names = append(names, f.Name)
		}
	}
	for _, e := range o.expand {
		var nested []string
		for _, f := range e.fields {
			if e.narrowed {
				nested = append(nested, f.Name)
			}
		}
		names = append(names, e.nav.Name+"("+strings.Join(nested, ",")+")")
	}
	return "(" + strings.Join(names, ",") + ")"
}

// nextLink is the request again, advanced past this page: with a
// $skiptoken keyset (ModificationTimestamp, id) under the default ordering,
// else with $skip moved on. Other parameters are kept as sent.
func nextLink(r *http.Request, base string, o options, p page, keyset bool) string {
	var parts []string
	for _, part := range strings.Split(r.URL.RawQuery, "&") {
		name, _, _ := strings.Cut(part, "=")
		if name, err := url.QueryUnescape(name); err == nil && (name == "$skip" || name == "$skiptoken") || part == "" {
			continue
		}
		parts = append(parts, part)
	}
	if keyset {
		parts = append(parts, "$skiptoken="+url.QueryEscape(skipToken(p.lastTS, p.lastID)))
	} else {
		parts = append(parts, "$skip="+strconv.Itoa(o.skip+p.n))
	}
	return base + r.URL.EscapedPath() + "?" + strings.Join(parts, "&")
}

// serveEntity answers one entity by key: 404 when there is none in the
// actor's organization (and property scope).
func (h *handler) serveEntity(w http.ResponseWriter, r *http.Request, set *entitySet, actor realty.Actor, key string) {
	o, err := parseOptions(set, r.URL.RawQuery, true)
	if err == nil {
		err = requireExpansions(actor, o.expand)
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	notFound := &realty.Error{Kind: realty.NotFound, Message: "no " + set.Name + " with " + set.Key + " " + strconv.Quote(key)}
	q, ok := entityQuery(set, actor, key, o)
	if !ok {
		h.fail(w, r, notFound)
		return
	}
	buf := getBuffer()
	defer putBuffer(buf)
	base := origin(r)
	var s splices
	err = postgres.Read(r.Context(), h.pool, actor, func(rows pgx.Rows) error {
		if !rows.Next() {
			return notFound
		}
		buf.WriteString(`{"@odata.context":`)
		appendJSONString(buf, []byte(base+Root+"$metadata#"+set.Name+selection(set, o)+"/$entity"))
		vals := rows.RawValues()
		if err := newRenderer(q.fields, base, rows.Conn().TypeMap()).properties(buf, rows.FieldDescriptions(), vals, false); err != nil {
			return err
		}
		if len(q.expand) > 0 {
			s.mark(buf, vals, len(q.fields)+hiddenColumns, len(q.expand))
		}
		buf.WriteByte('}')
		return nil
	}, q.sql, q.args...)
	if err == nil {
		err = h.expand(r.Context(), actor, base, o.expand, s, buf)
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	write(w, http.StatusOK, jsonType, buf.Bytes())
}
