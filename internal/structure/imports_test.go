package structure

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// module is realty's module path.
const module = "realty"

// domains are the packages under internal/ that own a schema and its rules,
// including those not written yet, so a new domain is born held to the rules.
var domains = []string{
	"identity", "org", "audit", "property", "listing",
	"crm", "deal", "document", "leasing", "ledger", "maintenance", "messaging", "report",
}

// importRule forbids packages matching From to import packages matching any
// of Forbidden. Patterns are import paths; a trailing "/..." also matches
// every package below.
type importRule struct {
	Name      string
	From      []string
	Forbidden []string
	Reason    string
}

// importRules is the layering of DESIGN.md §3: dependencies point one way,
// cli → server → api/web → app → domains → org → identity → postgres → root.
var importRules = []importRule{
	{
		Name:      "root-is-vocabulary",
		From:      []string{"realty"},
		Forbidden: []string{"realty/..."},
		Reason:    "the root package is vocabulary only (IDs, Actor, Error) and depends on nothing of realty",
	},
	{
		Name:      "postgres-below-domains",
		From:      []string{"realty/internal/postgres/..."},
		Forbidden: domainPaths(),
		Reason:    "postgres is infrastructure under every domain; a domain import would invert the layering",
	},
	{
		Name:      "domains-below-edges",
		From:      domainPaths(),
		Forbidden: edgePaths(),
		Reason:    "domains hold the rules and are called by the edges and the wiring, never the reverse",
	},
	{
		Name:      "identity-is-the-bottom-domain",
		From:      []string{"realty/internal/identity/..."},
		Forbidden: domainPathsExcept("identity"),
		Reason:    "every domain may depend on identity, so identity depends on no domain",
	},
	{
		Name:      "org-uses-only-identity",
		From:      []string{"realty/internal/org/..."},
		Forbidden: domainPathsExcept("org", "identity"),
		Reason:    "every domain may import org (members, roles, the actor), so org imports no domain but identity",
	},
	{
		Name: "edges-below-wiring",
		From: []string{"realty/internal/api/...", "realty/internal/web/..."},
		Forbidden: []string{
			"realty/internal/cli/...", "realty/internal/server/...", "realty/internal/fixture/...",
		},
		Reason: "api and web parse, call one domain method and render; the server mounts them, cli wires them, fixture is demo and test data",
	},
}

// domainPaths returns the import-path pattern of every domain.
func domainPaths() []string { return domainPathsExcept() }

// domainPathsExcept returns the import-path patterns of every domain but
// the ones named.
func domainPathsExcept(names ...string) []string {
	var out []string
	for _, d := range domains {
		if !slices.Contains(names, d) {
			out = append(out, module+"/internal/"+d+"/...")
		}
	}
	return out
}

// edgePaths returns the patterns of the edges and the wiring above domains.
func edgePaths() []string {
	var out []string
	for _, p := range []string{"api", "web", "server", "cli", "fixture", "app"} {
		out = append(out, module+"/internal/"+p+"/...")
	}
	return out
}

// matches reports whether an import path matches a pattern: exactly, or as
// the pattern's tree when it ends in "/...".
func matches(pattern, path string) bool {
	if base, ok := strings.CutSuffix(pattern, "/..."); ok {
		return path == base || strings.HasPrefix(path, base+"/")
	}
	return pattern == path
}

func matchesAny(patterns []string, path string) bool {
	return slices.ContainsFunc(patterns, func(p string) bool { return matches(p, path) })
}

// goPackage is the part of go list -json this test reads.
type goPackage struct {
	ImportPath string
	Imports    []string
	Error      *struct{ Err string }
}

// TestImports holds every package of the module to importRules. It reads
// the non-test imports as go list reports them; go list itself refuses an
// import cycle.
func TestImports(t *testing.T) {
	t.Parallel()
	pkgs := listPackages(t)
	if len(pkgs) < 10 {
		t.Fatalf("go list found only %d packages: the module root is wrong", len(pkgs))
	}
	for _, p := range pkgs {
		for _, r := range importRules {
			if !matchesAny(r.From, p.ImportPath) {
				continue
			}
			for _, imp := range p.Imports {
				if matchesAny(r.Forbidden, imp) {
					t.Errorf("%s imports %s: rule %s: %s", p.ImportPath, imp, r.Name, r.Reason)
				}
			}
		}
	}
}

// listPackages runs go list -json ./... in the module root.
func listPackages(t *testing.T) []goPackage {
	t.Helper()
	cmd := exec.Command("go", "list", "-json", "./...")
	cmd.Dir = moduleRoot(t)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, stderr.String())
	}
	var pkgs []goPackage
	dec := json.NewDecoder(bytes.NewReader(out))
	for {
		var p goPackage
		if err := dec.Decode(&p); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatalf("decode go list output: %v", err)
		}
		if p.Error != nil {
			t.Errorf("go list: %s: %s", p.ImportPath, p.Error.Err)
		}
		pkgs = append(pkgs, p)
	}
	return pkgs
}

// moduleRoot returns the directory holding go.mod.
func moduleRoot(t *testing.T) string {
	t.Helper()
	out, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		t.Fatalf("go env GOMOD: %v", err)
	}
	gomod := strings.TrimSpace(string(out))
	if gomod == "" || gomod == "/dev/null" {
		t.Fatalf("go env GOMOD = %q: not inside realty's module", gomod)
	}
	return filepath.Dir(gomod)
}
