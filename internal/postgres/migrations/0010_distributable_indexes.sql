-- The organization-scoped unique keys that migration 0011 turns into
-- constraints, built first without blocking writes: an index added to a
-- table an earlier migration created is built concurrently, which cannot run
-- inside a transaction. 0011 adopts each one with ADD CONSTRAINT … USING
-- INDEX, replacing the global keys Citus cannot enforce across shards.

-- +goose NO TRANSACTION

-- +goose Up
CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS api_keys_org_prefix_key ON identity.api_keys (organization_id, prefix);
CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS invitations_org_token_key ON org.invitations (organization_id, token_hash);
CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS security_events_org_id_key ON audit.security_events (organization_id, id);

-- +goose Down
DROP INDEX CONCURRENTLY IF EXISTS audit.security_events_org_id_key;
DROP INDEX CONCURRENTLY IF EXISTS org.invitations_org_token_key;
DROP INDEX CONCURRENTLY IF EXISTS identity.api_keys_org_prefix_key;
