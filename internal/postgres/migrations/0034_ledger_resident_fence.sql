-- The resident fence on the receivables: a resident's transaction (which
-- sets app.tenant_id) sees only their own invoices, invoice lines,
-- payments, allocations and refunds, by row-level security alone. Invoices
-- and payments carry tenant_id; their child rows get it here, copied from
-- the parent by a trigger on every insert, so the policy compares a column
-- of the row itself (no subquery in a policy, which Citus would refuse) and
-- no writer can leave it unset or disagree with the parent. The invoice
-- counters hold no tenant's data: residents see none of them.

-- +goose Up
ALTER TABLE ledger.invoice_lines ADD COLUMN tenant_id uuid;
ALTER TABLE ledger.payment_allocations ADD COLUMN tenant_id uuid;
ALTER TABLE ledger.refunds ADD COLUMN tenant_id uuid;

-- The backfill reads and writes every organization's rows: the owner sees
-- them only with forced row-level security lifted, for this transaction.
-- The audit trigger is off for it: the copy is this migration's, not
-- anyone's change.
ALTER TABLE ledger.invoices NO FORCE ROW LEVEL SECURITY;
ALTER TABLE ledger.payments NO FORCE ROW LEVEL SECURITY;
ALTER TABLE ledger.invoice_lines NO FORCE ROW LEVEL SECURITY;
ALTER TABLE ledger.payment_allocations NO FORCE ROW LEVEL SECURITY;
ALTER TABLE ledger.refunds NO FORCE ROW LEVEL SECURITY;
ALTER TABLE ledger.invoice_lines DISABLE TRIGGER audit_changes;
ALTER TABLE ledger.payment_allocations DISABLE TRIGGER audit_changes;
ALTER TABLE ledger.refunds DISABLE TRIGGER audit_changes;
UPDATE ledger.invoice_lines l SET tenant_id = i.tenant_id
    FROM ledger.invoices i WHERE i.organization_id = l.organization_id AND i.id = l.invoice_id;
UPDATE ledger.payment_allocations a SET tenant_id = p.tenant_id
    FROM ledger.payments p WHERE p.organization_id = a.organization_id AND p.id = a.payment_id;
UPDATE ledger.refunds r SET tenant_id = p.tenant_id
    FROM ledger.payments p WHERE p.organization_id = r.organization_id AND p.id = r.payment_id;
ALTER TABLE ledger.refunds ENABLE TRIGGER audit_changes;
ALTER TABLE ledger.payment_allocations ENABLE TRIGGER audit_changes;
ALTER TABLE ledger.invoice_lines ENABLE TRIGGER audit_changes;
ALTER TABLE ledger.refunds FORCE ROW LEVEL SECURITY;
ALTER TABLE ledger.payment_allocations FORCE ROW LEVEL SECURITY;
ALTER TABLE ledger.invoice_lines FORCE ROW LEVEL SECURITY;
ALTER TABLE ledger.payments FORCE ROW LEVEL SECURITY;
ALTER TABLE ledger.invoices FORCE ROW LEVEL SECURITY;

ALTER TABLE ledger.invoice_lines ALTER COLUMN tenant_id SET NOT NULL;
ALTER TABLE ledger.payment_allocations ALTER COLUMN tenant_id SET NOT NULL;
ALTER TABLE ledger.refunds ALTER COLUMN tenant_id SET NOT NULL;

-- +goose StatementBegin
CREATE FUNCTION ledger.copy_parent_tenant() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    IF TG_TABLE_NAME = 'invoice_lines' THEN
        EXECUTE 'SELECT tenant_id FROM ledger.invoices WHERE organization_id = $1 AND id = $2'
            INTO NEW.tenant_id USING NEW.organization_id, NEW.invoice_id;
    ELSE
        EXECUTE 'SELECT tenant_id FROM ledger.payments WHERE organization_id = $1 AND id = $2'
            INTO NEW.tenant_id USING NEW.organization_id, NEW.payment_id;
    END IF;
    RETURN NEW;
END
$$;
-- +goose StatementEnd
CREATE TRIGGER invoice_lines_tenant BEFORE INSERT OR UPDATE OF invoice_id, tenant_id ON ledger.invoice_lines
    FOR EACH ROW EXECUTE FUNCTION ledger.copy_parent_tenant();
CREATE TRIGGER payment_allocations_tenant BEFORE INSERT OR UPDATE OF payment_id, tenant_id ON ledger.payment_allocations
    FOR EACH ROW EXECUTE FUNCTION ledger.copy_parent_tenant();
CREATE TRIGGER refunds_tenant BEFORE INSERT OR UPDATE OF payment_id, tenant_id ON ledger.refunds
    FOR EACH ROW EXECUTE FUNCTION ledger.copy_parent_tenant();

CREATE POLICY resident_fence ON ledger.invoices AS RESTRICTIVE
    USING (app.current_tenant_id() IS NULL OR tenant_id = app.current_tenant_id());
CREATE POLICY resident_fence ON ledger.invoice_lines AS RESTRICTIVE
    USING (app.current_tenant_id() IS NULL OR tenant_id = app.current_tenant_id());
CREATE POLICY resident_fence ON ledger.payments AS RESTRICTIVE
    USING (app.current_tenant_id() IS NULL OR tenant_id = app.current_tenant_id());
CREATE POLICY resident_fence ON ledger.payment_allocations AS RESTRICTIVE
    USING (app.current_tenant_id() IS NULL OR tenant_id = app.current_tenant_id());
CREATE POLICY resident_fence ON ledger.refunds AS RESTRICTIVE
    USING (app.current_tenant_id() IS NULL OR tenant_id = app.current_tenant_id());
CREATE POLICY resident_fence ON ledger.invoice_counters AS RESTRICTIVE
    USING (app.current_tenant_id() IS NULL);

-- +goose Down
DROP POLICY resident_fence ON ledger.invoice_counters;
DROP POLICY resident_fence ON ledger.refunds;
DROP POLICY resident_fence ON ledger.payment_allocations;
DROP POLICY resident_fence ON ledger.payments;
DROP POLICY resident_fence ON ledger.invoice_lines;
DROP POLICY resident_fence ON ledger.invoices;
DROP TRIGGER refunds_tenant ON ledger.refunds;
DROP TRIGGER payment_allocations_tenant ON ledger.payment_allocations;
DROP TRIGGER invoice_lines_tenant ON ledger.invoice_lines;
DROP FUNCTION ledger.copy_parent_tenant();
ALTER TABLE ledger.refunds DROP COLUMN tenant_id;
ALTER TABLE ledger.payment_allocations DROP COLUMN tenant_id;
ALTER TABLE ledger.invoice_lines DROP COLUMN tenant_id;
