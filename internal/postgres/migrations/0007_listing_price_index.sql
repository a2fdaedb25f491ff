-- Searches by facts and price range without a status (beds, baths, price,
-- sorted by price) walk the organization's listings in price order and stop
-- at the page's end; the status-led indexes cannot serve them without a
-- status, so they read every listing in the price range and sort.

-- +goose Up
CREATE INDEX listings_price_idx ON listing.listings (organization_id, list_price, id);

-- +goose Down
DROP INDEX listing.listings_price_idx;
