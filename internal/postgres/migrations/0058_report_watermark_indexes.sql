-- The watermarks of the materialized reports (0057): the newest updated_at
-- of an organization's rows in each table a report reads, one index probe
-- per table (max() down an index on (organization_id, updated_at)) instead
-- of a scan. Every writer of these tables sets updated_at (the org kit's
-- trigger on update, the default on insert), so a change shows in them.
-- Built concurrently: these tables are written all day.

-- +goose NO TRANSACTION

-- +goose Up
CREATE INDEX CONCURRENTLY IF NOT EXISTS invoices_updated_idx ON ledger.invoices (organization_id, updated_at);
CREATE INDEX CONCURRENTLY IF NOT EXISTS payments_updated_idx ON ledger.payments (organization_id, updated_at);
CREATE INDEX CONCURRENTLY IF NOT EXISTS payment_allocations_updated_idx ON ledger.payment_allocations (organization_id, updated_at);
CREATE INDEX CONCURRENTLY IF NOT EXISTS journal_entries_updated_idx ON ledger.journal_entries (organization_id, updated_at);
CREATE INDEX CONCURRENTLY IF NOT EXISTS leases_updated_idx ON leasing.leases (organization_id, updated_at);
CREATE INDEX CONCURRENTLY IF NOT EXISTS lease_tenants_updated_idx ON leasing.lease_tenants (organization_id, updated_at);
CREATE INDEX CONCURRENTLY IF NOT EXISTS lease_charges_updated_idx ON leasing.lease_charges (organization_id, updated_at);
CREATE INDEX CONCURRENTLY IF NOT EXISTS tenants_updated_idx ON leasing.tenants (organization_id, updated_at);
CREATE INDEX CONCURRENTLY IF NOT EXISTS units_updated_idx ON property.units (organization_id, updated_at);
CREATE INDEX CONCURRENTLY IF NOT EXISTS properties_updated_idx ON property.properties (organization_id, updated_at);

-- +goose Down
DROP INDEX CONCURRENTLY IF EXISTS property.properties_updated_idx;
DROP INDEX CONCURRENTLY IF EXISTS property.units_updated_idx;
DROP INDEX CONCURRENTLY IF EXISTS leasing.tenants_updated_idx;
DROP INDEX CONCURRENTLY IF EXISTS leasing.lease_charges_updated_idx;
DROP INDEX CONCURRENTLY IF EXISTS leasing.lease_tenants_updated_idx;
DROP INDEX CONCURRENTLY IF EXISTS leasing.leases_updated_idx;
DROP INDEX CONCURRENTLY IF EXISTS ledger.journal_entries_updated_idx;
DROP INDEX CONCURRENTLY IF EXISTS ledger.payment_allocations_updated_idx;
DROP INDEX CONCURRENTLY IF EXISTS ledger.payments_updated_idx;
DROP INDEX CONCURRENTLY IF EXISTS ledger.invoices_updated_idx;
