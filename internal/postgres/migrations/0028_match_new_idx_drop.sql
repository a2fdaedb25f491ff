-- A preference's new matches (the digest) are found through the pair key,
-- which leads with the organization and the preference just as this index
-- did: a preference has a hundred or so matches, so filtering them on
-- status and active costs nothing, while this index cost every stored
-- match an insert of its own. Dropped concurrently since the table exists.

-- +goose NO TRANSACTION

-- +goose Up
DROP INDEX CONCURRENTLY IF EXISTS crm.property_matches_new_idx;

-- +goose Down
CREATE INDEX CONCURRENTLY IF NOT EXISTS property_matches_new_idx ON crm.property_matches (organization_id, preference_id, surfaced_at)
    WHERE status = 'new' AND active;
