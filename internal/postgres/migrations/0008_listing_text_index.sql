-- Full-text and partial-address search read only the organization's
-- matches. The single-column GIN indexes of migration 0004 return every
-- organization's matches for a word (110,000 of 1,000,000 listings for
-- "pool"), which are then intersected with the organization's rows; these
-- lead with organization_id (btree_gin), so the index itself narrows to the
-- organization.

-- +goose Up
CREATE EXTENSION IF NOT EXISTS btree_gin;
CREATE INDEX listings_org_search_idx ON listing.listings USING gin (organization_id, search_document);
CREATE INDEX listings_org_address_trgm_idx ON listing.listings USING gin (organization_id, street_address gin_trgm_ops);
DROP INDEX listing.listings_search_idx;
DROP INDEX listing.listings_address_trgm_idx;

-- +goose Down
CREATE INDEX listings_search_idx ON listing.listings USING gin (search_document);
CREATE INDEX listings_address_trgm_idx ON listing.listings USING gin (street_address gin_trgm_ops);
DROP INDEX listing.listings_org_address_trgm_idx;
DROP INDEX listing.listings_org_search_idx;
DROP EXTENSION IF EXISTS btree_gin;
