-- A journal line's and an invoice line's foreign key to their organization
-- is redundant: each line's composite key to its parent (the entry by
-- organization, id and date; the invoice by organization and id) already
-- requires a row of the same organization, and that parent keeps its own
-- key to the organization. The check cost every inserted line a lookup:
-- in a billing run of 1000 leases (bench W6, auto_explain) 8.4 s of the
-- journal lines' 100 s and 4.4 s of the invoice lines' 34 s, summed over
-- the organizations billed at once. The same reasoning dropped the
-- property matches' key in 0056.
--
-- No application path deletes an organization; the journal refuses
-- deletes in any case (refuse_change), so the cascade these keys carried
-- never ran for lines.

-- +goose Up
ALTER TABLE ledger.journal_lines DROP CONSTRAINT journal_lines_organization_id_fkey;
ALTER TABLE ledger.invoice_lines DROP CONSTRAINT invoice_lines_organization_id_fkey;

-- +goose Down
-- NOT VALID then VALIDATE: the check of the existing rows takes no lock
-- that blocks writes.
ALTER TABLE ledger.invoice_lines ADD CONSTRAINT invoice_lines_organization_id_fkey FOREIGN KEY (organization_id)
    REFERENCES org.organizations (id) ON DELETE CASCADE NOT VALID;
ALTER TABLE ledger.invoice_lines VALIDATE CONSTRAINT invoice_lines_organization_id_fkey;
ALTER TABLE ledger.journal_lines ADD CONSTRAINT journal_lines_organization_id_fkey FOREIGN KEY (organization_id)
    REFERENCES org.organizations (id) ON DELETE CASCADE NOT VALID;
ALTER TABLE ledger.journal_lines VALIDATE CONSTRAINT journal_lines_organization_id_fkey;
