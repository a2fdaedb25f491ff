-- The messages the CRM sent a client (match alerts and digests by e-mail),
-- recorded beside the delivery it queued in the same transaction, so the
-- client's timeline shows them without reading the outbox. delivery_id is
-- the outbox delivery's id (no foreign key: the outbox belongs to another
-- domain, and its rows are pruned on their own schedule); delivery_key is
-- its idempotency key, so queueing the same e-mail again records nothing.

-- +goose Up
CREATE TABLE crm.client_messages (
    organization_id uuid        NOT NULL REFERENCES org.organizations (id) ON DELETE CASCADE,
    id              uuid        NOT NULL DEFAULT app.uuid_v7(),
    client_id       uuid        NOT NULL,
    channel         text        NOT NULL CONSTRAINT client_messages_channel_check CHECK (channel IN ('email')),
    kind            text        NOT NULL CONSTRAINT client_messages_kind_check CHECK (length(kind) BETWEEN 1 AND 100),
    subject         text        NOT NULL CONSTRAINT client_messages_subject_check CHECK (length(subject) BETWEEN 1 AND 300),
    delivery_id     uuid        NOT NULL,
    delivery_key    text        NOT NULL,
    queued_at       timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (organization_id, id),
    CONSTRAINT client_messages_delivery_key UNIQUE (organization_id, delivery_key),
    CONSTRAINT client_messages_client_fkey FOREIGN KEY (organization_id, client_id) REFERENCES crm.clients (organization_id, id) ON DELETE CASCADE
);
CREATE INDEX client_messages_client_idx ON crm.client_messages (organization_id, client_id, queued_at DESC, id DESC);
SELECT app.apply_org_kit('crm.client_messages');

-- +goose Down
DROP TABLE crm.client_messages;
