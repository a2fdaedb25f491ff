-- Identity and access: organizations, users, sessions, members, roles and
-- their assignments, invitations, API keys, and the security event log.
--
-- Global tables (no organization): identity.users, identity.sessions,
-- identity.mfa_recovery_codes, identity.login_throttle,
-- identity.api_key_prefixes. A user may belong to several organizations, and
-- signing in happens before any organization is known.

-- +goose Up

-- The organization row carries organization_id = id, so it gets the same
-- kit (RLS, audit, updated_at) as every row it owns.
CREATE TABLE org.organizations (
    id                 uuid        NOT NULL DEFAULT app.uuid_v7(),
    organization_id    uuid        GENERATED ALWAYS AS (id) STORED,
    name               text        NOT NULL CONSTRAINT organizations_name_check CHECK (length(btrim(name)) BETWEEN 1 AND 200),
    slug               citext      NOT NULL CONSTRAINT organizations_slug_check CHECK (slug ~ '^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$'),
    kind               text        NOT NULL DEFAULT 'brokerage' CONSTRAINT organizations_kind_check CHECK (kind IN ('brokerage', 'property_manager', 'both')),
    time_zone          text        NOT NULL DEFAULT 'UTC',
    currency           text        NOT NULL DEFAULT 'USD' CONSTRAINT organizations_currency_check CHECK (currency ~ '^[A-Z]{3}$'),
    settings           jsonb       NOT NULL DEFAULT '{}',
    mfa_required_roles text[]      NOT NULL DEFAULT '{}',
    max_properties     int         CHECK (max_properties > 0),
    max_users          int         CHECK (max_users > 0),
    status             text        NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'suspended', 'closed')),
    created_at         timestamptz NOT NULL DEFAULT now(),
    updated_at         timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (organization_id, id),
    CONSTRAINT organizations_id_key UNIQUE (id),
    CONSTRAINT organizations_slug_key UNIQUE (slug)
);
SELECT app.apply_org_kit('org.organizations');

CREATE TABLE identity.users (
    id                uuid        PRIMARY KEY DEFAULT app.uuid_v7(),
    email             citext      NOT NULL CONSTRAINT users_email_check CHECK (email ~ '^[^@\s]+@[^@\s]+\.[^@\s]+$' AND length(email) <= 254),
    password_hash     text,
    first_name        text        NOT NULL DEFAULT '' CHECK (length(first_name) <= 100),
    last_name         text        NOT NULL DEFAULT '' CHECK (length(last_name) <= 100),
    phone             text        CHECK (length(phone) <= 40),
    status            text        NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'suspended', 'disabled')),
    email_verified_at timestamptz,
    mfa_secret        bytea,
    mfa_enabled_at    timestamptz,
    mfa_last_step     bigint,
    last_login_at     timestamptz,
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT users_email_key UNIQUE (email)
);
CREATE TRIGGER set_updated_at BEFORE UPDATE ON identity.users FOR EACH ROW EXECUTE FUNCTION app.set_updated_at();

CREATE TABLE org.members (
    organization_id uuid        NOT NULL REFERENCES org.organizations (id) ON DELETE CASCADE,
    id              uuid        NOT NULL DEFAULT app.uuid_v7(),
    user_id         uuid        NOT NULL REFERENCES identity.users (id),
    title           text        NOT NULL DEFAULT '' CHECK (length(title) <= 100),
    status          text        NOT NULL DEFAULT 'active' CHECK (status IN ('invited', 'active', 'inactive')),
    invited_by      uuid,
    joined_at       timestamptz,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (organization_id, id),
    CONSTRAINT members_user_key UNIQUE (organization_id, user_id),
    FOREIGN KEY (organization_id, invited_by) REFERENCES org.members (organization_id, id)
);
CREATE INDEX members_user_idx ON org.members (user_id);
SELECT app.apply_org_kit('org.members');
-- A user sees their own memberships in every organization (to list and
-- switch between them), and the organizations they belong to.
CREATE POLICY own_membership ON org.members FOR SELECT USING (user_id = app.current_user_id());
CREATE POLICY member_visibility ON org.organizations FOR SELECT
    USING (id IN (SELECT m.organization_id FROM org.members m WHERE m.user_id = app.current_user_id() AND m.status = 'active'));

CREATE TABLE org.roles (
    organization_id uuid        NOT NULL REFERENCES org.organizations (id) ON DELETE CASCADE,
    id              uuid        NOT NULL DEFAULT app.uuid_v7(),
    key             text        NOT NULL CONSTRAINT roles_key_check CHECK (key ~ '^[a-z][a-z0-9_]{1,39}$'),
    name            text        NOT NULL CONSTRAINT roles_name_check CHECK (length(btrim(name)) BETWEEN 1 AND 100),
    description     text        NOT NULL DEFAULT '' CHECK (length(description) <= 500),
    system          boolean     NOT NULL DEFAULT false,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (organization_id, id),
    CONSTRAINT roles_key_key UNIQUE (organization_id, key)
);
SELECT app.apply_org_kit('org.roles');

-- Permissions of custom roles; system roles take theirs from the catalog in
-- code, so a new release extends them without a data migration.
CREATE TABLE org.role_permissions (
    organization_id uuid        NOT NULL REFERENCES org.organizations (id) ON DELETE CASCADE,
    id              uuid        NOT NULL DEFAULT app.uuid_v7(),
    role_id         uuid        NOT NULL,
    permission      text        NOT NULL CHECK (permission ~ '^[a-z_]+\.[a-z_]+$'),
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (organization_id, id),
    CONSTRAINT role_permissions_key UNIQUE (organization_id, role_id, permission),
    FOREIGN KEY (organization_id, role_id) REFERENCES org.roles (organization_id, id) ON DELETE CASCADE
);
SELECT app.apply_org_kit('org.role_permissions');

-- A member holds a role organization-wide (property_id NULL) or for one
-- property, until expires_at when set. property_id gains its foreign key when
-- the property schema arrives.
CREATE TABLE org.role_assignments (
    organization_id uuid        NOT NULL REFERENCES org.organizations (id) ON DELETE CASCADE,
    id              uuid        NOT NULL DEFAULT app.uuid_v7(),
    member_id       uuid        NOT NULL,
    role_id         uuid        NOT NULL,
    property_id     uuid,
    granted_by      uuid,
    expires_at      timestamptz,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (organization_id, id),
    CONSTRAINT role_assignments_key UNIQUE NULLS NOT DISTINCT (organization_id, member_id, role_id, property_id),
    CONSTRAINT role_assignments_member_fkey FOREIGN KEY (organization_id, member_id) REFERENCES org.members (organization_id, id),
    CONSTRAINT role_assignments_role_fkey FOREIGN KEY (organization_id, role_id) REFERENCES org.roles (organization_id, id),
    FOREIGN KEY (organization_id, granted_by) REFERENCES org.members (organization_id, id)
);
CREATE INDEX role_assignments_role_idx ON org.role_assignments (organization_id, role_id);
SELECT app.apply_org_kit('org.role_assignments');

CREATE TABLE org.invitations (
    organization_id    uuid        NOT NULL REFERENCES org.organizations (id) ON DELETE CASCADE,
    id                 uuid        NOT NULL DEFAULT app.uuid_v7(),
    email              citext      NOT NULL CHECK (email ~ '^[^@\s]+@[^@\s]+\.[^@\s]+$' AND length(email) <= 254),
    role_id            uuid        NOT NULL,
    property_id        uuid,
    token_hash         bytea       NOT NULL CONSTRAINT invitations_token_key UNIQUE,
    invited_by         uuid,
    expires_at         timestamptz NOT NULL,
    accepted_at        timestamptz,
    accepted_member_id uuid,
    revoked_at         timestamptz,
    created_at         timestamptz NOT NULL DEFAULT now(),
    updated_at         timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (organization_id, id),
    CONSTRAINT invitations_role_fkey FOREIGN KEY (organization_id, role_id) REFERENCES org.roles (organization_id, id),
    FOREIGN KEY (organization_id, invited_by) REFERENCES org.members (organization_id, id),
    FOREIGN KEY (organization_id, accepted_member_id) REFERENCES org.members (organization_id, id)
);
CREATE UNIQUE INDEX invitations_open_email_key ON org.invitations (organization_id, email)
    WHERE accepted_at IS NULL AND revoked_at IS NULL;
SELECT app.apply_org_kit('org.invitations', '{token_hash}');

-- Sessions belong to a user; active_org_id is the organization the session
-- acts in. A refresh spends a session row and creates the next one in the
-- same family: presenting a spent refresh token revokes the whole family.
CREATE TABLE identity.sessions (
    id            uuid        PRIMARY KEY DEFAULT app.uuid_v7(),
    user_id       uuid        NOT NULL REFERENCES identity.users (id) ON DELETE CASCADE,
    family_id     uuid        NOT NULL,
    active_org_id uuid        REFERENCES org.organizations (id) ON DELETE SET NULL,
    kind          text        NOT NULL CHECK (kind IN ('browser', 'api')),
    state         text        NOT NULL CHECK (state IN ('mfa_pending', 'active')),
    token_hash    bytea       NOT NULL CONSTRAINT sessions_token_key UNIQUE,
    refresh_hash  bytea       CONSTRAINT sessions_refresh_key UNIQUE,
    ip            inet,
    user_agent    text,
    created_at    timestamptz NOT NULL DEFAULT now(),
    family_started_at timestamptz NOT NULL DEFAULT now(),
    expires_at    timestamptz NOT NULL,
    last_used_at  timestamptz NOT NULL DEFAULT now(),
    refreshed_at  timestamptz,
    revoked_at    timestamptz,
    revoke_reason text
);
CREATE INDEX sessions_user_idx ON identity.sessions (user_id) WHERE revoked_at IS NULL;
CREATE INDEX sessions_family_idx ON identity.sessions (family_id);

CREATE TABLE identity.mfa_recovery_codes (
    user_id    uuid        NOT NULL REFERENCES identity.users (id) ON DELETE CASCADE,
    code_hash  bytea       NOT NULL,
    used_at    timestamptz,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, code_hash)
);

-- Failed sign-in counters per account ("user:<id>") and per client address
-- ("ip:<addr>").
CREATE TABLE identity.login_throttle (
    key           text        PRIMARY KEY,
    failures      int         NOT NULL DEFAULT 0,
    hour_start    timestamptz NOT NULL DEFAULT now(),
    hour_failures int         NOT NULL DEFAULT 0,
    locked_until  timestamptz,
    updated_at    timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE identity.api_keys (
    organization_id uuid        NOT NULL REFERENCES org.organizations (id) ON DELETE CASCADE,
    id              uuid        NOT NULL DEFAULT app.uuid_v7(),
    name            text        NOT NULL CONSTRAINT api_keys_name_check CHECK (length(btrim(name)) BETWEEN 1 AND 100),
    prefix          text        NOT NULL CONSTRAINT api_keys_prefix_key UNIQUE,
    key_hash        bytea       NOT NULL,
    permissions     text[]      NOT NULL,
    created_by      uuid,
    expires_at      timestamptz,
    last_used_at    timestamptz,
    revoked_at      timestamptz,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (organization_id, id),
    FOREIGN KEY (organization_id, created_by) REFERENCES org.members (organization_id, id)
);
SELECT app.apply_org_kit('identity.api_keys', '{key_hash}');

-- Which organization a key prefix belongs to: the one fact needed before a
-- key's organization is known, so the key row itself stays behind RLS.
CREATE TABLE identity.api_key_prefixes (
    prefix          text PRIMARY KEY,
    organization_id uuid NOT NULL REFERENCES org.organizations (id) ON DELETE CASCADE
);
-- Only its organization sees or writes a prefix row; a key presented
-- before any organization is known is resolved one prefix at a time through
-- identity.api_key_organization, so nobody can list other organizations'.
ALTER TABLE identity.api_key_prefixes ENABLE ROW LEVEL SECURITY;
ALTER TABLE identity.api_key_prefixes FORCE ROW LEVEL SECURITY;
CREATE POLICY org_isolation ON identity.api_key_prefixes
    USING (organization_id = app.current_org_id()) WITH CHECK (organization_id = app.current_org_id());
CREATE POLICY lookup ON identity.api_key_prefixes FOR SELECT TO realty_owner USING (true);

-- +goose StatementBegin
CREATE FUNCTION identity.api_key_organization(p_prefix text) RETURNS uuid
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
    SELECT organization_id FROM identity.api_key_prefixes WHERE prefix = p_prefix;
$$;
-- +goose StatementEnd

-- Sign-ins, failures, lockouts, MFA changes, key use. Events of an
-- organization are readable within it; the runtime role cannot write or
-- alter them except through audit.record_security_event.
CREATE TABLE audit.security_events (
    id              uuid        PRIMARY KEY DEFAULT app.uuid_v7(),
    organization_id uuid        REFERENCES org.organizations (id) ON DELETE CASCADE,
    user_id         uuid,
    kind            text        NOT NULL,
    ip              inet,
    user_agent      text,
    details         jsonb       NOT NULL DEFAULT '{}',
    occurred_at     timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX security_events_org_idx ON audit.security_events (organization_id, occurred_at, id);
CREATE INDEX security_events_user_idx ON audit.security_events (user_id, occurred_at);
ALTER TABLE audit.security_events ENABLE ROW LEVEL SECURITY;
ALTER TABLE audit.security_events FORCE ROW LEVEL SECURITY;
CREATE POLICY org_isolation ON audit.security_events FOR SELECT USING (organization_id = app.current_org_id());
CREATE POLICY recorder ON audit.security_events FOR INSERT TO realty_owner WITH CHECK (true);
REVOKE INSERT, UPDATE, DELETE ON audit.security_events FROM realty_app;

-- +goose StatementBegin
CREATE FUNCTION audit.record_security_event(p_kind text, p_org uuid, p_user uuid, p_ip inet, p_user_agent text, p_details jsonb)
    RETURNS void LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
    INSERT INTO audit.security_events (kind, organization_id, user_id, ip, user_agent, details)
    VALUES (p_kind, p_org, p_user, p_ip, left(p_user_agent, 300), coalesce(p_details, '{}'));
$$;
-- +goose StatementEnd

-- +goose Down
DROP FUNCTION audit.record_security_event(text, uuid, uuid, inet, text, jsonb);
DROP TABLE audit.security_events;
DROP FUNCTION identity.api_key_organization(text);
DROP TABLE identity.api_key_prefixes;
DROP TABLE identity.api_keys;
DROP TABLE identity.login_throttle;
DROP TABLE identity.mfa_recovery_codes;
DROP TABLE identity.sessions;
DROP TABLE org.invitations;
DROP TABLE org.role_assignments;
DROP TABLE org.role_permissions;
DROP TABLE org.roles;
DROP POLICY member_visibility ON org.organizations;
DROP TABLE org.members;
DROP TABLE identity.users;
DROP TABLE org.organizations;
