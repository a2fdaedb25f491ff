// Command bench measures realty against the SQL it runs (the physical
// limit on the machine) and against other systems on the same data, and
// writes docs/benchmarks.md and bench/results/*.json. See bench/README.md.
//
//	go run ./bench            # 1,000,000 listings and 100,000 CRM clients over 100 organizations
//	go run ./bench -smoke     # seconds, 10,000 listings: CI keeps it working
package main

import (
	"context"
	"flag"
	"fmt"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"runtime/pprof"
	"strings"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"

	"realty/internal/postgres"
)

// config is the run's settings (flags).
type config struct {
	Listings, Orgs, Clients, Runs, ImportRows int
	CRMClients, Preferences, MatchJobs        int
	RematchOrgs                               int
	Leases, BillingWorkers, Units             int
	Deals, DocVersions                        int
	Duration, Warmup                          time.Duration
	Paced                                     float64
	Peers, Workloads, DataDir, Out, Results   string
	CPUProfile                                string
	Smoke, Fresh                              bool
}

func main() {
	if err := runBench(); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

func parseFlags() config {
	var c config
	flag.IntVar(&c.Listings, "listings", 1_000_000, "listings to seed")
	flag.IntVar(&c.Orgs, "orgs", 100, "organizations to seed them over")
	flag.IntVar(&c.CRMClients, "crm-clients", 100_000, "CRM clients to seed over the organizations (20 to 50 timeline items each), for W9")
	flag.IntVar(&c.Clients, "clients", 16, "concurrent clients (and raw SQL connections)")
	flag.IntVar(&c.Runs, "runs", 3, "timed runs per workload; the median is reported")
	flag.IntVar(&c.ImportRows, "import-rows", 100_000, "rows of the W4 import file")
	flag.IntVar(&c.Preferences, "preferences", 100_000, "W8: saved preferences to seed over the organizations")
	flag.IntVar(&c.Leases, "leases", 100_000, "W6: active leases to seed over the organizations and bill")
	flag.IntVar(&c.Units, "units", 10_000, "W7: units (with two years of leases, invoices and payments) seeded in the first organization")
	flag.IntVar(&c.Deals, "deals", 50_000, "W10: deals (with their stage history) seeded in the first organization")
	flag.IntVar(&c.DocVersions, "doc-versions", 500_000, "W10: document versions (3 to 5 per document) seeded in the first organization")
	flag.IntVar(&c.BillingWorkers, "billing-workers", 4, "W6: organizations billed at once, on both sides (realty serve's River queue runs 4 jobs at once)")
	flag.IntVar(&c.MatchJobs, "match-jobs", 100, "W8: rounds of the match job (five listings each, one organization a round)")
	flag.IntVar(&c.RematchOrgs, "rematch-orgs", 0, "W8: rematch only the first n organizations and extrapolate to all (0: all)")
	flag.DurationVar(&c.Duration, "duration", 10*time.Second, "length of a timed run")
	flag.DurationVar(&c.Warmup, "warmup", 2*time.Second, "unmeasured lead-in of a run")
	flag.Float64Var(&c.Paced, "paced", 2000, "W1 also at this fixed rate (requests/s over -clients connections) for latency when not saturated; 0 skips")
	flag.StringVar(&c.Peers, "peers", "pocketbase,directus", "peers to measure on W1, or none")
	flag.StringVar(&c.Workloads, "workloads", "W1,W2,W3,W4,W5,W6,W7,W8,W9,W10", "workloads to run")
	flag.StringVar(&c.DataDir, "data-dir", "", "data directory (default /dev/shm/realty-bench-<listings>-<orgs>, reused)")
	flag.StringVar(&c.Out, "out", "docs/benchmarks.md", "report to write")
	flag.StringVar(&c.Results, "results", "bench/results", "directory of the JSON results")
	flag.StringVar(&c.CPUProfile, "cpuprofile", "", "write the harness's CPU profile of the measurements (realty's services run in it) to this file")
	flag.BoolVar(&c.Smoke, "smoke", false, "seconds-long check that the harness works (10k listings; writes bench/work/smoke.json only)")
	flag.BoolVar(&c.Fresh, "fresh", false, "seed a new data directory even if one exists")
	flag.Parse()
	if c.Smoke {
		c.Listings, c.Orgs, c.Clients, c.Runs, c.ImportRows, c.CRMClients = 10_000, 4, 2, 1, 2_000, 2_000
		c.Preferences, c.MatchJobs, c.Leases, c.Units = 400, 8, 400, 240
		c.Deals, c.DocVersions = 2_000, 10_000
		c.Duration, c.Warmup, c.Peers, c.Paced = 2*time.Second, 500*time.Millisecond, "none", 200
		c.DataDir = filepath.Join(os.TempDir(), fmt.Sprintf("realty-bench-smoke-%d", os.Getpid()))
		c.Fresh = true
	}
	if c.DataDir == "" {
		base := "/dev/shm"
		if _, err := os.Stat(base); err != nil {
			base = os.TempDir()
		}
		c.DataDir = filepath.Join(base, fmt.Sprintf("realty-bench-%d-%d", c.Listings, c.Orgs))
	}
	return c
}

func runBench() error {
	cfg := parseFlags()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	repo, err := os.Getwd()
	if err != nil {
		return err
	}
	work := filepath.Join(repo, "bench", "work")
	if err := os.MkdirAll(work, 0o755); err != nil {
		return err
	}
	bin := filepath.Join(work, "realty")
	fmt.Fprintln(os.Stderr, "== build realty")
	if err := buildRealty(repo, bin); err != nil {
		return err
	}
	srv, err := prepare(ctx, cfg, bin, work)
	if err != nil {
		return err
	}
	defer func() {
		srv.stop()
		if cfg.Smoke {
			_ = os.RemoveAll(cfg.DataDir)
		}
	}()
	stopProfile, err := startProfile(cfg.CPUProfile)
	if err != nil {
		return err
	}
	rep, err := measureAll(ctx, cfg, srv, work)
	stopProfile()
	if err != nil {
		return err
	}
	if ctx.Err() != nil {
		// An interrupted run measured only part of the workloads; its zeros
		// must not replace the last complete report.
		return fmt.Errorf("interrupted: no report written")
	}
	return writeReport(cfg, rep, repo)
}

// prepare starts realty on the data directory, seeding it first when it
// does not hold this seed.
func prepare(ctx context.Context, cfg config, bin, work string) (*server, error) {
	marker := fmt.Sprintf("listings=%d orgs=%d seed=1", cfg.Listings, cfg.Orgs)
	if cfg.CRMClients > 0 {
		marker += fmt.Sprintf(" clients=%d", cfg.CRMClients)
	}
	if cfg.Fresh || readMarker(cfg.DataDir) != marker {
		if err := os.RemoveAll(cfg.DataDir); err != nil {
			return nil, err
		}
	}
	if err := os.MkdirAll(cfg.DataDir, 0o755); err != nil {
		return nil, err
	}
	fmt.Fprintln(os.Stderr, "== start realty on", cfg.DataDir)
	srv, err := startServer(ctx, bin, cfg.DataDir, filepath.Join(work, "realty.log"))
	if err != nil {
		return nil, err
	}
	if readMarker(cfg.DataDir) != marker {
		fmt.Fprintf(os.Stderr, "== seed %d listings and %d CRM clients over %d organizations\n", cfg.Listings, cfg.CRMClients, cfg.Orgs)
		if err := srv.seed(ctx, cfg.Orgs, cfg.Listings, cfg.CRMClients); err != nil {
			srv.stop()
			return nil, err
		}
		if err := os.WriteFile(seededMarker(cfg.DataDir), []byte(marker), 0o644); err != nil {
			srv.stop()
			return nil, err
		}
	}
	// Every run starts vacuumed and analysed, so what an earlier run's
	// imports left (W4 adds organizations) is not vacuumed during this one.
	fmt.Fprintln(os.Stderr, "== vacuum and analyze")
	if err := vacuum(ctx, srv); err != nil {
		srv.stop()
		return nil, err
	}
	return srv, nil
}

// newEnv reads the organizations, makes their API keys and opens the raw
// pool.
func newEnv(ctx context.Context, cfg config, srv *server) (*env, error) {
	admin, err := pgx.Connect(ctx, adminURL(srv))
	if err != nil {
		return nil, err
	}
	defer admin.Close(ctx)
	orgs, err := loadOrgs(ctx, admin)
	if err != nil {
		return nil, err
	}
	perms := "listing.read"
	if wants(cfg, "W9") {
		perms += ",client.read,client.manage"
		for _, o := range orgs {
			if err := o.loadCRM(ctx, admin); err != nil {
				return nil, err
			}
		}
	}
	if wants(cfg, "W5") {
		perms += ",payment.record,invoice.read"
	}
	if wants(cfg, "W10") {
		perms += ",deal.read,deal.manage,document.read"
	}
	fmt.Fprintf(os.Stderr, "== API keys for %d organizations\n", len(orgs))
	for _, o := range orgs {
		if !readsWanted(cfg) && !wants(cfg, "W5") {
			break // W4, W6 and W8 send no HTTP request
		}
		if o.Key, err = srv.apiKey(ctx, o.Slug, perms); err != nil {
			return nil, err
		}
	}
	raw, err := postgres.OpenPool(ctx, "host="+srv.socketDir()+" user="+postgres.RuntimeRole+" dbname=realty", cfg.Clients)
	if err != nil {
		return nil, err
	}
	tr := &http.Transport{MaxIdleConns: 4 * cfg.Clients, MaxIdleConnsPerHost: 4 * cfg.Clients, IdleConnTimeout: time.Minute}
	return &env{srv: srv, orgs: orgs, raw: raw, client: &http.Client{Transport: tr, Timeout: 30 * time.Second}}, nil
}

func wants(cfg config, id string) bool {
	for _, w := range strings.Split(cfg.Workloads, ",") {
		if strings.EqualFold(strings.TrimSpace(w), id) {
			return true
		}
	}
	return false
}

// vacuum brings freshly loaded tables to a steady state (visibility map,
// statistics), so autovacuum does not run during the first measurements.
func vacuum(ctx context.Context, srv *server) error {
	conn, err := pgx.Connect(ctx, adminURL(srv))
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	// The matches a previous W8 run deleted and wrote again, and the
	// vacuum's own writes, are settled before anything is timed: a
	// checkpoint then would land in the measurements.
	_, err = conn.Exec(ctx, "VACUUM (ANALYZE) listing.listings, property.properties, crm.clients, crm.client_stage_changes, crm.interactions, crm.tasks, crm.client_preferences, crm.property_matches")
	if err == nil {
		_, err = conn.Exec(ctx, "CHECKPOINT")
	}
	return err
}

// startProfile starts the CPU profile to path (nothing when path is
// empty) and returns what stops it.
func startProfile(path string) (func(), error) {
	if path == "" {
		return func() {}, nil
	}
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, err
	}
	return func() {
		pprof.StopCPUProfile()
		f.Close()
	}, nil
}
