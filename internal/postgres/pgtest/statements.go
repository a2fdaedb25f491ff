package pgtest

import (
	"regexp"
	"slices"
	"strings"
)

// orgSchema is what the statement rules need to know of the migrated
// schema: the organization-owned tables with the columns a statement may
// route on, and the columns whose default calls a volatile id function.
type orgSchema struct {
	// keys maps "schema.table" to its routing columns: organization_id, and
	// id as well for org.organizations (distributed by id).
	keys map[string][]string
	// volatileDefaults maps "schema.table" to its columns whose default is
	// a volatile id function (app.uuid_v7(), gen_random_uuid(), nextval).
	volatileDefaults map[string][]string
}

// Rules a statement on an organization-owned table must meet; the texts are
// what a failing audit prints beside the statement.
const (
	ruleRoute        = "names no organization_id = $n for"
	ruleValuesSelect = "INSERT … VALUES with a subquery (refused on Citus: compute it before, or INSERT … SELECT)"
	ruleVolatileID   = "INSERT … SELECT calling a volatile id function (routed through the coordinator on Citus: generate ids in Go)"
	ruleDefaultID    = "INSERT … SELECT leaving a volatile id default to fill (routed through the coordinator on Citus: generate ids in Go) for"
)

var (
	lineComment  = regexp.MustCompile(`--[^\n]*`)
	blockComment = regexp.MustCompile(`(?s)/\*.*?\*/`)
	stringLit    = regexp.MustCompile(`'(?:[^']|'')*'`)
	spaces       = regexp.MustCompile(`\s+`)
	// qualifiedName is a schema-qualified name not itself part of a longer
	// dotted name nor a function call.
	qualifiedName = regexp.MustCompile(`(^|[^.a-z0-9_$])([a-z_][a-z0-9_]*)\.([a-z_][a-z0-9_]*)\b`)
	aliasAfter    = regexp.MustCompile(`^\s*(?:as\s+)?([a-z_][a-z0-9_]*)`)
	columnList    = regexp.MustCompile(`^\s*(?:as\s+[a-z_][a-z0-9_]*\s*)?\(([^()]*)\)`)
	// equality is "a = b" where either side may be a qualified column, a
	// bare column or a parameter (with an optional cast).
	equality     = regexp.MustCompile(`(?:([a-z_][a-z0-9_]*)\.)?([a-z_][a-z0-9_]*|\$\d+)(?:::[a-z_.]+)?\s*=\s*(?:([a-z_][a-z0-9_]*)\.)?([a-z_][a-z0-9_]*|\$\d+)(?:::[a-z_.]+)?`)
	usingKey     = regexp.MustCompile(`^\s*(?:as\s+)?(?:[a-z_][a-z0-9_]*\s+)?(?:on\s+[^()]*?\s+)?using\s*\(([^()]*)\)`)
	volatileCall = regexp.MustCompile(`\b(?:uuid_v7|gen_random_uuid|uuid_generate_v[14]|uuidv[47]|nextval)\s*\(`)
	selectWord   = regexp.MustCompile(`\bselect\b`)
)

// notAlias are the words that may follow a table name without being its
// alias.
var notAlias = map[string]bool{"where": true, "join": true, "inner": true, "left": true, "right": true, "full": true,
	"cross": true, "natural": true, "on": true, "using": true, "set": true, "values": true, "select": true, "order": true,
	"group": true, "limit": true, "offset": true, "returning": true, "for": true, "union": true, "except": true,
	"intersect": true, "having": true, "window": true, "fetch": true, "default": true, "overriding": true, "from": true,
	"to": true, "with": true, "as": true, "lateral": true, "tablesample": true, "only": true}

// normalizeSQL lower-cases a statement, drops comments, string literals and
// identifier quotes, and collapses white space.
func normalizeSQL(sql string) string {
	s := blockComment.ReplaceAllString(sql, " ")
	s = lineComment.ReplaceAllString(s, " ")
	s = stringLit.ReplaceAllString(s, "''")
	s = strings.ReplaceAll(s, `"`, "")
	return strings.TrimSpace(spaces.ReplaceAllString(strings.ToLower(s), " "))
}

// tableRef is one mention of an organization-owned table in a statement.
type tableRef struct {
	table   string // schema.table
	binding string // its alias, or the table's own name
	at, end int    // the name's span in the normalized text
	target  bool   // the table an INSERT or COPY … FROM writes
	cols    []string
	hasCols bool // the INSERT or COPY names its columns
}

// checkStatement applies the rules to one statement. touches reports whether
// it names an organization-owned table; problems says what it breaks, one
// line each, empty when it passes.
func checkStatement(sql string, schema orgSchema) (touches bool, problems []string) {
	s := normalizeSQL(sql)
	refs := findRefs(s, schema)
	if len(refs) == 0 {
		return false, nil
	}
	problems = append(problems, checkInserts(s, refs, schema)...)
	routed := routedBindings(s, refs, schema)
	var missing []string
	for _, r := range refs {
		if !routed[r.binding] && !slices.Contains(missing, r.table) {
			missing = append(missing, r.table)
		}
	}
	if len(missing) > 0 {
		problems = append(problems, ruleRoute+" "+strings.Join(missing, ", "))
	}
	return true, problems
}

// findRefs finds every mention of an organization-owned table, with its
// binding and, for an INSERT or COPY target, its column list.
func findRefs(s string, schema orgSchema) []tableRef {
	var refs []tableRef
	for _, m := range qualifiedName.FindAllStringSubmatchIndex(s, -1) {
		name := s[m[4]:m[7]]
		if _, ok := schema.keys[name]; !ok || strings.HasPrefix(s[m[7]:], "(") {
			continue
		}
		r := tableRef{table: name, binding: s[m[6]:m[7]], at: m[4], end: m[7]}
		before := strings.TrimSpace(s[:m[4]])
		r.target = strings.HasSuffix(before, "insert into") || (strings.HasSuffix(before, "copy") && strings.Contains(s[m[7]:], " from stdin"))
		rest := s[m[7]:]
		if r.target {
			if c := columnList.FindStringSubmatch(rest); c != nil {
				r.hasCols = true
				for col := range strings.SplitSeq(c[1], ",") {
					r.cols = append(r.cols, strings.TrimSpace(col))
				}
			}
		}
		if a := aliasAfter.FindStringSubmatch(rest); a != nil && !notAlias[a[1]] && !strings.HasPrefix(strings.TrimSpace(rest), "(") {
			r.binding = a[1]
		}
		refs = append(refs, r)
	}
	return refs
}

// routedBindings reports, by binding, the table mentions that route: an
// INSERT or COPY target given its routing column, or a table whose routing
// column is equal to a parameter, directly or through other tables' routing
// columns (a join on organization_id).
func routedBindings(s string, refs []tableRef, schema orgSchema) map[string]bool {
	uf := unionFind{}
	tableOf := map[string]string{}
	for _, r := range refs {
		tableOf[r.binding] = r.table
		if r.target && (!r.hasCols || slices.ContainsFunc(schema.keys[r.table], func(k string) bool { return slices.Contains(r.cols, k) })) {
			uf.union(r.binding, paramNode)
		}
		if u := usingKey.FindStringSubmatch(s[r.end:]); u != nil && hasWord(u[1], "organization_id") {
			if prev := previousRef(refs, r.at); prev != nil {
				uf.union(r.binding, prev.binding)
			}
		}
	}
	for _, m := range equality.FindAllStringSubmatchIndex(s, -1) {
		a := eqSide(refs, tableOf, schema, sub(s, m, 1), sub(s, m, 2), m[0])
		b := eqSide(refs, tableOf, schema, sub(s, m, 3), sub(s, m, 4), m[0])
		if a != "" && b != "" && (a != paramNode || b != paramNode) {
			uf.union(a, b)
		}
	}
	out := map[string]bool{}
	for _, r := range refs {
		out[r.binding] = uf.find(r.binding) == uf.find(paramNode)
	}
	return out
}

// paramNode stands for every bind parameter: a table joined to it routes.
const paramNode = "$"

// eqSide turns one side of an equality at position at into a node: the
// parameter, the binding whose routing column it is (a bare column belongs
// to the table named last before it), another relation's organization_id
// (a staging table, a CTE), or "" for anything else.
func eqSide(refs []tableRef, tableOf map[string]string, schema orgSchema, qual, name string, at int) string {
	if strings.HasPrefix(name, "$") {
		return paramNode
	}
	if qual == "" {
		prev := previousRef(refs, at)
		if prev == nil {
			return ""
		}
		qual = prev.binding
	}
	if t, ok := tableOf[qual]; ok && slices.Contains(schema.keys[t], name) {
		return qual
	}
	if name == "organization_id" {
		return "other:" + qual
	}
	return ""
}

// unionFind groups the nodes equalities connect.
type unionFind map[string]string

func (u unionFind) find(x string) string {
	p, ok := u[x]
	if !ok || p == x {
		u[x] = x
		return x
	}
	r := u.find(p)
	u[x] = r
	return r
}

func (u unionFind) union(a, b string) { u[u.find(a)] = u.find(b) }

func sub(s string, m []int, i int) string {
	if m[2*i] < 0 {
		return ""
	}
	return s[m[2*i]:m[2*i+1]]
}

// previousRef is the last table mention before position at: what a bare
// column there most likely belongs to.
func previousRef(refs []tableRef, at int) *tableRef {
	var prev *tableRef
	for i := range refs {
		if refs[i].at < at {
			prev = &refs[i]
		}
	}
	return prev
}

func hasWord(list, word string) bool {
	for w := range strings.SplitSeq(list, ",") {
		if strings.TrimSpace(w) == word {
			return true
		}
	}
	return false
}

// checkInserts applies the INSERT rules to every INSERT into an
// organization-owned table: no subquery inside VALUES, and an INSERT …
// SELECT neither calls a volatile id function nor leaves a column with a
// volatile default to be filled.
func checkInserts(s string, refs []tableRef, schema orgSchema) []string {
	var problems []string
	for _, r := range refs {
		if !r.target || !strings.HasSuffix(strings.TrimSpace(s[:r.at]), "insert into") {
			continue
		}
		body := s[r.end:]
		if c := columnList.FindStringIndex(body); c != nil {
			body = body[c[1]:]
		} else if a := aliasAfter.FindStringIndex(body); a != nil && !notAlias[strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(body[:a[1]]), "as "))] {
			body = body[a[1]:]
		}
		body = strings.TrimSpace(body)
		if strings.HasPrefix(body, "values") {
			if valuesHaveSelect(body[len("values"):]) {
				problems = append(problems, ruleValuesSelect)
			}
			continue
		}
		if strings.HasPrefix(body, "default values") {
			continue
		}
		if volatileCall.MatchString(insertSpan(body)) {
			problems = append(problems, ruleVolatileID)
		}
		var left []string
		for _, col := range schema.volatileDefaults[r.table] {
			if r.hasCols && !slices.Contains(r.cols, col) {
				left = append(left, r.table+"."+col)
			}
		}
		if len(left) > 0 {
			problems = append(problems, ruleDefaultID+" "+strings.Join(left, ", "))
		}
	}
	return problems
}

// insertSpan is the INSERT's own source, up to the parenthesis that closes
// the CTE it sits in (if any).
func insertSpan(body string) string {
	depth := 0
	for i, c := range body {
		switch c {
		case '(':
			depth++
		case ')':
			if depth == 0 {
				return body[:i]
			}
			depth--
		}
	}
	return body
}

// valuesHaveSelect reports whether the row list after VALUES holds a
// subquery.
func valuesHaveSelect(list string) bool {
	depth, start := 0, -1
	for i, c := range list {
		switch {
		case c == '(':
			if depth == 0 {
				start = i
			}
			depth++
		case c == ')':
			depth--
			if depth == 0 && selectWord.MatchString(list[start:i]) {
				return true
			}
			if depth < 0 {
				return false
			}
		case depth == 0 && c != ',' && c != ' ':
			return false // past the row list: ON CONFLICT, RETURNING, …
		}
	}
	return false
}
