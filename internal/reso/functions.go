package reso

import (
	"slices"
	"strings"
)

// The $filter functions besides now(): string matching and case, length,
// and the parts of dates and instants. Each becomes SQL over the operand's
// expression with every literal bound as a parameter; contains, startswith
// and endswith with a literal become LIKE with the literal's %, _ and \
// escaped, which the trigram indexes on City and UnparsedAddress serve.

// function says how many arguments a function takes and of which kinds.
type function struct {
	args   int
	accept []kind // the kinds every argument may have
	what   string // the accepted kinds, for messages
}

var (
	stringArgs = []kind{kString}
	dateArgs   = []kind{kDate, kDateTimeOffset}
	functions  = map[string]function{
		"contains":   {2, stringArgs, "Edm.String"},
		"startswith": {2, stringArgs, "Edm.String"},
		"endswith":   {2, stringArgs, "Edm.String"},
		"tolower":    {1, stringArgs, "Edm.String"},
		"toupper":    {1, stringArgs, "Edm.String"},
		"length":     {1, stringArgs, "Edm.String"},
		"year":       {1, dateArgs, "Edm.Date or Edm.DateTimeOffset"},
		"month":      {1, dateArgs, "Edm.Date or Edm.DateTimeOffset"},
		"day":        {1, dateArgs, "Edm.Date or Edm.DateTimeOffset"},
		"date":       {1, []kind{kDateTimeOffset}, "Edm.DateTimeOffset"},
	}
)

// functionNames lists the supported functions, for messages.
func functionNames() string {
	names := make([]string, 0, len(functions))
	for name := range functions {
		names = append(names, name)
	}
	slices.Sort(names)
	return strings.Join(names, ", ")
}

// call type-checks a function call and translates it. Invalid when the
// number of arguments or the kind of one is wrong, naming the function.
func (t *translator) call(n *callNode) (operand, error) {
	fn := functions[n.name]
	if len(n.args) != fn.args {
		plural := "s"
		if fn.args == 1 {
			plural = ""
		}
		return operand{}, filterError(n.pos, "%s takes %d argument%s, not %d", n.name, fn.args, plural, len(n.args))
	}
	ops := make([]operand, len(n.args))
	for i, a := range n.args {
		op, err := t.expr(a)
		if err != nil {
			return operand{}, err
		}
		if !slices.Contains(fn.accept, op.kind) || op.cond || op.kind == kNull {
			return operand{}, filterError(a.at(), "%s takes %s arguments, not %s", n.name, fn.what, describe(op))
		}
		ops[i] = op
	}
	res := operand{pos: n.pos}
	x := ops[0]
	switch n.name {
	case "contains", "startswith", "endswith":
		res.kind, res.cond, res.sql = kBoolean, true, t.match(n.name, x, ops[1])
	case "tolower":
		res.kind, res.sql = kString, "lower("+t.side(x)+")"
		if x.f != nil && x.f.FoldedSQL != "" {
			res.sql = x.f.FoldedSQL // the indexed lower-case copy
		}
	case "toupper":
		res.kind, res.sql = kString, "upper("+t.side(x)+")"
	case "length":
		res.kind, res.sql = kInt64, "length("+t.side(x)+")"
	case "year", "month", "day":
		res.kind, res.sql = kInt64, "extract("+n.name+" FROM "+t.calendar(x)+")::int"
	case "date":
		res.kind, res.sql = kDate, "("+t.calendar(x)+")::date"
	}
	return res, nil
}

// match translates contains, startswith and endswith. Against a literal it
// is a LIKE pattern (an index can serve it); against another expression,
// plain string functions.
func (t *translator) match(name string, x, y operand) string {
	if y.isLit {
		s := likeEscaper.Replace(y.lit.(string))
		switch name {
		case "contains":
			s = "%" + s + "%"
		case "startswith":
			s += "%"
		default:
			s = "%" + s
		}
		return "(" + t.side(x) + " LIKE " + t.bind(s, "text") + ")"
	}
	xs, ys := t.side(x), t.side(y)
	switch name {
	case "contains":
		return "(strpos(" + xs + ", " + ys + ") > 0)"
	case "startswith":
		return "starts_with(" + xs + ", " + ys + ")"
	}
	return "(right(" + xs + ", length(" + ys + ")) = " + ys + ")"
}

// likeEscaper escapes LIKE's wildcards and its escape character (the
// default, backslash).
var likeEscaper = strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)

// calendar is a date as it is, or an instant as UTC wall time: served
// instants are in UTC, so year, month, day and date read them there.
func (t *translator) calendar(x operand) string {
	if x.kind == kDate {
		return t.side(x)
	}
	return "timezone(" + t.bind("UTC", "text") + ", " + t.side(x) + ")"
}
