-- The natural keys of the billing run (one invoice per lease and period)
-- and of late fees (one per invoice and rule), and the late fees' lookup
-- by the invoice they are charged on; built concurrently since invoices
-- exist.

-- +goose NO TRANSACTION

-- +goose Up
CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS invoices_billing_key ON ledger.invoices (organization_id, lease_id, period) WHERE origin = 'billing';
CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS invoices_late_fee_key ON ledger.invoices (organization_id, late_fee_of, late_fee_rule) WHERE origin = 'late_fee';

-- +goose Down
DROP INDEX CONCURRENTLY IF EXISTS ledger.invoices_late_fee_key;
DROP INDEX CONCURRENTLY IF EXISTS ledger.invoices_billing_key;
