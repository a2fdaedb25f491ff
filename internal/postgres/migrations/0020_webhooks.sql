-- Webhooks: an organization's endpoints and the events each wants. A
-- webhook delivery is a row of messaging.deliveries with channel 'webhook'
-- naming its endpoint, and keeps the receiver's answer. The signing
-- secrets are needed to sign, so they are stored as they are, and the
-- audit trail leaves them out.

-- +goose Up
CREATE TABLE messaging.webhook_endpoints (
    organization_id   uuid        NOT NULL REFERENCES org.organizations (id) ON DELETE CASCADE,
    id                uuid        NOT NULL DEFAULT app.uuid_v7(),
    url               text        NOT NULL CONSTRAINT webhook_endpoints_url_check CHECK (url ~ '^https?://' AND length(url) <= 2048),
    events            text[]      NOT NULL CONSTRAINT webhook_endpoints_events_check CHECK (cardinality(events) BETWEEN 1 AND 50),
    secret            text        NOT NULL,
    previous_secret   text,
    secret_rotated_at timestamptz,
    active            boolean     NOT NULL DEFAULT true,
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (organization_id, id)
);
SELECT app.apply_org_kit('messaging.webhook_endpoints', ARRAY['secret', 'previous_secret']);

ALTER TABLE messaging.deliveries
    ADD COLUMN endpoint_id     uuid,
    ADD COLUMN response_status int,
    ADD COLUMN response_body   text CONSTRAINT deliveries_response_body_check CHECK (length(response_body) <= 2000),
    ADD CONSTRAINT deliveries_endpoint_fkey FOREIGN KEY (organization_id, endpoint_id)
        REFERENCES messaging.webhook_endpoints (organization_id, id) ON DELETE CASCADE,
    ADD CONSTRAINT deliveries_endpoint_check CHECK ((channel = 'webhook') = (endpoint_id IS NOT NULL));

-- +goose Down
ALTER TABLE messaging.deliveries DROP COLUMN endpoint_id, DROP COLUMN response_status, DROP COLUMN response_body;
DROP TABLE messaging.webhook_endpoints;
