-- Account e-mails: single-use tokens for a forgotten password and for
-- confirming an e-mail address, and the outbox of e-mails about a person's
-- own account. Both are global: a person asks before any organization is
-- known, and may belong to none. Tokens are stored as SHA-256 hashes.

-- +goose Up
CREATE TABLE identity.account_tokens (
    id         uuid        PRIMARY KEY DEFAULT app.uuid_v7(),
    user_id    uuid        NOT NULL REFERENCES identity.users (id) ON DELETE CASCADE,
    purpose    text        NOT NULL CONSTRAINT account_tokens_purpose_check CHECK (purpose IN ('password_reset', 'verify_email')),
    token_hash bytea       NOT NULL CONSTRAINT account_tokens_token_key UNIQUE,
    email      citext      NOT NULL CONSTRAINT account_tokens_email_check CHECK (length(email) <= 254),
    expires_at timestamptz NOT NULL,
    used_at    timestamptz,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX account_tokens_user_idx ON identity.account_tokens (user_id, purpose) WHERE used_at IS NULL;

-- The same outbox as messaging.deliveries, for e-mails that belong to no
-- organization (always channel email).
CREATE TABLE messaging.account_deliveries (
    id              uuid        PRIMARY KEY DEFAULT app.uuid_v7(),
    channel         text        NOT NULL DEFAULT 'email' CONSTRAINT account_deliveries_channel_check CHECK (channel = 'email'),
    recipient       text        NOT NULL CONSTRAINT account_deliveries_recipient_check CHECK (length(btrim(recipient)) BETWEEN 1 AND 2048),
    kind            text        NOT NULL CONSTRAINT account_deliveries_kind_check CHECK (kind ~ '^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$' AND length(kind) <= 64),
    data            jsonb       NOT NULL DEFAULT '{}' CONSTRAINT account_deliveries_data_check CHECK (jsonb_typeof(data) = 'object'),
    idempotency_key text        NOT NULL CONSTRAINT account_deliveries_idempotency_key_key UNIQUE
                                CONSTRAINT account_deliveries_idempotency_key_check CHECK (length(idempotency_key) BETWEEN 1 AND 200),
    status          text        NOT NULL DEFAULT 'queued'
                                CONSTRAINT account_deliveries_status_check CHECK (status IN ('queued', 'sending', 'sent', 'failed', 'dead')),
    attempts        int         NOT NULL DEFAULT 0 CONSTRAINT account_deliveries_attempts_check CHECK (attempts >= 0),
    max_attempts    int         NOT NULL DEFAULT 5 CONSTRAINT account_deliveries_max_attempts_check CHECK (max_attempts BETWEEN 1 AND 50),
    last_error      text        CONSTRAINT account_deliveries_last_error_check CHECK (length(last_error) <= 2000),
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    sending_at      timestamptz,
    sent_at         timestamptz,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now()
);

-- +goose Down
DROP TABLE messaging.account_deliveries;
DROP TABLE identity.account_tokens;
