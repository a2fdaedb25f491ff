-- Invoices and payments name a leasing tenant (and optionally a lease) of
-- their own organization; the ledger tables were created before the leasing
-- tables, so the foreign keys arrive here.

-- +goose Up
ALTER TABLE ledger.invoices
    ADD CONSTRAINT invoices_tenant_fkey FOREIGN KEY (organization_id, tenant_id) REFERENCES leasing.tenants (organization_id, id),
    ADD CONSTRAINT invoices_lease_fkey FOREIGN KEY (organization_id, lease_id) REFERENCES leasing.leases (organization_id, id);
ALTER TABLE ledger.payments
    ADD CONSTRAINT payments_tenant_fkey FOREIGN KEY (organization_id, tenant_id) REFERENCES leasing.tenants (organization_id, id),
    ADD CONSTRAINT payments_lease_fkey FOREIGN KEY (organization_id, lease_id) REFERENCES leasing.leases (organization_id, id);

-- +goose Down
ALTER TABLE ledger.payments DROP CONSTRAINT payments_lease_fkey, DROP CONSTRAINT payments_tenant_fkey;
ALTER TABLE ledger.invoices DROP CONSTRAINT invoices_lease_fkey, DROP CONSTRAINT invoices_tenant_fkey;
