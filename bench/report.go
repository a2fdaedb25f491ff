package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"

	"github.com/jackc/pgx/v5"
)

// machine describes where the figures were measured.
type machine struct {
	CPU      string `json:"cpu"`
	Cores    int    `json:"cores"`
	MemoryGB int    `json:"memory_gib"`
	Kernel   string `json:"kernel"`
	Go       string `json:"go"`
	Postgres string `json:"postgres"`
}

func readMachine(ctx context.Context, adminURL string) machine {
	m := machine{Cores: runtime.NumCPU(), Go: runtime.Version()}
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if v, ok := strings.CutPrefix(line, "model name"); ok {
				m.CPU = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(v), ":"))
				break
			}
		}
	}
	m.MemoryGB = (rssLine("/proc/meminfo", "MemTotal") + 512*1024) / (1024 * 1024)
	if b, err := os.ReadFile("/proc/sys/kernel/osrelease"); err == nil {
		m.Kernel = strings.TrimSpace(string(b))
	}
	if conn, err := pgx.Connect(ctx, adminURL); err == nil {
		_ = conn.QueryRow(ctx, "SHOW server_version").Scan(&m.Postgres)
		conn.Close(ctx)
	}
	return m
}

// rssLine reads a "Name: N kB" line of a /proc file.
func rssLine(path, name string) int {
	b, _ := os.ReadFile(path)
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, name+":"); ok {
			var n int
			fmt.Sscanf(strings.TrimSpace(v), "%d", &n)
			return n
		}
	}
	return 0
}

// goal is one target of the benchmark issue and whether it was met.
type goal struct {
	What string
	Met  bool
	Seen string
}

func goals(rep *report) []goal {
	var out []goal
	for _, r := range rep.Results {
		switch r.ID {
		case "W1":
			seen := fmt.Sprintf("%.2f×, p99 %.2f ms in the closed loop (raw SQL's %.2f ms)", r.Ratio, r.Realty.P99, r.Raw.P99)
			if r.RealtyPaced != nil {
				seen += fmt.Sprintf("; p99 %.2f ms at %.0f req/s", r.RealtyPaced.P99, rep.Config.Paced)
			}
			out = append(out, goal{fmt.Sprintf("W1 %s ≥ 0.50× raw, p99 ≤ 5 ms at %d connections", r.Name, rep.Config.Clients),
				r.Ratio >= 0.5 && r.Realty.P99 <= 5, seen})
			for _, pg := range []struct {
				peer string
				want float64
			}{{"pocketbase", 4}, {"directus", 40}} {
				peer, want := pg.peer, pg.want
				if p, ok := r.Peers[peer]; ok && p.Throughput > 0 {
					x := r.Realty.Throughput / p.Throughput
					out = append(out, goal{fmt.Sprintf("W1 %s ≥ %.0f× %s", r.Name, want, peer), x >= want, fmt.Sprintf("%.1f×", x)})
				} else if why, ok := r.PeerErrors[peer]; ok {
					out = append(out, goal{fmt.Sprintf("W1 %s ≥ %.0f× %s", r.Name, want, peer), false, "not measured: " + why})
				}
			}
		case "W5":
			seen := fmt.Sprintf("%.2f×, p50 %.2f ms, p99 %.2f ms (raw SQL's %.2f / %.2f ms)", r.Ratio, r.Realty.P50, r.Realty.P99, r.Raw.P50, r.Raw.P99)
			met := r.Ratio >= 0.6
			if p := rep.Payments; p != nil {
				seen += fmt.Sprintf("; %d keyed retries: %d duplicates", p.Resent, p.Duplicates)
				met = met && p.Duplicates == 0 && p.Lost == 0 && p.Mismatched == 0
			}
			out = append(out, goal{fmt.Sprintf("W5 payment posting ≥ 0.60× raw at %d connections, 0 duplicates under retries", rep.Config.Clients), met, seen})
		case "W7":
			out = append(out, goal{fmt.Sprintf("W7 %s p99 ≤ 20 ms and ≥ 0.50× raw at %d connections", r.Name, rep.Config.Clients),
				r.Realty.P99 <= 20 && r.Ratio >= 0.5, fmt.Sprintf("p99 %.2f ms (raw SQL's %.2f ms), %.2f×", r.Realty.P99, r.Raw.P99, r.Ratio)})
		case "W9", "W10":
			out = append(out, goal{fmt.Sprintf("%s %s ≥ 0.50× raw at %d connections", r.ID, r.Name, rep.Config.Clients), r.Ratio >= 0.5,
				fmt.Sprintf("%.2f×, p99 %.2f ms (raw SQL's %.2f ms)", r.Ratio, r.Realty.P99, r.Raw.P99)})
		default:
			out = append(out, goal{fmt.Sprintf("%s %s ≥ 0.40× raw", r.ID, r.Name), r.Ratio >= 0.4, fmt.Sprintf("%.2f×", r.Ratio)})
		}
	}
	if rep.CopyRate > 0 {
		x := rep.ImportRate / rep.CopyRate
		out = append(out, goal{"W4 import ≥ 0.70× raw COPY", x >= 0.7, fmt.Sprintf("%.2f×", x)})
	}
	if w := rep.Billing; w != nil {
		out = append(out, goal{fmt.Sprintf("W6 billing run of %d leases ≤ 20 s", w.Leases), w.Seconds <= 20 && w.OnePerLease,
			fmt.Sprintf("%.1f s, %.0f invoices/s, %.2f× raw SQL; rerun %.1f s, %d inserted", w.Seconds, w.PerSecond, w.Ratio, w.RerunSeconds, w.RerunInvoices)})
	}
	if m := rep.Match; m != nil {
		out = append(out, goal{"W8 match job p99 ≤ 20 ms", m.JobP99 <= 20, fmt.Sprintf("%.2f ms (raw query %.2f ms)", m.JobP99, m.RawP99)},
			goal{"W8 full rematch ≤ 10 min", m.RematchSeconds <= 600, fmt.Sprintf("%.0f s, %.0f pairs/s", m.RematchSeconds, m.PairsPerSecond)})
	}
	return out
}

// writeReport writes the JSON results and, unless smoke, docs/benchmarks.md.
// A smoke run fails when any workload erred or did nothing.
func writeReport(cfg config, rep *report, repo string) error {
	b, err := json.MarshalIndent(rep, "", "  ")
	if err != nil {
		return err
	}
	if cfg.Smoke {
		path := filepath.Join(repo, "bench", "work", "smoke.json")
		if err := os.WriteFile(path, b, 0o644); err != nil {
			return err
		}
		fmt.Fprint(os.Stderr, markdown(rep))
		if len(rep.Errors) > 0 || (len(rep.Results) == 0 && readsWanted(cfg)) || (wants(cfg, "W4") && rep.ImportRate == 0) ||
			(wants(cfg, "W8") && (rep.Match == nil || rep.Match.Jobs == 0 || rep.Match.RematchPairs == 0)) ||
			(wants(cfg, "W5") && rep.Payments == nil) ||
			(wants(cfg, "W6") && (rep.Billing == nil || rep.Billing.Invoices == 0 || rep.Billing.RerunInvoices != 0 || rep.Billing.RawInvoices == 0)) {
			return errors.New("smoke run failed: " + strings.Join(rep.Errors, "; "))
		}
		return nil
	}
	dir := inRepo(repo, cfg.Results)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	name := strings.NewReplacer(":", "", "-", "").Replace(rep.Date[:16]) + ".json"
	if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
		return err
	}
	return os.WriteFile(inRepo(repo, cfg.Out), []byte(markdown(rep)), 0o644)
}

// inRepo resolves a path given on the command line: relative to the
// repository, or as given when absolute.
func inRepo(repo, path string) string {
	if filepath.IsAbs(path) {
		return path
	}
	return filepath.Join(repo, path)
}

// pacedTable shows W1 at the fixed offered rate, when it was measured.
func pacedTable(rep *report) string {
	var b strings.Builder
	for _, r := range rep.Results {
		if r.RealtyPaced == nil || r.RawPaced == nil {
			continue
		}
		if b.Len() == 0 {
			fmt.Fprintf(&b, "\n**W1 latency when not saturated.** The closed loop keeps every connection busy, so its latency is "+
				"mostly queueing: with %d requests always in flight on %d cores the mean is %d ÷ throughput (Little's law), "+
				"for realty and the raw SQL alike. Here the same W1 requests are offered at a fixed %.0f req/s over the same %d "+
				"connections (one run of %s), each latency counted from when the request was due:\n\n",
				rep.Config.Clients, rep.Machine.Cores, rep.Config.Clients, rep.Config.Paced, rep.Config.Clients, rep.Config.Duration)
			b.WriteString("| workload | side | req/s | p50 ms | p95 ms | p99 ms | server CPU ms/req | PostgreSQL CPU ms/req |\n|---|---|---:|---:|---:|---:|---:|---:|\n")
		}
		for _, side := range []struct {
			name string
			r    *run
		}{{"realty", r.RealtyPaced}, {"raw SQL", r.RawPaced}} {
			fmt.Fprintf(&b, "| W1 %s | %s | %.0f | %.2f | %.2f | %.2f | %.3f | %.3f |\n", r.Name, side.name, side.r.Throughput,
				side.r.P50, side.r.P95, side.r.P99, side.r.ServerCPU, side.r.DatabaseCPU)
		}
	}
	return b.String()
}

func markdown(rep *report) string {
	var b strings.Builder
	c, m := rep.Config, rep.Machine
	fmt.Fprintf(&b, "# Benchmarks\n\nWritten by `bench/` (see bench/README.md) on %s. Command:\n\n    %s\n\n", rep.Date, rep.Command)
	fmt.Fprintf(&b, "Machine: %s, %d cores, %d GiB, Linux %s, %s, PostgreSQL %s. ", m.CPU, m.Cores, m.MemoryGB, m.Kernel, m.Go, m.Postgres)
	fmt.Fprintf(&b, "Data: %d listings and %d CRM clients over %d organizations (`realty seed --scale`, seed 1), embedded cluster in `%s`. ",
		c.Listings, c.CRMClients, c.Orgs, c.DataDir)
	fmt.Fprintf(&b, "Each figure is the median of %d runs of %s after %s of warm-up, %d clients in a closed loop.\n\n", c.Runs, c.Duration, c.Warmup, c.Clients)
	b.WriteString(`**How the cores are shared.** The load generator (this harness, Go, keep-alive HTTP), realty and
PostgreSQL run on the same machine and share its cores; nothing is pinned. The raw-SQL side runs the
same statements realty sends (the scoping statement and the query in one pipeline, prepared, rows
decoded) from the harness through pgx with as many connections as clients, so "raw" is the database's
limit on this machine with a client of the same kind, not a free lunch. CPU columns are CPU-milliseconds
per request: of the server process (realty or a peer), of all PostgreSQL processes, and of the
generator itself.

`)
	b.WriteString("| workload | side | req/s | p50 ms | p95 ms | p99 ms | server CPU ms/req | PostgreSQL CPU ms/req | generator CPU ms/req | × raw |\n")
	b.WriteString("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|\n")
	row := func(name, side string, r run, ratio string) {
		fmt.Fprintf(&b, "| %s | %s | %.0f | %.2f | %.2f | %.2f | %.3f | %.3f | %.3f | %s |\n", name, side, r.Throughput, r.P50, r.P95, r.P99,
			r.ServerCPU, r.DatabaseCPU, r.GeneratorCPU, ratio)
	}
	for _, r := range rep.Results {
		name := r.ID + " " + r.Name
		row(name, "realty", r.Realty, fmt.Sprintf("**%.2f**", r.Ratio))
		row(name, "raw SQL", r.Raw, "1")
		for _, peer := range slices.Sorted(maps.Keys(r.Peers)) {
			p := r.Peers[peer]
			row(name, peer, p, fmt.Sprintf("%.3f", p.Throughput/max(r.Raw.Throughput, 1)))
		}
	}
	b.WriteString(pacedTable(rep))
	if p := rep.Payments; p != nil {
		fmt.Fprintf(&b, "\n**W5 retries.** %d requests resent with the key and body of a payment already answered (every 50th, each "+
			"twice at once): %d duplicate payments, %d keys without their payment, %d answers not byte-identical to the first.\n",
			p.Resent, p.Duplicates, p.Lost, p.Mismatched)
	}
	if rep.CopyRate > 0 {
		fmt.Fprintf(&b, "\n**W4 import** of %d RESO CSV rows into a fresh organization: `realty import reso` (the CLI, process start included) "+
			"%.0f rows/s; a raw COPY of the same rows (a property and a listing each, superuser, one transaction) %.0f rows/s: **%.2f×**.\n",
			c.ImportRows, rep.ImportRate, rep.CopyRate, rep.ImportRate/rep.CopyRate)
	}
	if w := rep.Billing; w != nil {
		fmt.Fprintf(&b, "\n**W6 billing run** of %d active leases over %d organizations, period %s, through `leasing.Service.RunBilling` "+
			"(one transaction per organization, %d organizations at once, as realty serve's job queue runs them): %d invoices in %.1f s, **%.0f invoices/s**; a second run %.2f s, %d inserted. "+
			"The same invoices, lines, journal entries and journal lines as hand-written set-based SQL (one transaction per organization, "+
			"as many at once, period %s): %.1f s, %.0f invoices/s: **%.2f×**. One invoice per lease: %v; `ledger.CheckDB` on %d organizations: %d findings.\n",
			w.Leases, w.Orgs, w.Period, w.Workers, w.Invoices, w.Seconds, w.PerSecond, w.RerunSeconds, w.RerunInvoices, w.RawPeriod, w.RawSeconds,
			w.RawPerSecond, w.Ratio, w.OnePerLease, w.CheckedOrgs, len(w.CheckFindings))
	}
	if w := rep.Dashboards; w != nil {
		fmt.Fprintf(&b, "\n**W7 dashboards and statements** read organization %s as of %s: %d units (%d vacant in the %d W7 properties of 500), "+
			"%d invoices, %d journal lines (two years of monthly rent invoices, payments and allocations; bench/README.md). "+
			"`dashboard` is what `/dashboard` reads (`leasing.Service.Dashboard`: occupancy, this month's collections, AR aging, materialized as one report); "+
			"`income_statement` is `ledger.Service.IncomeStatement` over the year to today. The realty side's four reports are "+
			"materialized (the ledger's report snapshots): served while no input row is newer than the stored result's watermark, "+
			"computed again otherwise or past 2 min (docs/ledger.md, \"Materialized reports\"); the raw side runs the live SQL every time. "+
			"The monthly summary's refresh before the runs summed %d months in %.1f s.\n", w.Org, w.AsOf, w.Units, w.Vacant, w.Properties, w.Invoices, w.JournalLines,
			w.SummaryMonths, w.SummarySeconds)
	}
	if w := rep.Deals; w != nil {
		fmt.Fprintf(&b, "\n**W10 deal board and document search** read organization %s: %d deals (%d open, the rest closed, fallen "+
			"through or withdrawn; %d stage changes), %d documents with %d versions (3 to 5 each; the text of each version drawn from a "+
			"vocabulary, bench/deals_seed.go), seeded in %.1f s (0: seeded by an earlier run). `board` is `GET /api/v1/deal-board` "+
			"(nine columns of up to 50 deals and their counts); `doc_search` is `GET /api/v1/documents?q=WORD&limit=20`, one of %d words "+
			"that occur in %.2f–%.2f %% of the documents, in their current version (median %.2f %%), ranked.\n", w.Org, w.Deals, w.Open, w.History, w.Documents, w.Versions,
			w.SeedSeconds, w.Words, w.MatchMin, w.MatchMax, w.MatchMedian)
	}
	if m := rep.Match; m != nil {
		fmt.Fprintf(&b, "\n**W8 matching** over %d saved preferences (%d organizations): the match job of one listing against its "+
			"organization's preferences (prefilter in SQL, scoring in Go, matches stored) p50 %.2f ms, p99 %.2f ms over %d listings; "+
			"the same match as one hand-written query (`crm.RawMatchSQL`: prefilter and scores in SQL, nothing stored) p50 %.2f ms, "+
			"p99 %.2f ms. Full rematch of every preference against the listings, every match written anew: %.1f s, %d pairs scored, **%.0f pairs/s** "+
			"(%d organizations measured in %.1f s, extrapolated to all); again with nothing changed: %.1f s.\n",
			m.Preferences, c.Orgs, m.JobP50, m.JobP99, m.Jobs, m.RawP50, m.RawP99, m.RematchSeconds, m.RematchPairs, m.PairsPerSecond,
			m.RematchOrgs, m.MeasuredSeconds, m.AgainSeconds)
	}
	fmt.Fprintf(&b, "\nPeak memory: realty %.0f MiB (VmHWM); PostgreSQL %.0f MiB (the largest sum of its processes' proportional set size seen after a run, shared buffers counted once).\n\n## Goals\n\n| goal | seen | met |\n|---|---|---|\n",
		rep.RealtyPeakMiB, rep.PostgresPeakMiB)
	for _, g := range goals(rep) {
		met := "no"
		if g.Met {
			met = "yes"
		}
		fmt.Fprintf(&b, "| %s | %s | %s |\n", g.What, g.Seen, met)
	}
	b.WriteString(peerNotes(rep))
	said := map[string]bool{}
	for _, r := range rep.Results {
		for peer, why := range r.PeerErrors {
			if !said[peer] {
				said[peer] = true
				fmt.Fprintf(&b, "\nPeer %s was not measured: %s\n", peer, why)
			}
		}
	}
	if len(rep.Errors) > 0 {
		fmt.Fprintf(&b, "\n## Errors\n\n- %s\n", strings.Join(rep.Errors, "\n- "))
	}
	return b.String()
}

// peerNotes describes each peer that was measured.
func peerNotes(rep *report) string {
	var b strings.Builder
	seen := map[string]bool{}
	for _, r := range rep.Results {
		for name := range r.Peers {
			if d, ok := peers[name].(Describer); ok && !seen[name] {
				seen[name] = true
				fmt.Fprintf(&b, "\n**%s.** %s\n", name, d.Describe())
			}
		}
	}
	return b.String()
}

// readsWanted reports whether a read workload (W1, W2, W3, W7, W9, W10) was asked
// for, so a smoke run of W4, W6 or W8 alone is judged on those.
func readsWanted(cfg config) bool {
	return wants(cfg, "W1") || wants(cfg, "W2") || wants(cfg, "W3") || wants(cfg, "W7") || wants(cfg, "W9") || wants(cfg, "W10")
}
