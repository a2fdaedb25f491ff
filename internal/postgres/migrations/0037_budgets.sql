-- Budgets and saved reports. A budget is one organization's plan for a
-- calendar year, for one property or (property_id NULL) the whole
-- organization; its lines give twelve monthly amounts per account, the annual
-- total derived. Saved reports keep a report's kind, parameters, schedule and
-- recipients; a job runs the due ones and e-mails a link to their CSV.
-- Owner statements need two more system accounts: owner reserves held (a
-- liability, money kept back from an owner per property) and owner
-- distributions (contra-equity, money paid out to an owner); both are seeded
-- here for the organizations that exist.

-- +goose Up
CREATE TABLE ledger.budgets (
    organization_id uuid        NOT NULL REFERENCES org.organizations (id) ON DELETE CASCADE,
    id              uuid        NOT NULL DEFAULT app.uuid_v7(),
    property_id     uuid,
    year            int         NOT NULL CONSTRAINT budgets_year_check CHECK (year BETWEEN 2000 AND 2999),
    name            text        NOT NULL CONSTRAINT budgets_name_check CHECK (length(btrim(name)) BETWEEN 1 AND 200),
    created_by      uuid,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (organization_id, id),
    CONSTRAINT budgets_property_year_key UNIQUE NULLS NOT DISTINCT (organization_id, property_id, year),
    CONSTRAINT budgets_property_fkey FOREIGN KEY (organization_id, property_id) REFERENCES property.properties (organization_id, id)
);
SELECT app.apply_org_kit('ledger.budgets');

CREATE TABLE ledger.budget_lines (
    organization_id uuid             NOT NULL REFERENCES org.organizations (id) ON DELETE CASCADE,
    id              uuid             NOT NULL DEFAULT app.uuid_v7(),
    budget_id       uuid             NOT NULL,
    account_id      uuid             NOT NULL,
    -- January to December.
    amounts         numeric(14, 2)[] NOT NULL CONSTRAINT budget_lines_amounts_check
        CHECK (cardinality(amounts) = 12 AND array_position(amounts, NULL) IS NULL),
    annual          numeric(16, 2)   NOT NULL GENERATED ALWAYS AS (amounts[1] + amounts[2] + amounts[3] + amounts[4] + amounts[5] + amounts[6]
        + amounts[7] + amounts[8] + amounts[9] + amounts[10] + amounts[11] + amounts[12]) STORED,
    notes           text             CONSTRAINT budget_lines_notes_check CHECK (length(notes) <= 500),
    created_at      timestamptz      NOT NULL DEFAULT now(),
    updated_at      timestamptz      NOT NULL DEFAULT now(),
    PRIMARY KEY (organization_id, id),
    CONSTRAINT budget_lines_account_key UNIQUE (organization_id, budget_id, account_id),
    CONSTRAINT budget_lines_budget_fkey FOREIGN KEY (organization_id, budget_id) REFERENCES ledger.budgets (organization_id, id) ON DELETE CASCADE,
    CONSTRAINT budget_lines_account_fkey FOREIGN KEY (organization_id, account_id) REFERENCES ledger.accounts (organization_id, id)
);
CREATE INDEX budget_lines_account_idx ON ledger.budget_lines (organization_id, account_id);
SELECT app.apply_org_kit('ledger.budget_lines');

CREATE TABLE ledger.saved_reports (
    organization_id uuid        NOT NULL REFERENCES org.organizations (id) ON DELETE CASCADE,
    id              uuid        NOT NULL DEFAULT app.uuid_v7(),
    name            text        NOT NULL CONSTRAINT saved_reports_name_check CHECK (length(btrim(name)) BETWEEN 1 AND 200),
    kind            text        NOT NULL CONSTRAINT saved_reports_kind_check CHECK (kind IN ('income_statement', 'balance_sheet',
        'trial_balance', 'owner_statement', 'budget_vs_actual', 'ar_aging')),
    parameters      jsonb       NOT NULL DEFAULT '{}',
    -- Runs monthly on this day (1 to 28) at this hour, in the organization's
    -- time zone; no day means it is run only by hand.
    schedule_day    smallint    CONSTRAINT saved_reports_schedule_day_check CHECK (schedule_day BETWEEN 1 AND 28),
    schedule_hour   smallint    NOT NULL DEFAULT 6 CONSTRAINT saved_reports_schedule_hour_check CHECK (schedule_hour BETWEEN 0 AND 23),
    recipients      text[]      NOT NULL DEFAULT '{}' CONSTRAINT saved_reports_recipients_check CHECK (cardinality(recipients) <= 20),
    next_run_at     timestamptz,
    last_run_at     timestamptz,
    created_by      uuid,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (organization_id, id),
    CONSTRAINT saved_reports_name_key UNIQUE (organization_id, name),
    CONSTRAINT saved_reports_schedule_check CHECK ((schedule_day IS NULL) = (next_run_at IS NULL))
);
CREATE INDEX saved_reports_due_idx ON ledger.saved_reports (organization_id, next_run_at) WHERE next_run_at IS NOT NULL;
SELECT app.apply_org_kit('ledger.saved_reports');

-- The two owner-statement accounts for the organizations that exist, under
-- their default codes unless an organization already uses the code.
ALTER TABLE org.organizations NO FORCE ROW LEVEL SECURITY;
ALTER TABLE ledger.accounts NO FORCE ROW LEVEL SECURITY;
ALTER TABLE ledger.accounts DISABLE TRIGGER audit_changes;
INSERT INTO ledger.accounts (organization_id, code, name, type, system_key)
SELECT o.id, CASE WHEN EXISTS (SELECT FROM ledger.accounts x WHERE x.organization_id = o.id AND x.code = a.code)
        THEN a.code || '-S' ELSE a.code END, a.name, a.type, a.system_key
FROM org.organizations o CROSS JOIN (VALUES
    ('2600', 'Owner reserves held', 'liability', 'owner_reserves'),
    ('3100', 'Owner distributions', 'equity', 'owner_distributions')
) a (code, name, type, system_key)
WHERE NOT EXISTS (SELECT FROM ledger.accounts x WHERE x.organization_id = o.id AND x.system_key = a.system_key);
ALTER TABLE ledger.accounts ENABLE TRIGGER audit_changes;
ALTER TABLE ledger.accounts FORCE ROW LEVEL SECURITY;
ALTER TABLE org.organizations FORCE ROW LEVEL SECURITY;

-- +goose Down
DROP TABLE ledger.saved_reports;
DROP TABLE ledger.budget_lines;
DROP TABLE ledger.budgets;
-- The two accounts go when nothing was posted to them; with postings they
-- stay (books are kept), as ordinary accounts without their keys.
ALTER TABLE ledger.accounts NO FORCE ROW LEVEL SECURITY;
ALTER TABLE ledger.accounts DISABLE TRIGGER audit_changes;
ALTER TABLE ledger.accounts DISABLE TRIGGER guard_system_account;
DELETE FROM ledger.accounts a WHERE a.system_key IN ('owner_reserves', 'owner_distributions')
    AND NOT EXISTS (SELECT FROM ledger.journal_lines l WHERE l.organization_id = a.organization_id AND l.account_id = a.id);
UPDATE ledger.accounts SET system_key = NULL WHERE system_key IN ('owner_reserves', 'owner_distributions');
ALTER TABLE ledger.accounts ENABLE TRIGGER guard_system_account;
ALTER TABLE ledger.accounts ENABLE TRIGGER audit_changes;
ALTER TABLE ledger.accounts FORCE ROW LEVEL SECURITY;
