package structure

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// aptInstall finds an apt-get install command in backticks in the README
// (`sudo apt-get install postgresql postgresql-contrib`).
var aptInstall = regexp.MustCompile("`(?:sudo )?apt-get install ([^`]+)`")

// ciPackages finds what .ci/run installs: the packages it adds to its list
// of missing ones (missing+=(a b)) and any named on an apt-get install line.
var (
	ciMissing = regexp.MustCompile(`missing\+=\(([^)]*)\)`)
	ciInstall = regexp.MustCompile(`apt-get install ([^\n]*)`)
	pkgName   = regexp.MustCompile(`^[a-z0-9][a-z0-9.+-]+$`)
)

// readmePackages returns the Debian packages the README's Prerequisites
// section tells a reader to install. A line may say "CI only" for what
// only .ci/run's extra checks need (not go test ./...): for the reader, it
// agrees with .ci/run all the same.
func readmePackages(readme string) map[string]bool {
	_, section, _ := strings.Cut(readme, "\n## Prerequisites\n")
	section, _, _ = strings.Cut(section, "\n## ")
	out := map[string]bool{}
	for _, line := range strings.Split(section, "\n") {
		for _, m := range aptInstall.FindAllStringSubmatch(line, -1) {
			for _, p := range packageNames(m[1]) {
				out[p] = true
			}
		}
	}
	return out
}

// ciRunPackages returns every Debian package .ci/run may install.
func ciRunPackages(script string) []string {
	var out []string
	for _, re := range []*regexp.Regexp{ciMissing, ciInstall} {
		for _, m := range re.FindAllStringSubmatch(script, -1) {
			out = append(out, packageNames(m[1])...)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// packageNames keeps the words of an install command that name packages:
// not flags, redirections or shell expansions.
func packageNames(words string) []string {
	var out []string
	for _, w := range strings.Fields(words) {
		if pkgName.MatchString(w) {
			out = append(out, w)
		}
	}
	return out
}

// TestPrerequisitesMatchCI keeps the README's Prerequisites and .ci/run in
// agreement: CI starts from a fresh machine, so what .ci/run installs is
// what the suite needs, and a reader who installs only what the README
// names must be able to run it. Every package .ci/run may install is named
// in an apt-get install command of the Prerequisites (a package only CI's
// extra checks need goes on a line saying "CI only"), and every package
// those commands name is one .ci/run installs.
func TestPrerequisitesMatchCI(t *testing.T) {
	t.Parallel()
	root := moduleRoot(t)
	readme, err := os.ReadFile(filepath.Join(root, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	script, err := os.ReadFile(filepath.Join(root, ".ci", "run"))
	if err != nil {
		t.Fatal(err)
	}
	checkPrerequisites(t, string(readme), string(script))
}

func checkPrerequisites(t testing.TB, readme, script string) {
	t.Helper()
	documented, installed := readmePackages(readme), ciRunPackages(script)
	if len(documented) == 0 || len(installed) == 0 {
		t.Fatalf("found no packages: README %v, .ci/run %v (has either's format changed?)", documented, installed)
	}
	for _, p := range installed {
		if _, ok := documented[p]; !ok {
			t.Errorf(".ci/run installs %s but the README's Prerequisites name it in no `sudo apt-get install …` command "+
				"(add it; mark the line \"CI only\" when go test ./... does not need it)", p)
		}
	}
	for p := range documented {
		if !slices.Contains(installed, p) {
			t.Errorf("the README's Prerequisites install %s but .ci/run never does: CI would pass on a machine without it", p)
		}
	}
}

// TestPrerequisitesCheck shows checkPrerequisites failing on a package
// missing from either side and accepting one marked CI only.
func TestPrerequisitesCheck(t *testing.T) {
	t.Parallel()
	readme := "# x\n\n## Prerequisites\n\n- PostgreSQL: `sudo apt-get install postgresql postgresql-contrib`\n" +
		"- Node.js (CI only, the OpenAPI lint): `sudo apt-get install nodejs npm`\n\n## Next\n`apt-get install elsewhere`\n"
	script := "missing+=(postgresql postgresql-contrib)\nmissing+=(nodejs npm)\n" +
		"DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \"${missing[@]}\" >/dev/null\n"
	for _, c := range []struct {
		name, readme, script string
		fails                bool
	}{
		{"OKAgreeWithCIOnly", readme, script, false},
		{"ErrREADMELacksOne", strings.Replace(readme, " postgresql-contrib`", "`", 1), script, true},
		{"ErrCILacksOne", readme, strings.Replace(script, "(nodejs npm)", "(nodejs)", 1), true},
		{"ErrCIInstallsUnnamed", readme, script + "apt-get install -y chromium\n", true},
		{"ErrOutsidePrerequisites", readme, script + "missing+=(elsewhere)\n", true},
	} {
		t.Run(c.name, func(t *testing.T) {
			rec := &recorder{TB: t}
			func() {
				defer func() { _ = recover() }()
				checkPrerequisites(rec, c.readme, c.script)
			}()
			if rec.failed != c.fails {
				t.Fatalf("failed = %v, want %v: %v", rec.failed, c.fails, rec.msgs)
			}
		})
	}
}

// recorder is a testing.TB that records failures instead of failing.
type recorder struct {
	testing.TB
	failed bool
	msgs   []string
}

func (r *recorder) Helper() {}

func (r *recorder) Errorf(format string, args ...any) {
	r.failed = true
	r.msgs = append(r.msgs, format)
}

func (r *recorder) Fatalf(format string, args ...any) {
	r.failed = true
	r.msgs = append(r.msgs, format)
	panic("fatal")
}
