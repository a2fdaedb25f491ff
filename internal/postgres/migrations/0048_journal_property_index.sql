-- The statements of one property (income statement, owner statement, budget
-- against actuals) sum an account's lines of the property over a range of
-- days. journal_lines_account_idx serves the organization's statements by
-- account and date but holds no property, so a property's statement read
-- every line of the account from the heap and dropped the other
-- properties'. This index puts the property before the account, with the
-- amounts included, so those reads are index-only range scans. Lines of no
-- property are left out: no property statement reads them.
-- Built concurrently: journal_lines is large and written all day.

-- +goose NO TRANSACTION

-- +goose Up
CREATE INDEX CONCURRENTLY IF NOT EXISTS journal_lines_property_idx
    ON ledger.journal_lines (organization_id, property_id, account_id, entry_date)
    INCLUDE (debit, credit) WHERE property_id IS NOT NULL;

-- +goose Down
DROP INDEX CONCURRENTLY IF EXISTS ledger.journal_lines_property_idx;
