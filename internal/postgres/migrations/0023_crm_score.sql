-- The explainable lead score kept on each client (the score, the reasons it
-- is the sum of, when it was computed), the reminder mark of tasks, and the
-- list of organizations the periodic jobs walk (the runtime role sees one
-- organization at a time, so the list comes through a function).

-- +goose Up
ALTER TABLE crm.clients
    ADD COLUMN lead_score        smallint CONSTRAINT clients_lead_score_check CHECK (lead_score BETWEEN 0 AND 100),
    ADD COLUMN score_reasons     jsonb    NOT NULL DEFAULT '[]',
    ADD COLUMN score_computed_at timestamptz,
    ADD COLUMN score_generation  int      NOT NULL DEFAULT 0;
-- score_generation counts the recomputes: a change of the score's inputs
-- enqueues the recompute of the generation it saw, so changes before one
-- recompute starts collapse into one job, and a change after it (even while
-- the finished job is not yet marked done) enqueues the next.
-- A recomputed score is no change of the client's facts: the audit trail
-- leaves the score columns out (a nightly recompute of every client would
-- otherwise write a trail row per client).
CREATE OR REPLACE TRIGGER audit_changes AFTER INSERT OR UPDATE OR DELETE ON crm.clients
    FOR EACH ROW EXECUTE FUNCTION audit.log_change('search_text', 'lead_score', 'score_reasons', 'score_computed_at', 'score_generation');

-- reminded_at is when the task's due reminder went out; moving due_at
-- clears it, so the task is reminded again for its new due time.
ALTER TABLE crm.tasks ADD COLUMN reminded_at timestamptz;

-- The organization ids, a page at a time, for the periodic jobs that work
-- each organization in turn. They come from the global slug lookup, which
-- the owner role reads in full through its own policy; the runtime role
-- gets ids only, through this function, and still sees one organization's
-- rows at a time everywhere else.
CREATE POLICY owner_sweep ON org.organization_slugs FOR SELECT TO realty_owner USING (true);
-- +goose StatementBegin
CREATE FUNCTION org.organization_ids(p_after uuid, p_limit int) RETURNS SETOF uuid
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
    SELECT org_id FROM org.organization_slugs WHERE p_after IS NULL OR org_id > p_after ORDER BY org_id LIMIT p_limit;
$$;
-- +goose StatementEnd

-- +goose Down
DROP FUNCTION org.organization_ids(uuid, int);
DROP POLICY owner_sweep ON org.organization_slugs;
ALTER TABLE crm.tasks DROP COLUMN reminded_at;
CREATE OR REPLACE TRIGGER audit_changes AFTER INSERT OR UPDATE OR DELETE ON crm.clients
    FOR EACH ROW EXECUTE FUNCTION audit.log_change('search_text');
ALTER TABLE crm.clients DROP COLUMN score_generation, DROP COLUMN score_computed_at, DROP COLUMN score_reasons, DROP COLUMN lead_score;
