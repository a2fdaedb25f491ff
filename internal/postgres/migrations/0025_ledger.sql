-- The double-entry ledger's core: each organization's chart of accounts, the
-- journal (entries and their lines: balanced at commit, never changed, only
-- reversed), accounting periods that close, and the idempotency keys of
-- money-moving requests. System accounts are seeded here for the
-- organizations that exist; the org service seeds them for new ones.

-- +goose Up
CREATE TABLE ledger.accounts (
    organization_id uuid        NOT NULL REFERENCES org.organizations (id) ON DELETE CASCADE,
    id              uuid        NOT NULL DEFAULT app.uuid_v7(),
    code            text        NOT NULL CONSTRAINT accounts_code_check CHECK (code ~ '^[A-Za-z0-9][A-Za-z0-9.-]{0,19}$'),
    name            text        NOT NULL CONSTRAINT accounts_name_check CHECK (length(btrim(name)) BETWEEN 1 AND 200),
    type            text        NOT NULL CONSTRAINT accounts_type_check CHECK (type IN ('asset', 'liability', 'equity', 'income', 'expense')),
    normal_balance  text        NOT NULL GENERATED ALWAYS AS (CASE WHEN type IN ('asset', 'expense') THEN 'debit' ELSE 'credit' END) STORED,
    parent_id       uuid,
    active          boolean     NOT NULL DEFAULT true,
    system_key      text        CONSTRAINT accounts_system_key_check CHECK (system_key ~ '^[a-z][a-z_]{1,39}$'),
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (organization_id, id),
    CONSTRAINT accounts_code_key UNIQUE (organization_id, code),
    CONSTRAINT accounts_system_key_key UNIQUE (organization_id, system_key),
    CONSTRAINT accounts_parent_fkey FOREIGN KEY (organization_id, parent_id) REFERENCES ledger.accounts (organization_id, id),
    CONSTRAINT accounts_parent_check CHECK (parent_id IS DISTINCT FROM id)
);
CREATE INDEX accounts_parent_idx ON ledger.accounts (organization_id, parent_id) WHERE parent_id IS NOT NULL;
SELECT app.apply_org_kit('ledger.accounts');

-- +goose StatementBegin
-- A system account (one realty posts to by its key) may be renamed and
-- renumbered, never retyped, unkeyed or deleted.
CREATE FUNCTION ledger.guard_system_account() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.system_key IS NULL THEN
        RETURN coalesce(NEW, OLD);
    END IF;
    IF TG_OP = 'DELETE' OR NEW.type IS DISTINCT FROM OLD.type OR NEW.system_key IS DISTINCT FROM OLD.system_key THEN
        RAISE EXCEPTION 'system account % cannot be deleted, retyped or unkeyed', OLD.system_key
            USING ERRCODE = 'integrity_constraint_violation', SCHEMA = 'ledger', TABLE = 'accounts';
    END IF;
    RETURN NEW;
END
$$;
-- +goose StatementEnd
CREATE TRIGGER guard_system_account BEFORE UPDATE OR DELETE ON ledger.accounts
    FOR EACH ROW EXECUTE FUNCTION ledger.guard_system_account();

-- A closed month refuses postings; a month without a row is open.
CREATE TABLE ledger.accounting_periods (
    organization_id uuid        NOT NULL REFERENCES org.organizations (id) ON DELETE CASCADE,
    id              uuid        NOT NULL DEFAULT app.uuid_v7(),
    period          date        NOT NULL CONSTRAINT accounting_periods_period_check CHECK (extract(day FROM period) = 1),
    status          text        NOT NULL DEFAULT 'closed' CONSTRAINT accounting_periods_status_check CHECK (status IN ('open', 'closed')),
    closed_at       timestamptz,
    closed_by       uuid,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (organization_id, id),
    CONSTRAINT accounting_periods_period_key UNIQUE (organization_id, period),
    CONSTRAINT accounting_periods_closed_check CHECK ((status = 'closed') = (closed_at IS NOT NULL))
);
SELECT app.apply_org_kit('ledger.accounting_periods');

CREATE TABLE ledger.journal_entries (
    organization_id uuid        NOT NULL REFERENCES org.organizations (id) ON DELETE CASCADE,
    id              uuid        NOT NULL DEFAULT app.uuid_v7(),
    entry_date      date        NOT NULL,
    posted_at       timestamptz NOT NULL DEFAULT now(),
    memo            text        CONSTRAINT journal_entries_memo_check CHECK (length(memo) <= 500),
    source_type     text        NOT NULL DEFAULT 'manual' CONSTRAINT journal_entries_source_type_check CHECK (source_type ~ '^[a-z][a-z_]{1,39}$'),
    source_id       uuid,
    reverses        uuid,
    created_by      uuid,
    request_id      text        CONSTRAINT journal_entries_request_id_check CHECK (length(request_id) <= 64),
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (organization_id, id),
    -- Lines carry their entry's date for per-account reads by date; this key
    -- lets their foreign key hold the copy to the entry's.
    CONSTRAINT journal_entries_date_key UNIQUE (organization_id, id, entry_date),
    CONSTRAINT journal_entries_reverses_key UNIQUE (organization_id, reverses),
    CONSTRAINT journal_entries_reverses_fkey FOREIGN KEY (organization_id, reverses) REFERENCES ledger.journal_entries (organization_id, id),
    CONSTRAINT journal_entries_reverses_check CHECK (reverses IS DISTINCT FROM id)
);
-- A subledger row that moves money has one entry (and at most one reversal,
-- which carries the same source).
CREATE UNIQUE INDEX journal_entries_source_key ON ledger.journal_entries (organization_id, source_type, source_id)
    WHERE source_id IS NOT NULL AND reverses IS NULL;
CREATE INDEX journal_entries_date_idx ON ledger.journal_entries (organization_id, entry_date, id);
SELECT app.apply_org_kit('ledger.journal_entries');

CREATE TABLE ledger.journal_lines (
    organization_id uuid           NOT NULL REFERENCES org.organizations (id) ON DELETE CASCADE,
    id              uuid           NOT NULL DEFAULT app.uuid_v7(),
    entry_id        uuid           NOT NULL,
    entry_date      date           NOT NULL,
    line_no         smallint       NOT NULL CONSTRAINT journal_lines_line_no_check CHECK (line_no BETWEEN 1 AND 500),
    account_id      uuid           NOT NULL,
    debit           numeric(14, 2) NOT NULL DEFAULT 0,
    credit          numeric(14, 2) NOT NULL DEFAULT 0,
    property_id     uuid,
    unit_id         uuid,
    -- Leases and tenants get their foreign keys with the leasing tables.
    lease_id        uuid,
    tenant_id       uuid,
    memo            text           CONSTRAINT journal_lines_memo_check CHECK (length(memo) <= 500),
    created_at      timestamptz    NOT NULL DEFAULT now(),
    updated_at      timestamptz    NOT NULL DEFAULT now(),
    PRIMARY KEY (organization_id, id),
    CONSTRAINT journal_lines_line_key UNIQUE (organization_id, entry_id, line_no),
    CONSTRAINT journal_lines_entry_fkey FOREIGN KEY (organization_id, entry_id, entry_date)
        REFERENCES ledger.journal_entries (organization_id, id, entry_date),
    CONSTRAINT journal_lines_account_fkey FOREIGN KEY (organization_id, account_id) REFERENCES ledger.accounts (organization_id, id),
    CONSTRAINT journal_lines_property_fkey FOREIGN KEY (organization_id, property_id) REFERENCES property.properties (organization_id, id),
    CONSTRAINT journal_lines_unit_fkey FOREIGN KEY (organization_id, unit_id) REFERENCES property.units (organization_id, id),
    CONSTRAINT journal_lines_amount_check CHECK ((debit > 0 AND credit = 0) OR (credit > 0 AND debit = 0))
);
CREATE INDEX journal_lines_account_idx ON ledger.journal_lines (organization_id, account_id, entry_date, entry_id, line_no)
    INCLUDE (debit, credit);
SELECT app.apply_org_kit('ledger.journal_lines');

-- +goose StatementBegin
-- Journal rows are never changed: corrections are reversal entries. The
-- trigger refuses every role, the owner included.
CREATE FUNCTION ledger.refuse_change() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'journal rows are immutable: % on % refused; post a reversal instead', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'integrity_constraint_violation', SCHEMA = 'ledger', TABLE = TG_TABLE_NAME;
END
$$;

-- An entry and its lines balance when the transaction commits: at least two
-- lines, debits equal to credits.
CREATE FUNCTION ledger.check_balanced() RETURNS trigger
    LANGUAGE plpgsql AS $$
DECLARE
    n int;
    dr numeric;
    cr numeric;
BEGIN
    -- Parameters, not NEW's fields in the text, so the statement routes by
    -- organization (the statement audit reads it as the server records it).
    EXECUTE 'SELECT count(*), coalesce(sum(debit), 0), coalesce(sum(credit), 0) FROM ledger.journal_lines
             WHERE organization_id = $1 AND entry_id = $2' INTO n, dr, cr USING NEW.organization_id, NEW.entry_id;
    IF n < 2 OR dr <> cr THEN
        RAISE EXCEPTION 'journal entry % is unbalanced: % lines, debits %, credits %', NEW.entry_id, n, dr, cr
            USING ERRCODE = 'integrity_constraint_violation', SCHEMA = 'ledger', TABLE = 'journal_lines', CONSTRAINT = 'journal_lines_balanced';
    END IF;
    RETURN NULL;
END
$$;

-- An entry without lines never commits either.
CREATE FUNCTION ledger.check_has_lines() RETURNS trigger
    LANGUAGE plpgsql AS $$
DECLARE
    n int;
BEGIN
    EXECUTE 'SELECT count(*) FROM ledger.journal_lines WHERE organization_id = $1 AND entry_id = $2' INTO n USING NEW.organization_id, NEW.id;
    IF n < 2 THEN
        RAISE EXCEPTION 'journal entry % has fewer than two lines', NEW.id
            USING ERRCODE = 'integrity_constraint_violation', SCHEMA = 'ledger', TABLE = 'journal_entries', CONSTRAINT = 'journal_entries_has_lines';
    END IF;
    RETURN NULL;
END
$$;

-- A posting dated into a closed month is refused. The shared advisory lock on
-- the month, held to commit, makes a close wait for postings in flight, so no
-- entry commits into a month after the month's close.
CREATE FUNCTION ledger.check_period_open() RETURNS trigger
    LANGUAGE plpgsql AS $$
DECLARE
    closed boolean;
BEGIN
    PERFORM pg_advisory_xact_lock_shared(hashtextextended('ledger.period:' || NEW.organization_id::text, date_trunc('month', NEW.entry_date)::date - date '2000-01-01'));
    EXECUTE 'SELECT EXISTS (SELECT FROM ledger.accounting_periods WHERE organization_id = $1 AND period = $2 AND status = ''closed'')'
        INTO closed USING NEW.organization_id, date_trunc('month', NEW.entry_date)::date;
    IF closed THEN
        RAISE EXCEPTION 'period % is closed', to_char(NEW.entry_date, 'YYYY-MM')
            USING ERRCODE = 'integrity_constraint_violation', SCHEMA = 'ledger', TABLE = 'journal_entries', CONSTRAINT = 'journal_entries_period_open';
    END IF;
    RETURN NEW;
END
$$;
-- +goose StatementEnd

CREATE TRIGGER refuse_change BEFORE UPDATE OR DELETE ON ledger.journal_entries FOR EACH ROW EXECUTE FUNCTION ledger.refuse_change();
CREATE TRIGGER refuse_change BEFORE UPDATE OR DELETE ON ledger.journal_lines FOR EACH ROW EXECUTE FUNCTION ledger.refuse_change();
CREATE TRIGGER refuse_truncate BEFORE TRUNCATE ON ledger.journal_entries FOR EACH STATEMENT EXECUTE FUNCTION ledger.refuse_change();
CREATE TRIGGER refuse_truncate BEFORE TRUNCATE ON ledger.journal_lines FOR EACH STATEMENT EXECUTE FUNCTION ledger.refuse_change();
CREATE TRIGGER period_open BEFORE INSERT ON ledger.journal_entries FOR EACH ROW EXECUTE FUNCTION ledger.check_period_open();
CREATE CONSTRAINT TRIGGER journal_lines_balanced AFTER INSERT ON ledger.journal_lines
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION ledger.check_balanced();
CREATE CONSTRAINT TRIGGER journal_entries_has_lines AFTER INSERT ON ledger.journal_entries
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION ledger.check_has_lines();

-- The first response to a money-moving request, replayed to a retry with the
-- same key. The claim and the response commit with the work they describe.
CREATE TABLE app.idempotency_keys (
    organization_id  uuid        NOT NULL REFERENCES org.organizations (id) ON DELETE CASCADE,
    id               uuid        NOT NULL DEFAULT app.uuid_v7(),
    principal_id     uuid        NOT NULL,
    key              text        NOT NULL CONSTRAINT idempotency_keys_key_check CHECK (length(key) BETWEEN 1 AND 255),
    method           text        NOT NULL CONSTRAINT idempotency_keys_method_check CHECK (method IN ('POST', 'PUT', 'PATCH', 'DELETE')),
    route            text        NOT NULL CONSTRAINT idempotency_keys_route_check CHECK (length(route) BETWEEN 1 AND 200),
    request_hash     bytea       NOT NULL CONSTRAINT idempotency_keys_request_hash_check CHECK (length(request_hash) = 32),
    response_status  int         NOT NULL CONSTRAINT idempotency_keys_response_status_check CHECK (response_status BETWEEN 200 AND 599),
    response_headers jsonb       NOT NULL DEFAULT '{}',
    response_body    bytea       NOT NULL,
    expires_at       timestamptz NOT NULL,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (organization_id, id),
    CONSTRAINT idempotency_keys_key_key UNIQUE (organization_id, principal_id, key)
);
CREATE INDEX idempotency_keys_expires_idx ON app.idempotency_keys (organization_id, expires_at);
SELECT app.apply_org_kit('app.idempotency_keys', '{response_headers,response_body}');

-- Seed the system accounts of the organizations that exist (the org service
-- seeds new ones). The owner reads every organization only with forced
-- row-level security lifted, for this transaction. The audit trigger is off
-- for the seed: it records changes within one organization's transaction,
-- and the chart's creation is this migration, not anyone's change.
ALTER TABLE org.organizations NO FORCE ROW LEVEL SECURITY;
ALTER TABLE ledger.accounts NO FORCE ROW LEVEL SECURITY;
ALTER TABLE ledger.accounts DISABLE TRIGGER audit_changes;
INSERT INTO ledger.accounts (organization_id, code, name, type, system_key)
SELECT o.id, a.code, a.name, a.type, a.system_key
FROM org.organizations o CROSS JOIN (VALUES
    ('1000', 'Operating cash', 'asset', 'operating_cash'),
    ('1010', 'Trust and escrow cash', 'asset', 'trust_cash'),
    ('1050', 'Undeposited funds', 'asset', 'undeposited_funds'),
    ('1100', 'Accounts receivable', 'asset', 'accounts_receivable'),
    ('1300', 'Prepaid expenses', 'asset', 'prepaid_expenses'),
    ('2000', 'Accounts payable', 'liability', 'accounts_payable'),
    ('2100', 'Security deposits held', 'liability', 'security_deposits'),
    ('2200', 'Prepaid rent and tenant credit', 'liability', 'tenant_credit'),
    ('2300', 'Escrow held for clients', 'liability', 'escrow_held'),
    ('2400', 'Commissions payable', 'liability', 'commissions_payable'),
    ('2500', 'Sales tax payable', 'liability', 'sales_tax_payable'),
    ('3000', 'Owner equity', 'equity', 'owner_equity'),
    ('3900', 'Retained earnings', 'equity', 'retained_earnings'),
    ('4000', 'Rental income', 'income', 'rental_income'),
    ('4100', 'Late fee income', 'income', 'late_fee_income'),
    ('4200', 'Other tenant charges', 'income', 'other_tenant_income'),
    ('4500', 'Commission income', 'income', 'commission_income'),
    ('5000', 'Repairs and maintenance', 'expense', 'repairs_maintenance'),
    ('5100', 'Utilities', 'expense', 'utilities'),
    ('5200', 'Management fees', 'expense', 'management_fees'),
    ('5500', 'Commission expense', 'expense', 'commission_expense'),
    ('5900', 'Bank fees', 'expense', 'bank_fees')
) a (code, name, type, system_key);
ALTER TABLE ledger.accounts ENABLE TRIGGER audit_changes;
ALTER TABLE ledger.accounts FORCE ROW LEVEL SECURITY;
ALTER TABLE org.organizations FORCE ROW LEVEL SECURITY;

-- +goose Down
DROP TABLE app.idempotency_keys;
DROP TABLE ledger.journal_lines;
DROP TABLE ledger.journal_entries;
DROP TABLE ledger.accounting_periods;
DROP TABLE ledger.accounts;
DROP FUNCTION ledger.refuse_change(), ledger.check_balanced(), ledger.check_has_lines(), ledger.check_period_open(),
    ledger.guard_system_account();
