-- Receivables: invoices and their lines, numbered gap-free per organization
-- and year; payments received from tenants, their allocations to invoices
-- and their refunds. Each of these rows that moves money has one journal
-- entry (source_type + source_id). Tenants and leases get their foreign keys
-- with the leasing tables.

-- +goose Up
CREATE TABLE ledger.invoice_counters (
    organization_id uuid        NOT NULL REFERENCES org.organizations (id) ON DELETE CASCADE,
    id              uuid        NOT NULL DEFAULT app.uuid_v7(),
    year            int         NOT NULL CONSTRAINT invoice_counters_year_check CHECK (year BETWEEN 2000 AND 2999),
    last            int         NOT NULL CONSTRAINT invoice_counters_last_check CHECK (last >= 0),
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (organization_id, id),
    CONSTRAINT invoice_counters_year_key UNIQUE (organization_id, year)
);
SELECT app.apply_org_kit('ledger.invoice_counters');

CREATE TABLE ledger.invoices (
    organization_id uuid           NOT NULL REFERENCES org.organizations (id) ON DELETE CASCADE,
    id              uuid           NOT NULL DEFAULT app.uuid_v7(),
    tenant_id       uuid           NOT NULL,
    lease_id        uuid,
    property_id     uuid,
    unit_id         uuid,
    number_year     int,
    number_seq      int,
    number          text GENERATED ALWAYS AS (number_year::text || '-' || lpad(number_seq::text, 6, '0')) STORED,
    status          text           NOT NULL DEFAULT 'draft' CONSTRAINT invoices_status_check CHECK (status IN ('draft', 'open', 'partial', 'paid', 'void')),
    issue_date      date,
    due_date        date           NOT NULL,
    period          date           CONSTRAINT invoices_period_check CHECK (extract(day FROM period) = 1),
    memo            text           CONSTRAINT invoices_memo_check CHECK (length(memo) <= 500),
    total           numeric(14, 2) NOT NULL CONSTRAINT invoices_total_check CHECK (total > 0),
    paid            numeric(14, 2) NOT NULL DEFAULT 0,
    balance         numeric(14, 2) NOT NULL,
    voided_on       date,
    created_by      uuid,
    created_at      timestamptz    NOT NULL DEFAULT now(),
    updated_at      timestamptz    NOT NULL DEFAULT now(),
    PRIMARY KEY (organization_id, id),
    CONSTRAINT invoices_number_key UNIQUE (organization_id, number_year, number_seq),
    CONSTRAINT invoices_property_fkey FOREIGN KEY (organization_id, property_id) REFERENCES property.properties (organization_id, id),
    CONSTRAINT invoices_unit_fkey FOREIGN KEY (organization_id, unit_id) REFERENCES property.units (organization_id, id),
    CONSTRAINT invoices_balance_check CHECK (balance = total - paid AND balance >= 0 AND balance <= total AND paid >= 0),
    -- A draft has no number; an issued invoice (void ones included) keeps its own.
    CONSTRAINT invoices_number_check CHECK ((status = 'draft') = (number_seq IS NULL) AND (number_seq IS NULL) = (number_year IS NULL)
        AND (number_seq IS NULL) = (issue_date IS NULL)),
    CONSTRAINT invoices_void_check CHECK ((status = 'void') = (voided_on IS NOT NULL))
);
CREATE INDEX invoices_tenant_idx ON ledger.invoices (organization_id, tenant_id, due_date, id);
CREATE INDEX invoices_lease_idx ON ledger.invoices (organization_id, lease_id, due_date, id) WHERE lease_id IS NOT NULL;
CREATE INDEX invoices_open_idx ON ledger.invoices (organization_id, due_date, id) WHERE status IN ('open', 'partial');
SELECT app.apply_org_kit('ledger.invoices');

CREATE TABLE ledger.invoice_lines (
    organization_id uuid           NOT NULL REFERENCES org.organizations (id) ON DELETE CASCADE,
    id              uuid           NOT NULL DEFAULT app.uuid_v7(),
    invoice_id      uuid           NOT NULL,
    line_no         smallint       NOT NULL CONSTRAINT invoice_lines_line_no_check CHECK (line_no BETWEEN 1 AND 100),
    type            text           NOT NULL CONSTRAINT invoice_lines_type_check CHECK (type IN ('rent', 'late_fee', 'utility', 'maintenance', 'deposit', 'other')),
    description     text           NOT NULL CONSTRAINT invoice_lines_description_check CHECK (length(btrim(description)) BETWEEN 1 AND 300),
    quantity        numeric(10, 2) CONSTRAINT invoice_lines_quantity_check CHECK (quantity > 0),
    amount          numeric(14, 2) NOT NULL CONSTRAINT invoice_lines_amount_check CHECK (amount > 0),
    account_id      uuid           NOT NULL,
    created_at      timestamptz    NOT NULL DEFAULT now(),
    updated_at      timestamptz    NOT NULL DEFAULT now(),
    PRIMARY KEY (organization_id, id),
    CONSTRAINT invoice_lines_line_key UNIQUE (organization_id, invoice_id, line_no),
    CONSTRAINT invoice_lines_invoice_fkey FOREIGN KEY (organization_id, invoice_id) REFERENCES ledger.invoices (organization_id, id) ON DELETE CASCADE,
    CONSTRAINT invoice_lines_account_fkey FOREIGN KEY (organization_id, account_id) REFERENCES ledger.accounts (organization_id, id)
);
SELECT app.apply_org_kit('ledger.invoice_lines');

CREATE TABLE ledger.payments (
    organization_id uuid           NOT NULL REFERENCES org.organizations (id) ON DELETE CASCADE,
    id              uuid           NOT NULL DEFAULT app.uuid_v7(),
    tenant_id       uuid           NOT NULL,
    lease_id        uuid,
    method          text           NOT NULL CONSTRAINT payments_method_check CHECK (method IN ('cash', 'check', 'ach', 'card', 'money_order', 'other')),
    amount          numeric(14, 2) NOT NULL CONSTRAINT payments_amount_check CHECK (amount > 0),
    fee             numeric(14, 2) NOT NULL DEFAULT 0 CONSTRAINT payments_fee_check CHECK (fee >= 0 AND fee < amount),
    net             numeric(14, 2) GENERATED ALWAYS AS (amount - fee) STORED,
    received_on     date           NOT NULL,
    reference       text           CONSTRAINT payments_reference_check CHECK (length(reference) <= 100),
    status          text           NOT NULL DEFAULT 'pending' CONSTRAINT payments_status_check CHECK (status IN ('pending', 'cleared', 'failed', 'refunded')),
    allocated       numeric(14, 2) NOT NULL DEFAULT 0,
    refunded        numeric(14, 2) NOT NULL DEFAULT 0,
    unapplied       numeric(14, 2) GENERATED ALWAYS AS (amount - allocated - refunded) STORED,
    created_by      uuid,
    created_at      timestamptz    NOT NULL DEFAULT now(),
    updated_at      timestamptz    NOT NULL DEFAULT now(),
    PRIMARY KEY (organization_id, id),
    CONSTRAINT payments_allocated_check CHECK (allocated >= 0 AND refunded >= 0 AND allocated + refunded <= amount)
);
CREATE INDEX payments_tenant_idx ON ledger.payments (organization_id, tenant_id, received_on, id);
SELECT app.apply_org_kit('ledger.payments');

CREATE TABLE ledger.payment_allocations (
    organization_id uuid           NOT NULL REFERENCES org.organizations (id) ON DELETE CASCADE,
    id              uuid           NOT NULL DEFAULT app.uuid_v7(),
    payment_id      uuid           NOT NULL,
    invoice_id      uuid           NOT NULL,
    amount          numeric(14, 2) NOT NULL CONSTRAINT payment_allocations_amount_check CHECK (amount > 0),
    allocated_on    date           NOT NULL,
    -- Set when the allocation is undone (its payment failed, its invoice was
    -- voided): it no longer counts, and its entry has a reversal.
    reversed_on     date,
    created_at      timestamptz    NOT NULL DEFAULT now(),
    updated_at      timestamptz    NOT NULL DEFAULT now(),
    PRIMARY KEY (organization_id, id),
    CONSTRAINT payment_allocations_payment_fkey FOREIGN KEY (organization_id, payment_id) REFERENCES ledger.payments (organization_id, id),
    CONSTRAINT payment_allocations_invoice_fkey FOREIGN KEY (organization_id, invoice_id) REFERENCES ledger.invoices (organization_id, id)
);
CREATE INDEX payment_allocations_payment_idx ON ledger.payment_allocations (organization_id, payment_id);
CREATE INDEX payment_allocations_invoice_idx ON ledger.payment_allocations (organization_id, invoice_id);
SELECT app.apply_org_kit('ledger.payment_allocations');

CREATE TABLE ledger.refunds (
    organization_id uuid           NOT NULL REFERENCES org.organizations (id) ON DELETE CASCADE,
    id              uuid           NOT NULL DEFAULT app.uuid_v7(),
    payment_id      uuid           NOT NULL,
    amount          numeric(14, 2) NOT NULL CONSTRAINT refunds_amount_check CHECK (amount > 0),
    refunded_on     date           NOT NULL,
    reference       text           CONSTRAINT refunds_reference_check CHECK (length(reference) <= 100),
    created_by      uuid,
    created_at      timestamptz    NOT NULL DEFAULT now(),
    updated_at      timestamptz    NOT NULL DEFAULT now(),
    PRIMARY KEY (organization_id, id),
    CONSTRAINT refunds_payment_fkey FOREIGN KEY (organization_id, payment_id) REFERENCES ledger.payments (organization_id, id)
);
CREATE INDEX refunds_payment_idx ON ledger.refunds (organization_id, payment_id);
SELECT app.apply_org_kit('ledger.refunds');

-- +goose StatementBegin
-- Σ live allocations of a payment stay within its amount less its refunds,
-- and of an invoice within its total, whoever writes them: the trigger
-- locks the payment and the invoice (in that order) and sums.
CREATE FUNCTION ledger.check_allocation() RETURNS trigger
    LANGUAGE plpgsql AS $$
DECLARE
    cap numeric;
    used numeric;
BEGIN
    EXECUTE 'SELECT amount - (SELECT coalesce(sum(amount), 0) FROM ledger.refunds WHERE organization_id = $1 AND payment_id = $2)
             FROM ledger.payments WHERE organization_id = $1 AND id = $2 FOR UPDATE' INTO cap USING NEW.organization_id, NEW.payment_id;
    EXECUTE 'SELECT coalesce(sum(amount), 0) FROM ledger.payment_allocations
             WHERE organization_id = $1 AND payment_id = $2 AND reversed_on IS NULL' INTO used USING NEW.organization_id, NEW.payment_id;
    IF used > cap THEN
        RAISE EXCEPTION 'payment % over-allocated: % allocated of %', NEW.payment_id, used, cap
            USING ERRCODE = 'integrity_constraint_violation', SCHEMA = 'ledger', TABLE = 'payment_allocations', CONSTRAINT = 'payment_allocations_cap';
    END IF;
    EXECUTE 'SELECT total FROM ledger.invoices WHERE organization_id = $1 AND id = $2 FOR UPDATE' INTO cap USING NEW.organization_id, NEW.invoice_id;
    EXECUTE 'SELECT coalesce(sum(amount), 0) FROM ledger.payment_allocations
             WHERE organization_id = $1 AND invoice_id = $2 AND reversed_on IS NULL' INTO used USING NEW.organization_id, NEW.invoice_id;
    IF used > cap THEN
        RAISE EXCEPTION 'invoice % over-allocated: % allocated of %', NEW.invoice_id, used, cap
            USING ERRCODE = 'integrity_constraint_violation', SCHEMA = 'ledger', TABLE = 'payment_allocations', CONSTRAINT = 'payment_allocations_cap';
    END IF;
    RETURN NULL;
END
$$;

-- A refund fits in what its payment has not allocated or refunded.
CREATE FUNCTION ledger.check_refund() RETURNS trigger
    LANGUAGE plpgsql AS $$
DECLARE
    cap numeric;
    used numeric;
BEGIN
    EXECUTE 'SELECT amount FROM ledger.payments WHERE organization_id = $1 AND id = $2 FOR UPDATE' INTO cap USING NEW.organization_id, NEW.payment_id;
    EXECUTE 'SELECT (SELECT coalesce(sum(amount), 0) FROM ledger.refunds WHERE organization_id = $1 AND payment_id = $2)
             + (SELECT coalesce(sum(amount), 0) FROM ledger.payment_allocations WHERE organization_id = $1 AND payment_id = $2 AND reversed_on IS NULL)'
        INTO used USING NEW.organization_id, NEW.payment_id;
    IF used > cap THEN
        RAISE EXCEPTION 'payment % over-refunded: % used of %', NEW.payment_id, used, cap
            USING ERRCODE = 'integrity_constraint_violation', SCHEMA = 'ledger', TABLE = 'refunds', CONSTRAINT = 'refunds_cap';
    END IF;
    RETURN NULL;
END
$$;
-- +goose StatementEnd
CREATE CONSTRAINT TRIGGER payment_allocations_cap AFTER INSERT OR UPDATE ON ledger.payment_allocations
    FOR EACH ROW EXECUTE FUNCTION ledger.check_allocation();
CREATE CONSTRAINT TRIGGER refunds_cap AFTER INSERT OR UPDATE ON ledger.refunds
    FOR EACH ROW EXECUTE FUNCTION ledger.check_refund();

-- +goose Down
DROP TABLE ledger.refunds;
DROP TABLE ledger.payment_allocations;
DROP TABLE ledger.payments;
DROP TABLE ledger.invoice_lines;
DROP TABLE ledger.invoices;
DROP TABLE ledger.invoice_counters;
DROP FUNCTION ledger.check_allocation(), ledger.check_refund();
