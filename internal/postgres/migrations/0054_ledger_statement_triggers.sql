-- The billing run writes about 760,000 rows for 100,000 invoices (bench
-- W6), and most of its time went to per-row triggers, not to the rows:
-- each row's audit row was its own PL/pgSQL call and INSERT, and every
-- journal line queued a deferred check that summed its whole entry again
-- at commit (an entry of four lines was summed four times, then counted
-- once more by the entry's own check).
--
-- Audit: inserts into the four tables a billing run fills (invoices, their
-- lines, journal entries and lines) are recorded by one statement-level
-- trigger per INSERT statement, from its transition table, with the same
-- rows as before (one audit.changes row per inserted row: the row as JSON
-- less updated_at, its user and request). Updates and deletes keep the
-- row-level audit_changes trigger.
--
-- Balance: one deferred check per entry (journal_entries_balanced: at
-- commit, at least two lines and debits equal to credits) replaces the
-- per-line check and the per-entry line count. It sees every line the
-- entry's own transaction added. Lines can no longer be added to an entry
-- some earlier transaction posted: a statement-level trigger on the lines
-- (journal_lines_entry_open) refuses them at once, so no entry's balance
-- can change after it committed.

-- +goose Up
-- +goose StatementBegin
-- Writes one audit.changes row per row an INSERT statement inserted
-- (transition table new_rows), as audit.log_change does row by row.
-- Trigger arguments name columns to leave out.
CREATE FUNCTION audit.log_inserts() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    omit text[] := coalesce(TG_ARGV::text[], '{}') || '{updated_at}';
    who  uuid := app.current_user_id();
    req  text := app.current_request_id();
BEGIN
    -- Static SQL: PL/pgSQL compiles a trigger function per table, so each
    -- table keeps its own plan of this statement.
    INSERT INTO audit.changes (organization_id, table_name, record_id, action, new_data, user_id, request_id)
    SELECT n.organization_id, TG_TABLE_SCHEMA || '.' || TG_TABLE_NAME, n.id, 'INSERT', to_jsonb(n) - omit, who, req
    FROM new_rows n;
    RETURN NULL;
END
$$;

-- An entry balances when its transaction commits: at least two lines,
-- debits equal to credits.
CREATE FUNCTION ledger.check_entry_balanced() RETURNS trigger
    LANGUAGE plpgsql AS $$
DECLARE
    n int;
    dr numeric;
    cr numeric;
BEGIN
    -- Parameters, not NEW's fields in the text, so the statement routes by
    -- organization (the statement audit reads it as the server records it).
    EXECUTE 'SELECT count(*), coalesce(sum(debit), 0), coalesce(sum(credit), 0) FROM ledger.journal_lines
             WHERE organization_id = $1 AND entry_id = $2' INTO n, dr, cr USING NEW.organization_id, NEW.id;
    IF n < 2 THEN
        RAISE EXCEPTION 'journal entry % has fewer than two lines', NEW.id
            USING ERRCODE = 'integrity_constraint_violation', SCHEMA = 'ledger', TABLE = 'journal_entries', CONSTRAINT = 'journal_entries_balanced';
    END IF;
    IF dr <> cr THEN
        RAISE EXCEPTION 'journal entry % is unbalanced: % lines, debits %, credits %', NEW.id, n, dr, cr
            USING ERRCODE = 'integrity_constraint_violation', SCHEMA = 'ledger', TABLE = 'journal_entries', CONSTRAINT = 'journal_entries_balanced';
    END IF;
    RETURN NULL;
END
$$;

-- Lines go only into entries their own transaction posted (the entry's
-- row was inserted by this transaction or one of its subtransactions:
-- a visible row whose inserting transaction is still in progress). An
-- entry the statement cannot see is refused as well.
CREATE FUNCTION ledger.check_lines_entry_open() RETURNS trigger
    LANGUAGE plpgsql AS $$
DECLARE
    cur bigint := pg_current_xact_id()::text::bigint;
    bad uuid;
BEGIN
    SELECT l.entry_id INTO bad
    FROM (SELECT DISTINCT organization_id, entry_id FROM new_lines) l
    LEFT JOIN ledger.journal_entries e ON e.organization_id = l.organization_id AND e.id = l.entry_id
    -- The entry's 32-bit xmin as a full transaction id: the one nearest
    -- this transaction's (subtransactions' ids come after it).
    WHERE e.id IS NULL OR pg_xact_status((cur + (e.xmin::text::bigint - (cur & 4294967295) + 6442450944) % 4294967296 - 2147483648)
            ::text::xid8) IS DISTINCT FROM 'in progress'
    LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'journal entry % was posted by an earlier transaction: its lines are fixed', bad
            USING ERRCODE = 'integrity_constraint_violation', SCHEMA = 'ledger', TABLE = 'journal_entries', CONSTRAINT = 'journal_entries_balanced';
    END IF;
    RETURN NULL;
END
$$;
-- +goose StatementEnd

DROP TRIGGER journal_lines_balanced ON ledger.journal_lines;
DROP TRIGGER journal_entries_has_lines ON ledger.journal_entries;
CREATE CONSTRAINT TRIGGER journal_entries_balanced AFTER INSERT ON ledger.journal_entries
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION ledger.check_entry_balanced();
CREATE TRIGGER journal_lines_entry_open AFTER INSERT ON ledger.journal_lines
    REFERENCING NEW TABLE AS new_lines FOR EACH STATEMENT EXECUTE FUNCTION ledger.check_lines_entry_open();

DROP TRIGGER audit_changes ON ledger.invoices;
DROP TRIGGER audit_changes ON ledger.invoice_lines;
DROP TRIGGER audit_changes ON ledger.journal_entries;
DROP TRIGGER audit_changes ON ledger.journal_lines;
CREATE TRIGGER audit_changes AFTER UPDATE OR DELETE ON ledger.invoices FOR EACH ROW EXECUTE FUNCTION audit.log_change();
CREATE TRIGGER audit_changes AFTER UPDATE OR DELETE ON ledger.invoice_lines FOR EACH ROW EXECUTE FUNCTION audit.log_change();
CREATE TRIGGER audit_changes AFTER UPDATE OR DELETE ON ledger.journal_entries FOR EACH ROW EXECUTE FUNCTION audit.log_change();
CREATE TRIGGER audit_changes AFTER UPDATE OR DELETE ON ledger.journal_lines FOR EACH ROW EXECUTE FUNCTION audit.log_change();
CREATE TRIGGER audit_inserts AFTER INSERT ON ledger.invoices
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION audit.log_inserts();
CREATE TRIGGER audit_inserts AFTER INSERT ON ledger.invoice_lines
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION audit.log_inserts();
CREATE TRIGGER audit_inserts AFTER INSERT ON ledger.journal_entries
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION audit.log_inserts();
CREATE TRIGGER audit_inserts AFTER INSERT ON ledger.journal_lines
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION audit.log_inserts();


-- +goose Down
DROP TRIGGER audit_inserts ON ledger.journal_lines;
DROP TRIGGER audit_inserts ON ledger.journal_entries;
DROP TRIGGER audit_inserts ON ledger.invoice_lines;
DROP TRIGGER audit_inserts ON ledger.invoices;
DROP TRIGGER audit_changes ON ledger.journal_lines;
DROP TRIGGER audit_changes ON ledger.journal_entries;
DROP TRIGGER audit_changes ON ledger.invoice_lines;
DROP TRIGGER audit_changes ON ledger.invoices;
CREATE TRIGGER audit_changes AFTER INSERT OR UPDATE OR DELETE ON ledger.invoices FOR EACH ROW EXECUTE FUNCTION audit.log_change();
CREATE TRIGGER audit_changes AFTER INSERT OR UPDATE OR DELETE ON ledger.invoice_lines FOR EACH ROW EXECUTE FUNCTION audit.log_change();
CREATE TRIGGER audit_changes AFTER INSERT OR UPDATE OR DELETE ON ledger.journal_entries FOR EACH ROW EXECUTE FUNCTION audit.log_change();
CREATE TRIGGER audit_changes AFTER INSERT OR UPDATE OR DELETE ON ledger.journal_lines FOR EACH ROW EXECUTE FUNCTION audit.log_change();

DROP TRIGGER journal_lines_entry_open ON ledger.journal_lines;
DROP TRIGGER journal_entries_balanced ON ledger.journal_entries;
CREATE CONSTRAINT TRIGGER journal_lines_balanced AFTER INSERT ON ledger.journal_lines
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION ledger.check_balanced();
CREATE CONSTRAINT TRIGGER journal_entries_has_lines AFTER INSERT ON ledger.journal_entries
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION ledger.check_has_lines();
DROP FUNCTION ledger.check_lines_entry_open();
DROP FUNCTION ledger.check_entry_balanced();
DROP FUNCTION audit.log_inserts();
