package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// result is one read workload's medians.
type result struct {
	ID     string         `json:"workload"`
	Name   string         `json:"name"`
	Realty run            `json:"realty"`
	Raw    run            `json:"raw_sql"`
	Ratio  float64        `json:"realty_to_raw"`
	Peers  map[string]run `json:"peers,omitempty"`
	// RealtyPaced and RawPaced are W1 at a fixed offered rate (-paced)
	// rather than in a closed loop: latency when not saturated.
	RealtyPaced *run `json:"realty_paced,omitempty"`
	RawPaced    *run `json:"raw_sql_paced,omitempty"`
	// PeerErrors are peers that could not be measured, with the reason.
	PeerErrors map[string]string `json:"peer_errors,omitempty"`
}

// report is everything one harness run measured.
type report struct {
	Date       string         `json:"date"`
	Command    string         `json:"command"`
	Config     config         `json:"config"`
	Machine    machine        `json:"machine"`
	Results    []result       `json:"results"`
	ImportRate float64        `json:"w4_realty_rows_per_s,omitempty"`
	CopyRate   float64        `json:"w4_raw_copy_rows_per_s,omitempty"`
	Match      *matchResult   `json:"w8,omitempty"`
	Billing    *billingResult `json:"w6,omitempty"`
	// Dashboards describes W7's data.
	Dashboards *dashboardsResult `json:"w7,omitempty"`
	// Deals describes W10's data.
	Deals *dealsResult `json:"w10,omitempty"`
	// Payments is W5's retry check.
	Payments *paymentResult `json:"w5_retries,omitempty"`
	// Peak resident memory in MiB: realty's (VmHWM) and PostgreSQL's (the
	// largest sum of its processes' RSS seen after a run).
	RealtyPeakMiB   float64  `json:"realty_peak_rss_mib"`
	PostgresPeakMiB float64  `json:"postgres_peak_rss_mib"`
	Errors          []string `json:"errors,omitempty"`
}

// measureAll runs every wanted workload.
func measureAll(ctx context.Context, cfg config, srv *server, work string) (*report, error) {
	e, err := newEnv(ctx, cfg, srv)
	if err != nil {
		return nil, err
	}
	defer e.raw.Close()
	rep := &report{Date: time.Now().UTC().Format(time.RFC3339), Command: "go run ./bench " + strings.Join(os.Args[1:], " "),
		Config: cfg, Machine: readMachine(ctx, adminURL(srv))}
	pgPeak := 0
	for _, w := range readWorkloads(e) {
		if wants(cfg, w.ID) {
			rep.Results = append(rep.Results, measureWorkload(ctx, cfg, srv, w, rep, &pgPeak))
		}
	}
	if wants(cfg, "W7") {
		fmt.Fprintf(os.Stderr, "== W7: dashboards and statements, %d units\n", cfg.Units)
		var ws []workload
		ws, rep.Dashboards, err = w7(ctx, cfg, e)
		if err != nil {
			rep.Errors = append(rep.Errors, "W7: "+err.Error())
		}
		for _, w := range ws {
			rep.Results = append(rep.Results, measureWorkload(ctx, cfg, srv, w, rep, &pgPeak))
		}
	}
	if wants(cfg, "W10") {
		fmt.Fprintf(os.Stderr, "== W10: deal board and document search, %d deals, %d document versions\n", cfg.Deals, cfg.DocVersions)
		var ws []workload
		ws, rep.Deals, err = w10(ctx, cfg, e)
		if err != nil {
			rep.Errors = append(rep.Errors, "W10: "+err.Error())
		}
		for _, w := range ws {
			rep.Results = append(rep.Results, measureWorkload(ctx, cfg, srv, w, rep, &pgPeak))
		}
	}
	if wants(cfg, "W5") {
		measurePayments(ctx, cfg, srv, e, rep, &pgPeak)
	}
	if wants(cfg, "W4") {
		fmt.Fprintf(os.Stderr, "== W4: import %d rows\n", cfg.ImportRows)
		rep.ImportRate, rep.CopyRate, err = w4(ctx, srv, work, cfg.ImportRows, cfg.Runs)
		if err != nil {
			rep.Errors = append(rep.Errors, "W4: "+err.Error())
		}
	}
	if wants(cfg, "W6") {
		fmt.Fprintf(os.Stderr, "== W6: billing run, %d leases\n", cfg.Leases)
		if rep.Billing, err = w6(ctx, cfg, e); err != nil {
			rep.Errors = append(rep.Errors, "W6: "+err.Error())
		}
	}
	if wants(cfg, "W8") {
		fmt.Fprintf(os.Stderr, "== W8: matching, %d preferences\n", cfg.Preferences)
		if rep.Match, err = w8(ctx, cfg, e); err != nil {
			rep.Errors = append(rep.Errors, "W8: "+err.Error())
		}
	}
	if cfg.Peers != "none" && cfg.Peers != "" {
		if err := measurePeers(ctx, cfg, e, rep, work); err != nil {
			rep.Errors = append(rep.Errors, "peers: "+err.Error())
		}
	}
	rep.RealtyPeakMiB = float64(rssKiB(srv.pid(), "VmHWM")) / 1024
	rep.PostgresPeakMiB = float64(max(pgPeak, pssKiB(srv.postgres()))) / 1024
	return rep, nil
}

// measureWorkload runs a workload's realty and raw sides cfg.Runs times
// each and keeps the medians; a side that erred or did nothing is noted in
// rep.Errors.
func measureWorkload(ctx context.Context, cfg config, srv *server, w workload, rep *report, pgPeak *int) result {
	res := result{ID: w.ID, Name: w.Name}
	var rs, raws []run
	for i := range cfg.Runs {
		rs = append(rs, closedLoop(ctx, cfg.Clients, cfg.Warmup, cfg.Duration, w.realty.do, w.realty.server, srv.postgres))
		raws = append(raws, closedLoop(ctx, cfg.Clients, cfg.Warmup, cfg.Duration, w.raw.do, w.raw.server, srv.postgres))
		*pgPeak = max(*pgPeak, pssKiB(srv.postgres()))
		fmt.Fprintf(os.Stderr, "  %s %-18s run %d: realty %8.0f/s p99 %6.2f ms | raw %8.0f/s p99 %6.2f ms\n",
			w.ID, w.Name, i+1, rs[i].Throughput, rs[i].P99, raws[i].Throughput, raws[i].P99)
	}
	res.Realty, res.Raw = median(rs), median(raws)
	if w.ID == "W1" && cfg.Paced > 0 {
		res.RealtyPaced, res.RawPaced = paced(ctx, cfg, w, srv)
	}
	if res.Raw.Throughput > 0 {
		res.Ratio = res.Realty.Throughput / res.Raw.Throughput
	}
	for _, r := range []run{res.Realty, res.Raw} {
		if r.Errors > 0 || r.Requests == 0 {
			rep.Errors = append(rep.Errors, fmt.Sprintf("%s %s: %d errors, %d requests: %s", w.ID, w.Name, r.Errors, r.Requests, r.FirstError))
		}
	}
	return res
}

// paced runs the workload at cfg.Paced requests a second on cfg.Clients
// connections, realty and raw once each.
func paced(ctx context.Context, cfg config, w workload, srv *server) (*run, *run) {
	r := pacedLoop(ctx, cfg.Clients, cfg.Paced, cfg.Warmup, cfg.Duration, w.realty.do, w.realty.server, srv.postgres)
	raw := pacedLoop(ctx, cfg.Clients, cfg.Paced, cfg.Warmup, cfg.Duration, w.raw.do, w.raw.server, srv.postgres)
	fmt.Fprintf(os.Stderr, "  %s %-18s at %.0f/s: realty p50 %5.2f p99 %6.2f ms | raw p50 %5.2f p99 %6.2f ms\n",
		w.ID, w.Name, cfg.Paced, r.P50, r.P99, raw.P50, raw.P99)
	return &r, &raw
}

// measurePeers exports the listings once and runs the W1 shapes through
// each peer, recording a peer that fails as failed.
func measurePeers(ctx context.Context, cfg config, e *env, rep *report, work string) error {
	// In the data directory, so a new seed (new organization ids) never
	// meets the export of an old one.
	csv := filepath.Join(cfg.DataDir, "peers-listings.csv")
	if err := exportListings(ctx, e.srv, csv); err != nil {
		return err
	}
	var orgIDs []string
	for _, o := range e.orgs {
		orgIDs = append(orgIDs, o.ID.String())
	}
	for _, name := range strings.Split(cfg.Peers, ",") {
		name = strings.TrimSpace(name)
		fail := func(err error) {
			for i := range rep.Results {
				if rep.Results[i].ID == "W1" {
					if rep.Results[i].PeerErrors == nil {
						rep.Results[i].PeerErrors = map[string]string{}
					}
					rep.Results[i].PeerErrors[name] = err.Error()
				}
			}
			fmt.Fprintf(os.Stderr, "  peer %s failed: %v\n", name, err)
		}
		p, ok := peers[name]
		if !ok {
			fail(fmt.Errorf("no peer named %q is built into the harness", name))
			continue
		}
		if err := measurePeer(ctx, cfg, e, rep, p, csv, orgIDs, work); err != nil {
			fail(err)
		}
	}
	return nil
}

func measurePeer(ctx context.Context, cfg config, e *env, rep *report, p Peer, csv string, orgs []string, work string) error {
	addr, err := freeAddr()
	if err != nil {
		return err
	}
	logf, err := os.Create(filepath.Join(work, p.Name()+".log"))
	if err != nil {
		return err
	}
	defer logf.Close()
	repo, _ := os.Getwd()
	fmt.Fprintf(os.Stderr, "== peer %s\n", p.Name())
	running, err := p.Start(ctx, PeerEnv{Repo: repo, Work: filepath.Join(work, p.Name()), CSV: csv, Rows: cfg.Listings, Orgs: orgs,
		AdminURL: "postgres://postgres@/realty?host=" + e.srv.socketDir(), Addr: addr, Log: logf})
	if err != nil {
		return err
	}
	defer func() { _ = running.Stop() }()
	for i := range rep.Results {
		res := &rep.Results[i]
		if res.ID != "W1" {
			continue
		}
		rngs := newRNGs(1)
		do := func(ctx context.Context, c, _ int) error {
			_, s := searchFor(rngs.of(c), e.orgs, res.Name)
			return running.Do(ctx, e.client, s)
		}
		var runs []run
		for range cfg.Runs {
			runs = append(runs, closedLoop(ctx, cfg.Clients, cfg.Warmup, cfg.Duration, do, running.PIDs, e.srv.postgres))
		}
		m := median(runs)
		fmt.Fprintf(os.Stderr, "  W1 %-18s %s %8.0f/s p99 %6.2f ms errors %d %s\n", res.Name, p.Name(), m.Throughput, m.P99, m.Errors, m.FirstError)
		if res.Peers == nil {
			res.Peers = map[string]run{}
		}
		res.Peers[p.Name()] = m
	}
	return nil
}

// exportListings writes the peers' CSV (ExportColumns, with a header)
// unless it exists.
func exportListings(ctx context.Context, s *server, path string) error {
	if _, err := os.Stat(path); err == nil {
		return nil
	}
	conn, err := pgx.Connect(ctx, adminURL(s))
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	tmp := path + ".tmp"
	f, err := os.Create(tmp)
	if err != nil {
		return err
	}
	_, err = conn.PgConn().CopyTo(ctx, f, "COPY (SELECT "+strings.Join(ExportColumns, ", ")+
		" FROM listing.listings WHERE organization_id IN (SELECT id FROM org.organizations WHERE slug LIKE 'seed-%')) TO STDOUT WITH (FORMAT csv, HEADER)")
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	return os.Rename(tmp, path)
}
