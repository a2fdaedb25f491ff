package listing

import (
	"context"

	"github.com/jackc/pgx/v5"
	"github.com/shopspring/decimal"

	"realty"
	"realty/internal/property"
)

// The listing side of a comparative market analysis (property.Market): the
// closed sales near a subject, the organization's own and those imported
// from an MLS alike, and the subject's asking price.

var _ property.Market = (*Service)(nil)

const closedNearSQL = `SELECT id AS listing_id, property_id, listing_key, coalesce(originating_system_name, '') AS source,
		street_address, city, round((earth_distance(` + centreExpr + `, ` + pointExpr + `) / 1000)::numeric, 3)::float8 AS distance_km,
		close_price, close_date, living_area::float8 AS living_area, bedrooms_total, bathrooms_total::float8 AS bathrooms_total,
		lot_size_area::float8 AS lot_size_area, year_built
	FROM listing.listings
	WHERE organization_id = @org AND standard_status = 'Closed' AND list_type = 'sale' AND property_type = @type
	  AND close_price IS NOT NULL AND close_date BETWEEN @since AND @until AND property_id <> @subject
	  AND latitude IS NOT NULL AND earth_box(` + centreExpr + `, @radius_m) @> ` + pointExpr + `
	  AND earth_distance(` + centreExpr + `, ` + pointExpr + `) <= @radius_m
	  AND (@area_min::float8 IS NULL OR living_area BETWEEN @area_min::float8 AND @area_max::float8)
	  AND (@beds_min::int IS NULL OR bedrooms_total BETWEEN @beds_min::int AND @beds_max::int)
	ORDER BY earth_distance(` + centreExpr + `, ` + pointExpr + `), id
	LIMIT @limit`

// ClosedNearTx returns the organization's closed sale listings matching q,
// nearest first, within tx: the radius search uses the geo index of
// migration 0009. It checks no permission (the CMA checked
// valuation.write) and returns only database errors.
func (s *Service) ClosedNearTx(ctx context.Context, tx pgx.Tx, actor realty.Actor, q property.CompQuery) ([]property.Sale, error) {
	rows, err := tx.Query(ctx, closedNearSQL, pgx.NamedArgs{"org": actor.OrgID, "type": q.PropertyType, "since": q.SoldSince,
		"until": q.SoldUntil, "subject": q.SubjectID, "lat": q.Lat, "lng": q.Lng, "radius_m": q.RadiusKm * 1000,
		"area_min": q.AreaMin, "area_max": q.AreaMax, "beds_min": q.BedsMin, "beds_max": q.BedsMax, "limit": q.Limit})
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, pgx.RowToStructByName[property.Sale])
}

// AskingPriceTx returns the list price of the property's newest sale
// listing on the market, or nil when none is, within tx. It checks no
// permission (the CMA checked its own) and returns only database errors.
func (s *Service) AskingPriceTx(ctx context.Context, tx pgx.Tx, actor realty.Actor, propertyID realty.ID) (*decimal.Decimal, error) {
	rows, err := tx.Query(ctx, `SELECT list_price FROM listing.listings
		WHERE organization_id = $1 AND property_id = $2 AND list_type = 'sale' AND standard_status::text = ANY($3)
		ORDER BY original_entry_timestamp DESC, id DESC LIMIT 1`, actor.OrgID, propertyID, OnMarketStatuses)
	if err != nil {
		return nil, err
	}
	prices, err := pgx.CollectRows(rows, pgx.RowTo[decimal.Decimal])
	if err != nil || len(prices) == 0 {
		return nil, err
	}
	return &prices[0], nil
}
