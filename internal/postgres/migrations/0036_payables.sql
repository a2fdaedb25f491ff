-- Payables: vendor bills and expenses, their lines and the payments made on
-- them, and the ledger settings that hold the organization's approval
-- threshold. An approved bill posts its expense lines against accounts
-- payable; a payment posts accounts payable against operating cash. An
-- expense (kind 'expense') is the same record paid at once: its approval
-- posts its expense lines against operating cash and leaves nothing payable.
-- vendor_id and work_order_id name rows of the maintenance schema, which
-- gains its tables separately: their composite foreign keys are added once
-- both are in.

-- +goose Up
CREATE TABLE ledger.settings (
    organization_id          uuid           NOT NULL REFERENCES org.organizations (id) ON DELETE CASCADE,
    id                       uuid           NOT NULL DEFAULT app.uuid_v7(),
    -- A bill at or below it is approved when submitted; above it, by a
    -- member other than its creator holding bill.approve.
    bill_approval_threshold  numeric(14, 2) NOT NULL DEFAULT 1000.00
        CONSTRAINT settings_bill_approval_threshold_check CHECK (bill_approval_threshold >= 0),
    created_at               timestamptz    NOT NULL DEFAULT now(),
    updated_at               timestamptz    NOT NULL DEFAULT now(),
    PRIMARY KEY (organization_id, id),
    CONSTRAINT settings_org_key UNIQUE (organization_id)
);
SELECT app.apply_org_kit('ledger.settings');

CREATE TABLE ledger.bills (
    organization_id   uuid           NOT NULL REFERENCES org.organizations (id) ON DELETE CASCADE,
    id                uuid           NOT NULL DEFAULT app.uuid_v7(),
    kind              text           NOT NULL CONSTRAINT bills_kind_check CHECK (kind IN ('bill', 'expense')),
    -- maintenance.vendors and maintenance.work_orders: foreign keys to come
    -- (see the header).
    vendor_id         uuid           NOT NULL,
    work_order_id     uuid,
    property_id       uuid,
    unit_id           uuid,
    reference         text           CONSTRAINT bills_reference_check CHECK (length(reference) <= 100),
    bill_date         date           NOT NULL,
    due_date          date           NOT NULL,
    memo              text           CONSTRAINT bills_memo_check CHECK (length(memo) <= 500),
    tax               numeric(14, 2) NOT NULL DEFAULT 0 CONSTRAINT bills_tax_check CHECK (tax >= 0),
    total             numeric(14, 2) NOT NULL CONSTRAINT bills_total_check CHECK (total > 0),
    paid              numeric(14, 2) NOT NULL DEFAULT 0,
    balance           numeric(14, 2) NOT NULL,
    status            text           NOT NULL DEFAULT 'draft'
        CONSTRAINT bills_status_check CHECK (status IN ('draft', 'pending_approval', 'approved', 'partial', 'paid', 'void')),
    -- The tenant a repair is charged back to, and the invoice that did it.
    charge_back_tenant_id  uuid,
    charge_back_lease_id   uuid,
    charge_back_invoice_id uuid,
    created_by        uuid,
    submitted_at      timestamptz,
    approved_by       uuid,
    approved_on       date,
    voided_on         date,
    created_at        timestamptz    NOT NULL DEFAULT now(),
    updated_at        timestamptz    NOT NULL DEFAULT now(),
    PRIMARY KEY (organization_id, id),
    CONSTRAINT bills_property_fkey FOREIGN KEY (organization_id, property_id) REFERENCES property.properties (organization_id, id),
    CONSTRAINT bills_unit_fkey FOREIGN KEY (organization_id, unit_id) REFERENCES property.units (organization_id, id),
    CONSTRAINT bills_charge_back_tenant_fkey FOREIGN KEY (organization_id, charge_back_tenant_id) REFERENCES leasing.tenants (organization_id, id),
    CONSTRAINT bills_charge_back_lease_fkey FOREIGN KEY (organization_id, charge_back_lease_id) REFERENCES leasing.leases (organization_id, id),
    CONSTRAINT bills_charge_back_invoice_fkey FOREIGN KEY (organization_id, charge_back_invoice_id) REFERENCES ledger.invoices (organization_id, id),
    CONSTRAINT bills_balance_check CHECK (balance = total - paid AND balance >= 0 AND balance <= total AND paid >= 0),
    CONSTRAINT bills_due_check CHECK (due_date >= bill_date),
    -- Approved (posted) exactly when it has an approval date; void ones keep
    -- theirs when they were posted.
    CONSTRAINT bills_approved_check CHECK ((status IN ('draft', 'pending_approval')) <= (approved_on IS NULL)
        AND (status IN ('approved', 'partial', 'paid')) <= (approved_on IS NOT NULL)),
    CONSTRAINT bills_void_check CHECK ((status = 'void') = (voided_on IS NOT NULL)),
    CONSTRAINT bills_charge_back_check CHECK (charge_back_lease_id IS NULL OR charge_back_tenant_id IS NOT NULL)
);
CREATE INDEX bills_due_idx ON ledger.bills (organization_id, due_date, id);
CREATE INDEX bills_open_idx ON ledger.bills (organization_id, due_date, id) WHERE status IN ('approved', 'partial');
CREATE INDEX bills_vendor_idx ON ledger.bills (organization_id, vendor_id, due_date, id);
CREATE INDEX bills_property_idx ON ledger.bills (organization_id, property_id, due_date, id) WHERE property_id IS NOT NULL;
CREATE INDEX bills_work_order_idx ON ledger.bills (organization_id, work_order_id) WHERE work_order_id IS NOT NULL;
SELECT app.apply_org_kit('ledger.bills');

CREATE TABLE ledger.bill_lines (
    organization_id uuid           NOT NULL REFERENCES org.organizations (id) ON DELETE CASCADE,
    id              uuid           NOT NULL DEFAULT app.uuid_v7(),
    bill_id         uuid           NOT NULL,
    line_no         smallint       NOT NULL CONSTRAINT bill_lines_line_no_check CHECK (line_no BETWEEN 1 AND 100),
    account_id      uuid           NOT NULL,
    description     text           NOT NULL CONSTRAINT bill_lines_description_check CHECK (length(btrim(description)) BETWEEN 1 AND 300),
    amount          numeric(14, 2) NOT NULL CONSTRAINT bill_lines_amount_check CHECK (amount > 0),
    charge_back     boolean        NOT NULL DEFAULT false,
    created_at      timestamptz    NOT NULL DEFAULT now(),
    updated_at      timestamptz    NOT NULL DEFAULT now(),
    PRIMARY KEY (organization_id, id),
    CONSTRAINT bill_lines_line_key UNIQUE (organization_id, bill_id, line_no),
    CONSTRAINT bill_lines_bill_fkey FOREIGN KEY (organization_id, bill_id) REFERENCES ledger.bills (organization_id, id) ON DELETE CASCADE,
    CONSTRAINT bill_lines_account_fkey FOREIGN KEY (organization_id, account_id) REFERENCES ledger.accounts (organization_id, id)
);
SELECT app.apply_org_kit('ledger.bill_lines');

CREATE TABLE ledger.bill_payments (
    organization_id uuid           NOT NULL REFERENCES org.organizations (id) ON DELETE CASCADE,
    id              uuid           NOT NULL DEFAULT app.uuid_v7(),
    bill_id         uuid           NOT NULL,
    amount          numeric(14, 2) NOT NULL CONSTRAINT bill_payments_amount_check CHECK (amount > 0),
    paid_on         date           NOT NULL,
    method          text           NOT NULL CONSTRAINT bill_payments_method_check CHECK (method IN ('check', 'ach', 'card', 'cash', 'wire', 'other')),
    reference       text           CONSTRAINT bill_payments_reference_check CHECK (length(reference) <= 100),
    created_by      uuid,
    created_at      timestamptz    NOT NULL DEFAULT now(),
    updated_at      timestamptz    NOT NULL DEFAULT now(),
    PRIMARY KEY (organization_id, id),
    CONSTRAINT bill_payments_bill_fkey FOREIGN KEY (organization_id, bill_id) REFERENCES ledger.bills (organization_id, id)
);
CREATE INDEX bill_payments_bill_idx ON ledger.bill_payments (organization_id, bill_id);
SELECT app.apply_org_kit('ledger.bill_payments');

-- Residents see none of the organization's payables.
CREATE POLICY resident_fence ON ledger.settings AS RESTRICTIVE USING (app.current_tenant_id() IS NULL);
CREATE POLICY resident_fence ON ledger.bills AS RESTRICTIVE USING (app.current_tenant_id() IS NULL);
CREATE POLICY resident_fence ON ledger.bill_lines AS RESTRICTIVE USING (app.current_tenant_id() IS NULL);
CREATE POLICY resident_fence ON ledger.bill_payments AS RESTRICTIVE USING (app.current_tenant_id() IS NULL);

-- +goose Down
DROP TABLE ledger.bill_payments;
DROP TABLE ledger.bill_lines;
DROP TABLE ledger.bills;
DROP TABLE ledger.settings;
