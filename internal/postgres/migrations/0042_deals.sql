-- Deals: a brokerage's transactions (a purchase, a sale, a lease, a
-- referral or a refinance) on one side or both, moving through the stage
-- machine lead → active → offer → under_contract → due_diligence →
-- clear_to_close → closed, or out to fell_through or withdrawn. The service
-- holds the table of allowed transitions and their guards; every change of
-- stage is a row of deal_stage_history (who, when, why). A transition is one
-- UPDATE naming the stage it leaves, so of two concurrent moves one wins.
-- Participants are the deal's clients, members and outside parties (an
-- attorney, a lender, a title officer…). See docs/deals.md.

-- +goose Up
CREATE TABLE deal.deals (
    organization_id  uuid           NOT NULL REFERENCES org.organizations (id) ON DELETE CASCADE,
    id               uuid           NOT NULL DEFAULT app.uuid_v7(),
    title            text           NOT NULL CONSTRAINT deals_title_check CHECK (length(btrim(title)) BETWEEN 1 AND 200),
    kind             text           NOT NULL CONSTRAINT deals_kind_check CHECK (kind IN ('purchase', 'sale', 'lease', 'referral', 'refinance')),
    side             text           NOT NULL CONSTRAINT deals_side_check CHECK (side IN ('buyer', 'seller', 'dual')),
    stage            text           NOT NULL DEFAULT 'lead' CONSTRAINT deals_stage_check CHECK (stage IN ('lead', 'active', 'offer',
                                    'under_contract', 'due_diligence', 'clear_to_close', 'closed', 'fell_through', 'withdrawn')),
    property_id      uuid,
    listing_id       uuid,
    -- The member who owns the deal (its agent).
    agent_id         uuid,
    price            numeric(14, 2) CONSTRAINT deals_price_check CHECK (price >= 0 AND price < 1e12),
    contract_date    date,
    expected_close   date,
    actual_close     date,
    close_price      numeric(14, 2) CONSTRAINT deals_close_price_check CHECK (close_price >= 0 AND close_price < 1e12),
    notes            text           CONSTRAINT deals_notes_check CHECK (length(notes) <= 8000),
    stage_changed_at timestamptz    NOT NULL DEFAULT now(),
    created_by       uuid,
    created_at       timestamptz    NOT NULL DEFAULT now(),
    updated_at       timestamptz    NOT NULL DEFAULT now(),
    PRIMARY KEY (organization_id, id),
    CONSTRAINT deals_property_fkey FOREIGN KEY (organization_id, property_id) REFERENCES property.properties (organization_id, id),
    CONSTRAINT deals_listing_fkey FOREIGN KEY (organization_id, listing_id) REFERENCES listing.listings (organization_id, id),
    CONSTRAINT deals_agent_fkey FOREIGN KEY (organization_id, agent_id) REFERENCES org.members (organization_id, id),
    CONSTRAINT deals_created_by_fkey FOREIGN KEY (organization_id, created_by) REFERENCES org.members (organization_id, id)
        ON DELETE SET NULL (created_by),
    CONSTRAINT deals_closed_check CHECK ((stage = 'closed') = (actual_close IS NOT NULL)),
    CONSTRAINT deals_close_dates_check CHECK (expected_close IS NULL OR contract_date IS NULL OR expected_close >= contract_date)
);
-- The pipeline board: an organization's deals by stage, newest move first.
CREATE INDEX deals_stage_idx ON deal.deals (organization_id, stage, stage_changed_at DESC, id);
CREATE INDEX deals_agent_idx ON deal.deals (organization_id, agent_id, stage);
CREATE INDEX deals_listing_idx ON deal.deals (organization_id, listing_id) WHERE listing_id IS NOT NULL;
CREATE INDEX deals_expected_close_idx ON deal.deals (organization_id, expected_close) WHERE stage NOT IN ('closed', 'fell_through', 'withdrawn');
SELECT app.apply_org_kit('deal.deals');

CREATE TABLE deal.deal_stage_history (
    organization_id uuid        NOT NULL REFERENCES org.organizations (id) ON DELETE CASCADE,
    id              uuid        NOT NULL DEFAULT app.uuid_v7(),
    deal_id         uuid        NOT NULL,
    from_stage      text,
    to_stage        text        NOT NULL,
    reason          text        CONSTRAINT deal_stage_history_reason_check CHECK (length(reason) <= 1000),
    changed_by      uuid,
    changed_at      timestamptz NOT NULL DEFAULT now(),
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (organization_id, id),
    CONSTRAINT deal_stage_history_deal_fkey FOREIGN KEY (organization_id, deal_id) REFERENCES deal.deals (organization_id, id) ON DELETE CASCADE,
    CONSTRAINT deal_stage_history_changed_by_fkey FOREIGN KEY (organization_id, changed_by) REFERENCES org.members (organization_id, id)
        ON DELETE SET NULL (changed_by)
);
CREATE INDEX deal_stage_history_deal_idx ON deal.deal_stage_history (organization_id, deal_id, changed_at, id);
SELECT app.apply_org_kit('deal.deal_stage_history');

-- A participant is a CRM client, a member, or an outside party named here.
CREATE TABLE deal.deal_participants (
    organization_id uuid        NOT NULL REFERENCES org.organizations (id) ON DELETE CASCADE,
    id              uuid        NOT NULL DEFAULT app.uuid_v7(),
    deal_id         uuid        NOT NULL,
    role            text        NOT NULL CONSTRAINT deal_participants_role_check CHECK (role IN ('buyer', 'seller', 'buyer_agent',
                                'listing_agent', 'attorney', 'lender', 'title', 'escrow', 'inspector', 'appraiser', 'referral', 'other')),
    client_id       uuid,
    member_id       uuid,
    name            text        CONSTRAINT deal_participants_name_check CHECK (length(btrim(name)) BETWEEN 1 AND 200),
    company         text        CONSTRAINT deal_participants_company_check CHECK (length(btrim(company)) BETWEEN 1 AND 200),
    email           text        CONSTRAINT deal_participants_email_check CHECK (email ~ '^[^@\s]+@[^@\s]+$' AND length(email) <= 254),
    phone           text        CONSTRAINT deal_participants_phone_check CHECK (phone ~ '^\+[1-9][0-9]{6,14}$'),
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (organization_id, id),
    CONSTRAINT deal_participants_deal_fkey FOREIGN KEY (organization_id, deal_id) REFERENCES deal.deals (organization_id, id) ON DELETE CASCADE,
    CONSTRAINT deal_participants_client_fkey FOREIGN KEY (organization_id, client_id) REFERENCES crm.clients (organization_id, id),
    CONSTRAINT deal_participants_member_fkey FOREIGN KEY (organization_id, member_id) REFERENCES org.members (organization_id, id),
    -- Exactly one of a client, a member or an outside party's name.
    CONSTRAINT deal_participants_who_check CHECK (num_nonnulls(client_id, member_id, name) = 1)
);
CREATE UNIQUE INDEX deal_participants_client_key ON deal.deal_participants (organization_id, deal_id, role, client_id) WHERE client_id IS NOT NULL;
CREATE UNIQUE INDEX deal_participants_member_key ON deal.deal_participants (organization_id, deal_id, role, member_id) WHERE member_id IS NOT NULL;
CREATE INDEX deal_participants_deal_idx ON deal.deal_participants (organization_id, deal_id, role);
CREATE INDEX deal_participants_client_idx ON deal.deal_participants (organization_id, client_id) WHERE client_id IS NOT NULL;
SELECT app.apply_org_kit('deal.deal_participants');

-- +goose Down
DROP TABLE deal.deal_participants;
DROP TABLE deal.deal_stage_history;
DROP TABLE deal.deals;
