-- Guards on the audit trail's definer functions, and API-key use kept out
-- of the trail.
--
-- audit.record_security_event runs with its owner's rights, so it must not
-- write into an organization's log other than the one the calling
-- transaction is scoped to (app.org_id, set by SET LOCAL): an event of an
-- organization is accepted only when it is the transaction's organization.
-- Events of no organization (sign-in failures, lockouts, account changes)
-- still go to audit.account_events.
--
-- audit.ensure_partitions creates a table per month it is asked for: the
-- number of months is bounded to 1..24.
--
-- identity.api_keys: touching last_used_at on use is not a change anyone
-- made, and wrote an audit row each minute a key was used. The audit trigger
-- now leaves the column out (as it already left key_hash out), so an update
-- of last_used_at alone records nothing; renaming or revoking a key still
-- records one row.

-- +goose Up
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION audit.record_security_event(p_kind text, p_org uuid, p_user uuid, p_ip inet, p_user_agent text, p_details jsonb)
    RETURNS void LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    IF p_org IS NULL THEN
        INSERT INTO audit.account_events (kind, user_id, ip, user_agent, details)
        VALUES (p_kind, p_user, p_ip, left(p_user_agent, 300), coalesce(p_details, '{}'));
        RETURN;
    END IF;
    IF p_org IS DISTINCT FROM app.current_org_id() THEN
        RAISE EXCEPTION 'record_security_event: organization % is not the transaction''s organization', p_org
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    INSERT INTO audit.security_events (kind, organization_id, user_id, ip, user_agent, details)
    VALUES (p_kind, p_org, p_user, p_ip, left(p_user_agent, 300), coalesce(p_details, '{}'));
END
$$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION audit.ensure_partitions(months_ahead int DEFAULT 2) RETURNS int
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    month_start timestamp;
    part        text;
    created     int := 0;
BEGIN
    IF months_ahead IS NULL OR months_ahead NOT BETWEEN 1 AND 24 THEN
        RAISE EXCEPTION 'ensure_partitions: months_ahead must be between 1 and 24, not %', months_ahead
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    FOR i IN 0..months_ahead LOOP
        month_start := date_trunc('month', now() AT TIME ZONE 'UTC') + make_interval(months => i);
        part := 'changes_' || to_char(month_start, 'YYYY_MM');
        CONTINUE WHEN to_regclass('audit.' || part) IS NOT NULL;
        EXECUTE format('CREATE TABLE audit.%I (LIKE audit.changes INCLUDING DEFAULTS INCLUDING CONSTRAINTS)', part);
        EXECUTE format(
            'WITH moved AS (DELETE FROM audit.changes_default WHERE changed_at >= %L AND changed_at < %L RETURNING *) '
            'INSERT INTO audit.%I SELECT * FROM moved',
            month_start AT TIME ZONE 'UTC', (month_start + interval '1 month') AT TIME ZONE 'UTC', part);
        EXECUTE format('ALTER TABLE audit.changes ATTACH PARTITION audit.%I FOR VALUES FROM (%L) TO (%L)',
            part, month_start AT TIME ZONE 'UTC', (month_start + interval '1 month') AT TIME ZONE 'UTC');
        EXECUTE format('REVOKE ALL ON audit.%I FROM realty_app', part);
        created := created + 1;
    END LOOP;
    RETURN created;
END
$$;
-- +goose StatementEnd

CREATE OR REPLACE TRIGGER audit_changes AFTER INSERT OR UPDATE OR DELETE ON identity.api_keys
    FOR EACH ROW EXECUTE FUNCTION audit.log_change('key_hash', 'last_used_at');

-- +goose Down
CREATE OR REPLACE TRIGGER audit_changes AFTER INSERT OR UPDATE OR DELETE ON identity.api_keys
    FOR EACH ROW EXECUTE FUNCTION audit.log_change('key_hash');

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION audit.ensure_partitions(months_ahead int DEFAULT 2) RETURNS int
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    month_start timestamp;
    part        text;
    created     int := 0;
BEGIN
    FOR i IN 0..months_ahead LOOP
        month_start := date_trunc('month', now() AT TIME ZONE 'UTC') + make_interval(months => i);
        part := 'changes_' || to_char(month_start, 'YYYY_MM');
        CONTINUE WHEN to_regclass('audit.' || part) IS NOT NULL;
        EXECUTE format('CREATE TABLE audit.%I (LIKE audit.changes INCLUDING DEFAULTS INCLUDING CONSTRAINTS)', part);
        EXECUTE format(
            'WITH moved AS (DELETE FROM audit.changes_default WHERE changed_at >= %L AND changed_at < %L RETURNING *) '
            'INSERT INTO audit.%I SELECT * FROM moved',
            month_start AT TIME ZONE 'UTC', (month_start + interval '1 month') AT TIME ZONE 'UTC', part);
        EXECUTE format('ALTER TABLE audit.changes ATTACH PARTITION audit.%I FOR VALUES FROM (%L) TO (%L)',
            part, month_start AT TIME ZONE 'UTC', (month_start + interval '1 month') AT TIME ZONE 'UTC');
        EXECUTE format('REVOKE ALL ON audit.%I FROM realty_app', part);
        created := created + 1;
    END LOOP;
    RETURN created;
END
$$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION audit.record_security_event(p_kind text, p_org uuid, p_user uuid, p_ip inet, p_user_agent text, p_details jsonb)
    RETURNS void LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    IF p_org IS NULL THEN
        INSERT INTO audit.account_events (kind, user_id, ip, user_agent, details)
        VALUES (p_kind, p_user, p_ip, left(p_user_agent, 300), coalesce(p_details, '{}'));
    ELSE
        INSERT INTO audit.security_events (kind, organization_id, user_id, ip, user_agent, details)
        VALUES (p_kind, p_org, p_user, p_ip, left(p_user_agent, 300), coalesce(p_details, '{}'));
    END IF;
END
$$;
-- +goose StatementEnd
