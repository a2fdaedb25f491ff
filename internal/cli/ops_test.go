package cli

import (
	"bytes"
	"encoding/json"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"realty/internal/postgres/pgtest"
)

// TestVersionFlag: realty --version prints realty's version line, the one
// realty version starts with, without touching a database.
func TestVersionFlag(t *testing.T) {
	t.Parallel()
	code, stdout, stderr := run(t, map[string]string{"REALTY_DATABASE_URL": "postgres://nobody@127.0.0.1:1/none"}, "--version")
	if code != 0 || stdout != versionLine()+"\n" || !strings.HasPrefix(stdout, "realty "+Version()+" (go") {
		t.Fatalf("--version: exit %d %q %s", code, stdout, stderr)
	}
}

var metricsURL = regexp.MustCompile(`"msg":"metrics served","url":"(http://[^"]+)"`)

// TestServeMetricsAddr: with REALTY_METRICS_ADDR and REALTY_METRICS_TOKEN,
// /metrics is served on its own listener to the token's bearer only (with
// realty_build_info of this build), and not on the main address.
func TestServeMetricsAddr(t *testing.T) {
	t.Parallel()
	db := pgtest.New(t)
	s := serve(t, map[string]string{"REALTY_DATABASE_URL": db.AppURL, "REALTY_HTTP_ADDR": "127.0.0.1:0",
		"REALTY_METRICS_ADDR": "127.0.0.1:0", "REALTY_METRICS_TOKEN": "scrape-me"})
	defer s.stop()
	m := metricsURL.FindStringSubmatch(s.stderr.String())
	if m == nil {
		t.Fatalf("no metrics listener logged:\n%s", s.stderr)
	}
	if code, body := get(t, s.url+"/metrics"); code != http.StatusNotFound || strings.Contains(body, "realty_build_info") {
		t.Fatalf("main address /metrics: %d", code)
	}
	if code, _ := get(t, m[1]); code != http.StatusUnauthorized {
		t.Fatalf("metrics without token: %d, want 401", code)
	}
	req, _ := http.NewRequest("GET", m[1], nil)
	req.Header.Set("Authorization", "Bearer scrape-me")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var b bytes.Buffer
	_, _ = b.ReadFrom(resp.Body)
	want := `realty_build_info{goversion="`
	if resp.StatusCode != 200 || !strings.Contains(b.String(), want) || !strings.Contains(b.String(), `version="`+Version()+`"} 1`) {
		t.Fatalf("metrics with token: %d, lacks realty_build_info of version %s", resp.StatusCode, Version())
	}
}

// doctorOutput is doctor -json's output.
type doctorOutput struct {
	OK     bool `json:"ok"`
	Failed int  `json:"failed"`
	Checks []struct {
		Name, Status, Detail, Advice string
	} `json:"checks"`
}

// checkDoctorJSON runs doctor -json (and -strict -json) and checks the
// shape, the binaries check in embedded mode, and the exit codes.
func checkDoctorJSON(t *testing.T, vars map[string]string) {
	t.Helper()
	code, stdout, stderr := run(t, vars, "doctor", "-json")
	var out doctorOutput
	if err := json.Unmarshal([]byte(stdout), &out); err != nil {
		t.Fatalf("doctor -json: exit %d, not JSON (%v):\n%s%s", code, err, stdout, stderr)
	}
	warnings, names := 0, map[string]string{}
	for _, c := range out.Checks {
		if c.Name == "" || c.Detail == "" || c.Advice == "" || !strings.Contains("OK WARNING FAIL", c.Status) {
			t.Errorf("incomplete check %+v", c)
		}
		names[c.Name] = c.Status
		if c.Status == "WARNING" {
			warnings++
		}
	}
	if code != 0 || !out.OK || out.Failed != 0 || names["Row-level security"] != "OK" || names["Server binaries"] != "OK" {
		t.Fatalf("doctor -json: exit %d %+v\n%s", code, names, stderr)
	}
	code, stdout, _ = run(t, vars, "doctor", "-json", "-strict")
	_ = json.Unmarshal([]byte(stdout), &out)
	if wantCode := min(warnings, 1); code != wantCode || out.Failed != warnings {
		t.Fatalf("doctor -json -strict with %d warnings: exit %d, failed %d", warnings, code, out.Failed)
	}
}
