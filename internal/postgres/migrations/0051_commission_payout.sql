-- Paying an agent (or the referral party) their split of a posted
-- commission: the day it was paid, the payment's reference (a check number,
-- a transfer id) and who recorded it. A split is paid once, in full; its
-- payment posts commissions payable ↔ operating cash (source
-- commission_payout, the split). The disbursement authorisation generated
-- at closing is also filed as a staff document of the deal
-- (cda_document_id). See docs/deals.md, "Money".
--
-- A contract's signers may be added or removed while it is a draft or sent:
-- the audit trail records it (signer_added, signer_removed).

-- +goose Up
ALTER TABLE deal.commission_splits
    ADD COLUMN paid_on        date,
    ADD COLUMN paid_reference text CONSTRAINT commission_splits_paid_reference_check CHECK (length(btrim(paid_reference)) BETWEEN 1 AND 100),
    ADD COLUMN paid_at        timestamptz,
    ADD COLUMN paid_by        uuid,
    ADD CONSTRAINT commission_splits_paid_check CHECK ((paid_on IS NULL) = (paid_at IS NULL)
        AND (paid_on IS NOT NULL OR (paid_reference IS NULL AND paid_by IS NULL))),
    ADD CONSTRAINT commission_splits_paid_by_fkey FOREIGN KEY (organization_id, paid_by) REFERENCES org.members (organization_id, id)
        ON DELETE SET NULL (paid_by);
ALTER TABLE deal.commissions
    ADD COLUMN cda_document_id uuid,
    ADD CONSTRAINT commissions_cda_document_fkey FOREIGN KEY (organization_id, cda_document_id)
        REFERENCES document.documents (organization_id, id);
ALTER TABLE deal.contract_events DROP CONSTRAINT contract_events_event_check,
    ADD CONSTRAINT contract_events_event_check CHECK (event IN ('created', 'sent', 'viewed', 'signed', 'refused', 'executed',
        'amended', 'voided', 'signer_added', 'signer_removed'));

-- +goose Down
DELETE FROM deal.contract_events WHERE event IN ('signer_added', 'signer_removed');
ALTER TABLE deal.contract_events DROP CONSTRAINT contract_events_event_check,
    ADD CONSTRAINT contract_events_event_check CHECK (event IN ('created', 'sent', 'viewed', 'signed', 'refused', 'executed',
        'amended', 'voided'));
ALTER TABLE deal.commissions DROP COLUMN cda_document_id;
ALTER TABLE deal.commission_splits DROP CONSTRAINT commission_splits_paid_by_fkey,
    DROP CONSTRAINT commission_splits_paid_check, DROP COLUMN paid_by, DROP COLUMN paid_at,
    DROP COLUMN paid_reference, DROP COLUMN paid_on;
