-- The money of a deal: earnest money deposits (escrow_deposits), each
-- agent's commission plan (agent_plans: their split and an annual cap on
-- the brokerage's share), a deal's commission (commissions: gross as a rate
-- of the close price or an amount, the listing side's share of a dual deal,
-- a referral fee) and its splits between the brokerage, the agents and a
-- referral party (commission_splits), which add up to the gross exactly.
-- Deposits the brokerage holds post to trust cash and escrow held when
-- received, and out again when released at closing or refunded when the deal
-- ends without closing; the commission posts once, at closing. See
-- docs/deals.md, "Money".

-- +goose Up
CREATE TABLE deal.escrow_deposits (
    organization_id uuid           NOT NULL REFERENCES org.organizations (id) ON DELETE CASCADE,
    id              uuid           NOT NULL DEFAULT app.uuid_v7(),
    deal_id         uuid           NOT NULL,
    -- Who holds the money: only the brokerage's own trust account is in its
    -- books; a title company, escrow agent or attorney holds it outside them.
    holder          text           NOT NULL CONSTRAINT escrow_deposits_holder_check CHECK (holder IN ('brokerage', 'title', 'escrow', 'attorney', 'other')),
    holder_name     text           CONSTRAINT escrow_deposits_holder_name_check CHECK (length(btrim(holder_name)) BETWEEN 1 AND 200),
    amount          numeric(14, 2) NOT NULL CONSTRAINT escrow_deposits_amount_check CHECK (amount > 0 AND amount < 1e12),
    due_date        date,
    received_on     date,
    status          text           NOT NULL DEFAULT 'due' CONSTRAINT escrow_deposits_status_check CHECK (status IN ('due', 'received', 'released', 'refunded')),
    -- The day it was released or refunded.
    settled_on      date,
    created_by      uuid,
    created_at      timestamptz    NOT NULL DEFAULT now(),
    updated_at      timestamptz    NOT NULL DEFAULT now(),
    PRIMARY KEY (organization_id, id),
    CONSTRAINT escrow_deposits_deal_fkey FOREIGN KEY (organization_id, deal_id) REFERENCES deal.deals (organization_id, id),
    CONSTRAINT escrow_deposits_created_by_fkey FOREIGN KEY (organization_id, created_by) REFERENCES org.members (organization_id, id)
        ON DELETE SET NULL (created_by),
    CONSTRAINT escrow_deposits_received_check CHECK ((status = 'due') = (received_on IS NULL)),
    CONSTRAINT escrow_deposits_settled_check CHECK ((status IN ('released', 'refunded')) = (settled_on IS NOT NULL) AND settled_on >= received_on)
);
CREATE INDEX escrow_deposits_deal_idx ON deal.escrow_deposits (organization_id, deal_id, created_at);
SELECT app.apply_org_kit('deal.escrow_deposits');

CREATE TABLE deal.agent_plans (
    organization_id uuid           NOT NULL REFERENCES org.organizations (id) ON DELETE CASCADE,
    id              uuid           NOT NULL DEFAULT app.uuid_v7(),
    member_id       uuid           NOT NULL,
    -- The agent's percentage of their side of a commission; the brokerage
    -- keeps the rest until its share in the cap year reaches annual_cap.
    agent_split     numeric(5, 2)  NOT NULL CONSTRAINT agent_plans_agent_split_check CHECK (agent_split BETWEEN 0 AND 100),
    annual_cap      numeric(14, 2) CONSTRAINT agent_plans_annual_cap_check CHECK (annual_cap >= 0 AND annual_cap < 1e12),
    -- The cap year starts on this day's month and day every year.
    cap_year_start  date           NOT NULL,
    created_at      timestamptz    NOT NULL DEFAULT now(),
    updated_at      timestamptz    NOT NULL DEFAULT now(),
    PRIMARY KEY (organization_id, id),
    CONSTRAINT agent_plans_member_key UNIQUE (organization_id, member_id),
    CONSTRAINT agent_plans_member_fkey FOREIGN KEY (organization_id, member_id) REFERENCES org.members (organization_id, id) ON DELETE CASCADE
);
SELECT app.apply_org_kit('deal.agent_plans');

CREATE TABLE deal.commissions (
    organization_id  uuid           NOT NULL REFERENCES org.organizations (id) ON DELETE CASCADE,
    id               uuid           NOT NULL DEFAULT app.uuid_v7(),
    deal_id          uuid           NOT NULL,
    -- The gross: a percentage of the close price, or an amount.
    gross_rate       numeric(7, 4)  CONSTRAINT commissions_gross_rate_check CHECK (gross_rate > 0 AND gross_rate <= 100),
    gross_amount     numeric(14, 2) CONSTRAINT commissions_gross_amount_check CHECK (gross_amount > 0 AND gross_amount < 1e12),
    -- The listing side's percentage of a dual deal's commission.
    listing_side_pct numeric(5, 2)  NOT NULL DEFAULT 50 CONSTRAINT commissions_listing_side_pct_check CHECK (listing_side_pct BETWEEN 0 AND 100),
    -- A referral fee off the top: a percentage of the gross or an amount.
    referral_rate    numeric(7, 4)  CONSTRAINT commissions_referral_rate_check CHECK (referral_rate > 0 AND referral_rate <= 100),
    referral_amount  numeric(14, 2) CONSTRAINT commissions_referral_amount_check CHECK (referral_amount > 0 AND referral_amount < 1e12),
    referral_name    text           CONSTRAINT commissions_referral_name_check CHECK (length(btrim(referral_name)) BETWEEN 1 AND 200),
    -- The gross as last computed (null while a rate has no price to apply to).
    gross            numeric(14, 2) CONSTRAINT commissions_gross_check CHECK (gross >= 0 AND gross < 1e12),
    -- Set at closing: the commission is posted and no longer changes.
    closed_on        date,
    posted_at        timestamptz,
    -- The commission disbursement authorisation generated at closing.
    cda_html         text,
    cda_sha256       text           CONSTRAINT commissions_cda_sha256_check CHECK (cda_sha256 ~ '^[0-9a-f]{64}$'),
    created_by       uuid,
    created_at       timestamptz    NOT NULL DEFAULT now(),
    updated_at       timestamptz    NOT NULL DEFAULT now(),
    PRIMARY KEY (organization_id, id),
    CONSTRAINT commissions_deal_key UNIQUE (organization_id, deal_id),
    CONSTRAINT commissions_deal_fkey FOREIGN KEY (organization_id, deal_id) REFERENCES deal.deals (organization_id, id),
    CONSTRAINT commissions_created_by_fkey FOREIGN KEY (organization_id, created_by) REFERENCES org.members (organization_id, id)
        ON DELETE SET NULL (created_by),
    CONSTRAINT commissions_gross_basis_check CHECK (num_nonnulls(gross_rate, gross_amount) = 1),
    CONSTRAINT commissions_referral_check CHECK (num_nonnulls(referral_rate, referral_amount) <= 1
        AND (referral_name IS NOT NULL) = (num_nonnulls(referral_rate, referral_amount) = 1)),
    CONSTRAINT commissions_posted_check CHECK ((closed_on IS NULL) = (posted_at IS NULL) AND (posted_at IS NULL) = (cda_sha256 IS NULL)
        AND (posted_at IS NULL OR gross IS NOT NULL))
);
CREATE INDEX commissions_closed_idx ON deal.commissions (organization_id, closed_on) WHERE closed_on IS NOT NULL;
SELECT app.apply_org_kit('deal.commissions', ARRAY['cda_html']);

CREATE TABLE deal.commission_splits (
    organization_id uuid           NOT NULL REFERENCES org.organizations (id) ON DELETE CASCADE,
    id              uuid           NOT NULL DEFAULT app.uuid_v7(),
    commission_id   uuid           NOT NULL,
    line_no         integer        NOT NULL CONSTRAINT commission_splits_line_no_check CHECK (line_no BETWEEN 1 AND 100),
    payee           text           NOT NULL CONSTRAINT commission_splits_payee_check CHECK (payee IN ('brokerage', 'agent', 'referral')),
    member_id       uuid,
    payee_name      text           NOT NULL CONSTRAINT commission_splits_payee_name_check CHECK (length(btrim(payee_name)) BETWEEN 1 AND 200),
    side            text           CONSTRAINT commission_splits_side_check CHECK (side IN ('listing', 'buyer')),
    -- An agent's part of the gross before their plan's split (their GCI).
    side_share      numeric(14, 2) NOT NULL DEFAULT 0 CONSTRAINT commission_splits_side_share_check CHECK (side_share >= 0 AND side_share < 1e12),
    amount          numeric(14, 2) NOT NULL CONSTRAINT commission_splits_amount_check CHECK (amount >= 0 AND amount < 1e12),
    -- What the brokerage keeps of an agent's side share (counts to the cap).
    company_dollar  numeric(14, 2) NOT NULL DEFAULT 0 CONSTRAINT commission_splits_company_dollar_check CHECK (company_dollar >= 0 AND company_dollar < 1e12),
    basis           text           NOT NULL CONSTRAINT commission_splits_basis_check CHECK (length(basis) BETWEEN 1 AND 300),
    created_at      timestamptz    NOT NULL DEFAULT now(),
    updated_at      timestamptz    NOT NULL DEFAULT now(),
    PRIMARY KEY (organization_id, id),
    CONSTRAINT commission_splits_line_key UNIQUE (organization_id, commission_id, line_no),
    CONSTRAINT commission_splits_commission_fkey FOREIGN KEY (organization_id, commission_id) REFERENCES deal.commissions (organization_id, id) ON DELETE CASCADE,
    CONSTRAINT commission_splits_member_fkey FOREIGN KEY (organization_id, member_id) REFERENCES org.members (organization_id, id),
    CONSTRAINT commission_splits_agent_check CHECK ((payee = 'agent') = (member_id IS NOT NULL))
);
CREATE INDEX commission_splits_member_idx ON deal.commission_splits (organization_id, member_id) WHERE member_id IS NOT NULL;
SELECT app.apply_org_kit('deal.commission_splits');

-- +goose Down
DROP TABLE deal.commission_splits;
DROP TABLE deal.commissions;
DROP TABLE deal.agent_plans;
DROP TABLE deal.escrow_deposits;
