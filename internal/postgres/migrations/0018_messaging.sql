-- The messaging domain's start: in-app notifications, each member's
-- notification preferences per kind and channel, and the outbox of
-- deliveries (e-mail now, webhooks later) that a background job sends.

-- +goose Up
CREATE TABLE messaging.notifications (
    organization_id uuid        NOT NULL REFERENCES org.organizations (id) ON DELETE CASCADE,
    id              uuid        NOT NULL DEFAULT app.uuid_v7(),
    recipient_id    uuid        NOT NULL,
    kind            text        NOT NULL CONSTRAINT notifications_kind_check CHECK (kind ~ '^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$' AND length(kind) <= 64),
    payload         jsonb       NOT NULL DEFAULT '{}' CONSTRAINT notifications_payload_check CHECK (jsonb_typeof(payload) = 'object'),
    read_at         timestamptz,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (organization_id, id),
    CONSTRAINT notifications_recipient_fkey FOREIGN KEY (organization_id, recipient_id)
        REFERENCES org.members (organization_id, id) ON DELETE CASCADE
);
-- A member's list, newest first, and their unread ones.
CREATE INDEX notifications_recipient_idx ON messaging.notifications (organization_id, recipient_id, created_at DESC, id DESC);
CREATE INDEX notifications_unread_idx ON messaging.notifications (organization_id, recipient_id, created_at DESC, id DESC) WHERE read_at IS NULL;
SELECT app.apply_org_kit('messaging.notifications');

-- A row overrides the default of one kind on one channel for one member.
CREATE TABLE messaging.notification_preferences (
    organization_id uuid        NOT NULL REFERENCES org.organizations (id) ON DELETE CASCADE,
    id              uuid        NOT NULL DEFAULT app.uuid_v7(),
    member_id       uuid        NOT NULL,
    kind            text        NOT NULL CONSTRAINT notification_preferences_kind_check CHECK (kind ~ '^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$' AND length(kind) <= 64),
    channel         text        NOT NULL CONSTRAINT notification_preferences_channel_check CHECK (channel IN ('in_app', 'email', 'webhook')),
    enabled         boolean     NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (organization_id, id),
    CONSTRAINT notification_preferences_key UNIQUE (organization_id, member_id, kind, channel),
    CONSTRAINT notification_preferences_member_fkey FOREIGN KEY (organization_id, member_id)
        REFERENCES org.members (organization_id, id) ON DELETE CASCADE
);
SELECT app.apply_org_kit('messaging.notification_preferences');

-- The outbox. A row is written in the transaction of the change that causes
-- it, with its job; status moves queued → sending → sent, or → failed (a
-- retry is due at next_attempt_at) → … → dead after the last attempt, or
-- sending → dead when a send was interrupted (never repeated: see
-- docs/messaging.md). data holds what the template needs, and may hold a
-- link with a secret, so the audit trail leaves it out.
CREATE TABLE messaging.deliveries (
    organization_id uuid        NOT NULL REFERENCES org.organizations (id) ON DELETE CASCADE,
    id              uuid        NOT NULL DEFAULT app.uuid_v7(),
    channel         text        NOT NULL CONSTRAINT deliveries_channel_check CHECK (channel IN ('email', 'webhook')),
    recipient       text        NOT NULL CONSTRAINT deliveries_recipient_check CHECK (length(btrim(recipient)) BETWEEN 1 AND 2048),
    kind            text        NOT NULL CONSTRAINT deliveries_kind_check CHECK (kind ~ '^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$' AND length(kind) <= 64),
    data            jsonb       NOT NULL DEFAULT '{}' CONSTRAINT deliveries_data_check CHECK (jsonb_typeof(data) = 'object'),
    idempotency_key text        NOT NULL CONSTRAINT deliveries_idempotency_key_check CHECK (length(idempotency_key) BETWEEN 1 AND 200),
    status          text        NOT NULL DEFAULT 'queued'
                                CONSTRAINT deliveries_status_check CHECK (status IN ('queued', 'sending', 'sent', 'failed', 'dead')),
    attempts        int         NOT NULL DEFAULT 0 CONSTRAINT deliveries_attempts_check CHECK (attempts >= 0),
    max_attempts    int         NOT NULL DEFAULT 5 CONSTRAINT deliveries_max_attempts_check CHECK (max_attempts BETWEEN 1 AND 50),
    last_error      text        CONSTRAINT deliveries_last_error_check CHECK (length(last_error) <= 2000),
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    sending_at      timestamptz,
    sent_at         timestamptz,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (organization_id, id),
    CONSTRAINT deliveries_idempotency_key_key UNIQUE (organization_id, idempotency_key)
);
CREATE INDEX deliveries_created_idx ON messaging.deliveries (organization_id, created_at DESC, id DESC);
CREATE INDEX deliveries_status_idx ON messaging.deliveries (organization_id, status, created_at DESC, id DESC);
SELECT app.apply_org_kit('messaging.deliveries', ARRAY['data']);

-- +goose Down
DROP TABLE messaging.deliveries;
DROP TABLE messaging.notification_preferences;
DROP TABLE messaging.notifications;
