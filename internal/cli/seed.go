package cli

import (
	"context"
	"fmt"
	"io"
	"sync"
	"time"

	"realty"
	"realty/internal/fixture"
)

// runSeed loads deterministic benchmark data: `realty seed --scale --orgs N
// --listings M [--clients C] --seed S` makes organizations seed-001…
// through the services and bulk-loads M listings (and C CRM clients with
// their timelines) into them (see docs/seed.md).
func runSeed(ctx context.Context, e env) error {
	fs := e.flags("seed")
	scale := fs.Bool("scale", false, "make the large benchmark data set (required: the demo loads with serve --demo)")
	var opt fixture.ScaleOptions
	fs.IntVar(&opt.Orgs, "orgs", 100, "organizations to create (slugs seed-001, seed-002, …)")
	fs.IntVar(&opt.Listings, "listings", 1_000_000, "listings to load, spread evenly over the organizations")
	fs.IntVar(&opt.Clients, "clients", 0, "CRM clients to load (with 20 to 50 timeline items each), spread over the organizations")
	fs.Uint64Var(&opt.Seed, "seed", 1, "random seed: the same flags make the same rows")
	asOf := fs.String("as-of", fixture.DefaultScaleAsOf.String(), "the day the data describes (YYYY-MM-DD): listing dates fall in the year before")
	fs.IntVar(&opt.Batch, "batch", 20_000, "listings per COPY batch and transaction")
	fs.IntVar(&opt.Workers, "workers", 0, "loading connections (default: the usable cores)")
	fromStdin := fs.Bool("password-stdin", false, "read the seeded users' password from stdin (default: generated and printed)")
	cfg, err := e.config(fs, "data-dir")
	if err != nil {
		return err
	}
	if !*scale {
		return usageErr("want --scale (the demo organization loads with serve --demo)")
	}
	if opt.Orgs < 1 || opt.Listings < 0 || opt.Clients < 0 || opt.Batch < 0 || opt.Workers < 0 {
		return usageErr("--orgs must be at least 1; --listings, --clients, --batch and --workers must not be negative")
	}
	if opt.AsOf, err = realty.ParseDate(*asOf); err != nil {
		return usageErr("--as-of: %v", err)
	}
	password, generated, err := e.password(*fromStdin)
	if err != nil {
		return err
	}
	opt.Password = password
	s, err := openSession(ctx, e, cfg)
	if err != nil {
		return err
	}
	defer s.close()
	fmt.Fprintf(e.stdout, "seed: %d organizations, %d listings, seed %d, as of %s\n", opt.Orgs, opt.Listings, opt.Seed, opt.AsOf)
	p := newProgress(e.stdout, opt.Listings)
	opt.Progress = p.report
	res, err := fixture.Scale(ctx, s.svc, s.db.adminURL, opt)
	if err != nil {
		return err
	}
	printSeeded(e.stdout, opt, res, generated)
	return nil
}

// printSeeded says what seeding took and how to sign in.
func printSeeded(w io.Writer, opt fixture.ScaleOptions, res fixture.ScaleResult, generated bool) {
	first, last := fixture.ScaleSlug(0, opt.Orgs), fixture.ScaleSlug(opt.Orgs-1, opt.Orgs)
	fmt.Fprintf(w, "seed: organizations in %v; %d listings in %v (%s rows/s); analyze in %v; total %v\n",
		res.OrgsTook.Round(time.Millisecond), res.Listings, res.LoadTook.Round(time.Millisecond),
		rate(res.Listings, res.LoadTook), res.AnalyzeTook.Round(time.Millisecond), res.Total.Round(time.Millisecond))
	if res.Clients > 0 {
		fmt.Fprintf(w, "seed: %d CRM clients with their timelines in %v (%s clients/s)\n", res.Clients,
			res.CRMTook.Round(time.Millisecond), rate(res.Clients, res.CRMTook))
	}
	fmt.Fprintf(w, "seed: organizations %s … %s; sign in as owner@%s.example or agent1@%s.example", first, last, first, first)
	if generated {
		fmt.Fprintf(w, " with\npassword: %s\n", opt.Password)
	} else {
		fmt.Fprintln(w, " with the password given")
	}
}

// progress prints how far loading got, at most every two seconds (and at
// the end), with the rate since loading started.
type progress struct {
	mu      sync.Mutex
	w       io.Writer
	total   int
	made    time.Time // when the command started making organizations
	start   time.Time // when loading started
	printed time.Time
}

func newProgress(w io.Writer, total int) *progress {
	now := time.Now()
	return &progress{w: w, total: total, made: now, start: now, printed: now}
}

func (p *progress) report(loaded int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	now := time.Now()
	if loaded == 0 { // loading starts: the organizations are made
		p.start, p.printed = now, now
		fmt.Fprintf(p.w, "seed: organizations made in %v; loading listings\n", now.Sub(p.made).Round(time.Millisecond))
		return
	}
	if loaded < p.total && now.Sub(p.printed) < 2*time.Second {
		return
	}
	p.printed = now
	fmt.Fprintf(p.w, "seed: %d/%d listings (%d%%), %s rows/s\n", loaded, p.total, loaded*100/max(p.total, 1),
		rate(loaded, now.Sub(p.start)))
}

func rate(n int, d time.Duration) string {
	if d <= 0 {
		return "-"
	}
	return fmt.Sprintf("%.0f", float64(n)/d.Seconds())
}
