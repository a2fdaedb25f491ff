package reso

import (
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"
)

// operand is a typed value during translation: a field, a range variable, a
// computed condition, or a literal not yet bound (its type may depend on
// what it is compared with).
type operand struct {
	kind kind
	enum *enumType
	sql  string // for everything but literals
	f    *field // when a field
	// lit holds a literal's value (string, decimal.Decimal, time.Time, bool,
	// nil); isLit says it is one. now() is a literal whose SQL is now().
	lit   any
	isLit bool
	isNow bool
	// cond marks a computed condition, which may be SQL NULL where OData
	// means false.
	cond bool
	pos  int
}

// translator turns a $filter syntax tree into a SQL condition over the
// entity set's whitelisted expressions, binding every literal as a
// parameter numbered after the base arguments.
type translator struct {
	set     *entitySet
	base    int
	args    []any
	vars    map[string]operand
	lambdas int
}

// translateFilter parses and type-checks a $filter and returns its SQL
// condition and arguments, numbered from $base+1. Invalid (400) errors
// name the fault: syntax, an unknown field, a malformed literal, a type
// mismatch, an operator a type does not have, or a limit exceeded.
func translateFilter(set *entitySet, src string, base int) (string, []any, error) {
	n, err := parseFilter(src)
	if err != nil {
		return "", nil, err
	}
	t := &translator{set: set, base: base, vars: map[string]operand{}}
	sql, err := t.condition(n)
	if err != nil {
		return "", nil, err
	}
	return sql, t.args, nil
}

// bind adds a parameter and returns its placeholder cast to sqlType.
func (t *translator) bind(v any, sqlType string) string {
	t.args = append(t.args, v)
	return "$" + strconv.Itoa(t.base+len(t.args)) + "::" + sqlType
}

// condition translates n, which must be boolean.
func (t *translator) condition(n node) (string, error) {
	op, err := t.expr(n)
	if err != nil {
		return "", err
	}
	if op.kind != kBoolean {
		return "", filterError(n.at(), "%s is not a condition", describe(op))
	}
	if op.isLit {
		return strings.ToUpper(strconv.FormatBool(op.lit.(bool))), nil
	}
	return op.sql, nil
}

func (t *translator) expr(n node) (operand, error) {
	switch n := n.(type) {
	case *nameNode:
		return t.name(n)
	case *literalNode:
		return literal(n.tok)
	case *nowNode:
		return operand{kind: kDateTimeOffset, isLit: true, isNow: true, sql: "now()", pos: n.pos}, nil
	case *logicalNode:
		return t.logical(n)
	case *notNode:
		x, err := t.condition(n.x)
		if err != nil {
			return operand{}, err
		}
		return operand{kind: kBoolean, cond: true, sql: "((" + x + ") IS NOT TRUE)", pos: n.pos}, nil
	case *compareNode:
		return t.compare(n)
	case *inNode:
		return t.in(n)
	case *lambdaNode:
		return t.lambda(n)
	case *callNode:
		return t.call(n)
	}
	return operand{}, filterError(n.at(), "unsupported expression")
}

func (t *translator) logical(n *logicalNode) (operand, error) {
	parts := make([]string, len(n.items))
	for i, item := range n.items {
		sql, err := t.condition(item)
		if err != nil {
			return operand{}, err
		}
		parts[i] = sql
	}
	return operand{kind: kBoolean, cond: true, sql: "(" + strings.Join(parts, " "+strings.ToUpper(n.op)+" ") + ")", pos: n.pos}, nil
}

// name resolves a range variable or a field that may be filtered on.
func (t *translator) name(n *nameNode) (operand, error) {
	if v, ok := t.vars[n.name]; ok {
		v.pos = n.pos
		return v, nil
	}
	f := t.set.field(n.name)
	if f == nil {
		return operand{}, filterError(n.pos, "unknown field %s of %s (names are case-sensitive)", clip(n.name), t.set.Name)
	}
	if f.NoFilter {
		return operand{}, filterError(n.pos, "%s cannot be filtered on", f.Name)
	}
	return operand{kind: f.Kind, enum: f.Enum, sql: "(" + f.SQL + ")", f: f, pos: n.pos}, nil
}

// literal converts a literal token, refusing malformed values.
func literal(tok token) (operand, error) {
	op := operand{isLit: true, pos: tok.pos}
	switch tok.kind {
	case tString:
		op.kind, op.lit = kString, tok.val
	case tNumber:
		d, err := decimal.NewFromString(tok.text)
		if err != nil || len(tok.text) > 40 || strings.HasSuffix(tok.text, ".") {
			return op, filterError(tok.pos, "malformed number %s", clip(tok.text))
		}
		op.kind, op.lit = kDecimal, d
	case tDate:
		d, err := time.Parse(time.DateOnly, tok.text)
		if err != nil {
			return op, filterError(tok.pos, "malformed Edm.Date %s: write YYYY-MM-DD", clip(tok.text))
		}
		op.kind, op.lit = kDate, d
	case tDateTime:
		ts, err := parseDateTime(tok.text)
		if err != nil {
			return op, filterError(tok.pos, "malformed Edm.DateTimeOffset %s: write 2024-05-01T10:00:00Z", clip(tok.text))
		}
		op.kind, op.lit = kDateTimeOffset, ts
	case tEnum:
		return enumLiteral(tok)
	case tIdent: // true, false, null
		op.kind, op.lit = kBoolean, tok.text == "true"
		if tok.text == "null" {
			op.kind, op.lit = kNull, nil
		}
	}
	return op, nil
}

// parseDateTime reads an Edm.DateTimeOffset: seconds and fractions
// optional, a zone (Z or ±hh:mm) required.
func parseDateTime(s string) (time.Time, error) {
	ts, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		ts, err = time.Parse("2006-01-02T15:04Z07:00", s)
	}
	return ts, err
}

func enumLiteral(tok token) (operand, error) {
	name, ok := strings.CutPrefix(tok.typ, enumsNamespace+".")
	e := enumsByName[name]
	if !ok || e == nil {
		return operand{}, filterError(tok.pos, "unknown enumeration type %s", clip(tok.typ))
	}
	if !e.member[tok.val] {
		return operand{}, filterError(tok.pos, "%q is not a member of %s", clip(tok.val), e.QualifiedName())
	}
	return operand{kind: kEnum, enum: e, lit: tok.val, isLit: true, pos: tok.pos}, nil
}

// enumsByName are the served enumeration types.
var enumsByName = func() map[string]*enumType {
	m := map[string]*enumType{}
	for _, e := range enums(entitySets) {
		m[e.Name] = e
	}
	return m
}()

// describe names an operand in messages.
func describe(op operand) string {
	switch {
	case op.f != nil:
		return op.f.Name + " (" + op.f.edmType() + ")"
	case op.isNow:
		return "now()"
	case op.isLit && op.kind == kNull:
		return "null"
	case op.isLit && op.kind == kEnum:
		return "an " + op.enum.QualifiedName() + " value"
	case op.isLit:
		return "a literal of type " + op.kind.String()
	case op.cond:
		return "a condition"
	case op.enum != nil:
		return "a range variable of " + op.enum.QualifiedName()
	}
	return op.kind.String()
}
