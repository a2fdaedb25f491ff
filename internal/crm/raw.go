package crm

import (
	"context"
	"strings"

	"github.com/jackc/pgx/v5"

	"realty"
	"realty/internal/listing"
	"realty/internal/postgres"
)

// RawMatchSQL is one listing's match done as a single hand-written query,
// the raw limit the W8 benchmark compares the engine with: the same
// prefilter as PreferencesForListingSQL and the same soft scores computed in
// SQL (the keywords searched in the remarks only), returning each
// preference's score without storing anything.
const RawMatchSQL = `WITH c AS (` + PreferencesForListingSQL + `), s AS (
	SELECT c.id,
		round(35 * greatest(0, least(1, CASE
			WHEN c.price_max IS NOT NULL AND @price::numeric > c.price_max THEN 1 - (@price::numeric - c.price_max) / c.price_max / 0.1
			WHEN c.price_min IS NOT NULL AND @price::numeric < c.price_min THEN 1 - (c.price_min - @price::numeric) / c.price_min / 0.1
			ELSE 1 END))) AS price,
		round(20 * greatest(0, least(1, CASE WHEN c.radius_km IS NULL THEN 1 ELSE
			1 - (2 * 6371 * asin(sqrt(power(sin(radians(@lat::float8 - c.centre_lat) / 2), 2)
				+ cos(radians(c.centre_lat)) * cos(radians(@lat::float8)) * power(sin(radians(@lon::float8 - c.centre_lon) / 2), 2)))
				- c.radius_km) / (c.radius_km * 0.5) END))) AS location,
		round(15 * CASE WHEN c.living_area_min IS NULL AND c.living_area_max IS NULL THEN 1 WHEN @area::float8 IS NULL THEN 0
			ELSE greatest(0, least(1, 1 - greatest((c.living_area_min - @area::float8) / c.living_area_min,
				(@area::float8 - c.living_area_max) / c.living_area_max, 0) / 0.2)) END) AS area,
		round(20 * CASE WHEN cardinality(c.features) = 0 THEN 1 ELSE
			(SELECT count(*) FROM unnest(c.features) f WHERE lower(f) = ANY (@features::text[]))::float8 / cardinality(c.features) END) AS features,
		round(10 * CASE WHEN cardinality(c.keywords) = 0 THEN 1 ELSE
			(SELECT count(*) FROM unnest(c.keywords) k WHERE strpos(@remarks::text, lower(k)) > 0)::float8 / cardinality(c.keywords) END) AS keywords
	FROM c)
	SELECT id, (price + location + area + features + keywords)::int AS score FROM s
	WHERE price + location + area + features + keywords >= 50`

// RawMatchArgs are RawMatchSQL's arguments for a listing.
func RawMatchArgs(org realty.ID, l listing.Facts) pgx.NamedArgs {
	args := ListingArgs(org, l)
	features := make([]string, len(l.Features))
	for i, f := range l.Features {
		features[i] = strings.ToLower(f)
	}
	args["features"], args["area"], args["remarks"] = features, l.LivingArea, strings.ToLower(l.Remarks)
	return args
}

// PreferenceCount is how many preferences the organization holds (the
// benchmark seeds only when it lacks them). Forbidden without client.read.
func (s *Service) PreferenceCount(ctx context.Context, actor realty.Actor) (int, error) {
	if err := actor.Require("client.read"); err != nil {
		return 0, err
	}
	var n int
	err := postgres.Read(ctx, s.pool, actor, func(rows pgx.Rows) error {
		rows.Next()
		return rows.Scan(&n)
	}, `SELECT count(*) FROM crm.client_preferences WHERE organization_id = $1`, actor.OrgID)
	return n, err
}
