package reso

import (
	"strconv"
	"strings"
	"time"

	"realty"
	"realty/internal/postgres"
)

// query is a request as SQL: the page (limit+1 rows, to know whether more
// follow) and, for $count, the count over the same filter.
type query struct {
	sql       string
	args      []any
	countSQL  string
	countArgs []any
	fields    []*field
	limit     int
	keyset    bool
	expand    []expansion
}

// hiddenColumns follow the selected ones in every row: the
// ModificationTimestamp and id of the row, for the next page's keyset, and
// then, per expansion, the uuid its related entities are matched on.
const hiddenColumns = 2

// selectList is the SELECT list: the fields, then the hidden columns.
func selectList(set *entitySet, fields []*field, expand []expansion) string {
	var b strings.Builder
	b.WriteString(fieldList(fields))
	b.WriteString(set.modified().SQL + ", (" + set.ID + ")::text")
	for _, e := range expand {
		b.WriteString(", (" + e.nav.ParentSQL + ")::text")
	}
	return b.String()
}

// fieldList is each field as the renderer reads it (strings, enumerations
// and decimals as text; decimals so as to keep every digit), each followed
// by a comma.
func fieldList(fields []*field) string {
	var b strings.Builder
	for _, f := range fields {
		switch f.Kind {
		case kString, kEnum, kDecimal, kInt64:
			b.WriteString("(" + f.SQL + ")::text, ")
		default:
			b.WriteString(f.SQL + ", ")
		}
	}
	return b.String()
}

// baseWhere is the organization (always $1), the actor's property scope
// and the filter, with their arguments.
func baseWhere(set *entitySet, actor realty.Actor, filter string) ([]string, []any, error) {
	where, args := []string{set.Where}, []any{actor.OrgID}
	if set.Scope != "" && actor.PropertyScope != nil {
		args = append(args, actor.PropertyScope)
		where = append(where, set.Scope+" = ANY($2::uuid[])")
	}
	if filter != "" {
		cond, fargs, err := translateFilter(set, filter, len(args))
		if err != nil {
			return nil, nil, err
		}
		where = append(where, cond)
		args = append(args, fargs...)
	}
	return where, args, nil
}

// collectionQuery plans a page of set under the options. Invalid errors
// come from the filter and the skip token.
func collectionQuery(set *entitySet, actor realty.Actor, o options) (query, error) {
	where, args, err := baseWhere(set, actor, o.filter)
	if err != nil {
		return query{}, err
	}
	q := query{fields: o.fields, limit: o.top, keyset: o.keyset(set), expand: o.expand}
	from := " FROM " + set.From + " WHERE " + strings.Join(where, " AND ")
	if o.count {
		q.countSQL, q.countArgs = "SELECT count(*)"+from, args
	}
	var order string
	if q.keyset {
		order = set.modified().SQL + ", " + set.ID
		if o.skiptoken != "" {
			ts, id, err := decodeSkipToken(o.skiptoken)
			if err != nil {
				return query{}, err
			}
			args = append(args[:len(args):len(args)], ts, id)
			from += " AND (" + order + ") > ($" + strconv.Itoa(len(args)-1) + "::timestamptz, $" + strconv.Itoa(len(args)) + "::uuid)"
		}
	} else {
		order = orderBy(set, o.orderby)
	}
	args = append(args[:len(args):len(args)], q.limit+1)
	q.sql = "SELECT " + selectList(set, o.fields, o.expand) + from + " ORDER BY " + order + " LIMIT $" + strconv.Itoa(len(args))
	if o.skip > 0 {
		args = append(args, o.skip)
		q.sql += " OFFSET $" + strconv.Itoa(len(args))
	}
	q.args = args
	return q, nil
}

// orderBy follows OData's null ordering (nulls first ascending) and ends
// with the row id, so pages never overlap.
func orderBy(set *entitySet, items []orderItem) string {
	var b strings.Builder
	for _, it := range items {
		b.WriteString(it.f.SQL)
		switch {
		case it.desc && it.f.NotNull:
			b.WriteString(" DESC")
		case it.desc:
			b.WriteString(" DESC NULLS LAST")
		case !it.f.NotNull:
			b.WriteString(" NULLS FIRST")
		}
		b.WriteString(", ")
	}
	b.WriteString(set.ID)
	return b.String()
}

// entityQuery plans the fetch of one entity by key. ok is false when the
// key cannot name any entity (a malformed uuid key).
func entityQuery(set *entitySet, actor realty.Actor, key string, o options) (q query, ok bool) {
	where, args, _ := baseWhere(set, actor, "")
	k := set.field(set.Key)
	cond := "(" + k.SQL + ") = $" + strconv.Itoa(len(args)+1) + "::text"
	var arg any = key
	if k.UUIDSQL != "" {
		id, err := realty.ParseID(key)
		if err != nil {
			return query{}, false
		}
		cond, arg = k.UUIDSQL+" = $"+strconv.Itoa(len(args)+1)+"::uuid", id
	}
	q = query{fields: o.fields, limit: 1, expand: o.expand}
	q.sql = "SELECT " + selectList(set, o.fields, o.expand) + " FROM " + set.From + " WHERE " + strings.Join(where, " AND ") +
		" AND " + cond + " LIMIT 2"
	q.args = append(args, arg)
	return q, true
}

// skipToken encodes the keyset position after a row.
func skipToken(ts time.Time, id string) string {
	return postgres.EncodeCursor(ts.UTC().Format(time.RFC3339Nano), id)
}

func decodeSkipToken(token string) (time.Time, realty.ID, error) {
	bad := optionError("$skiptoken", "is not one this service returned")
	var tsText, idText string
	if err := postgres.DecodeCursor(token, &tsText, &idText); err != nil {
		return time.Time{}, realty.ID{}, bad
	}
	ts, err := time.Parse(time.RFC3339Nano, tsText)
	if err != nil {
		return time.Time{}, realty.ID{}, bad
	}
	id, err := realty.ParseID(idText)
	if err != nil {
		return time.Time{}, realty.ID{}, bad
	}
	return ts, id, nil
}

// CollectionSQL is the statement a GET of the named entity set with the
// given query string (e.g. "$filter=...&$top=20") runs on actor's behalf,
// with its arguments, for measurements that run the same SQL without
// realty. Invalid errors as the endpoint's 400s; NotFound for an unknown set.
func CollectionSQL(actor realty.Actor, setName, rawQuery string) (string, []any, error) {
	set := entitySetNamed(setName)
	if set == nil {
		return "", nil, realty.Errorf(realty.NotFound, "no entity set %q", setName)
	}
	o, err := parseOptions(set, rawQuery, false)
	if err != nil {
		return "", nil, err
	}
	q, err := collectionQuery(set, actor, o)
	return q.sql, q.args, err
}
