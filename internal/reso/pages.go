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
	n      int       // rows rendered
	more   bool      // another row follows
	lastTS time.Time // ModificationTimestamp of the last row rendered
	lastID string    // id of the last row rendered
}

// serveCollection answers a page of an entity set: the count (when asked)
// and the rows come from one round trip, and the JSON is written from the
// wire values without intermediate structs.
func (h *handler) serveCollection(w http.ResponseWriter, r *http.Request, set *entitySet, actor realty.Actor) {
	o, err := parseOptions(set, r.URL.RawQuery, false)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	q, err := collectionQuery(set, actor, o)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	buf := getBuffer()
	defer putBuffer(buf)
	base := origin(r)
	p, err := h.readPage(r.Context(), actor, q, buf, base+Root+"$metadata#"+set.Name+selection(set, o), base)
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
		buf.WriteByte('}')
		p.n++
		hidden := len(vals) - hiddenColumns
		lastTS = append(lastTS[:0], vals[hidden]...)
		p.lastID = string(vals[hidden+1])
	}
	if err := rows.Err(); err != nil || p.n == 0 {
		return p, err
	}
	ts, _, err := rd.instant(fds[len(fds)-hiddenColumns], lastTS)
	p.lastTS = ts
	return p, err
}

// selection is the context URL's select list: "(A,B)" when $select
// chose fewer than every field.
func selection(set *entitySet, o options) string {
	if len(o.fields) == len(set.Fields) {
		return ""
	}
	names := make([]string, len(o.fields))
	for i, f := range o.fields {
		names[i] = f.Name
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
	err = postgres.Read(r.Context(), h.pool, actor, func(rows pgx.Rows) error {
		if !rows.Next() {
			return notFound
		}
		buf.WriteString(`{"@odata.context":`)
		appendJSONString(buf, []byte(base+Root+"$metadata#"+set.Name+selection(set, o)+"/$entity"))
		if err := newRenderer(q.fields, base, rows.Conn().TypeMap()).properties(buf, rows.FieldDescriptions(), rows.RawValues(), false); err != nil {
			return err
		}
		buf.WriteByte('}')
		return nil
	}, q.sql, q.args...)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	write(w, http.StatusOK, jsonType, buf.Bytes())
}
