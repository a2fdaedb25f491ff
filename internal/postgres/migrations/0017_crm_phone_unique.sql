-- One live client per phone number in an organization, held by the database
-- as e-mail addresses already are: the service's duplicate check alone lets
-- two simultaneous creates of one number both through. The unique index
-- replaces the plain one, built concurrently (the table exists already).

-- +goose NO TRANSACTION

-- +goose Up
CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS clients_phone_key ON crm.clients (organization_id, phone) WHERE merged_into IS NULL AND phone IS NOT NULL;
DROP INDEX CONCURRENTLY IF EXISTS crm.clients_phone_idx;

-- +goose Down
CREATE INDEX CONCURRENTLY IF NOT EXISTS clients_phone_idx ON crm.clients (organization_id, phone) WHERE merged_into IS NULL AND phone IS NOT NULL;
DROP INDEX CONCURRENTLY IF EXISTS crm.clients_phone_key;
