-- Documents: files linked to a property, listing, client, deal, lease, unit
-- or work order, each with versions (the newest is current, older ones are
-- kept), text extracted for full-text search, share links for outside
-- parties and an access log of every view and download. The linked entity
-- is named by type and id without a foreign key (it lives in another
-- schema); the service checks it when the document is filed. The bytes live
-- in the blob store under their SHA-256. See docs/documents.md.

-- +goose Up
CREATE TABLE document.documents (
    organization_id    uuid        NOT NULL REFERENCES org.organizations (id) ON DELETE CASCADE,
    id                 uuid        NOT NULL DEFAULT app.uuid_v7(),
    title              text        NOT NULL CONSTRAINT documents_title_check CHECK (length(btrim(title)) BETWEEN 1 AND 200),
    category           text        NOT NULL CONSTRAINT documents_category_check CHECK (category ~ '^[a-z][a-z0-9_]{0,59}$'),
    entity_type        text        NOT NULL CONSTRAINT documents_entity_type_check CHECK (entity_type IN ('property', 'listing',
                                   'client', 'deal', 'lease', 'unit', 'work_order')),
    entity_id          uuid        NOT NULL,
    -- The property the entity belongs to (when it has one): members with a
    -- property scope see only the documents of their properties.
    property_id        uuid,
    visibility         text        NOT NULL DEFAULT 'staff' CONSTRAINT documents_visibility_check CHECK (visibility IN ('staff',
                                   'participants', 'public')),
    -- The newest version; no foreign key, which would make a cycle with
    -- document_versions that distribution cannot order. The service sets it
    -- in the transaction that adds the version.
    current_version_id uuid,
    created_by         uuid,
    -- Retention hooks: the privacy work purges documents past retain_until
    -- and those deleted (deleted_at) once their grace period is over.
    retain_until       date,
    deleted_at         timestamptz,
    created_at         timestamptz NOT NULL DEFAULT now(),
    updated_at         timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (organization_id, id),
    CONSTRAINT documents_created_by_fkey FOREIGN KEY (organization_id, created_by) REFERENCES org.members (organization_id, id)
        ON DELETE SET NULL (created_by)
);
CREATE INDEX documents_entity_idx ON document.documents (organization_id, entity_type, entity_id) WHERE deleted_at IS NULL;
CREATE INDEX documents_recent_idx ON document.documents (organization_id, created_at DESC, id) WHERE deleted_at IS NULL;
CREATE INDEX documents_retention_idx ON document.documents (organization_id, retain_until) WHERE retain_until IS NOT NULL;
SELECT app.apply_org_kit('document.documents');

CREATE TABLE document.document_versions (
    organization_id uuid        NOT NULL REFERENCES org.organizations (id) ON DELETE CASCADE,
    id              uuid        NOT NULL DEFAULT app.uuid_v7(),
    document_id     uuid        NOT NULL,
    version         int         NOT NULL CONSTRAINT document_versions_version_check CHECK (version >= 1),
    blob_key        text        NOT NULL CONSTRAINT document_versions_blob_key_check CHECK (blob_key ~ '^[0-9a-f]{64}$'),
    sha256          text        NOT NULL CONSTRAINT document_versions_sha256_check CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    size_bytes      bigint      NOT NULL CONSTRAINT document_versions_size_check CHECK (size_bytes > 0),
    -- Sniffed from the bytes, never taken from the client.
    content_type    text        NOT NULL CONSTRAINT document_versions_content_type_check CHECK (length(content_type) BETWEEN 1 AND 100),
    file_name       text        NOT NULL CONSTRAINT document_versions_file_name_check CHECK (length(file_name) BETWEEN 1 AND 255
                                AND strpos(file_name, '/') = 0 AND strpos(file_name, '\') = 0),
    uploaded_by     uuid,
    extracted_text  text        NOT NULL DEFAULT '',
    search_document tsvector    NOT NULL DEFAULT ''::tsvector,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (organization_id, id),
    CONSTRAINT document_versions_number_key UNIQUE (organization_id, document_id, version),
    CONSTRAINT document_versions_document_fkey FOREIGN KEY (organization_id, document_id) REFERENCES document.documents (organization_id, id)
        ON DELETE CASCADE,
    CONSTRAINT document_versions_uploaded_by_fkey FOREIGN KEY (organization_id, uploaded_by) REFERENCES org.members (organization_id, id)
        ON DELETE SET NULL (uploaded_by)
);
CREATE INDEX document_versions_search_idx ON document.document_versions USING gin (search_document);
SELECT app.apply_org_kit('document.document_versions', '{extracted_text,search_document}');

-- A share link: the token's SHA-256 is stored, the token itself only shown
-- once. The token carries its organization, so no global lookup is needed.
CREATE TABLE document.document_shares (
    organization_id uuid        NOT NULL REFERENCES org.organizations (id) ON DELETE CASCADE,
    id              uuid        NOT NULL DEFAULT app.uuid_v7(),
    document_id     uuid        NOT NULL,
    token_hash      bytea       NOT NULL CONSTRAINT document_shares_token_hash_check CHECK (length(token_hash) = 32),
    label           text        CONSTRAINT document_shares_label_check CHECK (length(btrim(label)) BETWEEN 1 AND 200),
    expires_at      timestamptz NOT NULL,
    max_downloads   int         CONSTRAINT document_shares_max_downloads_check CHECK (max_downloads BETWEEN 1 AND 100000),
    downloads       int         NOT NULL DEFAULT 0 CONSTRAINT document_shares_downloads_check CHECK (downloads >= 0),
    -- An argon2id hash (PHC form) when the link asks for a password.
    password_hash   text,
    revoked_at      timestamptz,
    created_by      uuid,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (organization_id, id),
    CONSTRAINT document_shares_token_key UNIQUE (organization_id, token_hash),
    CONSTRAINT document_shares_document_fkey FOREIGN KEY (organization_id, document_id) REFERENCES document.documents (organization_id, id)
        ON DELETE CASCADE,
    CONSTRAINT document_shares_created_by_fkey FOREIGN KEY (organization_id, created_by) REFERENCES org.members (organization_id, id)
        ON DELETE SET NULL (created_by)
);
CREATE INDEX document_shares_document_idx ON document.document_shares (organization_id, document_id, created_at DESC);
SELECT app.apply_org_kit('document.document_shares', '{token_hash,password_hash}');

-- Every view, download and refusal: by a member or through a share link.
CREATE TABLE document.document_access_log (
    organization_id uuid        NOT NULL REFERENCES org.organizations (id) ON DELETE CASCADE,
    id              uuid        NOT NULL DEFAULT app.uuid_v7(),
    document_id     uuid        NOT NULL,
    version_id      uuid,
    member_id       uuid,
    share_id        uuid,
    action          text        NOT NULL CONSTRAINT document_access_log_action_check CHECK (action IN ('view', 'download', 'refused')),
    reason          text        CONSTRAINT document_access_log_reason_check CHECK (length(reason) <= 200),
    ip              inet,
    user_agent      text        CONSTRAINT document_access_log_user_agent_check CHECK (length(user_agent) <= 500),
    at              timestamptz NOT NULL DEFAULT now(),
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (organization_id, id),
    CONSTRAINT document_access_log_document_fkey FOREIGN KEY (organization_id, document_id) REFERENCES document.documents (organization_id, id)
        ON DELETE CASCADE,
    CONSTRAINT document_access_log_version_fkey FOREIGN KEY (organization_id, version_id) REFERENCES document.document_versions (organization_id, id)
        ON DELETE CASCADE,
    CONSTRAINT document_access_log_member_fkey FOREIGN KEY (organization_id, member_id) REFERENCES org.members (organization_id, id)
        ON DELETE SET NULL (member_id),
    CONSTRAINT document_access_log_share_fkey FOREIGN KEY (organization_id, share_id) REFERENCES document.document_shares (organization_id, id)
        ON DELETE CASCADE
);
CREATE INDEX document_access_log_document_idx ON document.document_access_log (organization_id, document_id, at DESC, id);
SELECT app.apply_org_kit('document.document_access_log');

-- +goose Down
DROP TABLE document.document_access_log;
DROP TABLE document.document_shares;
DROP TABLE document.document_versions;
DROP TABLE document.documents;
