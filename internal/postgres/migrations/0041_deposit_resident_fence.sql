-- The resident fence on deposit dispositions and their deductions: a
-- resident's transaction sees only their own tenancy's disposition and its
-- deductions, by row-level security alone. Dispositions carry tenant_id;
-- deductions get it here, copied from their disposition by a trigger on
-- every insert (a policy compares a column of its own row, never a
-- subquery, which Citus would refuse).

-- +goose Up
ALTER TABLE ledger.deposit_deductions ADD COLUMN tenant_id uuid;

-- The backfill reads and writes every organization's rows: forced
-- row-level security and the audit trigger are lifted for it.
ALTER TABLE ledger.deposit_dispositions NO FORCE ROW LEVEL SECURITY;
ALTER TABLE ledger.deposit_deductions NO FORCE ROW LEVEL SECURITY;
ALTER TABLE ledger.deposit_deductions DISABLE TRIGGER audit_changes;
UPDATE ledger.deposit_deductions x SET tenant_id = d.tenant_id
    FROM ledger.deposit_dispositions d WHERE d.organization_id = x.organization_id AND d.id = x.disposition_id;
ALTER TABLE ledger.deposit_deductions ENABLE TRIGGER audit_changes;
ALTER TABLE ledger.deposit_deductions FORCE ROW LEVEL SECURITY;
ALTER TABLE ledger.deposit_dispositions FORCE ROW LEVEL SECURITY;

ALTER TABLE ledger.deposit_deductions ALTER COLUMN tenant_id SET NOT NULL;

-- +goose StatementBegin
CREATE FUNCTION ledger.copy_disposition_tenant() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    SELECT tenant_id INTO NEW.tenant_id FROM ledger.deposit_dispositions
        WHERE organization_id = NEW.organization_id AND id = NEW.disposition_id;
    RETURN NEW;
END
$$;
-- +goose StatementEnd
CREATE TRIGGER deposit_deductions_tenant BEFORE INSERT OR UPDATE OF disposition_id, tenant_id ON ledger.deposit_deductions
    FOR EACH ROW EXECUTE FUNCTION ledger.copy_disposition_tenant();

CREATE POLICY resident_fence ON ledger.deposit_dispositions AS RESTRICTIVE
    USING (app.current_tenant_id() IS NULL OR tenant_id = app.current_tenant_id());
CREATE POLICY resident_fence ON ledger.deposit_deductions AS RESTRICTIVE
    USING (app.current_tenant_id() IS NULL OR tenant_id = app.current_tenant_id());

-- +goose Down
DROP POLICY resident_fence ON ledger.deposit_deductions;
DROP POLICY resident_fence ON ledger.deposit_dispositions;
DROP TRIGGER deposit_deductions_tenant ON ledger.deposit_deductions;
DROP FUNCTION ledger.copy_disposition_tenant();
ALTER TABLE ledger.deposit_deductions DROP COLUMN tenant_id;
