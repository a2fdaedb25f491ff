package reso

import (
	"bytes"
	"context"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"

	"realty"
	"realty/internal/postgres"
)

// $expand reads a page's related entities after the page, in one round
// trip of one statement per navigation property whatever the page's size:
// each statement takes the uuids of all the page's entities at once (= ANY),
// and a window function applies a nested $top per entity. The rendered
// related entities are then spliced into the page's objects.

// splices record, per rendered entity, where its closing brace is in the
// response and the uuid each expansion matches (empty when null).
type splices struct {
	ends    []int
	parents [][]string
}

// mark records an entity whose properties end at the buffer's length and
// whose hidden expansion columns start at vals[first].
func (s *splices) mark(buf *bytes.Buffer, vals [][]byte, first, n int) {
	parents := make([]string, n)
	for j := range parents {
		parents[j] = string(vals[first+j])
	}
	s.ends = append(s.ends, buf.Len())
	s.parents = append(s.parents, parents)
}

// requireExpansions checks the actor may read every expanded set:
// Forbidden names the permission missing.
func requireExpansions(actor realty.Actor, expand []expansion) error {
	for _, e := range expand {
		if p := e.nav.Target.Permission; p != "" {
			if err := actor.Require(p); err != nil {
				return err
			}
		}
	}
	return nil
}

// expand reads the related entities of the marked entities and splices
// them into buf.
func (h *handler) expand(ctx context.Context, actor realty.Actor, base string, expand []expansion, s splices, buf *bytes.Buffer) error {
	if len(expand) == 0 || len(s.ends) == 0 {
		return nil
	}
	groups := make([]map[string][]byte, len(expand))
	err := postgres.ReadBatch(ctx, h.pool, actor, func(b *pgx.Batch) {
		for j, e := range expand {
			sql, args := expansionQuery(e, actor, s.column(j))
			b.Queue(sql, args...)
		}
	}, func(br pgx.BatchResults) error {
		for j, e := range expand {
			rows, err := br.Query()
			if err != nil {
				return err
			}
			groups[j], err = renderRelated(rows, e, base)
			rows.Close()
			if err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	splice(buf, s, expand, groups)
	return nil
}

// column is the distinct non-null uuids of expansion j.
func (s splices) column(j int) []realty.ID {
	seen := map[string]bool{}
	var ids []realty.ID
	for _, p := range s.parents {
		if v := p[j]; v != "" && !seen[v] {
			seen[v] = true
			if id, err := realty.ParseID(v); err == nil {
				ids = append(ids, id)
			}
		}
	}
	return ids
}

// expansionQuery selects the target's fields and the uuid they relate by,
// for every parent at once, within the actor's organization (and property
// scope) as the target set is read on its own. A collection is numbered
// per parent in its order, and cut at the nested $top.
func expansionQuery(e expansion, actor realty.Actor, parents []realty.ID) (string, []any) {
	t := e.nav.Target
	where, args, _ := baseWhere(t, actor, "")
	args = append(args, parents)
	where = append(where, e.nav.TargetSQL+" = ANY($"+strconv.Itoa(len(args))+"::uuid[])")
	cols := fieldList(e.fields) + "(" + e.nav.TargetSQL + ")::text AS parent"
	from := " FROM " + t.From + " WHERE " + strings.Join(where, " AND ")
	if !e.nav.Collection {
		return "SELECT " + cols + from, args
	}
	sql := "SELECT * FROM (SELECT " + cols + ", row_number() OVER (PARTITION BY " + e.nav.TargetSQL +
		" ORDER BY " + orderBy(t, e.orderby) + ") AS rn" + from + ") x"
	if e.top >= 0 {
		args = append(args, e.top)
		sql += " WHERE x.rn <= $" + strconv.Itoa(len(args))
	}
	return sql + " ORDER BY x.parent, x.rn", args
}

// renderRelated renders the related entities as JSON objects joined by
// commas, per parent uuid.
func renderRelated(rows pgx.Rows, e expansion, base string) (map[string][]byte, error) {
	rd := newRenderer(e.fields, base, rows.Conn().TypeMap())
	fds := rows.FieldDescriptions()
	out := map[string][]byte{}
	var one bytes.Buffer
	for rows.Next() {
		vals := rows.RawValues()
		parent := string(vals[len(e.fields)])
		one.Reset()
		one.WriteByte('{')
		if err := rd.properties(&one, fds, vals, true); err != nil {
			return nil, err
		}
		one.WriteByte('}')
		b := out[parent]
		if len(b) > 0 {
			b = append(b, ',')
		}
		out[parent] = append(b, one.Bytes()...)
	}
	return out, rows.Err()
}

// splice rewrites buf with each marked entity's expansions inserted before
// its closing brace: an array for a collection, an object or null for one.
func splice(buf *bytes.Buffer, s splices, expand []expansion, groups []map[string][]byte) {
	out := getBuffer()
	defer putBuffer(out)
	src := buf.Bytes()
	prev := 0
	for i, end := range s.ends {
		out.Write(src[prev:end])
		for j, e := range expand {
			out.WriteString(`,"` + e.nav.Name + `":`)
			g, ok := groups[j][s.parents[i][j]]
			switch {
			case e.nav.Collection:
				out.WriteByte('[')
				out.Write(g)
				out.WriteByte(']')
			case ok:
				out.Write(g)
			default:
				out.WriteString("null")
			}
		}
		prev = end
	}
	out.Write(src[prev:])
	buf.Reset()
	buf.Write(out.Bytes())
}
