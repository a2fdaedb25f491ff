package crm

import (
	"context"

	"github.com/jackc/pgx/v5"

	"realty"
	"realty/internal/listing"
	"realty/internal/postgres"
)

// scanChunkSize is how many Active listings the full rematch reads at a
// time.
const scanChunkSize = 2000

// chunkSize is the listings the full rematch reads at a time.
func (s *Service) chunkSize() int {
	if s.scanChunk > 0 {
		return s.scanChunk
	}
	return scanChunkSize
}

// batchSize is the preferences the full rematch scores at a time.
func (s *Service) batchSize() int {
	if s.scanBatch > 0 {
		return s.scanBatch
	}
	return rematchBatch
}

// scanWorkers is how many goroutines score and store a full rematch's
// chunks at once, each over its own share of the batch's preferences (so
// their transactions never touch the same match, digest or preference).
const scanWorkers = 2

// rematchScan rescores prefs the way rematchMany does, but reads the
// organization's Active listings once, chunk by chunk, and checks every
// preference's hard criteria against each listing in Go instead of asking
// for each preference's candidates: one read of a few thousand listings
// serves the whole batch. The preferences are split among scanWorkers
// goroutines; each scores its share of a chunk and stores the matches in a
// transaction of its own (memory stays bounded by a chunk). The matches
// no longer had are marked inactive at the end.
func (s *Service) rematchScan(ctx context.Context, sys realty.Actor, prefs []ClientPreference) (scored, fresh int, err error) {
	var active []banded
	for _, p := range prefs {
		if p.Active {
			active = append(active, bandOf(p))
		}
	}
	shares := make([]scanShare, min(scanWorkers, len(active)))
	for i := range shares {
		shares[i].prefs = active[i*len(active)/len(shares) : (i+1)*len(active)/len(shares)]
	}
	size := s.chunkSize()
	for after := (realty.ID{}); len(active) > 0; {
		chunk, err := s.listings.ActiveChunk(ctx, sys, after, size)
		if err != nil {
			return 0, 0, err
		}
		if err := s.scoreChunk(ctx, sys, shares, chunk); err != nil {
			return 0, 0, err
		}
		if len(chunk) < size {
			break
		}
		after = chunk[len(chunk)-1].ID
	}
	var keptPrefs, keptListings []realty.ID
	for _, sh := range shares {
		scored, fresh = scored+sh.scored, fresh+sh.fresh
		keptPrefs, keptListings = append(keptPrefs, sh.keptPrefs...), append(keptListings, sh.keptListings...)
	}
	return scored, fresh, s.markGone(ctx, sys, prefs, keptPrefs, keptListings)
}

// scanShare is one worker's preferences and what it did with them.
type scanShare struct {
	prefs                   []banded
	scored, fresh           int
	keptPrefs, keptListings []realty.ID
}

// scoreChunk has every share scored against the chunk and its matches
// stored, the shares at once, and returns the first error.
func (s *Service) scoreChunk(ctx context.Context, sys realty.Actor, shares []scanShare, chunk []listing.Facts) error {
	facts := factsOf(chunk)
	errs := make(chan error, len(shares))
	for i := range shares {
		go func(sh *scanShare) { errs <- s.scoreShare(ctx, sys, sh, chunk, facts) }(&shares[i])
	}
	var first error
	for range shares {
		if err := <-errs; err != nil && first == nil {
			first = err
		}
	}
	return first
}

// scoreShare scores the share's preferences against the chunk (facts is
// the chunk prepared by factsOf) and stores the matches in one transaction.
func (s *Service) scoreShare(ctx context.Context, sys realty.Actor, sh *scanShare, chunk []listing.Facts, facts []scanFacts) error {
	var pairs []scoredPair
	for k := range chunk {
		l, x := &chunk[k], &facts[k]
		for j := range sh.prefs {
			b := &sh.prefs[j]
			if !b.admits(l, x) {
				continue
			}
			sh.scored++
			if sc, ok := ScoreMatch(b.pref, *l); ok && sc.Score >= MatchThreshold {
				pairs = append(pairs, scoredPair{pref: &b.pref, listing: l, scored: sc})
				sh.keptPrefs, sh.keptListings = append(sh.keptPrefs, b.pref.ID), append(sh.keptListings, l.ID)
			}
		}
	}
	return postgres.Tx(ctx, s.pool, sys, func(tx pgx.Tx) error {
		f, err := s.storeMatches(ctx, tx, sys, pairs)
		sh.fresh += f
		return err
	})
}

// markGone marks inactive the stored matches of prefs that are not among
// the kept pairs. It reads the active matches' pairs and leaves out the
// kept ones in Go, then marks the rest by their key: an anti-join in SQL
// against a hundred thousand kept pairs falls to a nested loop whenever
// the planner misjudges the array, which takes minutes.
func (s *Service) markGone(ctx context.Context, sys realty.Actor, prefs []ClientPreference, keptPrefs, keptListings []realty.ID) error {
	return postgres.Tx(ctx, s.pool, sys, func(tx pgx.Tx) error {
		return markGoneTx(ctx, tx, sys, prefs, keptPrefs, keptListings)
	})
}

// markGoneTx is markGone in tx.
func markGoneTx(ctx context.Context, tx pgx.Tx, sys realty.Actor, prefs []ClientPreference, keptPrefs, keptListings []realty.ID) error {
	ids := make([]realty.ID, len(prefs))
	for i, p := range prefs {
		ids[i] = p.ID
	}
	kept := make(map[[2]realty.ID]bool, len(keptPrefs))
	for i := range keptPrefs {
		kept[[2]realty.ID{keptPrefs[i], keptListings[i]}] = true
	}
	rows, err := tx.Query(ctx, `SELECT preference_id, listing_id FROM crm.property_matches
		WHERE organization_id = $1 AND preference_id = ANY ($2) AND active`, sys.OrgID, ids)
	if err != nil {
		return err
	}
	var gonePrefs, goneListings []realty.ID
	var pair [2]realty.ID
	_, err = pgx.ForEachRow(rows, []any{&pair[0], &pair[1]}, func() error {
		if !kept[pair] {
			gonePrefs, goneListings = append(gonePrefs, pair[0]), append(goneListings, pair[1])
		}
		return nil
	})
	if err != nil || len(gonePrefs) == 0 {
		return err
	}
	_, err = tx.Exec(ctx, markGoneSQL, sys.OrgID, gonePrefs, goneListings)
	return err
}

// markGoneSQL marks inactive the matches of the pairs ($2, $3).
const markGoneSQL = `UPDATE crm.property_matches m SET active = false, updated_at = now()
	FROM unnest($2::uuid[], $3::uuid[]) AS g (pref, listing)
	WHERE m.organization_id = $1 AND m.preference_id = g.pref AND m.listing_id = g.listing AND m.active`
