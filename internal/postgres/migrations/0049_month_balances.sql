-- A monthly summary of the journal for the statements: each account's
-- debits, credits and line count per property (or none) and calendar month,
-- for the months before the current one. Plain tables with the org kit
-- (row-level security applies; it would not to a materialized view), kept by
-- the ledger's summary job (ledger.Service.RefreshSummary).
--
-- ledger.balance_months holds one row per summarized month. A month is read
-- from the summary only while its row is clean: every journal entry inserted
-- into a month that has a row marks it dirty in the posting's transaction
-- (trigger summary_dirty, after period_open has taken the month's shared
-- lock), and the statements read a dirty month from the journal lines until
-- the job has summed it again. The job takes the month's lock exclusively
-- before it sums, so no posting can commit between its sums and its marking
-- the month clean.

-- +goose Up
CREATE TABLE ledger.balance_months (
    organization_id uuid        NOT NULL REFERENCES org.organizations (id) ON DELETE CASCADE,
    id              uuid        NOT NULL,
    month           date        NOT NULL CONSTRAINT balance_months_month_check CHECK (extract(day FROM month) = 1),
    dirty           boolean     NOT NULL DEFAULT false,
    refreshed_at    timestamptz NOT NULL DEFAULT now(),
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (organization_id, id),
    CONSTRAINT balance_months_month_key UNIQUE (organization_id, month)
);
-- The marks and refresh times are derived state: no trail rows for them.
SELECT app.apply_org_kit('ledger.balance_months', '{dirty,refreshed_at}');

-- The id is a digest of (month, account, property), so a refresh upserts
-- and the same sums leave the row alone.
CREATE TABLE ledger.month_balances (
    organization_id uuid           NOT NULL REFERENCES org.organizations (id) ON DELETE CASCADE,
    id              uuid           NOT NULL,
    month           date           NOT NULL,
    account_id      uuid           NOT NULL,
    property_id     uuid,
    debit           numeric(18, 2) NOT NULL,
    credit          numeric(18, 2) NOT NULL,
    lines           integer        NOT NULL CONSTRAINT month_balances_lines_check CHECK (lines > 0),
    created_at      timestamptz    NOT NULL DEFAULT now(),
    updated_at      timestamptz    NOT NULL DEFAULT now(),
    PRIMARY KEY (organization_id, id),
    CONSTRAINT month_balances_key UNIQUE NULLS NOT DISTINCT (organization_id, account_id, month, property_id),
    CONSTRAINT month_balances_month_fkey FOREIGN KEY (organization_id, month)
        REFERENCES ledger.balance_months (organization_id, month) ON DELETE CASCADE,
    CONSTRAINT month_balances_account_fkey FOREIGN KEY (organization_id, account_id) REFERENCES ledger.accounts (organization_id, id),
    CONSTRAINT month_balances_property_fkey FOREIGN KEY (organization_id, property_id) REFERENCES property.properties (organization_id, id)
);
CREATE INDEX month_balances_month_idx ON ledger.month_balances (organization_id, month);
SELECT app.apply_org_kit('ledger.month_balances', '{debit,credit,lines}');

-- +goose StatementBegin
-- A posting into a summarized month marks the month dirty. Parameters, not
-- NEW's fields in the text, so the statement routes by organization.
CREATE FUNCTION ledger.mark_month_dirty() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE 'UPDATE ledger.balance_months SET dirty = true WHERE organization_id = $1 AND month = $2 AND NOT dirty'
        USING NEW.organization_id, date_trunc('month', NEW.entry_date)::date;
    RETURN NEW;
END
$$;
-- +goose StatementEnd
-- BEFORE triggers fire in name order: period_open (the month's shared lock)
-- runs first.
CREATE TRIGGER summary_dirty BEFORE INSERT ON ledger.journal_entries FOR EACH ROW EXECUTE FUNCTION ledger.mark_month_dirty();

-- +goose Down
DROP TRIGGER summary_dirty ON ledger.journal_entries;
DROP FUNCTION ledger.mark_month_dirty();
DROP TABLE ledger.month_balances;
DROP TABLE ledger.balance_months;
