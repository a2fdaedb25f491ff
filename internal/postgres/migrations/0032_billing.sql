-- The billing run, late fees and security deposits. An invoice records where
-- it came from (origin): a billing run's invoice names its lease and period,
-- a late fee names the invoice it is charged on and the rule that charged
-- it; unique keys on both (built concurrently by the next migration) make a
-- second run insert nothing. A lease's deposit is disposed of once, at
-- move-out: deductions (each with its reason) and the refund, in one
-- posting.

-- +goose Up
ALTER TABLE ledger.invoices
    ADD COLUMN origin text NOT NULL DEFAULT 'manual'
        CONSTRAINT invoices_origin_check CHECK (origin IN ('manual', 'billing', 'late_fee')),
    ADD COLUMN late_fee_of uuid,
    ADD COLUMN late_fee_rule text CONSTRAINT invoices_late_fee_rule_check CHECK (late_fee_rule IN ('flat', 'percent')),
    ADD CONSTRAINT invoices_late_fee_of_fkey FOREIGN KEY (organization_id, late_fee_of) REFERENCES ledger.invoices (organization_id, id),
    ADD CONSTRAINT invoices_origin_keys_check CHECK (CASE origin
        WHEN 'billing' THEN lease_id IS NOT NULL AND period IS NOT NULL AND late_fee_of IS NULL
        WHEN 'late_fee' THEN lease_id IS NOT NULL AND late_fee_of IS NOT NULL AND late_fee_rule IS NOT NULL
        ELSE late_fee_of IS NULL AND late_fee_rule IS NULL END);

CREATE TABLE ledger.deposit_dispositions (
    organization_id uuid           NOT NULL REFERENCES org.organizations (id) ON DELETE CASCADE,
    id              uuid           NOT NULL DEFAULT app.uuid_v7(),
    lease_id        uuid           NOT NULL,
    tenant_id       uuid           NOT NULL,
    property_id     uuid,
    unit_id         uuid,
    disposed_on     date           NOT NULL,
    held            numeric(14, 2) NOT NULL CONSTRAINT deposit_dispositions_held_check CHECK (held > 0),
    deducted        numeric(14, 2) NOT NULL CONSTRAINT deposit_dispositions_deducted_check CHECK (deducted >= 0),
    refunded        numeric(14, 2) NOT NULL CONSTRAINT deposit_dispositions_refunded_check CHECK (refunded >= 0),
    created_by      uuid,
    created_at      timestamptz    NOT NULL DEFAULT now(),
    updated_at      timestamptz    NOT NULL DEFAULT now(),
    PRIMARY KEY (organization_id, id),
    CONSTRAINT deposit_dispositions_lease_key UNIQUE (organization_id, lease_id),
    CONSTRAINT deposit_dispositions_sum_check CHECK (held = deducted + refunded),
    CONSTRAINT deposit_dispositions_lease_fkey FOREIGN KEY (organization_id, lease_id) REFERENCES leasing.leases (organization_id, id),
    CONSTRAINT deposit_dispositions_tenant_fkey FOREIGN KEY (organization_id, tenant_id) REFERENCES leasing.tenants (organization_id, id),
    CONSTRAINT deposit_dispositions_property_fkey FOREIGN KEY (organization_id, property_id) REFERENCES property.properties (organization_id, id),
    CONSTRAINT deposit_dispositions_unit_fkey FOREIGN KEY (organization_id, unit_id) REFERENCES property.units (organization_id, id)
);
CREATE INDEX deposit_dispositions_tenant_idx ON ledger.deposit_dispositions (organization_id, tenant_id);
SELECT app.apply_org_kit('ledger.deposit_dispositions');

CREATE TABLE ledger.deposit_deductions (
    organization_id uuid           NOT NULL REFERENCES org.organizations (id) ON DELETE CASCADE,
    id              uuid           NOT NULL DEFAULT app.uuid_v7(),
    disposition_id  uuid           NOT NULL,
    line_no         smallint       NOT NULL CONSTRAINT deposit_deductions_line_no_check CHECK (line_no BETWEEN 1 AND 50),
    reason          text           NOT NULL CONSTRAINT deposit_deductions_reason_check CHECK (length(btrim(reason)) BETWEEN 1 AND 300),
    amount          numeric(14, 2) NOT NULL CONSTRAINT deposit_deductions_amount_check CHECK (amount > 0),
    account_id      uuid           NOT NULL,
    created_at      timestamptz    NOT NULL DEFAULT now(),
    updated_at      timestamptz    NOT NULL DEFAULT now(),
    PRIMARY KEY (organization_id, id),
    CONSTRAINT deposit_deductions_line_key UNIQUE (organization_id, disposition_id, line_no),
    CONSTRAINT deposit_deductions_disposition_fkey FOREIGN KEY (organization_id, disposition_id) REFERENCES ledger.deposit_dispositions (organization_id, id),
    CONSTRAINT deposit_deductions_account_fkey FOREIGN KEY (organization_id, account_id) REFERENCES ledger.accounts (organization_id, id)
);
CREATE INDEX deposit_deductions_account_idx ON ledger.deposit_deductions (organization_id, account_id);
SELECT app.apply_org_kit('ledger.deposit_deductions');

-- +goose Down
DROP TABLE ledger.deposit_deductions;
DROP TABLE ledger.deposit_dispositions;
ALTER TABLE ledger.invoices DROP CONSTRAINT invoices_origin_keys_check, DROP CONSTRAINT invoices_late_fee_of_fkey,
    DROP COLUMN late_fee_rule, DROP COLUMN late_fee_of, DROP COLUMN origin;
