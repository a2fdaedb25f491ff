-- Messages and announcements. A thread is a conversation between staff and
-- one tenant (or one vendor: vendor_id names a maintenance vendor, its
-- foreign key comes with that table); its messages carry the thread's
-- tenant, and each participant's read marker is a row of thread_reads. An
-- announcement goes to every tenant of a property, building or unit: its
-- delivery writes one announcement_recipients row per tenant (unique, so a
-- retried delivery reaches nobody twice), each a copy of what was sent.
-- Residents are fenced as in leasing and the ledger: a restrictive policy
-- compares the row's own tenant_id with app.current_tenant_id(); the
-- announcements themselves are staff rows (a resident reads their copy).

-- +goose Up
CREATE TABLE messaging.threads (
    organization_id uuid        NOT NULL REFERENCES org.organizations (id) ON DELETE CASCADE,
    id              uuid        NOT NULL DEFAULT app.uuid_v7(),
    subject         text        NOT NULL CONSTRAINT threads_subject_check CHECK (length(btrim(subject)) BETWEEN 1 AND 200),
    tenant_id       uuid,
    vendor_id       uuid,
    created_by      uuid        NOT NULL,
    last_message_at timestamptz NOT NULL DEFAULT now(),
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (organization_id, id),
    CONSTRAINT threads_party_check CHECK (num_nonnulls(tenant_id, vendor_id) = 1),
    CONSTRAINT threads_tenant_fkey FOREIGN KEY (organization_id, tenant_id) REFERENCES leasing.tenants (organization_id, id),
    CONSTRAINT threads_created_by_fkey FOREIGN KEY (organization_id, created_by) REFERENCES org.members (organization_id, id),
    -- The target of the messages' and read markers' tenant copy.
    CONSTRAINT threads_tenant_key UNIQUE (organization_id, id, tenant_id)
);
CREATE INDEX threads_recent_idx ON messaging.threads (organization_id, last_message_at DESC, id DESC);
CREATE INDEX threads_tenant_idx ON messaging.threads (organization_id, tenant_id, last_message_at DESC, id DESC) WHERE tenant_id IS NOT NULL;
CREATE INDEX threads_vendor_idx ON messaging.threads (organization_id, vendor_id) WHERE vendor_id IS NOT NULL;
SELECT app.apply_org_kit('messaging.threads');
CREATE POLICY resident_fence ON messaging.threads AS RESTRICTIVE
    USING (app.current_tenant_id() IS NULL OR tenant_id = app.current_tenant_id());

CREATE TABLE messaging.thread_messages (
    organization_id uuid        NOT NULL REFERENCES org.organizations (id) ON DELETE CASCADE,
    id              uuid        NOT NULL DEFAULT app.uuid_v7(),
    thread_id       uuid        NOT NULL,
    tenant_id       uuid,
    sender_id       uuid        NOT NULL,
    from_staff      boolean     NOT NULL,
    body            text        NOT NULL CONSTRAINT thread_messages_body_check CHECK (length(btrim(body)) BETWEEN 1 AND 10000),
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (organization_id, id),
    CONSTRAINT thread_messages_thread_fkey FOREIGN KEY (organization_id, thread_id) REFERENCES messaging.threads (organization_id, id) ON DELETE CASCADE,
    CONSTRAINT thread_messages_tenant_fkey FOREIGN KEY (organization_id, thread_id, tenant_id)
        REFERENCES messaging.threads (organization_id, id, tenant_id) ON DELETE CASCADE,
    CONSTRAINT thread_messages_sender_fkey FOREIGN KEY (organization_id, sender_id) REFERENCES org.members (organization_id, id)
);
CREATE INDEX thread_messages_thread_idx ON messaging.thread_messages (organization_id, thread_id, created_at, id);
SELECT app.apply_org_kit('messaging.thread_messages');
CREATE POLICY resident_fence ON messaging.thread_messages AS RESTRICTIVE
    USING (app.current_tenant_id() IS NULL OR tenant_id = app.current_tenant_id());

-- Each participant's read marker: everything in the thread up to read_at.
CREATE TABLE messaging.thread_reads (
    organization_id uuid        NOT NULL REFERENCES org.organizations (id) ON DELETE CASCADE,
    id              uuid        NOT NULL DEFAULT app.uuid_v7(),
    thread_id       uuid        NOT NULL,
    tenant_id       uuid,
    member_id       uuid        NOT NULL,
    read_at         timestamptz NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (organization_id, id),
    CONSTRAINT thread_reads_key UNIQUE (organization_id, thread_id, member_id),
    CONSTRAINT thread_reads_thread_fkey FOREIGN KEY (organization_id, thread_id) REFERENCES messaging.threads (organization_id, id) ON DELETE CASCADE,
    CONSTRAINT thread_reads_tenant_fkey FOREIGN KEY (organization_id, thread_id, tenant_id)
        REFERENCES messaging.threads (organization_id, id, tenant_id) ON DELETE CASCADE,
    CONSTRAINT thread_reads_member_fkey FOREIGN KEY (organization_id, member_id) REFERENCES org.members (organization_id, id) ON DELETE CASCADE
);
SELECT app.apply_org_kit('messaging.thread_reads');
CREATE POLICY resident_fence ON messaging.thread_reads AS RESTRICTIVE
    USING (app.current_tenant_id() IS NULL OR tenant_id = app.current_tenant_id());

CREATE TABLE messaging.announcements (
    organization_id uuid        NOT NULL REFERENCES org.organizations (id) ON DELETE CASCADE,
    id              uuid        NOT NULL DEFAULT app.uuid_v7(),
    title           text        NOT NULL CONSTRAINT announcements_title_check CHECK (length(btrim(title)) BETWEEN 1 AND 200),
    body            text        NOT NULL CONSTRAINT announcements_body_check CHECK (length(btrim(body)) BETWEEN 1 AND 20000),
    scope           text        NOT NULL CONSTRAINT announcements_scope_check CHECK (scope IN ('property', 'building', 'unit')),
    property_id     uuid        NOT NULL,
    building_id     uuid,
    unit_id         uuid,
    publish_at      timestamptz NOT NULL,
    delivered_at    timestamptz,
    recipients      int         NOT NULL DEFAULT 0 CONSTRAINT announcements_recipients_check CHECK (recipients >= 0),
    created_by      uuid        NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (organization_id, id),
    CONSTRAINT announcements_target_check CHECK (CASE scope
        WHEN 'property' THEN building_id IS NULL AND unit_id IS NULL
        WHEN 'building' THEN building_id IS NOT NULL AND unit_id IS NULL
        ELSE unit_id IS NOT NULL AND building_id IS NULL END),
    CONSTRAINT announcements_property_fkey FOREIGN KEY (organization_id, property_id) REFERENCES property.properties (organization_id, id),
    CONSTRAINT announcements_building_fkey FOREIGN KEY (organization_id, building_id) REFERENCES property.buildings (organization_id, id),
    CONSTRAINT announcements_unit_fkey FOREIGN KEY (organization_id, unit_id) REFERENCES property.units (organization_id, id),
    CONSTRAINT announcements_created_by_fkey FOREIGN KEY (organization_id, created_by) REFERENCES org.members (organization_id, id)
);
CREATE INDEX announcements_publish_idx ON messaging.announcements (organization_id, publish_at DESC, id DESC);
SELECT app.apply_org_kit('messaging.announcements');
CREATE POLICY resident_fence ON messaging.announcements AS RESTRICTIVE
    USING (app.current_tenant_id() IS NULL);

-- One row per tenant an announcement reached, with a copy of what it said.
CREATE TABLE messaging.announcement_recipients (
    organization_id uuid        NOT NULL REFERENCES org.organizations (id) ON DELETE CASCADE,
    id              uuid        NOT NULL DEFAULT app.uuid_v7(),
    announcement_id uuid        NOT NULL,
    tenant_id       uuid        NOT NULL,
    member_id       uuid,
    title           text        NOT NULL,
    body            text        NOT NULL,
    publish_at      timestamptz NOT NULL,
    notification_id uuid,
    delivery_id     uuid,
    read_at         timestamptz,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (organization_id, id),
    CONSTRAINT announcement_recipients_key UNIQUE (organization_id, announcement_id, tenant_id),
    CONSTRAINT announcement_recipients_announcement_fkey FOREIGN KEY (organization_id, announcement_id)
        REFERENCES messaging.announcements (organization_id, id) ON DELETE CASCADE,
    CONSTRAINT announcement_recipients_tenant_fkey FOREIGN KEY (organization_id, tenant_id) REFERENCES leasing.tenants (organization_id, id)
);
CREATE INDEX announcement_recipients_tenant_idx ON messaging.announcement_recipients (organization_id, tenant_id, publish_at DESC, id DESC);
SELECT app.apply_org_kit('messaging.announcement_recipients');
CREATE POLICY resident_fence ON messaging.announcement_recipients AS RESTRICTIVE
    USING (app.current_tenant_id() IS NULL OR tenant_id = app.current_tenant_id());

-- +goose Down
DROP TABLE messaging.announcement_recipients;
DROP TABLE messaging.announcements;
DROP TABLE messaging.thread_reads;
DROP TABLE messaging.thread_messages;
DROP TABLE messaging.threads;
