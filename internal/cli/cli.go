// Package cli is realty's command line: one file per subcommand, and the only
// place where the parts of realty are wired together.
package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"runtime"
	"runtime/debug"
	"strings"

	"realty"
)

// version is the build's version, set with -ldflags "-X realty/internal/cli.version=…";
// otherwise it comes from the module's build information.
var version = ""

// Version returns the build version: the linker-set one, the module version,
// the VCS revision, or "dev".
func Version() string {
	if version != "" {
		return version
	}
	if bi, ok := debug.ReadBuildInfo(); ok {
		if v := bi.Main.Version; v != "" && v != "(devel)" {
			return v
		}
		for _, s := range bi.Settings {
			if s.Key == "vcs.revision" && len(s.Value) >= 12 {
				return "dev-" + s.Value[:12]
			}
		}
	}
	return "dev"
}

// Revision returns the VCS revision the binary was built from, or "" when
// the build recorded none (go build -buildvcs=false, go run).
func Revision() string {
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, s := range bi.Settings {
			if s.Key == "vcs.revision" {
				return s.Value
			}
		}
	}
	return ""
}

// versionLine is realty's own version as `realty version` and `realty
// --version` print it.
func versionLine() string {
	return fmt.Sprintf("realty %s (%s %s/%s)", Version(), runtime.Version(), runtime.GOOS, runtime.GOARCH)
}

// env is what every command receives: its arguments, the environment and the
// output streams.
type env struct {
	args   []string
	getenv func(string) string
	stdin  io.Reader // nil: the process's
	stdout io.Writer
	stderr io.Writer
}

type command struct {
	name, summary string
	run           func(ctx context.Context, e env) error
}

func commands() []command {
	return []command{
		{"serve", "run the HTTP server (and the embedded PostgreSQL unless REALTY_DATABASE_URL is set)", runServe},
		{"migrate", "apply or inspect schema migrations: up, down [-n N], status, redo, distribute --print", runMigrate},
		{"org", "administer organizations: create --name NAME --slug SLUG | export --org SLUG [--out FILE] | import [--in FILE]", runOrg},
		{"user", "administer users: create --email E --org SLUG --role ROLE | reset-password --email E", runUser},
		{"import", "import MLS listings: reso --org SLUG FILE [--source NAME] [--rejects FILE]", runImport},
		{"apikey", "create an API key for an organization: create --org SLUG --name N --permissions P,P", runAPIKey},
		{"seed", "load deterministic benchmark data: --scale [--orgs N --listings M --seed S]", runSeed},
		{"ledger", "verify an organization's books: check --org SLUG", runLedger},
		{"billing", "bill a month's rent and late fees: run --org SLUG [--period YYYY-MM] [--preview]", runBilling},
		{"backup", "write a full backup: [--to DIR] | --base (for point-in-time recovery) | verify FROM (restore into a throw-away cluster and compare)", runBackup},
		{"restore", "restore a backup into an empty data directory or database: FROM [--force] | --to-time T | --to-name N | --to-xid X [--into DIR] (point in time)", runRestore},
		{"restore-point", "create a named restore point for point-in-time recovery: NAME [--switch-wal]", runRestorePoint},
		{"doctor", "check the database's health and say what to do about each finding", runDoctor},
		{"version", "print realty's and PostgreSQL's versions", runVersion},
		{"openapi", "print the API's OpenAPI document (what /api/openapi.json serves), without a database", runOpenAPI},
	}
}

// Run runs the command named by args[0] and returns the process exit code:
// 0 on success, 1 when the command failed, 2 for a usage error.
func Run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		usage(stdout)
		return 0
	}
	if args[0] == "--version" {
		fmt.Fprintln(stdout, versionLine())
		return 0
	}
	for _, c := range commands() {
		if c.name != args[0] {
			continue
		}
		err := c.run(ctx, env{args: args[1:], getenv: getenv, stdout: stdout, stderr: stderr})
		switch {
		case err == nil:
			return 0
		case errors.Is(err, flag.ErrHelp):
			return 0
		case errors.Is(err, errUsage):
			fmt.Fprintf(stderr, "realty %s: %v\n", c.name, err)
			return 2
		case errors.Is(err, errChecksFailed):
			return 1
		}
		fmt.Fprintf(stderr, "realty %s: %s\n", c.name, describe(err))
		return 1
	}
	fmt.Fprintf(stderr, "realty: unknown command %q\n\n", args[0])
	usage(stderr)
	return 2
}

// describe shows an error to the operator: a realty.Error's message with the
// fields it names, anything else in full (the operator may see causes).
func describe(err error) string {
	var re *realty.Error
	if errors.As(err, &re) && re.Kind == realty.Invalid && len(re.Fields) > 0 {
		return re.Message
	}
	return err.Error()
}

var (
	errUsage        = errors.New("usage")
	errChecksFailed = errors.New("checks failed")
)

func usageErr(format string, args ...any) error {
	return fmt.Errorf("%w: %s", errUsage, fmt.Sprintf(format, args...))
}

func usage(w io.Writer) {
	var b strings.Builder
	b.WriteString("realty runs a real-estate business on PostgreSQL.\n\nUsage: realty <command> [flags]\n\nCommands:\n")
	for _, c := range commands() {
		fmt.Fprintf(&b, "  %-10s %s\n", c.name, c.summary)
	}
	b.WriteString("\nConfiguration comes from REALTY_* environment variables (see README.md); 'realty <command> -h' lists a command's flags; 'realty --version' prints the version.\n")
	fmt.Fprint(w, b.String())
}

// flags returns a flag set for a subcommand that reports errors instead of
// exiting, and prints its usage to e.stderr.
func (e env) flags(name string) *flag.FlagSet {
	fs := flag.NewFlagSet("realty "+name, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	return fs
}
