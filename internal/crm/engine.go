package crm

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"realty"
	"realty/internal/listing"
	"realty/internal/postgres"
)

// PreferencesForListingSQL is the engine's prefilter for one listing: the
// organization's active preferences of live clients whose hard criteria the
// listing's facts can meet (the radius by its bounding box; the exact
// distance is checked in Go).
const PreferencesForListingSQL = `SELECT ` + preferenceColumns + ` FROM crm.client_preferences p
	JOIN crm.clients c ON c.organization_id = p.organization_id AND c.id = p.client_id AND c.merged_into IS NULL
	WHERE p.organization_id = @org AND p.active AND p.list_type = @list_type
	  AND (p.price_max IS NULL OR @price::numeric <= p.price_max * 1.1) AND (p.price_min IS NULL OR @price::numeric >= p.price_min * 0.9)
	  AND (p.bedrooms_min IS NULL OR p.bedrooms_min <= @beds::int) AND (p.bathrooms_min IS NULL OR p.bathrooms_min <= @baths::numeric)
	  AND (cardinality(p.property_types) = 0 OR @type::text = ANY (p.property_types))
	  AND ((p.radius_km IS NULL AND cardinality(p.city_keys) = 0 AND cardinality(p.postal_codes) = 0)
	       OR lower(@city::text) = ANY (p.city_keys) OR @postal::text = ANY (p.postal_codes)
	       OR (@lat::float8 BETWEEN p.box_min_lat AND p.box_max_lat AND @lon::float8 BETWEEN p.box_min_lon AND p.box_max_lon))
	ORDER BY p.id`

// ListingArgs are PreferencesForListingSQL's arguments for a listing.
func ListingArgs(org realty.ID, l listing.Facts) pgx.NamedArgs {
	return pgx.NamedArgs{"org": org, "list_type": l.ListType, "price": l.ListPrice, "beds": l.Bedrooms, "baths": l.Bathrooms,
		"type": l.PropertyType, "city": l.City, "postal": l.PostalCode, "lat": l.Latitude, "lon": l.Longitude}
}

// scoredPair is a preference and a listing that match.
// It points at them, as a full rematch holds tens of thousands of pairs.
type scoredPair struct {
	pref    *ClientPreference
	listing *listing.Facts
	scored  Scored
}

// MatchListing scores one listing against the organization's saved
// preferences: it stores every match scoring at least MatchThreshold,
// rescoring the ones stored before, marks inactive the stored matches the
// listing no longer meets (it left Active, changed price or facts), and
// alerts on the new ones. A dismissed match stays dismissed unless the
// price fell below the price it was dismissed at. Run by the job a listing
// change enqueues; it returns how many matches are new.
func (s *Service) MatchListing(ctx context.Context, org, id realty.ID) (int, error) {
	sys := realty.System(org)
	l, err := s.listings.MatchFacts(ctx, sys, id)
	if realty.KindOf(err) == realty.NotFound {
		return 0, nil // gone: its matches went with it
	}
	if err != nil {
		return 0, err
	}
	var pairs []scoredPair
	if l.StandardStatus == "Active" {
		prefs, err := postgres.ReadAll[ClientPreference](ctx, s.pool, sys, PreferencesForListingSQL, ListingArgs(org, l))
		if err != nil {
			return 0, err
		}
		pairs = scorePairs(prefs, []listing.Facts{l})
	}
	kept := make([]realty.ID, len(pairs))
	for i, p := range pairs {
		kept[i] = p.pref.ID
	}
	var fresh int
	err = postgres.Tx(ctx, s.pool, sys, func(tx pgx.Tx) error {
		if fresh, err = s.storeMatches(ctx, tx, sys, pairs); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `UPDATE crm.property_matches SET active = false, updated_at = now()
			WHERE organization_id = $1 AND listing_id = $2 AND active AND NOT (preference_id = ANY ($3))`, org, id, kept)
		return err
	})
	return fresh, err
}

// scorePairs scores every preference against every listing, keeping the
// matches.
func scorePairs(prefs []ClientPreference, ls []listing.Facts) []scoredPair {
	var out []scoredPair
	for i := range prefs {
		for j := range ls {
			if sc, ok := ScoreMatch(prefs[i], ls[j]); ok && sc.Score >= MatchThreshold {
				out = append(out, scoredPair{pref: &prefs[i], listing: &ls[j], scored: sc})
			}
		}
	}
	return out
}

// criteriaOf is a preference's hard criteria for the listing side.
func criteriaOf(p ClientPreference) listing.Criteria {
	low, high := priceBand(p)
	c := listing.Criteria{ListType: p.ListType, PriceLow: low, PriceHigh: high, BedroomsMin: p.BedroomsMin,
		BathroomsMin: p.BathroomsMin, PropertyTypes: p.PropertyTypes, PostalCodes: p.PostalCodes}
	for _, city := range p.Cities {
		c.CityKeys = append(c.CityKeys, strings.ToLower(city))
	}
	if b := p.box(); b != nil {
		lb := listing.Box(*b)
		c.Box = &lb
	}
	return c
}

// candidatePage is how many listings one candidates query reads.
const candidatePage = 1000

// RematchPreference scores every Active listing meeting a preference's
// hard criteria against it, stores the matches, marks inactive the ones it
// no longer has (all of them for an inactive preference), and alerts on
// the new ones. It returns how many pairs it scored and how many matches
// are new.
func (s *Service) RematchPreference(ctx context.Context, org, id realty.ID) (scored, fresh int, err error) {
	sys := realty.System(org)
	prefs, err := postgres.ReadAll[ClientPreference](ctx, s.pool, sys, `SELECT `+preferenceColumns+` FROM crm.client_preferences p
		JOIN crm.clients c ON c.organization_id = p.organization_id AND c.id = p.client_id AND c.merged_into IS NULL
		WHERE p.organization_id = $1 AND p.id = $2`, org, id)
	if err != nil || len(prefs) == 0 {
		return 0, 0, err
	}
	return s.rematch(ctx, sys, prefs[0])
}

func (s *Service) rematch(ctx context.Context, sys realty.Actor, p ClientPreference) (scored, fresh int, err error) {
	return s.rematchMany(ctx, sys, []ClientPreference{p})
}

// rematchMany rescores prefs: their candidates' first pages read in one
// round trip (further pages one by one), and every match of the batch
// stored, and every match no longer had marked inactive, in one
// transaction.
func (s *Service) rematchMany(ctx context.Context, sys realty.Actor, prefs []ClientPreference) (scored, fresh int, err error) {
	crits := make([]listing.Criteria, len(prefs))
	for i, p := range prefs {
		crits[i] = criteriaOf(p)
	}
	pages, err := s.listings.CandidatesMany(ctx, sys, crits, candidatePage)
	if err != nil {
		return 0, 0, err
	}
	var pairs []scoredPair
	for i, p := range prefs {
		if !p.Active {
			continue
		}
		page := pages[i]
		for {
			scored += len(page)
			pairs = append(pairs, scorePairs([]ClientPreference{p}, page)...)
			if len(page) < candidatePage {
				break
			}
			if page, err = s.listings.Candidates(ctx, sys, crits[i], page[len(page)-1].ID, candidatePage); err != nil {
				return 0, 0, err
			}
		}
	}
	keptPrefs, keptListings := make([]realty.ID, len(pairs)), make([]realty.ID, len(pairs))
	for i, pr := range pairs {
		keptPrefs[i], keptListings[i] = pr.pref.ID, pr.listing.ID
	}
	err = postgres.Tx(ctx, s.pool, sys, func(tx pgx.Tx) error {
		if fresh, err = s.storeMatches(ctx, tx, sys, pairs); err != nil {
			return err
		}
		return markGoneTx(ctx, tx, sys, prefs, keptPrefs, keptListings)
	})
	return scored, fresh, err
}

// RematchResult is what one run of a full rematch did.
type RematchResult struct {
	Preferences int       `json:"preferences"`
	Pairs       int       `json:"pairs_scored"`
	Fresh       int       `json:"new_matches"`
	Next        realty.ID `json:"next" doc:"the cursor to resume after; zero when done"`
	Done        bool      `json:"done"`
}

// rematchBatch is how many preferences a full rematch reads at a time;
// each batch reads the organization's Active listings once.
const rematchBatch = 1000

// Rematch rescores the organization's preferences with ids after the
// cursor after, batch by batch, until all are done or budget has passed
// (zero: no limit); Next is where to resume. Matches are stored a listing
// chunk at a time, each chunk in a transaction of its own, so a run cut
// short loses nothing (a resumed run redoes the batch it was in).
func (s *Service) Rematch(ctx context.Context, org, after realty.ID, budget time.Duration) (RematchResult, error) {
	sys := realty.System(org)
	start := time.Now()
	var res RematchResult
	batch := s.batchSize()
	for {
		prefs, err := postgres.ReadAll[ClientPreference](ctx, s.pool, sys, `SELECT `+preferenceColumns+` FROM crm.client_preferences p
			JOIN crm.clients c ON c.organization_id = p.organization_id AND c.id = p.client_id AND c.merged_into IS NULL
			WHERE p.organization_id = $1 AND p.id > $2 ORDER BY p.id LIMIT $3`, org, after, batch)
		if err != nil {
			return res, err
		}
		if len(prefs) > 0 {
			n, f, err := s.rematchScan(ctx, sys, prefs)
			if err != nil {
				return res, err
			}
			res.Preferences += len(prefs)
			res.Pairs += n
			res.Fresh += f
			after = prefs[len(prefs)-1].ID
		}
		if len(prefs) < batch {
			res.Done = true
			return res, nil
		}
		if budget > 0 && time.Since(start) > budget {
			res.Next = after
			return res, nil
		}
	}
}

// upsertPiece is how many matches one upsert statement carries: beyond a
// few thousand, encoding the arrays costs more than the round trips saved.
const upsertPiece = 2000

// storeMatches upserts the matches, upsertPiece to a statement, and alerts
// on the ones that are new (first stored, or surfaced again by a price
// drop after a dismissal). It returns how many are new. The pairs must
// name each preference and listing pair once.
func (s *Service) storeMatches(ctx context.Context, tx pgx.Tx, sys realty.Actor, pairs []scoredPair) (int, error) {
	var fresh []freshMatch
	for len(pairs) > 0 {
		piece := pairs[:min(upsertPiece, len(pairs))]
		pairs = pairs[len(piece):]
		f, err := upsertMatches(ctx, tx, sys, piece)
		if err != nil {
			return 0, err
		}
		fresh = append(fresh, f...)
	}
	return len(fresh), s.alert(ctx, tx, sys, fresh)
}

// upsertMatches stores the pairs in one statement and returns the matches
// that surfaced now.
func upsertMatches(ctx context.Context, tx pgx.Tx, sys realty.Actor, pairs []scoredPair) ([]freshMatch, error) {
	n := len(pairs)
	ids, prefs, listings, clients := make([]realty.ID, n), make([]realty.ID, n), make([]realty.ID, n), make([]realty.ID, n)
	scores, breakdowns, prices, titles := make([]int32, n), make([]string, n), make([]string, n), make([]string, n)
	byPair := make(map[[2]realty.ID]int, n)
	for i, p := range pairs {
		b, err := json.Marshal(p.scored.Breakdown)
		if err != nil {
			return nil, fmt.Errorf("encode breakdown: %w", err)
		}
		ids[i], prefs[i], listings[i], clients[i] = realty.NewID(), p.pref.ID, p.listing.ID, p.pref.ClientID
		scores[i], breakdowns[i], prices[i], titles[i] = int32(p.scored.Score), string(b), p.listing.ListPrice.String(), p.listing.Title
		byPair[[2]realty.ID{p.pref.ID, p.listing.ID}] = i
	}
	sql, args := upsertMatchesSQL, []any{sys.OrgID, ids, prefs, listings, clients, scores, breakdowns, prices, titles}
	if oneListing(listings) {
		sql, args = upsertListingMatchesSQL, append(args, listings[0])
	}
	rows, err := tx.Query(ctx, sql, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var fresh []freshMatch
	for rows.Next() {
		var f freshMatch
		var pref, lst realty.ID
		if err := rows.Scan(&f.ID, &f.SurfacedAt, &f.Fresh, &pref, &lst); err != nil {
			return nil, err
		}
		if f.Fresh {
			f.pair = pairs[byPair[[2]realty.ID{pref, lst}]]
			fresh = append(fresh, f)
		}
	}
	return fresh, rows.Err()
}

// upsertMatchesSQL stores matches or rescores stored ones (touching one
// only when something changed), one match per element of the arrays. A
// dismissed match returns to new only when the price fell below the price
// it was dismissed at; fresh says the match surfaced now (stored first, or
// returned). Matches left unchanged return no row. The join leaves out the
// unchanged ones before the insert: the conflict path would lock each of
// them (a write per row) only for the WHERE to find nothing to do, which
// made a rematch with nothing changed cost two thirds of a first one.
const upsertMatchesSQL = upsertMatchesHead + `
	LEFT JOIN crm.property_matches o ON o.organization_id = $1 AND o.preference_id = u.pref AND o.listing_id = u.listing
` + upsertMatchesTail

// upsertListingMatchesSQL is upsertMatchesSQL for pairs of one listing
// ($10): the stored matches it compares against are read by the listing
// (property_matches_listing_idx: one range, their rows written together by
// the rematch that stored them) instead of one pair-key lookup per
// preference, each a page of its own. Right after a rematch those pages
// are cold, and the match job of a listing whose matches were all stored
// paid a disk read per preference (bench W8, docs/benchmarks.md).
const upsertListingMatchesSQL = upsertMatchesHead + `
	LEFT JOIN (SELECT s.id, s.preference_id, s.score, s.breakdown, s.price, s.active, s.listing_title, s.client_id
		FROM crm.property_matches s WHERE s.organization_id = $1 AND s.listing_id = $10) o ON o.preference_id = u.pref
` + upsertMatchesTail

// upsertMatchesHead and upsertMatchesTail are the statement around the
// join with the stored matches.
const upsertMatchesHead = `INSERT INTO crm.property_matches AS m (organization_id, id, preference_id, listing_id, client_id, score,
		breakdown, price, listing_title)
	SELECT $1, u.id, u.pref, u.listing, u.client, u.score, u.breakdown::jsonb, u.price::numeric, u.title
	FROM unnest($2::uuid[], $3::uuid[], $4::uuid[], $5::uuid[], $6::int[], $7::text[], $8::text[], $9::text[])
		AS u (id, pref, listing, client, score, breakdown, price, title)`

const upsertMatchesTail = `	WHERE o.id IS NULL OR o.score <> u.score OR o.breakdown <> u.breakdown::jsonb OR o.price <> u.price::numeric OR NOT o.active
		OR o.listing_title <> u.title OR o.client_id <> u.client
	ON CONFLICT (organization_id, preference_id, listing_id) DO UPDATE SET
		score = EXCLUDED.score, breakdown = EXCLUDED.breakdown, price = EXCLUDED.price, listing_title = EXCLUDED.listing_title,
		client_id = EXCLUDED.client_id, active = true, updated_at = now(),
		status = CASE WHEN m.status = 'dismissed' AND EXCLUDED.price < m.dismissed_price THEN 'new' ELSE m.status END,
		surfaced_at = CASE WHEN m.status = 'dismissed' AND EXCLUDED.price < m.dismissed_price THEN now() ELSE m.surfaced_at END,
		status_changed_at = CASE WHEN m.status = 'dismissed' AND EXCLUDED.price < m.dismissed_price THEN now() ELSE m.status_changed_at END,
		dismissed_price = CASE WHEN m.status = 'dismissed' AND EXCLUDED.price < m.dismissed_price THEN NULL ELSE m.dismissed_price END
	WHERE m.score <> EXCLUDED.score OR m.breakdown <> EXCLUDED.breakdown OR m.price <> EXCLUDED.price OR NOT m.active
		OR m.listing_title <> EXCLUDED.listing_title OR m.client_id <> EXCLUDED.client_id
	RETURNING m.id, m.surfaced_at, m.surfaced_at = now() AND m.status = 'new', m.preference_id, m.listing_id`

// oneListing reports whether every pair is of the same listing.
func oneListing(listings []realty.ID) bool {
	for _, l := range listings {
		if l != listings[0] {
			return false
		}
	}
	return len(listings) > 0
}

// freshMatch is a match that surfaced now.
type freshMatch struct {
	ID         realty.ID
	SurfacedAt time.Time
	Fresh      bool
	pair       scoredPair
}
