-- Bills and message threads name maintenance vendors and work orders: the
-- keys are added now that both schemas exist (the payables and messages
-- migrations could not name tables of a migration running after theirs).
-- Added NOT VALID and validated after, so the rows already there are
-- checked under a lock that lets reads and writes go on.

-- +goose Up
ALTER TABLE ledger.bills
    ADD CONSTRAINT bills_vendor_fkey FOREIGN KEY (organization_id, vendor_id)
        REFERENCES maintenance.vendors (organization_id, id) NOT VALID,
    ADD CONSTRAINT bills_work_order_fkey FOREIGN KEY (organization_id, work_order_id)
        REFERENCES maintenance.work_orders (organization_id, id) NOT VALID;
ALTER TABLE messaging.threads
    ADD CONSTRAINT threads_vendor_fkey FOREIGN KEY (organization_id, vendor_id)
        REFERENCES maintenance.vendors (organization_id, id) NOT VALID;
ALTER TABLE ledger.bills VALIDATE CONSTRAINT bills_vendor_fkey;
ALTER TABLE ledger.bills VALIDATE CONSTRAINT bills_work_order_fkey;
ALTER TABLE messaging.threads VALIDATE CONSTRAINT threads_vendor_fkey;

-- +goose Down
ALTER TABLE messaging.threads DROP CONSTRAINT threads_vendor_fkey;
ALTER TABLE ledger.bills DROP CONSTRAINT bills_work_order_fkey, DROP CONSTRAINT bills_vendor_fkey;
