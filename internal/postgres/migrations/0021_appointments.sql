-- Appointments between an agent, perhaps a client and a listing or
-- property: showings, meetings, inspections, open houses and calls. One
-- agent's appointments never overlap unless canceled (an exclusion
-- constraint over half-open time ranges, so back-to-back slots are
-- allowed). Each agent may publish their appointments as an iCalendar feed
-- read with a secret token; only the token's hash is stored.

-- +goose Up
CREATE TABLE crm.appointments (
    organization_id     uuid        NOT NULL REFERENCES org.organizations (id) ON DELETE CASCADE,
    id                  uuid        NOT NULL DEFAULT app.uuid_v7(),
    agent_id            uuid        NOT NULL,
    client_id           uuid,
    listing_id          uuid,
    property_id         uuid,
    kind                text        NOT NULL CONSTRAINT appointments_kind_check
                                    CHECK (kind IN ('showing', 'meeting', 'inspection', 'open_house', 'call')),
    title               text        NOT NULL CONSTRAINT appointments_title_check CHECK (length(btrim(title)) BETWEEN 1 AND 200),
    notes               text        CONSTRAINT appointments_notes_check CHECK (length(notes) <= 4000),
    location            text        CONSTRAINT appointments_location_check CHECK (length(location) <= 500),
    starts_at           timestamptz NOT NULL,
    ends_at             timestamptz NOT NULL,
    status              text        NOT NULL DEFAULT 'scheduled' CONSTRAINT appointments_status_check
                                    CHECK (status IN ('scheduled', 'confirmed', 'completed', 'canceled', 'no_show')),
    cancellation_reason text        CONSTRAINT appointments_cancellation_reason_check CHECK (length(cancellation_reason) <= 500),
    created_by          uuid,
    version             int         NOT NULL DEFAULT 1,
    created_at          timestamptz NOT NULL DEFAULT now(),
    updated_at          timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (organization_id, id),
    CONSTRAINT appointments_agent_fkey FOREIGN KEY (organization_id, agent_id) REFERENCES org.members (organization_id, id),
    CONSTRAINT appointments_created_by_fkey FOREIGN KEY (organization_id, created_by) REFERENCES org.members (organization_id, id) ON DELETE SET NULL (created_by),
    CONSTRAINT appointments_client_fkey FOREIGN KEY (organization_id, client_id) REFERENCES crm.clients (organization_id, id) ON DELETE CASCADE,
    CONSTRAINT appointments_property_fkey FOREIGN KEY (organization_id, property_id) REFERENCES property.properties (organization_id, id),
    CONSTRAINT appointments_listing_fkey FOREIGN KEY (organization_id, listing_id) REFERENCES listing.listings (organization_id, id) ON DELETE SET NULL (listing_id),
    CONSTRAINT appointments_time_check CHECK (ends_at > starts_at),
    CONSTRAINT appointments_canceled_check CHECK (status <> 'canceled' OR coalesce(length(btrim(cancellation_reason)), 0) > 0),
    CONSTRAINT appointments_no_overlap EXCLUDE USING gist (
        organization_id WITH =, agent_id WITH =, tstzrange(starts_at, ends_at, '[)') WITH &&) WHERE (status <> 'canceled')
);
CREATE INDEX appointments_agent_idx ON crm.appointments (organization_id, agent_id, starts_at, id);
CREATE INDEX appointments_starts_idx ON crm.appointments (organization_id, starts_at, id);
CREATE INDEX appointments_client_idx ON crm.appointments (organization_id, client_id, starts_at DESC, id DESC) WHERE client_id IS NOT NULL;
CREATE INDEX appointments_listing_idx ON crm.appointments (organization_id, listing_id) WHERE listing_id IS NOT NULL;
CREATE INDEX appointments_property_idx ON crm.appointments (organization_id, property_id) WHERE property_id IS NOT NULL;
SELECT app.apply_org_kit('crm.appointments');

-- An agent's calendar feed: at most one live token per member; rotating
-- replaces the hash, revoking deletes the row. The token carries its
-- organization's id, so it is found by (organization_id, token_hash)
-- without a global lookup.
CREATE TABLE crm.calendar_feeds (
    organization_id uuid        NOT NULL REFERENCES org.organizations (id) ON DELETE CASCADE,
    id              uuid        NOT NULL DEFAULT app.uuid_v7(),
    member_id       uuid        NOT NULL,
    token_hash      bytea       NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (organization_id, id),
    CONSTRAINT calendar_feeds_member_key UNIQUE (organization_id, member_id),
    CONSTRAINT calendar_feeds_token_key UNIQUE (organization_id, token_hash),
    CONSTRAINT calendar_feeds_member_fkey FOREIGN KEY (organization_id, member_id) REFERENCES org.members (organization_id, id) ON DELETE CASCADE
);
SELECT app.apply_org_kit('crm.calendar_feeds', '{token_hash}');

-- +goose Down
DROP TABLE crm.calendar_feeds;
DROP TABLE crm.appointments;
