package server

import (
	"bufio"
	"encoding/json"
	"log/slog"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"

	"realty/internal/postgres/pgtest"
)

// deployDir is the repository's deploy directory, from this package's.
var deployDir = filepath.Join("..", "..", "deploy")

// metricRef finds the metric names a PromQL expression uses: realty's own,
// the Go client's process and runtime ones, and Prometheus's up.
var metricRef = regexp.MustCompile(`\b(realty_[a-z0-9_]+|process_[a-z0-9_]+|go_[a-z0-9_]+|up)\b`)

var quoted = regexp.MustCompile(`"(?:[^"\\]|\\.)*"`)

// usedMetrics returns the metric names in expr (label values and strings
// dropped first).
func usedMetrics(expr string) []string {
	var out []string
	for _, m := range metricRef.FindAllStringSubmatch(quoted.ReplaceAllString(expr, `""`), -1) {
		out = append(out, m[1])
	}
	return out
}

var fqName = regexp.MustCompile(`fqName: "([^"]+)"`)

// exportedMetrics scrapes a realty registry over a real database (after one
// observed request) and returns every metric name it serves, with a
// histogram's series names, plus the declared ones a scrape leaves out when
// they have no sample (jobs of a state, a standby, archiver ages) and up,
// the series Prometheus itself records per scrape target.
func exportedMetrics(t *testing.T) map[string]bool {
	t.Helper()
	db := pgtest.New(t)
	m := NewMetrics(db.Pool, slog.New(slog.DiscardHandler))
	m.SetBuildInfo("test", "none")
	m.observe("GET /healthz", "GET", 200, time.Millisecond)
	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	names := map[string]bool{"up": true}
	sc := bufio.NewScanner(strings.NewReader(rec.Body.String()))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) == 4 && f[0] == "#" && f[1] == "TYPE" {
			names[f[2]] = true
			if f[3] == "histogram" {
				for _, s := range []string{"_bucket", "_sum", "_count"} {
					names[f[2]+s] = true
				}
			}
		}
	}
	if !names["realty_db_up"] || !names["realty_http_request_duration_seconds_bucket"] || !names["process_start_time_seconds"] {
		t.Fatalf("scrape lacks realty's metrics:\n%.2000s", rec.Body.String())
	}
	for _, d := range append(slices.Clone(dbDescs), riverJobs) {
		if m := fqName.FindStringSubmatch(d.String()); m != nil {
			names[m[1]] = true
		}
	}
	return names
}

// rulesFile is the part of a Prometheus rules file the test reads.
type rulesFile struct {
	Groups []struct {
		Name  string
		Rules []struct {
			Alert string
			Expr  string
		}
	}
}

// TestAlertRules: deploy/prometheus/alerts.yml passes promtool check rules
// (Debian's prometheus package; the test fails, never skips, without it),
// names only metrics realty exports, and every alert is explained in
// docs/operations.md.
func TestAlertRules(t *testing.T) {
	t.Parallel()
	path := filepath.Join(deployDir, "prometheus", "alerts.yml")
	promtool, err := exec.LookPath("promtool")
	if err != nil {
		t.Fatal("promtool not found: install it with `sudo apt-get install prometheus` (README, Prerequisites)")
	}
	out, err := exec.Command(promtool, "check", "rules", path).CombinedOutput()
	if err != nil {
		t.Fatalf("promtool check rules %s: %v\n%s", path, err, out)
	}
	t.Logf("promtool check rules: %s", strings.TrimSpace(string(out)))
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var rules rulesFile
	if err := yaml.Unmarshal(raw, &rules); err != nil {
		t.Fatal(err)
	}
	docs, err := os.ReadFile(filepath.Join("..", "..", "docs", "operations.md"))
	if err != nil {
		t.Fatal(err)
	}
	exported := exportedMetrics(t)
	alerts := 0
	for _, g := range rules.Groups {
		for _, r := range g.Rules {
			alerts++
			used := usedMetrics(r.Expr)
			if len(used) == 0 {
				t.Errorf("alert %s names no metric: %s", r.Alert, r.Expr)
			}
			for _, name := range used {
				if !exported[name] {
					t.Errorf("alert %s uses %s, which realty does not export", r.Alert, name)
				}
			}
			if !strings.Contains(string(docs), "`"+r.Alert+"`") {
				t.Errorf("alert %s is not explained in docs/operations.md", r.Alert)
			}
		}
	}
	if alerts < 12 {
		t.Fatalf("only %d alerts parsed from %s", alerts, path)
	}
}

// dashboard is the part of a Grafana dashboard the test reads.
type dashboard struct {
	Title  string
	Panels []struct {
		Title   string
		Targets []struct{ Expr string }
	}
}

// TestGrafanaDashboard: deploy/grafana/realty.json is a dashboard whose
// every panel queries at least one metric, and only metrics realty exports.
func TestGrafanaDashboard(t *testing.T) {
	t.Parallel()
	raw, err := os.ReadFile(filepath.Join(deployDir, "grafana", "realty.json"))
	if err != nil {
		t.Fatal(err)
	}
	var d dashboard
	if err := json.Unmarshal(raw, &d); err != nil {
		t.Fatalf("realty.json is not JSON: %v", err)
	}
	if d.Title == "" || len(d.Panels) < 10 {
		t.Fatalf("dashboard %q with %d panels", d.Title, len(d.Panels))
	}
	exported := exportedMetrics(t)
	for _, p := range d.Panels {
		used := 0
		for _, target := range p.Targets {
			for _, name := range usedMetrics(target.Expr) {
				used++
				if !exported[name] {
					t.Errorf("panel %q uses %s, which realty does not export", p.Title, name)
				}
			}
		}
		if used == 0 {
			t.Errorf("panel %q queries no metric", p.Title)
		}
	}
}
