-- Substring matches on a listing's city (the RESO API's contains, startswith
-- and endswith on City) read only the organization's matches, as the street
-- address ones do with listings_org_address_trgm_idx (0008): a trigram GIN
-- index led by organization_id (btree_gin). The table exists, so the index
-- is built without blocking writes, outside a transaction.

-- +goose NO TRANSACTION

-- +goose Up
CREATE INDEX CONCURRENTLY IF NOT EXISTS listings_org_city_trgm_idx ON listing.listings USING gin (organization_id, city gin_trgm_ops);

-- +goose Down
DROP INDEX CONCURRENTLY IF EXISTS listing.listings_org_city_trgm_idx;
