-- Foundation: roles, extensions, schemas, the app.* helpers every table uses,
-- the generic audit trail and the standard kit for organization-owned tables.
--
-- This migration runs as the migrating superuser (or a role with CREATEROLE
-- that may create the extensions); every later migration runs as
-- realty_owner (the migrator sets the role), so realty_owner owns everything.

-- +goose Up

-- Roles are global to the cluster: create them when missing, never fail when
-- another database of the cluster made them first.
-- +goose StatementBegin
DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'realty_owner') THEN
        CREATE ROLE realty_owner NOLOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS;
    END IF;
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'realty_app') THEN
        CREATE ROLE realty_app LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS NOINHERIT;
    END IF;
    IF session_user <> 'realty_owner' THEN
        EXECUTE format('GRANT realty_owner TO %I', session_user);
    END IF;
    EXECUTE format('GRANT CONNECT, CREATE, TEMPORARY ON DATABASE %I TO realty_owner', current_database());
    EXECUTE format('GRANT CONNECT ON DATABASE %I TO realty_app', current_database());
END
$$;
-- +goose StatementEnd

-- Contrib extensions only (no PostGIS on the default path). Creating
-- earthdistance and pg_stat_statements needs a superuser.
CREATE EXTENSION IF NOT EXISTS btree_gist;
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE EXTENSION IF NOT EXISTS cube;
CREATE EXTENSION IF NOT EXISTS earthdistance;
CREATE EXTENSION IF NOT EXISTS pgcrypto;
CREATE EXTENSION IF NOT EXISTS citext;
CREATE EXTENSION IF NOT EXISTS unaccent;
CREATE EXTENSION IF NOT EXISTS pg_stat_statements;

-- Row-level security lets a query use an index only for conditions whose
-- functions are LEAKPROOF (they cannot reveal anything about rows the policy
-- hides). These built-in comparisons cannot, but are not marked so; without
-- the mark every filter on a price, a status, a location or a text search
-- would scan the whole organization. Marking them needs a superuser.
ALTER FUNCTION pg_catalog.numeric_eq(numeric, numeric) LEAKPROOF;
ALTER FUNCTION pg_catalog.numeric_ne(numeric, numeric) LEAKPROOF;
ALTER FUNCTION pg_catalog.numeric_lt(numeric, numeric) LEAKPROOF;
ALTER FUNCTION pg_catalog.numeric_le(numeric, numeric) LEAKPROOF;
ALTER FUNCTION pg_catalog.numeric_gt(numeric, numeric) LEAKPROOF;
ALTER FUNCTION pg_catalog.numeric_ge(numeric, numeric) LEAKPROOF;
ALTER FUNCTION pg_catalog.enum_eq(anyenum, anyenum) LEAKPROOF;
ALTER FUNCTION pg_catalog.enum_ne(anyenum, anyenum) LEAKPROOF;
ALTER FUNCTION pg_catalog.enum_lt(anyenum, anyenum) LEAKPROOF;
ALTER FUNCTION pg_catalog.enum_le(anyenum, anyenum) LEAKPROOF;
ALTER FUNCTION pg_catalog.enum_gt(anyenum, anyenum) LEAKPROOF;
ALTER FUNCTION pg_catalog.enum_ge(anyenum, anyenum) LEAKPROOF;
ALTER FUNCTION pg_catalog.float8(numeric) LEAKPROOF;
ALTER FUNCTION pg_catalog.ts_match_vq(tsvector, tsquery) LEAKPROOF;
ALTER FUNCTION pg_catalog.textlike(text, text) LEAKPROOF;
ALTER FUNCTION pg_catalog.texticlike(text, text) LEAKPROOF;
ALTER FUNCTION public.cube_contains(cube, cube) LEAKPROOF;
ALTER FUNCTION public.cube_contained(cube, cube) LEAKPROOF;
ALTER FUNCTION public.ll_to_earth(float8, float8) LEAKPROOF;

-- goose's own table was made by the migrating role; hand it to the owner so
-- later migrations, run as realty_owner, can record themselves.
ALTER TABLE goose_db_version OWNER TO realty_owner;

-- From here on everything is created by, and owned by, realty_owner.
SET LOCAL ROLE realty_owner;

CREATE SCHEMA app;
CREATE SCHEMA identity;
CREATE SCHEMA org;
CREATE SCHEMA property;
CREATE SCHEMA listing;
CREATE SCHEMA crm;
CREATE SCHEMA deal;
CREATE SCHEMA document;
CREATE SCHEMA leasing;
CREATE SCHEMA ledger;
CREATE SCHEMA maintenance;
CREATE SCHEMA messaging;
CREATE SCHEMA audit;
CREATE SCHEMA report;
CREATE SCHEMA river;

GRANT USAGE ON SCHEMA app, identity, org, property, listing, crm, deal, document, leasing, ledger,
    maintenance, messaging, audit, report, river TO realty_app;

-- The runtime role reads and writes rows (RLS decides which) and owns nothing.
ALTER DEFAULT PRIVILEGES FOR ROLE realty_owner GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO realty_app;
ALTER DEFAULT PRIVILEGES FOR ROLE realty_owner GRANT USAGE, SELECT ON SEQUENCES TO realty_app;
ALTER DEFAULT PRIVILEGES FOR ROLE realty_owner GRANT EXECUTE ON FUNCTIONS TO realty_app;
GRANT SELECT ON goose_db_version TO realty_app;

-- The organization of the current transaction, from set_config('app.org_id',
-- …, true). NULL when unset, empty (a previous transaction's local setting
-- leaves ''), or not a UUID: a policy comparing with NULL matches no row, so a
-- missing or broken context fails closed. A plain SQL expression, so the
-- planner inlines it and uses it as an index key.
CREATE FUNCTION app.current_org_id() RETURNS uuid
    LANGUAGE sql STABLE PARALLEL SAFE
    RETURN CASE
        WHEN current_setting('app.org_id', true) ~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'
        THEN current_setting('app.org_id', true)::uuid
    END;

-- The acting user of the current transaction, under the same rules.
CREATE FUNCTION app.current_user_id() RETURNS uuid
    LANGUAGE sql STABLE PARALLEL SAFE
    RETURN CASE
        WHEN current_setting('app.user_id', true) ~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'
        THEN current_setting('app.user_id', true)::uuid
    END;

-- The request id of the current transaction, or NULL.
CREATE FUNCTION app.current_request_id() RETURNS text
    LANGUAGE sql STABLE PARALLEL SAFE
    RETURN nullif(left(current_setting('app.request_id', true), 64), '');

-- A UUIDv7: 48 bits of Unix milliseconds then random bits, so new keys land at
-- the right edge of their indexes. A SQL default, so COPY and psql inserts get
-- ids too.
CREATE FUNCTION app.uuid_v7() RETURNS uuid
    LANGUAGE sql VOLATILE PARALLEL SAFE
    RETURN encode(
        set_bit(set_bit(
            overlay(uuid_send(gen_random_uuid())
                placing substring(int8send(floor(extract(epoch FROM clock_timestamp()) * 1000)::bigint) FROM 3)
                FROM 1 FOR 6),
            52, 1), 53, 1),
        'hex')::uuid;

-- +goose StatementBegin
CREATE FUNCTION app.set_updated_at() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    NEW.updated_at := now();
    RETURN NEW;
END
$$;
-- +goose StatementEnd

-- The audit trail: one row per inserted, updated or deleted row of every
-- organization-owned table, partitioned by month. Its primary key holds the
-- partition key, so it is the one organization-owned table keyed otherwise
-- than (organization_id, id).
CREATE TABLE audit.changes (
    id              uuid        NOT NULL DEFAULT app.uuid_v7(),
    organization_id uuid        NOT NULL,
    table_name      text        NOT NULL,
    record_id       uuid,
    action          text        NOT NULL CHECK (action IN ('INSERT', 'UPDATE', 'DELETE')),
    old_data        jsonb,
    new_data        jsonb,
    user_id         uuid,
    request_id      text,
    changed_at      timestamptz NOT NULL DEFAULT clock_timestamp(),
    PRIMARY KEY (organization_id, changed_at, id)
) PARTITION BY RANGE (changed_at);

CREATE INDEX changes_record_idx ON audit.changes (organization_id, record_id, changed_at);
CREATE TABLE audit.changes_default PARTITION OF audit.changes DEFAULT;

ALTER TABLE audit.changes ENABLE ROW LEVEL SECURITY;
ALTER TABLE audit.changes FORCE ROW LEVEL SECURITY;
CREATE POLICY org_isolation ON audit.changes
    USING (organization_id = app.current_org_id())
    WITH CHECK (organization_id = app.current_org_id());
-- Append-only for the runtime role: rows arrive through the trigger only.
REVOKE INSERT, UPDATE, DELETE ON audit.changes FROM realty_app;
REVOKE ALL ON audit.changes_default FROM realty_app;

-- Writes one audit.changes row for the triggering row change. Trigger
-- arguments name columns to leave out (search vectors and the like). An
-- update that changes nothing but updated_at is not recorded. SECURITY
-- DEFINER because the runtime role may not insert into the trail directly.
-- +goose StatementBegin
CREATE FUNCTION audit.log_change() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    old_row jsonb;
    new_row jsonb;
    omit    text[] := coalesce(TG_ARGV::text[], '{}') || '{updated_at}';
    row_org uuid;
    row_id  uuid;
BEGIN
    IF TG_OP <> 'INSERT' THEN
        old_row := to_jsonb(OLD) - omit;
    END IF;
    IF TG_OP <> 'DELETE' THEN
        new_row := to_jsonb(NEW) - omit;
    END IF;
    IF TG_OP = 'UPDATE' THEN
        SELECT jsonb_object_agg(n.key, n.value) INTO new_row
        FROM jsonb_each(new_row) n
        WHERE n.value IS DISTINCT FROM old_row -> n.key;
        IF new_row IS NULL THEN
            RETURN NULL;
        END IF;
    END IF;
    -- For an update new_row now holds only the changed columns: the
    -- organization and id come from the old row.
    row_org := coalesce(old_row, new_row) ->> 'organization_id';
    row_id := coalesce(old_row, new_row) ->> 'id';
    INSERT INTO audit.changes (organization_id, table_name, record_id, action, old_data, new_data, user_id, request_id)
    VALUES (row_org, TG_TABLE_SCHEMA || '.' || TG_TABLE_NAME, row_id, TG_OP, old_row, new_row,
            app.current_user_id(), app.current_request_id());
    RETURN NULL;
END
$$;
-- +goose StatementEnd

-- Creates the monthly partitions of audit.changes from this month to
-- months_ahead months ahead (UTC months), moving any rows the default
-- partition caught for them. Returns how many it created. Runs daily as a
-- job; SECURITY DEFINER because the runtime role may not create tables.
-- +goose StatementBegin
CREATE FUNCTION audit.ensure_partitions(months_ahead int DEFAULT 2) RETURNS int
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

SELECT audit.ensure_partitions(2);

-- The standard kit for an organization-owned table: row-level security
-- enabled and forced, the organization policy for reads and writes, the
-- updated_at trigger and the audit trigger. Every migration calls it once per
-- organization-owned table; audit_omit names columns the trail leaves out.
-- +goose StatementBegin
CREATE FUNCTION app.apply_org_kit(tbl regclass, audit_omit text[] DEFAULT '{}') RETURNS void
    LANGUAGE plpgsql AS $$
DECLARE
    args text := '';
BEGIN
    IF NOT EXISTS (SELECT FROM pg_attribute WHERE attrelid = tbl AND attname = 'organization_id' AND NOT attisdropped) THEN
        RAISE EXCEPTION 'apply_org_kit: % has no organization_id column', tbl;
    END IF;
    IF NOT EXISTS (SELECT FROM pg_attribute WHERE attrelid = tbl AND attname = 'updated_at' AND NOT attisdropped) THEN
        RAISE EXCEPTION 'apply_org_kit: % has no updated_at column', tbl;
    END IF;
    SELECT coalesce(string_agg(quote_literal(a), ', '), '') INTO args FROM unnest(audit_omit) a;
    EXECUTE format('ALTER TABLE %s ENABLE ROW LEVEL SECURITY', tbl);
    EXECUTE format('ALTER TABLE %s FORCE ROW LEVEL SECURITY', tbl);
    EXECUTE format('CREATE POLICY org_isolation ON %s USING (organization_id = app.current_org_id()) '
                   'WITH CHECK (organization_id = app.current_org_id())', tbl);
    EXECUTE format('CREATE TRIGGER set_updated_at BEFORE UPDATE ON %s FOR EACH ROW EXECUTE FUNCTION app.set_updated_at()', tbl);
    EXECUTE format('CREATE TRIGGER audit_changes AFTER INSERT OR UPDATE OR DELETE ON %s '
                   'FOR EACH ROW EXECUTE FUNCTION audit.log_change(%s)', tbl, args);
END
$$;
-- +goose StatementEnd

-- +goose Down
DROP SCHEMA app, identity, org, property, listing, crm, deal, document, leasing, ledger,
    maintenance, messaging, audit, report, river CASCADE;
ALTER DEFAULT PRIVILEGES FOR ROLE realty_owner REVOKE SELECT, INSERT, UPDATE, DELETE ON TABLES FROM realty_app;
ALTER DEFAULT PRIVILEGES FOR ROLE realty_owner REVOKE USAGE, SELECT ON SEQUENCES FROM realty_app;
ALTER DEFAULT PRIVILEGES FOR ROLE realty_owner REVOKE EXECUTE ON FUNCTIONS FROM realty_app;
REVOKE SELECT ON goose_db_version FROM realty_app;

-- Back to the migrating role for what only it may undo.
RESET ROLE;
ALTER FUNCTION pg_catalog.numeric_eq(numeric, numeric) NOT LEAKPROOF;
ALTER FUNCTION pg_catalog.numeric_ne(numeric, numeric) NOT LEAKPROOF;
ALTER FUNCTION pg_catalog.numeric_lt(numeric, numeric) NOT LEAKPROOF;
ALTER FUNCTION pg_catalog.numeric_le(numeric, numeric) NOT LEAKPROOF;
ALTER FUNCTION pg_catalog.numeric_gt(numeric, numeric) NOT LEAKPROOF;
ALTER FUNCTION pg_catalog.numeric_ge(numeric, numeric) NOT LEAKPROOF;
ALTER FUNCTION pg_catalog.enum_eq(anyenum, anyenum) NOT LEAKPROOF;
ALTER FUNCTION pg_catalog.enum_ne(anyenum, anyenum) NOT LEAKPROOF;
ALTER FUNCTION pg_catalog.enum_lt(anyenum, anyenum) NOT LEAKPROOF;
ALTER FUNCTION pg_catalog.enum_le(anyenum, anyenum) NOT LEAKPROOF;
ALTER FUNCTION pg_catalog.enum_gt(anyenum, anyenum) NOT LEAKPROOF;
ALTER FUNCTION pg_catalog.enum_ge(anyenum, anyenum) NOT LEAKPROOF;
ALTER FUNCTION pg_catalog.float8(numeric) NOT LEAKPROOF;
ALTER FUNCTION pg_catalog.ts_match_vq(tsvector, tsquery) NOT LEAKPROOF;
ALTER FUNCTION pg_catalog.textlike(text, text) NOT LEAKPROOF;
ALTER FUNCTION pg_catalog.texticlike(text, text) NOT LEAKPROOF;
DROP EXTENSION IF EXISTS pg_stat_statements, unaccent, citext, pgcrypto, earthdistance, cube, pg_trgm, btree_gist;
ALTER TABLE goose_db_version OWNER TO CURRENT_USER;

-- +goose StatementBegin
DO $$
BEGIN
    EXECUTE format('REVOKE ALL ON DATABASE %I FROM realty_owner, realty_app', current_database());
    -- Other databases of the cluster may still use the roles; drop them only
    -- when nothing refers to them any more.
    BEGIN
        DROP ROLE IF EXISTS realty_app;
        DROP ROLE IF EXISTS realty_owner;
    EXCEPTION WHEN dependent_objects_still_exist THEN
        RAISE NOTICE 'roles realty_app and realty_owner kept: other databases use them';
    END;
END
$$;
-- +goose StatementEnd
