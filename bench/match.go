package main

import (
	"cmp"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/shopspring/decimal"

	"realty"
	"realty/internal/crm"
	"realty/internal/listing"
	"realty/internal/postgres"
)

// matchResult is W8: the match job of one listing against its
// organization's preferences (p50/p99), the same match as one hand-written
// query, and a full rematch of every preference with its rate.
type matchResult struct {
	Preferences    int     `json:"preferences"`
	Jobs           int     `json:"jobs"`
	JobP50         float64 `json:"job_p50_ms"`
	JobP99         float64 `json:"job_p99_ms"`
	RawP50         float64 `json:"raw_p50_ms"`
	RawP99         float64 `json:"raw_p99_ms"`
	RematchSeconds float64 `json:"rematch_s"`
	RematchPairs   int     `json:"rematch_pairs_scored"`
	PairsPerSecond float64 `json:"rematch_pairs_per_s"`
	NewMatches     int     `json:"rematch_new_matches"`
	// RematchOrgs is how many organizations were rematched (the first ones);
	// RematchSeconds and RematchPairs are then extrapolated to all of them
	// from MeasuredSeconds. AgainSeconds is the same organizations rematched
	// a second time, nothing having changed (extrapolated the same way).
	RematchOrgs     int     `json:"rematch_orgs"`
	MeasuredSeconds float64 `json:"rematch_measured_s"`
	AgainSeconds    float64 `json:"rematch_again_s"`
}

// w8 seeds the preferences (once per data directory), then measures. The
// engine runs in the harness over the raw pool as the System actor of each
// organization, as the job worker does in realty.
func w8(ctx context.Context, cfg config, e *env) (*matchResult, error) {
	listings := listing.New(e.raw, nil, nil, nil)
	engine := crm.New(e.raw, nil, nil, nil, listings, nil)
	per := cfg.Preferences / len(e.orgs)
	res := &matchResult{}
	r := rand.New(rand.NewPCG(8, 8))
	for _, o := range e.orgs {
		n, err := seedPreferences(ctx, engine, o, per, r)
		if err != nil {
			return nil, err
		}
		res.Preferences += n
	}
	fmt.Fprintf(os.Stderr, "  W8 %d preferences over %d organizations\n", res.Preferences, len(e.orgs))
	var job, raw []float64
	var slow []slowJob
	for i := range cfg.MatchJobs {
		o := e.orgs[i%len(e.orgs)]
		ids, err := activeListings(ctx, e, o, r)
		if err != nil {
			return nil, err
		}
		for _, id := range ids {
			t := time.Now()
			fresh, err := engine.MatchListing(ctx, o.ID, id)
			if err != nil {
				return nil, fmt.Errorf("match job: %w", err)
			}
			job = append(job, ms(time.Since(t)))
			slow = append(slow, slowJob{ms: job[len(job)-1], org: o.Slug, fresh: fresh})
			t = time.Now()
			if err := rawMatch(ctx, e, listings, o, id); err != nil {
				return nil, fmt.Errorf("raw match: %w", err)
			}
			raw = append(raw, ms(time.Since(t)))
		}
	}
	res.Jobs = len(job)
	res.JobP50, res.JobP99 = pctl(job, 0.5), pctl(job, 0.99)
	res.RawP50, res.RawP99 = pctl(raw, 0.5), pctl(raw, 0.99)
	fmt.Fprintf(os.Stderr, "  W8 match job: p50 %.2f ms p99 %.2f ms | raw SQL p50 %.2f ms p99 %.2f ms (%d listings)\n",
		res.JobP50, res.JobP99, res.RawP50, res.RawP99, res.Jobs)
	slices.SortFunc(slow, func(a, b slowJob) int { return cmp.Compare(b.ms, a.ms) })
	for _, j := range slow[:min(8, len(slow))] {
		fmt.Fprintf(os.Stderr, "    slow match job: %.2f ms, %s, %d new matches\n", j.ms, j.org, j.fresh)
	}
	if err := rematchAll(ctx, cfg, e, engine, res); err != nil {
		return nil, err
	}
	return res, nil
}

// slowJob is one match job's time, for the slowest's report.
type slowJob struct {
	ms    float64
	org   string
	fresh int
}

// rematchAll measures the full rematch of the first cfg.RematchOrgs
// organizations (all when 0) on an empty table (their stored matches are
// deleted first, so every match is written), then again with nothing
// changed, and extrapolates both to all organizations.
func rematchAll(ctx context.Context, cfg config, e *env, engine *crm.Service, res *matchResult) error {
	orgs := e.orgs
	if cfg.RematchOrgs > 0 && cfg.RematchOrgs < len(orgs) {
		orgs = orgs[:cfg.RematchOrgs]
	}
	for _, o := range orgs {
		if err := postgres.Tx(ctx, e.raw, realty.System(o.ID), func(tx pgx.Tx) error {
			_, err := tx.Exec(ctx, `DELETE FROM crm.property_matches WHERE organization_id = $1`, o.ID)
			return err
		}); err != nil {
			return fmt.Errorf("clear matches: %w", err)
		}
	}
	scale := float64(len(e.orgs)) / float64(len(orgs))
	for pass := range 2 {
		start := time.Now()
		var pairs, fresh int
		for _, o := range orgs {
			t := time.Now()
			rr, err := engine.Rematch(ctx, o.ID, realty.ID{}, 0)
			if err != nil {
				return fmt.Errorf("rematch: %w", err)
			}
			pairs, fresh = pairs+rr.Pairs, fresh+rr.Fresh
			fmt.Fprintf(os.Stderr, "  W8 rematch pass %d %s: %.1f s, %d new\n", pass+1, o.Slug, time.Since(t).Seconds(), rr.Fresh)
		}
		took := time.Since(start).Seconds()
		if pass == 1 {
			res.AgainSeconds = took * scale
			fmt.Fprintf(os.Stderr, "  W8 rematch again (nothing changed): %.1f s for %d organizations, %.0f s for all\n", took, len(orgs), res.AgainSeconds)
			break
		}
		res.RematchOrgs, res.MeasuredSeconds, res.NewMatches = len(orgs), took, fresh
		res.RematchSeconds, res.RematchPairs = took*scale, int(float64(pairs)*scale)
		res.PairsPerSecond = float64(pairs) / took
		fmt.Fprintf(os.Stderr, "  W8 full rematch: %.1f s for %d organizations (%d pairs scored, %d new matches, %.0f pairs/s); %.1f s for all %d\n",
			took, len(orgs), pairs, fresh, res.PairsPerSecond, res.RematchSeconds, len(e.orgs))
	}
	return nil
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

func pctl(xs []float64, p float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	return s[min(len(s)-1, int(p*float64(len(s))))]
}

// seedPreferences gives the organization want preferences (ten per
// client) around its cities and prices, unless it has them.
func seedPreferences(ctx context.Context, engine *crm.Service, o *orgData, want int, r *rand.Rand) (int, error) {
	sys := realty.System(o.ID)
	have, err := engine.PreferenceCount(ctx, sys)
	if err != nil || have >= want {
		return have, err
	}
	var client realty.ID
	for i := have; i < want; i++ {
		if i%10 == 0 || client.IsZero() {
			c, err := engine.Create(ctx, sys, crm.Input{FirstName: fmt.Sprintf("Buyer %d", i), Source: "bench"})
			if err != nil {
				return i, err
			}
			client = c.ID
		}
		if _, err := engine.CreatePreference(ctx, sys, client, benchPreference(o, r)); err != nil {
			return i, err
		}
	}
	return want, nil
}

func benchPreference(o *orgData, r *rand.Rand) crm.PreferenceInput {
	span := max(o.High-o.Low, 1000)
	maxPrice := decimal.NewFromInt((o.Low + r.Int64N(2*span)) / 1000 * 1000)
	beds := r.IntN(4)
	in := crm.PreferenceInput{PriceMax: &maxPrice, BedroomsMin: &beds, AlertFrequency: "never",
		Features: []string{"Garage", "Pool", "Fireplace"}[:r.IntN(3)], Keywords: []string{"quiet", "view"}[:r.IntN(2)]}
	if len(o.Cities) > 0 {
		c := o.Cities[r.IntN(len(o.Cities))]
		if r.IntN(2) == 0 {
			in.Cities = []string{c.Name}
		} else {
			lat, lon, km := c.Lat, c.Lng, float64(2+r.IntN(10))
			in.CentreLat, in.CentreLon, in.RadiusKm = &lat, &lon, &km
		}
	}
	return in
}

// activeListings draws a few Active listings of the organization.
func activeListings(ctx context.Context, e *env, o *orgData, r *rand.Rand) ([]realty.ID, error) {
	var ids []realty.ID
	err := postgres.Read(ctx, e.raw, realty.System(o.ID), func(rows pgx.Rows) error {
		var err error
		ids, err = pgx.CollectRows(rows, pgx.RowTo[realty.ID])
		return err
	}, `SELECT id FROM listing.listings WHERE organization_id = $1 AND standard_status = 'Active' AND list_price >= $2
		ORDER BY list_price, id LIMIT 5`, o.ID, o.Low+r.Int64N(max(o.High-o.Low, 1)))
	return ids, err
}

// rawMatch is the same match as one query: the listing's facts, then
// crm.RawMatchSQL, every row decoded.
func rawMatch(ctx context.Context, e *env, listings *listing.Service, o *orgData, id realty.ID) error {
	sys := realty.System(o.ID)
	l, err := listings.MatchFacts(ctx, sys, id)
	if err != nil {
		return err
	}
	return e.sql(ctx, sys, crm.RawMatchSQL, crm.RawMatchArgs(o.ID, l))
}
