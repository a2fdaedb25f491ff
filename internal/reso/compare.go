package reso

import (
	"slices"

	"github.com/shopspring/decimal"

	"realty"
)

var (
	sqlOps  = map[string]string{"eq": "=", "ne": "IS DISTINCT FROM", "gt": ">", "ge": ">=", "lt": "<", "le": "<="}
	flipped = map[string]string{"eq": "eq", "ne": "ne", "gt": "lt", "ge": "le", "lt": "gt", "le": "ge"}
	// ordered are the kinds gt, ge, lt and le apply to.
	ordered = []kind{kString, kDecimal, kDate, kDateTimeOffset, kInt64}
)

// compare translates eq, ne, gt, ge, lt, le and has. A literal is bound as
// a parameter typed by what it is compared with; null compares with eq and
// ne only; ne is null-safe (OData: null ne 'X' is true).
func (t *translator) compare(n *compareNode) (operand, error) {
	l, err := t.expr(n.l)
	if err != nil {
		return operand{}, err
	}
	r, err := t.expr(n.r)
	if err != nil {
		return operand{}, err
	}
	op := n.op
	if l.isLit && !r.isLit {
		if op == "has" {
			return operand{}, filterError(n.pos, "has takes the field on its left")
		}
		l, r, op = r, l, flipped[op]
	}
	if r.kind == kNull || l.kind == kNull {
		return t.compareNull(n, l, r, op)
	}
	sql, err := t.comparison(n.pos, l, r, op)
	return operand{kind: kBoolean, cond: true, sql: sql, pos: n.pos}, err
}

func (t *translator) compareNull(n *compareNode, l, r operand, op string) (operand, error) {
	if op != "eq" && op != "ne" {
		return operand{}, filterError(n.pos, "null compares with eq or ne only")
	}
	if l.kind == kCollection {
		return operand{}, filterError(n.pos, "%s is a collection: it is never null", l.f.Name)
	}
	res := operand{kind: kBoolean, cond: true, pos: n.pos}
	if l.isLit { // literal eq null: true only for null eq null
		res.sql = strconvBool((l.kind == kNull && r.kind == kNull) == (op == "eq"))
		return res, nil
	}
	if l.cond {
		res.sql = strconvBool(op == "ne") // a condition is never null
		return res, nil
	}
	res.sql = "(" + l.sql + " IS NULL)"
	if op == "ne" {
		res.sql = "(" + l.sql + " IS NOT NULL)"
	}
	return res, nil
}

func strconvBool(b bool) string {
	if b {
		return "TRUE"
	}
	return "FALSE"
}

// comparison type-checks l op r (l a field, variable, condition or, when
// both are, a literal) and returns its SQL.
func (t *translator) comparison(pos int, l, r operand, op string) (string, error) {
	switch {
	case l.kind == kCollection:
		return t.collectionHas(pos, l, r, op)
	case op == "has" && l.kind != kEnum:
		return "", filterError(pos, "has applies to enumerations, not %s", describe(l))
	case op == "has":
		op = "eq" // enumerations are not flags: has is equality
	case op != "eq" && op != "ne" && !slices.Contains(ordered, l.kind):
		return "", filterError(pos, "%s does not apply to %s", op, describe(l))
	}
	if !r.isLit || r.isNow {
		if !sameKind(l.kind, r.kind) || r.enum != l.enum || r.kind == kCollection {
			return "", filterError(pos, "cannot compare %s with %s", describe(l), describe(r))
		}
		return "(" + t.side(l) + " " + sqlOp(op, l, r) + " " + t.side(r) + ")", nil
	}
	if l.f != nil && r.kind == kString && (op == "eq" || op == "ne") {
		if l.f.FoldedSQL != "" {
			return "(" + l.f.FoldedSQL + " " + sqlOp(op, l, r) + " lower(" + t.bind(r.lit, "text") + "))", nil
		}
		if id, err := realty.ParseID(r.lit.(string)); err == nil && l.f.UUIDSQL != "" {
			return "(" + l.f.UUIDSQL + " " + sqlOp(op, l, r) + " " + t.bind(id, "uuid") + ")", nil
		}
	}
	param, err := t.bindAs(l, r)
	if err != nil {
		return "", err
	}
	return "(" + t.side(l) + " " + sqlOp(op, l, r) + " " + param + ")", nil
}

// side is an operand's SQL: a literal on the left (literal op literal) is
// bound with its own type, and a condition that may be NULL counts as false.
func (t *translator) side(op operand) string {
	switch {
	case op.isNow:
		return op.sql
	case op.isLit && op.kind == kBoolean:
		return strconvBool(op.lit.(bool))
	case op.isLit:
		return t.bind(op.lit, defaultCast[op.kind])
	case op.cond:
		return "coalesce(" + op.sql + ", false)"
	}
	return op.sql
}

// sqlOp uses plain <> for ne when neither side can be null, which keeps
// the comparison simple for the planner.
func sqlOp(op string, l, r operand) string {
	if op == "ne" && notNullOperand(l) && notNullOperand(r) {
		return "<>"
	}
	return sqlOps[op]
}

func notNullOperand(op operand) bool {
	return op.isLit || op.cond || (op.f != nil && op.f.NotNull) || (op.f == nil && op.enum != nil)
}

// bindAs binds literal r as a value of l's type, or refuses the pair.
func (t *translator) bindAs(l, r operand) (string, error) {
	mismatch := filterError(r.pos, "cannot compare %s with %s", describe(l), describe(r))
	switch l.kind {
	case kEnum:
		v, err := enumValue(l, r)
		if err != nil {
			return "", err
		}
		return t.bind(v, castOf(l)), nil
	case kBoolean:
		if r.kind != kBoolean {
			return "", mismatch
		}
		return strconvBool(r.lit.(bool)), nil
	case kInt64:
		n, err := intValue(l, r)
		if err != nil {
			return "", err
		}
		return t.bind(n, castOf(l)), nil
	}
	if r.kind != l.kind {
		return "", mismatch
	}
	return t.bind(r.lit, castOf(l)), nil
}

// sameKind says values of kinds a and b compare: the same kind, or two
// numbers (Edm.Int64 and Edm.Decimal fields compare with each other).
func sameKind(a, b kind) bool {
	numeric := func(k kind) bool { return k == kDecimal || k == kInt64 }
	return a == b || (numeric(a) && numeric(b))
}

// intValue checks that literal r is a whole number an Edm.Int64 holds, and
// returns it: BedroomsTotal eq 3.5 is refused, not silently never true.
func intValue(l, r operand) (int64, error) {
	d, ok := r.lit.(decimal.Decimal)
	switch {
	case r.kind != kDecimal || !ok:
		return 0, filterError(r.pos, "cannot compare %s with %s", describe(l), describe(r))
	case !d.IsInteger() || d.Abs().GreaterThan(maxInt64):
		return 0, filterError(r.pos, "%s holds whole numbers: %s is not one", describe(l), clip(d.String()))
	}
	return d.IntPart(), nil
}

var maxInt64 = decimal.NewFromInt(1<<63 - 1)

// castOf is the SQL type literals compared with op are cast to.
func castOf(op operand) string {
	if op.f != nil {
		return op.f.castType()
	}
	return defaultCast[op.kind]
}

// enumValue checks that literal r (a plain string or a typed enumeration
// literal) is a member of l's enumeration, and returns it.
func enumValue(l, r operand) (string, error) {
	s, ok := r.lit.(string)
	switch {
	case r.kind == kEnum && r.enum != l.enum:
		return "", filterError(r.pos, "cannot compare %s with %s", describe(l), describe(r))
	case !ok || (r.kind != kString && r.kind != kEnum):
		return "", filterError(r.pos, "cannot compare %s with %s", describe(l), describe(r))
	case !l.enum.member[s]:
		return "", filterError(r.pos, "%q is not a member of %s", clip(s), l.enum.QualifiedName())
	}
	return s, nil
}

// collectionHas translates Collection has 'Value': membership.
func (t *translator) collectionHas(pos int, l, r operand, op string) (string, error) {
	if op != "has" || !r.isLit {
		return "", filterError(pos, "%s is a collection: use has, any or all", l.f.Name)
	}
	v, err := enumValue(operand{kind: kEnum, enum: l.enum}, r)
	if err != nil {
		return "", err
	}
	return "(" + t.bind(v, "text") + " = ANY(" + l.sql + "))", nil
}
