package reso

import (
	"strconv"
	"time"

	"github.com/shopspring/decimal"

	"realty"
)

// Membership: in lists, and any/all over collections.

// in translates x in (v1, v2, …) as one = ANY(array) parameter.
func (t *translator) in(n *inNode) (operand, error) {
	x, err := t.expr(n.x)
	if err != nil {
		return operand{}, err
	}
	if x.isLit || x.cond || x.kind == kBoolean || x.kind == kCollection {
		return operand{}, filterError(n.pos, "in needs a field on its left, not %s", describe(x))
	}
	values := make([]any, len(n.list))
	for i, item := range n.list {
		lit, err := t.expr(item)
		if err != nil {
			return operand{}, err
		}
		if !lit.isLit || lit.isNow || lit.kind == kNull {
			return operand{}, filterError(item.at(), "in lists values (not null or expressions)")
		}
		switch {
		case x.kind == kEnum:
			values[i], err = enumValue(x, lit)
		case x.kind == kInt64:
			values[i], err = intValue(x, lit)
		case lit.kind != x.kind:
			err = filterError(item.at(), "cannot compare %s with %s", describe(x), describe(lit))
		}
		if err != nil {
			return operand{}, err
		}
		if values[i] == nil {
			values[i] = lit.lit
		}
	}
	return operand{kind: kBoolean, cond: true, sql: t.inSQL(x, values), pos: n.pos}, nil
}

// inSQL binds the values as one typed array.
func (t *translator) inSQL(x operand, values []any) string {
	switch x.kind {
	case kDecimal:
		return "(" + x.sql + " = ANY(" + t.bind(typed[decimal.Decimal](values), "numeric[]") + "))"
	case kInt64:
		return "(" + x.sql + " = ANY(" + t.bind(typed[int64](values), "bigint[]") + "))"
	case kDate, kDateTimeOffset:
		return "(" + x.sql + " = ANY(" + t.bind(typed[time.Time](values), castOf(x)+"[]") + "))"
	}
	strs := typed[string](values)
	if x.f != nil && x.f.FoldedSQL != "" {
		return "(" + x.f.FoldedSQL + " = ANY(ARRAY(SELECT lower(v) FROM unnest(" + t.bind(strs, "text[]") + ") v)))"
	}
	if x.f != nil && x.f.UUIDSQL != "" {
		ids := make([]realty.ID, len(strs))
		for i, s := range strs {
			id, err := realty.ParseID(s)
			if err != nil {
				return "(" + x.sql + " = ANY(" + t.bind(strs, "text[]") + "))"
			}
			ids[i] = id
		}
		return "(" + x.f.UUIDSQL + " = ANY(" + t.bind(ids, "uuid[]") + "))"
	}
	return "(" + x.sql + " = ANY(" + t.bind(strs, castOf(x)+"[]") + "))"
}

func typed[T any](values []any) []T {
	out := make([]T, len(values))
	for i, v := range values {
		out[i] = v.(T)
	}
	return out
}

// lambda translates Coll/any(v: body), Coll/all(v: body) and Coll/any().
// The variable ranges over the served values (the enumeration's members):
// stored values outside it are neither served nor matched.
func (t *translator) lambda(n *lambdaNode) (operand, error) {
	coll, err := t.name(&nameNode{name: n.coll, pos: n.pos})
	if err != nil {
		return operand{}, err
	}
	if coll.kind != kCollection {
		return operand{}, filterError(n.pos, "%s is not a collection: any and all apply to collections", describe(coll))
	}
	res := operand{kind: kBoolean, cond: true, pos: n.pos}
	if sql, ok := t.anyEq(n, coll); ok {
		res.sql = sql
		return res, nil
	}
	t.lambdas++
	alias := "e" + strconv.Itoa(t.lambdas)
	members := t.bind(coll.enum.Members, "text[]")
	from := "(SELECT 1 FROM unnest(" + coll.sql + ") AS " + alias + "(v) WHERE " + alias + ".v = ANY(" + members + ")"
	if n.body == nil {
		res.sql = "EXISTS " + from + ")"
		return res, nil
	}
	if _, taken := t.vars[n.v]; taken || t.set.field(n.v) != nil {
		return operand{}, filterError(n.pos, "range variable %s hides a field or another variable", n.v)
	}
	t.vars[n.v] = operand{kind: kEnum, enum: coll.enum, sql: alias + ".v"}
	body, err := t.condition(n.body)
	delete(t.vars, n.v)
	if err != nil {
		return operand{}, err
	}
	if n.all {
		res.sql = "(NOT EXISTS " + from + " AND (" + body + ") IS NOT TRUE))"
	} else {
		res.sql = "EXISTS " + from + " AND (" + body + "))"
	}
	return res, nil
}

// anyEq translates the common Coll/any(v: v eq 'X') as a plain membership
// test.
func (t *translator) anyEq(n *lambdaNode, coll operand) (string, bool) {
	c, ok := n.body.(*compareNode)
	if n.all || !ok || c.op != "eq" {
		return "", false
	}
	v, lit := c.l, c.r
	if _, isLit := v.(*literalNode); isLit {
		v, lit = lit, v
	}
	name, ok1 := v.(*nameNode)
	tok, ok2 := lit.(*literalNode)
	if _, taken := t.vars[n.v]; taken || !ok1 || !ok2 || name.name != n.v || t.set.field(n.v) != nil {
		return "", false
	}
	r, err := literal(tok.tok)
	if err != nil {
		return "", false
	}
	value, err := enumValue(operand{kind: kEnum, enum: coll.enum}, r)
	if err != nil {
		return "", false // the general path reports it
	}
	return "(" + t.bind(value, "text") + " = ANY(" + coll.sql + "))", true
}
