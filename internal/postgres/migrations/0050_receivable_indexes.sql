-- The manager's dashboard, AR aging and the rent roll read receivables.
-- Measured on an organization of 10,000 units with two years of history
-- (bench W7), aging as of a day summed every invoice's allocations up to
-- that day (2.3 s), the month's collections scanned every invoice, and a
-- rent roll's balances summed every receivable line of 500 leases. These
-- indexes let them read only what can have changed:
--   * aging takes the open invoices' balances from the aging index (index
--     only) and recomputes as of the day only the invoices touched after it:
--     allocations made or undone later, invoices voided later;
--   * collections read the month's invoices by due date, index only;
--   * lease balances read open invoices and unapplied payments by lease.
-- Built concurrently: invoices, payments and allocations are written all day.

-- +goose NO TRANSACTION

-- +goose Up
CREATE INDEX CONCURRENTLY IF NOT EXISTS invoices_aging_idx
    ON ledger.invoices (organization_id, tenant_id) INCLUDE (id, due_date, issue_date, balance)
    WHERE status IN ('open', 'partial');
CREATE INDEX CONCURRENTLY IF NOT EXISTS invoices_due_idx
    ON ledger.invoices (organization_id, due_date) INCLUDE (status, total, paid, balance);
CREATE INDEX CONCURRENTLY IF NOT EXISTS invoices_voided_idx
    ON ledger.invoices (organization_id, voided_on) WHERE voided_on IS NOT NULL;
CREATE INDEX CONCURRENTLY IF NOT EXISTS invoices_lease_open_idx
    ON ledger.invoices (organization_id, lease_id) INCLUDE (balance)
    WHERE status IN ('open', 'partial') AND lease_id IS NOT NULL;
CREATE INDEX CONCURRENTLY IF NOT EXISTS payment_allocations_allocated_idx
    ON ledger.payment_allocations (organization_id, allocated_on);
CREATE INDEX CONCURRENTLY IF NOT EXISTS payment_allocations_reversed_idx
    ON ledger.payment_allocations (organization_id, reversed_on) WHERE reversed_on IS NOT NULL;
CREATE INDEX CONCURRENTLY IF NOT EXISTS payments_unapplied_idx
    ON ledger.payments (organization_id, lease_id) INCLUDE (unapplied)
    WHERE lease_id IS NOT NULL AND status <> 'failed' AND unapplied <> 0;

-- +goose Down
DROP INDEX CONCURRENTLY IF EXISTS ledger.payments_unapplied_idx;
DROP INDEX CONCURRENTLY IF EXISTS ledger.payment_allocations_reversed_idx;
DROP INDEX CONCURRENTLY IF EXISTS ledger.payment_allocations_allocated_idx;
DROP INDEX CONCURRENTLY IF EXISTS ledger.invoices_lease_open_idx;
DROP INDEX CONCURRENTLY IF EXISTS ledger.invoices_voided_idx;
DROP INDEX CONCURRENTLY IF EXISTS ledger.invoices_due_idx;
DROP INDEX CONCURRENTLY IF EXISTS ledger.invoices_aging_idx;
