-- Contracts of a deal: drawn from an organization's templates (a body with
-- merge fields such as {{deal.price}}), stored as immutable versions (the
-- rendered PDF in the blob store, with its SHA-256 and size), amended by new
-- versions, and signed electronically by their signers through one-time
-- links. Only a link's SHA-256 is stored; the link carries its organization
-- (sig_<organization>_<secret>), so it is read by (organization_id,
-- token_hash) without a global lookup. contract_events is the audit trail of
-- the signing (views, signatures, refused attempts). See docs/deals.md.

-- +goose Up
CREATE TABLE deal.contract_templates (
    organization_id uuid        NOT NULL REFERENCES org.organizations (id) ON DELETE CASCADE,
    id              uuid        NOT NULL DEFAULT app.uuid_v7(),
    name            text        NOT NULL CONSTRAINT contract_templates_name_check CHECK (length(btrim(name)) BETWEEN 1 AND 200),
    body            text        NOT NULL CONSTRAINT contract_templates_body_check CHECK (length(btrim(body)) BETWEEN 1 AND 100000),
    created_by      uuid,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (organization_id, id),
    CONSTRAINT contract_templates_name_key UNIQUE (organization_id, name),
    CONSTRAINT contract_templates_created_by_fkey FOREIGN KEY (organization_id, created_by) REFERENCES org.members (organization_id, id)
        ON DELETE SET NULL (created_by)
);
SELECT app.apply_org_kit('deal.contract_templates');

CREATE TABLE deal.contracts (
    organization_id uuid        NOT NULL REFERENCES org.organizations (id) ON DELETE CASCADE,
    id              uuid        NOT NULL DEFAULT app.uuid_v7(),
    deal_id         uuid        NOT NULL,
    template_id     uuid,
    title           text        NOT NULL CONSTRAINT contracts_title_check CHECK (length(btrim(title)) BETWEEN 1 AND 200),
    status          text        NOT NULL DEFAULT 'draft'
                                CONSTRAINT contracts_status_check CHECK (status IN ('draft', 'sent', 'signed', 'executed', 'void')),
    -- The number of the version signers sign now (0 only while the first
    -- is being written, inside the creating transaction).
    current_version integer     NOT NULL DEFAULT 0 CONSTRAINT contracts_current_version_check CHECK (current_version >= 0),
    sent_at         timestamptz,
    executed_at     timestamptz,
    voided_at       timestamptz,
    void_reason     text        CONSTRAINT contracts_void_reason_check CHECK (length(void_reason) <= 1000),
    created_by      uuid,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (organization_id, id),
    CONSTRAINT contracts_deal_fkey FOREIGN KEY (organization_id, deal_id) REFERENCES deal.deals (organization_id, id) ON DELETE CASCADE,
    CONSTRAINT contracts_template_fkey FOREIGN KEY (organization_id, template_id) REFERENCES deal.contract_templates (organization_id, id)
        ON DELETE SET NULL (template_id),
    CONSTRAINT contracts_created_by_fkey FOREIGN KEY (organization_id, created_by) REFERENCES org.members (organization_id, id)
        ON DELETE SET NULL (created_by),
    CONSTRAINT contracts_executed_check CHECK ((status = 'executed') = (executed_at IS NOT NULL)),
    CONSTRAINT contracts_void_check CHECK ((status = 'void') = (voided_at IS NOT NULL))
);
CREATE INDEX contracts_deal_idx ON deal.contracts (organization_id, deal_id, created_at);
SELECT app.apply_org_kit('deal.contracts');

-- A version is the document as rendered once: never updated (the trigger
-- below refuses it), so what a signer signed stays what was stored.
CREATE TABLE deal.contract_versions (
    organization_id uuid        NOT NULL REFERENCES org.organizations (id) ON DELETE CASCADE,
    id              uuid        NOT NULL DEFAULT app.uuid_v7(),
    contract_id     uuid        NOT NULL,
    number          integer     NOT NULL CONSTRAINT contract_versions_number_check CHECK (number >= 1),
    kind            text        NOT NULL CONSTRAINT contract_versions_kind_check CHECK (kind IN ('original', 'amendment', 'executed')),
    -- The merged text the PDF was rendered from.
    body            text        NOT NULL CONSTRAINT contract_versions_body_check CHECK (length(body) <= 200000),
    blob_key        text        NOT NULL CONSTRAINT contract_versions_blob_key_check CHECK (blob_key ~ '^[0-9a-f]{64}$'),
    sha256          text        NOT NULL CONSTRAINT contract_versions_sha256_check CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    size            bigint      NOT NULL CONSTRAINT contract_versions_size_check CHECK (size > 0),
    created_by      uuid,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (organization_id, id),
    CONSTRAINT contract_versions_number_key UNIQUE (organization_id, contract_id, number),
    CONSTRAINT contract_versions_contract_fkey FOREIGN KEY (organization_id, contract_id) REFERENCES deal.contracts (organization_id, id)
        ON DELETE CASCADE,
    CONSTRAINT contract_versions_created_by_fkey FOREIGN KEY (organization_id, created_by) REFERENCES org.members (organization_id, id)
        ON DELETE SET NULL (created_by)
);
SELECT app.apply_org_kit('deal.contract_versions');

-- +goose StatementBegin
CREATE FUNCTION deal.contract_version_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'a contract version is immutable: add a new version instead' USING ERRCODE = 'restrict_violation';
END
$$;
-- +goose StatementEnd
CREATE TRIGGER contract_versions_immutable BEFORE UPDATE ON deal.contract_versions
    FOR EACH ROW EXECUTE FUNCTION deal.contract_version_immutable();

CREATE TABLE deal.contract_amendments (
    organization_id uuid        NOT NULL REFERENCES org.organizations (id) ON DELETE CASCADE,
    id              uuid        NOT NULL DEFAULT app.uuid_v7(),
    contract_id     uuid        NOT NULL,
    -- What changed, in words.
    description     text        NOT NULL CONSTRAINT contract_amendments_description_check CHECK (length(btrim(description)) BETWEEN 1 AND 1000),
    body            text        NOT NULL CONSTRAINT contract_amendments_body_check CHECK (length(btrim(body)) BETWEEN 1 AND 20000),
    effective_date  date        NOT NULL,
    -- The version of the contract as amended.
    version_number  integer     NOT NULL,
    created_by      uuid,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (organization_id, id),
    CONSTRAINT contract_amendments_contract_fkey FOREIGN KEY (organization_id, contract_id) REFERENCES deal.contracts (organization_id, id)
        ON DELETE CASCADE,
    CONSTRAINT contract_amendments_version_fkey FOREIGN KEY (organization_id, contract_id, version_number)
        REFERENCES deal.contract_versions (organization_id, contract_id, number) ON DELETE CASCADE,
    CONSTRAINT contract_amendments_created_by_fkey FOREIGN KEY (organization_id, created_by) REFERENCES org.members (organization_id, id)
        ON DELETE SET NULL (created_by)
);
CREATE INDEX contract_amendments_contract_idx ON deal.contract_amendments (organization_id, contract_id, version_number);
SELECT app.apply_org_kit('deal.contract_amendments');

CREATE TABLE deal.contract_signers (
    organization_id uuid        NOT NULL REFERENCES org.organizations (id) ON DELETE CASCADE,
    id              uuid        NOT NULL DEFAULT app.uuid_v7(),
    contract_id     uuid        NOT NULL,
    position        integer     NOT NULL CONSTRAINT contract_signers_position_check CHECK (position BETWEEN 1 AND 20),
    name            text        NOT NULL CONSTRAINT contract_signers_name_check CHECK (length(btrim(name)) BETWEEN 1 AND 200),
    email           text        NOT NULL CONSTRAINT contract_signers_email_check CHECK (email ~ '^[^@\s]+@[^@\s]+$' AND length(email) <= 254),
    role            text        NOT NULL CONSTRAINT contract_signers_role_check CHECK (role IN ('buyer', 'seller', 'buyer_agent',
                                'listing_agent', 'broker', 'attorney', 'witness', 'other')),
    required        boolean     NOT NULL DEFAULT true,
    status          text        NOT NULL DEFAULT 'pending' CONSTRAINT contract_signers_status_check CHECK (status IN ('pending', 'sent', 'signed')),
    -- The SHA-256 of the secret of the signer's one-time link; NULL when no
    -- link is open (before sending, after signing, after voiding).
    token_hash      bytea,
    expires_at      timestamptz,
    sent_at         timestamptz,
    signed_at       timestamptz,
    ip              inet,
    user_agent      text        CONSTRAINT contract_signers_user_agent_check CHECK (length(user_agent) <= 500),
    typed_name      text        CONSTRAINT contract_signers_typed_name_check CHECK (length(btrim(typed_name)) BETWEEN 1 AND 200),
    consent         boolean     NOT NULL DEFAULT false,
    -- The version signed and its SHA-256, as the signer saw it.
    signed_version  integer,
    signed_sha256   text        CONSTRAINT contract_signers_signed_sha256_check CHECK (signed_sha256 ~ '^[0-9a-f]{64}$'),
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (organization_id, id),
    CONSTRAINT contract_signers_contract_fkey FOREIGN KEY (organization_id, contract_id) REFERENCES deal.contracts (organization_id, id)
        ON DELETE CASCADE,
    CONSTRAINT contract_signers_email_key UNIQUE (organization_id, contract_id, email),
    CONSTRAINT contract_signers_token_key UNIQUE (organization_id, token_hash),
    CONSTRAINT contract_signers_signed_check CHECK ((status = 'signed') = (signed_at IS NOT NULL AND consent AND typed_name IS NOT NULL
        AND signed_sha256 IS NOT NULL AND signed_version IS NOT NULL))
);
CREATE INDEX contract_signers_contract_idx ON deal.contract_signers (organization_id, contract_id, position);
SELECT app.apply_org_kit('deal.contract_signers', ARRAY['token_hash']);

-- The signing's audit trail: every view of the signing page, signature and
-- refused attempt, with where it came from.
CREATE TABLE deal.contract_events (
    organization_id uuid        NOT NULL REFERENCES org.organizations (id) ON DELETE CASCADE,
    id              uuid        NOT NULL DEFAULT app.uuid_v7(),
    contract_id     uuid,
    signer_id       uuid,
    event           text        NOT NULL CONSTRAINT contract_events_event_check CHECK (event IN ('created', 'sent', 'viewed', 'signed',
                                'refused', 'executed', 'amended', 'voided')),
    reason          text        CONSTRAINT contract_events_reason_check CHECK (length(reason) <= 1000),
    sha256          text        CONSTRAINT contract_events_sha256_check CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    ip              inet,
    user_agent      text        CONSTRAINT contract_events_user_agent_check CHECK (length(user_agent) <= 500),
    member_id       uuid,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (organization_id, id),
    CONSTRAINT contract_events_contract_fkey FOREIGN KEY (organization_id, contract_id) REFERENCES deal.contracts (organization_id, id)
        ON DELETE CASCADE,
    CONSTRAINT contract_events_signer_fkey FOREIGN KEY (organization_id, signer_id) REFERENCES deal.contract_signers (organization_id, id)
        ON DELETE CASCADE,
    CONSTRAINT contract_events_member_fkey FOREIGN KEY (organization_id, member_id) REFERENCES org.members (organization_id, id)
        ON DELETE SET NULL (member_id)
);
CREATE INDEX contract_events_contract_idx ON deal.contract_events (organization_id, contract_id, created_at);
SELECT app.apply_org_kit('deal.contract_events');

-- +goose Down
DROP TABLE deal.contract_events;
DROP TABLE deal.contract_signers;
DROP TABLE deal.contract_amendments;
DROP TABLE deal.contract_versions;
DROP FUNCTION deal.contract_version_immutable();
DROP TABLE deal.contracts;
DROP TABLE deal.contract_templates;
