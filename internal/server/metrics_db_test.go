package server_test

import (
	"bufio"
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"realty/internal/metrics"
	"realty/internal/server"
)

// sample is one series of a scrape: its name, its labels as written and
// its value.
type sample struct {
	name, labels string
	value        float64
}

// scrape parses the text format of a /metrics body into its samples.
func scrape(t *testing.T, body string) []sample {
	t.Helper()
	var out []sample
	sc := bufio.NewScanner(strings.NewReader(body))
	sc.Buffer(make([]byte, 0, 64*1024), 1024*1024)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		series, val, ok := strings.Cut(line, " ")
		name, labels, _ := strings.Cut(series, "{")
		v, err := strconv.ParseFloat(val, 64)
		if !ok || err != nil {
			t.Fatalf("unparsable metrics line %q", line)
		}
		out = append(out, sample{name: name, labels: strings.TrimSuffix(labels, "}"), value: v})
	}
	return out
}

// named returns the samples of one metric.
func named(samples []sample, name string) []sample {
	var out []sample
	for _, s := range samples {
		if s.name == name {
			out = append(out, s)
		}
	}
	return out
}

func getMetrics(t *testing.T, url string) string {
	t.Helper()
	resp, err := http.Get(url + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		t.Fatalf("/metrics: %d %s", resp.StatusCode, b)
	}
	return string(b)
}

// TestMetricsDatabaseHealth: /metrics reports the database's health from a
// real PostgreSQL with plausible values: connections, the cache hit ratio
// in [0, 1], a table with a quarter of its tuples dead, bounded top-N lists
// of tables and statements (pg_stat_statements is preloaded in tests), and
// the backup time the backup code reported.
func TestMetricsDatabaseHealth(t *testing.T) {
	t.Parallel()
	s := setup(t)
	ctx := context.Background()
	admin, err := pgx.Connect(ctx, s.db.AdminURL)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close(ctx)
	_, err = admin.Exec(ctx, `CREATE TABLE public.health_probe (id int PRIMARY KEY, pad text) WITH (autovacuum_enabled = false);
		INSERT INTO public.health_probe SELECT i, repeat('x', 200) FROM generate_series(1, 20000) i;
		DELETE FROM public.health_probe WHERE id % 4 = 0`)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := admin.Exec(ctx, "SELECT pg_stat_force_next_flush()"); err != nil {
		t.Fatal(err)
	}
	metrics.BackupSucceeded(time.Unix(1796612400, 0)) // what the backup code reports
	var samples []sample
	deadline := time.Now().Add(10 * time.Second)
	for {
		samples = scrape(t, getMetrics(t, s.url))
		ratio := findLabel(samples, "realty_db_table_dead_tuple_ratio", `table="public.health_probe"`)
		if ratio != nil && ratio.value > 0.2 || time.Now().After(deadline) {
			if ratio == nil || ratio.value < 0.24 || ratio.value > 0.26 {
				t.Fatalf("dead tuple ratio of public.health_probe: %+v, want 0.25", ratio)
			}
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	checkHealthSamples(t, samples)
	if b := named(samples, "realty_backup_last_success_timestamp_seconds"); len(b) != 1 || b[0].value != 1796612400 {
		t.Errorf("backup time %+v, want the one reported", b)
	}
	if strings.Contains(s.logs.String(), "database health") {
		t.Errorf("a health query failed:\n%s", s.logs)
	}
}

func findLabel(samples []sample, name, label string) *sample {
	for _, s := range named(samples, name) {
		if strings.Contains(s.labels, label) {
			return &s
		}
	}
	return nil
}

func checkHealthSamples(t *testing.T, samples []sample) {
	t.Helper()
	one := func(name string) float64 {
		got := named(samples, name)
		if len(got) != 1 {
			t.Fatalf("%s: %d samples, want 1", name, len(got))
		}
		return got[0].value
	}
	if v := one("realty_db_up"); v != 1 {
		t.Errorf("realty_db_up = %v", v)
	}
	conns := 0.0
	for _, c := range named(samples, "realty_db_connections") {
		conns += c.value
	}
	if active := findLabel(samples, "realty_db_connections", `state="active"`); conns < 1 || active == nil || active.value < 1 {
		t.Errorf("connections %v, active %+v: the scrape's own session is active", conns, active)
	}
	if v := one("realty_db_max_connections"); v < conns {
		t.Errorf("max_connections %v < connections %v", v, conns)
	}
	if v := one("realty_db_cache_hit_ratio"); v < 0 || v > 1 {
		t.Errorf("cache hit ratio %v outside [0, 1]", v)
	}
	if v := one("realty_db_longest_transaction_seconds"); v < 0 || v > 600 {
		t.Errorf("longest transaction %v s", v)
	}
	if v := one("realty_db_statements_available"); v != 1 {
		t.Errorf("statements_available = %v, want 1 (the test cluster preloads pg_stat_statements)", v)
	}
	for name, max := range map[string]int{"realty_db_table_dead_tuple_ratio": 10, "realty_db_statement_mean_seconds": 10} {
		if n := len(named(samples, name)); n < 1 || n > max {
			t.Errorf("%s: %d series, want 1…%d", name, n, max)
		}
	}
	for _, s := range named(samples, "realty_db_statement_calls_total") {
		if !strings.HasPrefix(s.labels, `queryid="`) || strings.Count(s.labels, "=") != 1 {
			t.Errorf("statement labelled %s: only queryid, never the text", s.labels)
		}
	}
	for _, name := range []string{"realty_db_archive_mode", "realty_db_archiver_failed_total", "realty_db_replicas",
		"realty_backup_last_success_timestamp_seconds", "realty_db_blocks_hit_total", "realty_db_health_scrape_duration_seconds"} {
		one(name)
	}
}

// TestMetricsDatabaseUnreachable: a database that accepts connections and
// never answers does not hang /metrics: the scrape ends within the health
// timeout with realty_db_up 0 and the process's own metrics.
func TestMetricsDatabaseUnreachable(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		var held []net.Conn // accepted and never answered
		defer func() {
			for _, c := range held {
				c.Close()
			}
		}()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			held = append(held, c)
		}
	}()
	pool, err := pgxpool.New(context.Background(), "postgres://realty_app@"+ln.Addr().String()+"/realty?sslmode=disable&connect_timeout=60")
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	m := server.NewMetrics(pool, slog.New(slog.DiscardHandler))
	rec := httptest.NewRecorder()
	start := time.Now()
	m.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	took := time.Since(start)
	samples := scrape(t, rec.Body.String())
	if took > 5*time.Second {
		t.Errorf("scrape of a silent database took %v, want about the 2 s timeout", took)
	}
	if up := named(samples, "realty_db_up"); len(up) != 1 || up[0].value != 0 {
		t.Errorf("realty_db_up %+v, want 0", up)
	}
	if len(named(samples, "go_goroutines")) != 1 || len(named(samples, "realty_db_connections")) != 0 {
		t.Errorf("scrape lacks the process's metrics or invents database ones:\n%s", rec.Body.String())
	}
	t.Logf("scrape of a silent database: %v", took.Round(time.Millisecond))
}
