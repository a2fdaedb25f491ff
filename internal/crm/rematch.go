package crm

import (
	"context"

	"github.com/jackc/pgx/v5"
	"github.com/shopspring/decimal"

	"realty"
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

// banded is a preference with its price band computed once.
type banded struct {
	pref      ClientPreference
	low, high *decimal.Decimal
}

// rematchScan rescores prefs the way rematchMany does, but reads the
// organization's Active listings once, chunk by chunk, and checks every
// preference's hard criteria against each listing in Go instead of asking
// for each preference's candidates: one read of a few thousand listings
// serves the whole batch. Each chunk's matches are stored in a transaction
// of their own (memory stays bounded by a chunk); the matches no longer
// had are marked inactive at the end.
func (s *Service) rematchScan(ctx context.Context, sys realty.Actor, prefs []ClientPreference) (scored, fresh int, err error) {
	var active []banded
	for _, p := range prefs {
		if p.Active {
			low, high := priceBand(p)
			active = append(active, banded{pref: p, low: low, high: high})
		}
	}
	var keptPrefs, keptListings []realty.ID
	size := s.chunkSize()
	for after := (realty.ID{}); len(active) > 0; {
		chunk, err := s.listings.ActiveChunk(ctx, sys, after, size)
		if err != nil {
			return 0, 0, err
		}
		var pairs []scoredPair
		for _, l := range chunk {
			for _, b := range active {
				if !hardWithin(b.pref, b.low, b.high, l) {
					continue
				}
				scored++
				if sc, ok := ScoreMatch(b.pref, l); ok && sc.Score >= MatchThreshold {
					pairs = append(pairs, scoredPair{pref: b.pref, listing: l, scored: sc})
					keptPrefs, keptListings = append(keptPrefs, b.pref.ID), append(keptListings, l.ID)
				}
			}
		}
		err = postgres.Tx(ctx, s.pool, sys, func(tx pgx.Tx) error {
			f, err := s.storeMatches(ctx, tx, sys, pairs)
			fresh += f
			return err
		})
		if err != nil {
			return 0, 0, err
		}
		if len(chunk) < size {
			break
		}
		after = chunk[len(chunk)-1].ID
	}
	return scored, fresh, s.markGone(ctx, sys, prefs, keptPrefs, keptListings)
}

// markGone marks inactive the stored matches of prefs that are not among
// the kept pairs.
func (s *Service) markGone(ctx context.Context, sys realty.Actor, prefs []ClientPreference, keptPrefs, keptListings []realty.ID) error {
	ids := make([]realty.ID, len(prefs))
	for i, p := range prefs {
		ids[i] = p.ID
	}
	return postgres.Tx(ctx, s.pool, sys, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, markGoneSQL, sys.OrgID, ids, keptPrefs, keptListings)
		return err
	})
}

// markGoneSQL marks inactive the active matches of the preferences $2 that
// are not among the kept pairs ($3, $4), by an anti-join (a NOT IN over a
// hundred thousand pairs would leave the hashed plan once past work_mem).
const markGoneSQL = `UPDATE crm.property_matches m SET active = false, updated_at = now()
	WHERE m.organization_id = $1 AND m.preference_id = ANY ($2) AND m.active
	  AND NOT EXISTS (SELECT FROM unnest($3::uuid[], $4::uuid[]) AS k (pref, listing)
	                  WHERE k.pref = m.preference_id AND k.listing = m.listing_id)`
