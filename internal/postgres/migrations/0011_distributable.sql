-- A schema Citus can distribute (docs/architecture.md, "Ready for Citus"):
--
-- * Every primary and unique key of an organization-owned table includes
--   organization_id. Values unique across organizations, or looked up
--   before the organization is known, live in global lookup tables whose
--   column naming the organization is org_id: organization_id marks an
--   organization-owned row, and a lookup is a global (reference) table.
--   - org.organization_slugs: slug → organization (the slug stays on the
--     organization row too, no longer unique there);
--   - identity.api_key_prefixes: prefix → organization, no foreign key;
--     identity.api_keys is unique by (organization_id, prefix).
--   An invitation token names its organization itself, so invitations are
--   unique by (organization_id, token_hash) and need no lookup.
-- * Security events of an organization are keyed (organization_id, id);
--   events outside any organization (sign-in failures, lockouts, account
--   changes) move to the global audit.account_events.
-- * No global table references an organization-owned one: identity.sessions
--   loses its foreign key to org.organizations (membership is checked where
--   the active organization is used).
-- * No policy holds a subquery: member_visibility asks org.member_org_ids().
-- * No trigger on a global table: identity.users' updated_at is set by the
--   statements that update it.
-- * No NOTIFY from triggers: the application announces credential changes
--   on realty_auth inside its own transaction (identity.AnnounceAuthChange),
--   so 0006's triggers go.

-- +goose Up

-- The data moves below read and write every organization's rows: the owner
-- running the migration is held to row-level security only while it is
-- forced, so forcing is lifted for this transaction and restored at its end.
ALTER TABLE org.organizations NO FORCE ROW LEVEL SECURITY;
ALTER TABLE audit.security_events NO FORCE ROW LEVEL SECURITY;

-- Organization slugs.
CREATE TABLE org.organization_slugs (
    slug       citext      PRIMARY KEY CONSTRAINT organization_slugs_slug_check CHECK (slug ~ '^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$'),
    org_id     uuid        NOT NULL CONSTRAINT organization_slugs_org_key UNIQUE,
    created_at timestamptz NOT NULL DEFAULT now()
);
INSERT INTO org.organization_slugs (slug, org_id, created_at) SELECT slug, id, created_at FROM org.organizations;
-- The runtime role writes and sees only its own organization's slug;
-- operators resolve slugs over the administrative connection.
ALTER TABLE org.organization_slugs ENABLE ROW LEVEL SECURITY;
ALTER TABLE org.organization_slugs FORCE ROW LEVEL SECURITY;
CREATE POLICY org_isolation ON org.organization_slugs
    USING (org_id = app.current_org_id()) WITH CHECK (org_id = app.current_org_id());
REVOKE UPDATE ON org.organization_slugs FROM realty_app;
ALTER TABLE org.organizations DROP CONSTRAINT organizations_slug_key;

-- API key prefixes: a plain lookup, no longer organization-owned.
ALTER TABLE identity.api_key_prefixes DROP CONSTRAINT api_key_prefixes_organization_id_fkey;
ALTER TABLE identity.api_key_prefixes RENAME COLUMN organization_id TO org_id;
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION identity.api_key_organization(p_prefix text) RETURNS uuid
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
    SELECT org_id FROM identity.api_key_prefixes WHERE prefix = p_prefix;
$$;
-- +goose StatementEnd
ALTER TABLE identity.api_keys DROP CONSTRAINT api_keys_prefix_key;
ALTER TABLE identity.api_keys ADD CONSTRAINT api_keys_org_prefix_key UNIQUE USING INDEX api_keys_org_prefix_key;

-- Invitations: the token is unique within its organization.
ALTER TABLE org.invitations DROP CONSTRAINT invitations_token_key;
ALTER TABLE org.invitations ADD CONSTRAINT invitations_org_token_key UNIQUE USING INDEX invitations_org_token_key;

-- Security events outside any organization.
CREATE TABLE audit.account_events (
    id          uuid        PRIMARY KEY DEFAULT app.uuid_v7(),
    user_id     uuid,
    kind        text        NOT NULL,
    ip          inet,
    user_agent  text,
    details     jsonb       NOT NULL DEFAULT '{}',
    occurred_at timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX account_events_user_idx ON audit.account_events (user_id, occurred_at);
CREATE INDEX account_events_occurred_idx ON audit.account_events (occurred_at);
-- Written only through audit.record_security_event; read by operators.
REVOKE ALL ON audit.account_events FROM realty_app;
INSERT INTO audit.account_events (id, user_id, kind, ip, user_agent, details, occurred_at)
    SELECT id, user_id, kind, ip, user_agent, details, occurred_at FROM audit.security_events WHERE organization_id IS NULL;
DELETE FROM audit.security_events WHERE organization_id IS NULL;
ALTER TABLE audit.security_events ALTER COLUMN organization_id SET NOT NULL;
ALTER TABLE audit.security_events DROP CONSTRAINT security_events_pkey;
ALTER TABLE audit.security_events ADD CONSTRAINT security_events_pkey PRIMARY KEY USING INDEX security_events_org_id_key;

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

-- Sessions name their organization without a foreign key.
ALTER TABLE identity.sessions DROP CONSTRAINT sessions_active_org_id_fkey;

-- The organizations a user is an active member of, for the policy that
-- shows them: no subquery in a policy. Invoker's rights suffice, since the
-- own_membership policy shows a user their own memberships.
-- +goose StatementBegin
CREATE FUNCTION org.member_org_ids() RETURNS uuid[]
    LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT coalesce(array_agg(m.organization_id), '{}') FROM org.members m
    WHERE m.user_id = app.current_user_id() AND m.status = 'active';
$$;
-- +goose StatementEnd
DROP POLICY member_visibility ON org.organizations;
CREATE POLICY member_visibility ON org.organizations FOR SELECT USING (id = ANY (org.member_org_ids()));

-- updated_at of a global table is set by its statements.
DROP TRIGGER set_updated_at ON identity.users;

-- Credential changes are announced by the application.
DROP TRIGGER announce_auth_change ON identity.users;
DROP TRIGGER announce_auth_change ON org.members;
DROP TRIGGER announce_auth_change ON identity.api_keys;
DROP FUNCTION identity.announce_auth_change();

ALTER TABLE audit.security_events FORCE ROW LEVEL SECURITY;
ALTER TABLE org.organizations FORCE ROW LEVEL SECURITY;

-- +goose Down
ALTER TABLE org.organizations NO FORCE ROW LEVEL SECURITY;
ALTER TABLE audit.security_events NO FORCE ROW LEVEL SECURITY;
ALTER TABLE identity.api_key_prefixes NO FORCE ROW LEVEL SECURITY;
-- +goose StatementBegin
CREATE FUNCTION identity.announce_auth_change() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog AS $$
BEGIN
    PERFORM pg_notify('realty_auth', TG_TABLE_SCHEMA || '.' || TG_TABLE_NAME);
    RETURN NULL;
END
$$;
-- +goose StatementEnd
CREATE TRIGGER announce_auth_change
    AFTER UPDATE OF organization_id, prefix, key_hash, permissions, created_by, expires_at, revoked_at OR DELETE
    ON identity.api_keys FOR EACH STATEMENT EXECUTE FUNCTION identity.announce_auth_change();
CREATE TRIGGER announce_auth_change
    AFTER UPDATE OF organization_id, user_id, status OR DELETE
    ON org.members FOR EACH STATEMENT EXECUTE FUNCTION identity.announce_auth_change();
CREATE TRIGGER announce_auth_change
    AFTER UPDATE OF status OR DELETE
    ON identity.users FOR EACH STATEMENT EXECUTE FUNCTION identity.announce_auth_change();

CREATE TRIGGER set_updated_at BEFORE UPDATE ON identity.users FOR EACH ROW EXECUTE FUNCTION app.set_updated_at();

DROP POLICY member_visibility ON org.organizations;
CREATE POLICY member_visibility ON org.organizations FOR SELECT
    USING (id IN (SELECT m.organization_id FROM org.members m WHERE m.user_id = app.current_user_id() AND m.status = 'active'));
DROP FUNCTION org.member_org_ids();

UPDATE identity.sessions s SET active_org_id = NULL
    WHERE active_org_id IS NOT NULL AND NOT EXISTS (SELECT FROM org.organizations o WHERE o.id = s.active_org_id);
ALTER TABLE identity.sessions ADD CONSTRAINT sessions_active_org_id_fkey
    FOREIGN KEY (active_org_id) REFERENCES org.organizations (id) ON DELETE SET NULL;

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION audit.record_security_event(p_kind text, p_org uuid, p_user uuid, p_ip inet, p_user_agent text, p_details jsonb)
    RETURNS void LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
    INSERT INTO audit.security_events (kind, organization_id, user_id, ip, user_agent, details)
    VALUES (p_kind, p_org, p_user, p_ip, left(p_user_agent, 300), coalesce(p_details, '{}'));
$$;
-- +goose StatementEnd
-- The plain unique indexes stay behind as 0010 left them.
ALTER TABLE audit.security_events DROP CONSTRAINT security_events_pkey;
ALTER TABLE audit.security_events ADD CONSTRAINT security_events_pkey PRIMARY KEY (id);
ALTER TABLE audit.security_events ALTER COLUMN organization_id DROP NOT NULL;
INSERT INTO audit.security_events (id, organization_id, user_id, kind, ip, user_agent, details, occurred_at)
    SELECT id, NULL, user_id, kind, ip, user_agent, details, occurred_at FROM audit.account_events;
DROP TABLE audit.account_events;
CREATE UNIQUE INDEX security_events_org_id_key ON audit.security_events (organization_id, id);

ALTER TABLE org.invitations DROP CONSTRAINT invitations_org_token_key;
ALTER TABLE org.invitations ADD CONSTRAINT invitations_token_key UNIQUE (token_hash);
CREATE UNIQUE INDEX invitations_org_token_key ON org.invitations (organization_id, token_hash);

ALTER TABLE identity.api_keys DROP CONSTRAINT api_keys_org_prefix_key;
ALTER TABLE identity.api_keys ADD CONSTRAINT api_keys_prefix_key UNIQUE (prefix);
CREATE UNIQUE INDEX api_keys_org_prefix_key ON identity.api_keys (organization_id, prefix);
ALTER TABLE identity.api_key_prefixes RENAME COLUMN org_id TO organization_id;
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION identity.api_key_organization(p_prefix text) RETURNS uuid
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
    SELECT organization_id FROM identity.api_key_prefixes WHERE prefix = p_prefix;
$$;
-- +goose StatementEnd
DELETE FROM identity.api_key_prefixes p WHERE NOT EXISTS (SELECT FROM org.organizations o WHERE o.id = p.organization_id);
ALTER TABLE identity.api_key_prefixes ADD CONSTRAINT api_key_prefixes_organization_id_fkey
    FOREIGN KEY (organization_id) REFERENCES org.organizations (id) ON DELETE CASCADE;

ALTER TABLE org.organizations ADD CONSTRAINT organizations_slug_key UNIQUE (slug);
DROP TABLE org.organization_slugs;

ALTER TABLE identity.api_key_prefixes FORCE ROW LEVEL SECURITY;
ALTER TABLE audit.security_events FORCE ROW LEVEL SECURITY;
ALTER TABLE org.organizations FORCE ROW LEVEL SECURITY;
