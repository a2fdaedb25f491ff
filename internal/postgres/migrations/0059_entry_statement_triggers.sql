-- A journal entry's two per-row BEFORE INSERT triggers, period_open (the
-- month's shared advisory lock, then the refusal of a closed month) and
-- summary_dirty (the summarized month marked dirty), each ran a dynamic
-- statement planned anew for every row: a billing run inserting 1000
-- entries of one month paid 2000 plannings for one month's answer.
--
-- One statement-level AFTER INSERT trigger now does the same once per
-- distinct (organization, month) of the statement's new rows, in that
-- order: the month's shared lock, the check, the dirty mark. The order of
-- lock and mark is kept (the summary job takes the month's lock
-- exclusively before it sums, so no posting commits between its sums and
-- its marking the month clean), and a close still waits for every posting
-- in flight: the lock is taken before the statement ends and held to
-- commit. A refusal raises the same error (constraint
-- journal_entries_period_open) and undoes the statement. Locks are taken
-- in (organization, month) order, so two statements posting into the same
-- months cannot deadlock on them.

-- +goose Up
-- +goose StatementBegin
CREATE FUNCTION ledger.entries_posted() RETURNS trigger
    LANGUAGE plpgsql AS $$
DECLARE
    m record;
    closed boolean;
BEGIN
    FOR m IN SELECT DISTINCT organization_id AS org, date_trunc('month', entry_date)::date AS month FROM new_entries ORDER BY 1, 2 LOOP
        PERFORM pg_advisory_xact_lock_shared(hashtextextended('ledger.period:' || m.org::text, m.month - date '2000-01-01'));
        -- Parameters, so each statement routes by organization.
        EXECUTE 'SELECT EXISTS (SELECT FROM ledger.accounting_periods WHERE organization_id = $1 AND period = $2 AND status = ''closed'')'
            INTO closed USING m.org, m.month;
        IF closed THEN
            RAISE EXCEPTION 'period % is closed', to_char(m.month, 'YYYY-MM')
                USING ERRCODE = 'integrity_constraint_violation', SCHEMA = 'ledger', TABLE = 'journal_entries', CONSTRAINT = 'journal_entries_period_open';
        END IF;
        EXECUTE 'UPDATE ledger.balance_months SET dirty = true WHERE organization_id = $1 AND month = $2 AND NOT dirty'
            USING m.org, m.month;
    END LOOP;
    RETURN NULL;
END
$$;
-- +goose StatementEnd
DROP TRIGGER summary_dirty ON ledger.journal_entries;
DROP TRIGGER period_open ON ledger.journal_entries;
CREATE TRIGGER period_open AFTER INSERT ON ledger.journal_entries
    REFERENCING NEW TABLE AS new_entries FOR EACH STATEMENT EXECUTE FUNCTION ledger.entries_posted();

-- +goose Down
DROP TRIGGER period_open ON ledger.journal_entries;
DROP FUNCTION ledger.entries_posted();
CREATE TRIGGER period_open BEFORE INSERT ON ledger.journal_entries FOR EACH ROW EXECUTE FUNCTION ledger.check_period_open();
CREATE TRIGGER summary_dirty BEFORE INSERT ON ledger.journal_entries FOR EACH ROW EXECUTE FUNCTION ledger.mark_month_dirty();
