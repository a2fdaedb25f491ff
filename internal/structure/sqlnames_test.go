package structure

import (
	"context"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"maps"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
)

// schemaExceptions are the places where a package's SQL names another
// domain's schema, keyed "package directory -> schema.name", each with why.
// The test fails on a reference not listed here and on an entry that no
// longer matches anything, so the table only shrinks.
var schemaExceptions = map[string]string{
	// The one write entry point audit publishes: identity records sign-in
	// events through it, never into audit's tables.
	"internal/identity -> audit.record_security_event": "audit's published write entry point for security events",
	// Members are users of an organization: org shows their names and emails.
	"internal/org -> identity.users": "org joins users for its members' names and emails",

	// The RESO read side is a documented read model over listings, their
	// properties and media, and the organization's members and offices.
	"internal/reso -> listing.listings":        "RESO read model over listings",
	"internal/reso -> listing.open_houses":     "RESO read model: OpenHouse resource",
	"internal/reso -> listing.standard_status": "RESO read model: StandardStatus enumeration",
	"internal/reso -> property.properties":     "RESO read model: a listing's property",
	"internal/reso -> property.media":          "RESO read model: Media resource",
	"internal/reso -> org.organizations":       "RESO read model: Office resource",
	"internal/reso -> org.members":             "RESO read model: Member resource",
	"internal/reso -> org.roles":               "RESO read model: Member resource (agent roles)",
	"internal/reso -> org.role_assignments":    "RESO read model: Member resource (agent roles)",
	"internal/reso -> identity.users":          "RESO read model: Member names and emails",

	// The benchmark measures the API against raw SQL over the same tables
	// and picks its organizations and samples there; it is a measuring tool
	// outside the server.
	"bench -> listing.listings":            "raw-SQL baseline and sample selection of the benchmark",
	"bench -> property.properties":         "raw-SQL baseline of the benchmark",
	"bench -> org.organizations":           "the benchmark picks the organizations it measures",
	"bench -> crm.clients":                 "raw-SQL baseline and sample selection of the CRM benchmark (W9)",
	"bench -> crm.client_stage_changes":    "raw-SQL baseline of the CRM timeline benchmark (W9)",
	"bench -> crm.interactions":            "raw-SQL baseline of the CRM timeline benchmark (W9)",
	"bench -> crm.tasks":                   "raw-SQL baseline of the CRM timeline benchmark (W9)",
	"bench -> crm.property_matches":        "W8 deletes the measured organizations' matches so its full rematch writes every one",
	"bench -> crm.client_preferences":      "the harness vacuums the W8 preferences before timing anything",
	"bench -> ledger.payments":             "raw-SQL baseline of the payment posting benchmark (W5) and its count of payments per key",
	"bench -> ledger.journal_entries":      "raw-SQL baseline of the payment posting benchmark (W5) and the billing run benchmark (W6)",
	"bench -> ledger.journal_lines":        "raw-SQL baseline of the payment posting benchmark (W5) and the billing run benchmark (W6)",
	"bench -> ledger.payment_allocations":  "raw-SQL baseline of the payment posting benchmark (W5)",
	"bench -> ledger.invoices":             "raw-SQL baseline of the payment posting benchmark (W5) and the billing run benchmark (W6)",
	"bench -> ledger.invoice_lines":        "raw-SQL baseline of the billing run benchmark (W6)",
	"bench -> ledger.invoice_counters":     "raw-SQL baseline of the billing run benchmark (W6): numbers its invoices gap-free",
	"bench -> ledger.accounts":             "raw-SQL baseline of the billing run benchmark (W6): the income accounts it credits",
	"bench -> leasing.leases":              "W6 seeds its 100,000 leases set-based and bills them in its raw-SQL baseline",
	"bench -> leasing.lease_tenants":       "W6 seeds its leases' tenants set-based and reads them in its raw-SQL baseline",
	"bench -> leasing.lease_charges":       "W6 seeds its recurring charges set-based and bills them in its raw-SQL baseline",
	"bench -> leasing.tenants":             "W6 seeds its tenants set-based",
	"bench -> property.units":              "W6 seeds one unit per lease set-based",
	"bench -> deal.deals":                  "W10 seeds its 50,000 deals set-based and reads the pipeline board in its raw-SQL baseline",
	"bench -> deal.deal_stage_history":     "W10 seeds its deals' stage histories set-based",
	"bench -> document.documents":          "W10 seeds its documents set-based and searches them in its raw-SQL baseline",
	"bench -> document.document_versions":  "W10 seeds its 500,000 document versions set-based and searches them in its raw-SQL baseline",
	"bench/searchdoc -> listing.listings":  "raw-SQL shapes measured for docs/search.md",
	"bench/searchdoc -> org.organizations": "picks the organization the search shapes run in",

	// API keys are identity's, but members issue them: the sign-in lookup
	// reads a key with its creator's standing in one statement, whose result
	// the key cache keeps (and drops on membership changes, see
	// identity.WatchAuthChanges); asking org would add a round trip to every
	// uncached API request from below org, which identity cannot import.
	"internal/identity -> org.members": "API-key sign-in reads the creator's membership with the key, in one cached statement",

	// An organization export copies every table of every domain, read from
	// the catalog; by name it only finds the organization, checks its id and
	// slug are free in the target and links or creates its users.
	"internal/orgexport -> org.organizations":      "organization export finds the organization and refuses an id or slug the target holds",
	"internal/orgexport -> org.organization_slugs": "organization import refuses a slug the target's lookup holds",
	"internal/orgexport -> identity.users":         "organization import links the users the target has and creates the others",

	// The scale seed's bulk loader writes a million listings around the
	// services by design (package bulk's doc says why), checks its slugs are
	// free and refreshes the loaded tables' statistics.
	"internal/fixture/bulk -> property.properties":     "bulk loader of the benchmark data set, around the services by design",
	"internal/fixture/bulk -> listing.listings":        "bulk loader of the benchmark data set, around the services by design",
	"internal/fixture/bulk -> listing.standard_status": "bulk loader casts the staged status to listing's enumeration",
	"internal/fixture/bulk -> org.organizations":       "bulk loader refuses to seed over existing seed organizations",
	"internal/fixture/bulk -> org.members":             "bulk loader analyzes the tables it filled through the services",
	"internal/fixture/bulk -> identity.users":          "bulk loader analyzes the tables it filled through the services",
	// … and a hundred thousand CRM clients with their timelines, for the
	// CRM read benchmark (W9).
	"internal/fixture/bulk -> crm.clients":              "bulk loader of the benchmark's CRM clients, around the services by design",
	"internal/fixture/bulk -> crm.client_stage_changes": "bulk loader of the benchmark's client stage histories",
	"internal/fixture/bulk -> crm.interactions":         "bulk loader of the benchmark's client interactions",
	"internal/fixture/bulk -> crm.tasks":                "bulk loader of the benchmark's client tasks",
}

// infrastructure are package directories that may name every schema:
// postgres runs the migrations that create them and the doctor inspects them.
var infrastructure = []string{"internal/postgres"}

// sqlRef is one name of another schema in a Go string literal.
type sqlRef struct {
	File   string // relative to the module root
	Line   int
	Dir    string // package directory relative to the module root
	Schema string
	Name   string
}

// key is the reference's schemaExceptions key.
func (r sqlRef) key() string { return r.Dir + " -> " + r.Schema + "." + r.Name }

// TestSchemaOwnership holds the SQL in every package's string literals to
// DESIGN.md §3: a package under internal/<domain> names only its own schema
// and app; any other package names only app. A schema.name counts only when
// the migrated database has a relation, type or function of that name, so a
// permission such as "listing.read" is not mistaken for SQL.
func TestSchemaOwnership(t *testing.T) {
	t.Parallel()
	catalog := catalogNames(t)
	root := moduleRoot(t)
	used := map[string]bool{}
	for _, r := range scanSQLRefs(t, root, catalog) {
		if mayName(r.Dir, r.Schema) {
			continue
		}
		if _, ok := schemaExceptions[r.key()]; ok {
			used[r.key()] = true
			continue
		}
		t.Errorf("%s:%d: package %s names %s.%s (owned by internal/%s)", r.File, r.Line, r.Dir, r.Schema, r.Name, r.Schema)
	}
	for _, k := range slices.Sorted(maps.Keys(schemaExceptions)) {
		if !used[k] {
			t.Errorf("schemaExceptions[%q] matches nothing any more: remove it", k)
		}
	}
}

// mayName reports whether a package directory may name a schema without
// an exception.
func mayName(dir, schema string) bool {
	if owner(dir) == schema {
		return true
	}
	return slices.ContainsFunc(infrastructure, func(p string) bool {
		return dir == p || strings.HasPrefix(dir, p+"/")
	})
}

// owner returns the schema a package directory owns: internal/<domain> and
// its subdirectories own <domain>; every other directory owns none.
func owner(dir string) string {
	rest, ok := strings.CutPrefix(dir, "internal/")
	if !ok {
		return ""
	}
	d, _, _ := strings.Cut(rest, "/")
	if slices.Contains(domains, d) {
		return d
	}
	return ""
}

// catalogNames returns, per realty schema other than app, the names of its
// relations, types and functions in a freshly migrated database.
func catalogNames(t *testing.T) map[string]map[string]bool {
	t.Helper()
	ctx := context.Background()
	conn := migratedAdmin(t)
	rows, err := conn.Query(ctx, `
		SELECT n.nspname, x.name FROM pg_namespace n, LATERAL (
			SELECT relname::text FROM pg_class WHERE relnamespace = n.oid
			UNION SELECT typname::text FROM pg_type WHERE typnamespace = n.oid
			UNION SELECT proname::text FROM pg_proc WHERE pronamespace = n.oid) x(name)
		WHERE n.nspname = ANY($1)`, domains)
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]map[string]bool{}
	var schema, name string
	_, err = pgx.ForEachRow(rows, []any{&schema, &name}, func() error {
		if names[schema] == nil {
			names[schema] = map[string]bool{}
		}
		names[schema][name] = true
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(names["org"]) == 0 || len(names["listing"]) == 0 {
		t.Fatalf("catalog query found no org or listing names: %v", names)
	}
	return names
}

// schemaRef matches schema.name for every realty schema but app, the schema
// of shared functions every package may name.
var schemaRef = regexp.MustCompile(`\b(` + strings.Join(domains, "|") + `)\.([a-z_][a-z0-9_]*)\b`)

// scanSQLRefs parses every non-test Go file under internal/ and bench/ and
// returns the references to catalog names in its string literals.
func scanSQLRefs(t *testing.T, root string, catalog map[string]map[string]bool) []sqlRef {
	t.Helper()
	var refs []sqlRef
	fset := token.NewFileSet()
	for _, top := range []string{"internal", "bench"} {
		err := filepath.WalkDir(filepath.Join(root, top), func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() {
				if skipDir(root, path) {
					return filepath.SkipDir
				}
				return nil
			}
			if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
				return nil
			}
			f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
			if err != nil {
				return err
			}
			dir, _ := filepath.Rel(root, filepath.Dir(path))
			for _, s := range stringsOf(fset, f) {
				refs = append(refs, s.refs(filepath.ToSlash(dir), catalog)...)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	return refs
}

// skipDir reports whether a directory holds no code of realty's own.
func skipDir(root, path string) bool {
	rel, _ := filepath.Rel(root, path)
	rel = filepath.ToSlash(rel)
	base := filepath.Base(path)
	return base == "testdata" || base == "vendor" || rel == "bench/peers" ||
		(strings.HasPrefix(base, ".") && rel != ".")
}

// piece is one string literal: its value and where it starts.
type piece struct {
	value string
	pos   token.Position
	raw   bool // a raw string, whose newlines are the source's
}

// goString is a string constant as the source spells it: one literal or a
// concatenation of literals.
type goString []piece

// stringsOf returns the string constants of a file, struct tags aside. A
// concatenation of literals is one constant, so a name split across pieces
// is still seen.
func stringsOf(fset *token.FileSet, f *ast.File) []goString {
	tags := map[*ast.BasicLit]bool{}
	ast.Inspect(f, func(n ast.Node) bool {
		if fd, ok := n.(*ast.Field); ok && fd.Tag != nil {
			tags[fd.Tag] = true
		}
		return true
	})
	var out []goString
	ast.Inspect(f, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.BinaryExpr:
			if s, ok := concatenation(fset, n); ok {
				out = append(out, s)
				return false
			}
		case *ast.BasicLit:
			if p, ok := literal(fset, n); ok && !tags[n] {
				out = append(out, goString{p})
			}
		}
		return true
	})
	return out
}

// concatenation returns the pieces of e when it is literal + literal + ….
func concatenation(fset *token.FileSet, e ast.Expr) (goString, bool) {
	switch e := e.(type) {
	case *ast.BasicLit:
		p, ok := literal(fset, e)
		return goString{p}, ok
	case *ast.ParenExpr:
		return concatenation(fset, e.X)
	case *ast.BinaryExpr:
		if e.Op != token.ADD {
			return nil, false
		}
		x, ok := concatenation(fset, e.X)
		if !ok {
			return nil, false
		}
		y, ok := concatenation(fset, e.Y)
		return append(x, y...), ok
	}
	return nil, false
}

// literal returns a string literal's value and position.
func literal(fset *token.FileSet, lit *ast.BasicLit) (piece, bool) {
	if lit.Kind != token.STRING {
		return piece{}, false
	}
	v, err := strconv.Unquote(lit.Value)
	if err != nil {
		return piece{}, false
	}
	return piece{value: v, pos: fset.Position(lit.Pos()), raw: lit.Value[0] == '`'}, true
}

// refs returns the catalog names the string spells, each at its line.
func (s goString) refs(dir string, catalog map[string]map[string]bool) []sqlRef {
	var text strings.Builder
	starts := make([]int, len(s))
	for i, p := range s {
		starts[i] = text.Len()
		text.WriteString(p.value)
	}
	var out []sqlRef
	for _, m := range schemaRef.FindAllStringSubmatchIndex(text.String(), -1) {
		schema, name := text.String()[m[2]:m[3]], text.String()[m[4]:m[5]]
		if !catalog[schema][name] {
			continue
		}
		i := pieceAt(starts, m[0])
		pos := s[i].pos
		if s[i].raw {
			pos.Line += strings.Count(s[i].value[:m[0]-starts[i]], "\n")
		}
		out = append(out, sqlRef{File: path.Join(dir, filepath.Base(pos.Filename)), Line: pos.Line, Dir: dir, Schema: schema, Name: name})
	}
	return out
}

// pieceAt returns the index of the piece holding offset off.
func pieceAt(starts []int, off int) int {
	i := len(starts) - 1
	for i > 0 && starts[i] > off {
		i--
	}
	return i
}
