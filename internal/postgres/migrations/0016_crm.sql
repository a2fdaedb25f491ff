-- The brokerage CRM's foundation: clients (leads and clients in one table)
-- with their stage history, interactions, tasks, and the organization's CRM
-- settings with the round-robin pool of agents new leads are shared among.

-- +goose Up
CREATE TABLE crm.clients (
    organization_id   uuid          NOT NULL REFERENCES org.organizations (id) ON DELETE CASCADE,
    id                uuid          NOT NULL DEFAULT app.uuid_v7(),
    stage             text          NOT NULL DEFAULT 'lead' CONSTRAINT clients_stage_check
                                    CHECK (stage IN ('lead', 'prospect', 'active', 'under_contract', 'closed', 'lost')),
    nurture_status    text          NOT NULL DEFAULT 'new' CONSTRAINT clients_nurture_check CHECK (nurture_status IN ('new', 'hot', 'warm', 'cold')),
    source            text          NOT NULL DEFAULT 'manual' CONSTRAINT clients_source_check CHECK (length(btrim(source)) BETWEEN 1 AND 50),
    assigned_agent_id uuid,
    first_name        text          NOT NULL CONSTRAINT clients_first_name_check CHECK (length(btrim(first_name)) BETWEEN 1 AND 100),
    last_name         text          NOT NULL DEFAULT '' CONSTRAINT clients_last_name_check CHECK (length(last_name) <= 100),
    email             citext        CONSTRAINT clients_email_check CHECK (email ~ '^[^@\s]+@[^@\s]+\.[^@\s]+$' AND length(email) <= 254),
    phone             text          CONSTRAINT clients_phone_check CHECK (phone ~ '^\+[1-9][0-9]{6,14}$'),
    budget_min        numeric(14, 2) CONSTRAINT clients_budget_min_check CHECK (budget_min >= 0),
    budget_max        numeric(14, 2) CONSTRAINT clients_budget_max_check CHECK (budget_max >= 0),
    tags              text[]        NOT NULL DEFAULT '{}' CONSTRAINT clients_tags_check CHECK (cardinality(tags) <= 50),
    notes             text          CONSTRAINT clients_notes_check CHECK (length(notes) <= 4000),
    email_consent     boolean       NOT NULL DEFAULT false,
    email_consent_at  timestamptz,
    sms_consent       boolean       NOT NULL DEFAULT false,
    sms_consent_at    timestamptz,
    last_contacted_at timestamptz,
    created_by        uuid,
    merged_into       uuid,
    merged_at         timestamptz,
    search_text       text          GENERATED ALWAYS AS (lower(first_name || ' ' || last_name || ' ' || coalesce(email::text, '') || ' ' || coalesce(phone, ''))) STORED,
    created_at        timestamptz   NOT NULL DEFAULT now(),
    updated_at        timestamptz   NOT NULL DEFAULT now(),
    PRIMARY KEY (organization_id, id),
    CONSTRAINT clients_agent_fkey FOREIGN KEY (organization_id, assigned_agent_id) REFERENCES org.members (organization_id, id),
    CONSTRAINT clients_created_by_fkey FOREIGN KEY (organization_id, created_by) REFERENCES org.members (organization_id, id) ON DELETE SET NULL (created_by),
    CONSTRAINT clients_merged_into_fkey FOREIGN KEY (organization_id, merged_into) REFERENCES crm.clients (organization_id, id),
    CONSTRAINT clients_budget_check CHECK (budget_min IS NULL OR budget_max IS NULL OR budget_min <= budget_max),
    CONSTRAINT clients_merged_check CHECK ((merged_into IS NULL) = (merged_at IS NULL) AND merged_into IS DISTINCT FROM id)
);
-- An e-mail address names one live client of an organization; a merged
-- duplicate keeps its address for the record.
CREATE UNIQUE INDEX clients_email_key ON crm.clients (organization_id, email) WHERE merged_into IS NULL AND email IS NOT NULL;
CREATE INDEX clients_newest_idx ON crm.clients (organization_id, created_at DESC, id DESC) WHERE merged_into IS NULL;
CREATE INDEX clients_agent_idx ON crm.clients (organization_id, assigned_agent_id, created_at DESC, id DESC) WHERE merged_into IS NULL;
CREATE INDEX clients_creator_idx ON crm.clients (organization_id, created_by) WHERE merged_into IS NULL;
CREATE INDEX clients_phone_idx ON crm.clients (organization_id, phone) WHERE merged_into IS NULL AND phone IS NOT NULL;
CREATE INDEX clients_search_idx ON crm.clients USING gin (search_text gin_trgm_ops);
CREATE INDEX clients_tags_idx ON crm.clients USING gin (tags);
SELECT app.apply_org_kit('crm.clients', '{search_text}');

CREATE TABLE crm.client_stage_changes (
    organization_id uuid        NOT NULL REFERENCES org.organizations (id) ON DELETE CASCADE,
    id              uuid        NOT NULL DEFAULT app.uuid_v7(),
    client_id       uuid        NOT NULL,
    from_stage      text,
    to_stage        text        NOT NULL,
    changed_by      uuid,
    reason          text        CONSTRAINT client_stage_changes_reason_check CHECK (length(reason) <= 500),
    changed_at      timestamptz NOT NULL DEFAULT clock_timestamp(),
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (organization_id, id),
    FOREIGN KEY (organization_id, client_id) REFERENCES crm.clients (organization_id, id) ON DELETE CASCADE,
    FOREIGN KEY (organization_id, changed_by) REFERENCES org.members (organization_id, id) ON DELETE SET NULL (changed_by)
);
CREATE INDEX client_stage_changes_client_idx ON crm.client_stage_changes (organization_id, client_id, changed_at DESC, id DESC);
SELECT app.apply_org_kit('crm.client_stage_changes');

CREATE TABLE crm.interactions (
    organization_id uuid        NOT NULL REFERENCES org.organizations (id) ON DELETE CASCADE,
    id              uuid        NOT NULL DEFAULT app.uuid_v7(),
    client_id       uuid        NOT NULL,
    member_id       uuid,
    type            text        NOT NULL CONSTRAINT interactions_type_check CHECK (type IN ('email', 'call', 'meeting', 'sms', 'note')),
    notes           text        CONSTRAINT interactions_notes_check CHECK (length(notes) <= 4000),
    outcome         text        CONSTRAINT interactions_outcome_check CHECK (length(outcome) <= 200),
    occurred_at     timestamptz NOT NULL DEFAULT now(),
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (organization_id, id),
    FOREIGN KEY (organization_id, client_id) REFERENCES crm.clients (organization_id, id) ON DELETE CASCADE,
    FOREIGN KEY (organization_id, member_id) REFERENCES org.members (organization_id, id) ON DELETE SET NULL (member_id)
);
CREATE INDEX interactions_client_idx ON crm.interactions (organization_id, client_id, occurred_at DESC, id DESC);
SELECT app.apply_org_kit('crm.interactions');

CREATE TABLE crm.tasks (
    organization_id uuid        NOT NULL REFERENCES org.organizations (id) ON DELETE CASCADE,
    id              uuid        NOT NULL DEFAULT app.uuid_v7(),
    owner_id        uuid        NOT NULL,
    created_by      uuid,
    title           text        NOT NULL CONSTRAINT tasks_title_check CHECK (length(btrim(title)) BETWEEN 1 AND 200),
    description     text        CONSTRAINT tasks_description_check CHECK (length(description) <= 4000),
    status          text        NOT NULL DEFAULT 'open' CONSTRAINT tasks_status_check CHECK (status IN ('open', 'in_progress', 'done', 'canceled')),
    priority        text        NOT NULL DEFAULT 'normal' CONSTRAINT tasks_priority_check CHECK (priority IN ('low', 'normal', 'high', 'urgent')),
    category        text        CONSTRAINT tasks_category_check CHECK (length(category) <= 50),
    due_at          timestamptz,
    progress        int         NOT NULL DEFAULT 0 CONSTRAINT tasks_progress_check CHECK (progress BETWEEN 0 AND 100),
    client_id       uuid,
    property_id     uuid,
    listing_id      uuid,
    completed_at    timestamptz,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (organization_id, id),
    CONSTRAINT tasks_owner_fkey FOREIGN KEY (organization_id, owner_id) REFERENCES org.members (organization_id, id),
    CONSTRAINT tasks_created_by_fkey FOREIGN KEY (organization_id, created_by) REFERENCES org.members (organization_id, id) ON DELETE SET NULL (created_by),
    CONSTRAINT tasks_client_fkey FOREIGN KEY (organization_id, client_id) REFERENCES crm.clients (organization_id, id) ON DELETE CASCADE,
    CONSTRAINT tasks_property_fkey FOREIGN KEY (organization_id, property_id) REFERENCES property.properties (organization_id, id),
    CONSTRAINT tasks_listing_fkey FOREIGN KEY (organization_id, listing_id) REFERENCES listing.listings (organization_id, id) ON DELETE SET NULL (listing_id)
);
CREATE INDEX tasks_owner_due_idx ON crm.tasks (organization_id, owner_id, due_at, id) WHERE status IN ('open', 'in_progress');
CREATE INDEX tasks_owner_idx ON crm.tasks (organization_id, owner_id, created_at DESC, id DESC);
CREATE INDEX tasks_client_idx ON crm.tasks (organization_id, client_id, created_at DESC, id DESC) WHERE client_id IS NOT NULL;
CREATE INDEX tasks_property_idx ON crm.tasks (organization_id, property_id) WHERE property_id IS NOT NULL;
CREATE INDEX tasks_listing_idx ON crm.tasks (organization_id, listing_id) WHERE listing_id IS NOT NULL;
SELECT app.apply_org_kit('crm.tasks');

-- The organization's CRM settings: the region phone numbers without a
-- country code are read in, and the round-robin turn (the pool position
-- whose member gets the next lead). One row per organization, locked by
-- each assignment so concurrent leads take turns in order.
CREATE TABLE crm.settings (
    organization_id uuid        NOT NULL REFERENCES org.organizations (id) ON DELETE CASCADE,
    id              uuid        NOT NULL DEFAULT app.uuid_v7(),
    phone_region    text        NOT NULL DEFAULT 'US' CONSTRAINT settings_phone_region_check CHECK (phone_region ~ '^[A-Z]{2}$'),
    next_position   int         NOT NULL DEFAULT 0,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (organization_id, id),
    CONSTRAINT settings_org_key UNIQUE (organization_id)
);
SELECT app.apply_org_kit('crm.settings');

-- The agents new leads are shared among, in turn order.
CREATE TABLE crm.pool_members (
    organization_id uuid        NOT NULL REFERENCES org.organizations (id) ON DELETE CASCADE,
    id              uuid        NOT NULL DEFAULT app.uuid_v7(),
    member_id       uuid        NOT NULL,
    position        int         NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (organization_id, id),
    CONSTRAINT pool_members_member_key UNIQUE (organization_id, member_id),
    CONSTRAINT pool_members_position_key UNIQUE (organization_id, position),
    CONSTRAINT pool_members_member_fkey FOREIGN KEY (organization_id, member_id) REFERENCES org.members (organization_id, id) ON DELETE CASCADE
);
SELECT app.apply_org_kit('crm.pool_members');

-- +goose Down
DROP TABLE crm.pool_members;
DROP TABLE crm.settings;
DROP TABLE crm.tasks;
DROP TABLE crm.interactions;
DROP TABLE crm.client_stage_changes;
DROP TABLE crm.clients;
