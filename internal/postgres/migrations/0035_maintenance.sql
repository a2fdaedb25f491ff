-- Maintenance: vendors, work orders with their comment thread and photos,
-- and each organization's response target per priority. A work order moves
-- open → assigned → in_progress → completed, or to canceled from any state
-- before completed; the service enforces the transitions, the CHECKs keep
-- each state's columns coherent. Residents see only the work orders of
-- their own tenancy: a work order carries the tenants of its unit's active
-- lease when it was filed (tenant_ids, copied to its comments and photos),
-- and a restrictive policy compares them with app.current_tenant_id(), so
-- no policy holds a subquery. Staff-only comments are hidden from residents
-- by the same policy. See docs/maintenance.md.

-- +goose Up
CREATE TABLE maintenance.vendors (
    organization_id  uuid          NOT NULL REFERENCES org.organizations (id) ON DELETE CASCADE,
    id               uuid          NOT NULL DEFAULT app.uuid_v7(),
    name             text          NOT NULL CONSTRAINT vendors_name_check CHECK (length(btrim(name)) BETWEEN 1 AND 200),
    trade            text          NOT NULL CONSTRAINT vendors_trade_check CHECK (trade IN ('plumbing', 'electrical', 'hvac',
                                   'general', 'cleaning', 'landscaping', 'appliance', 'roofing', 'painting', 'pest_control', 'locksmith')),
    contact_name     text          CONSTRAINT vendors_contact_name_check CHECK (length(btrim(contact_name)) BETWEEN 1 AND 200),
    email            text          CONSTRAINT vendors_email_check CHECK (email ~ '^[^@\s]+@[^@\s]+$' AND length(email) <= 254),
    phone            text          CONSTRAINT vendors_phone_check CHECK (phone ~ '^\+[1-9][0-9]{6,14}$'),
    insurance_expiry date,
    -- Shown only with vendor.tax_id and kept out of the audit trail.
    tax_id           text          CONSTRAINT vendors_tax_id_check CHECK (tax_id ~ '^[0-9A-Za-z-]{4,20}$'),
    rating           smallint      CONSTRAINT vendors_rating_check CHECK (rating BETWEEN 1 AND 5),
    preferred        boolean       NOT NULL DEFAULT false,
    active           boolean       NOT NULL DEFAULT true,
    notes            text          CONSTRAINT vendors_notes_check CHECK (length(notes) <= 4000),
    created_at       timestamptz   NOT NULL DEFAULT now(),
    updated_at       timestamptz   NOT NULL DEFAULT now(),
    PRIMARY KEY (organization_id, id),
    CONSTRAINT vendors_preferred_active_check CHECK (NOT preferred OR active)
);
-- At most one preferred vendor per trade.
CREATE UNIQUE INDEX vendors_preferred_key ON maintenance.vendors (organization_id, trade) WHERE preferred;
CREATE INDEX vendors_name_idx ON maintenance.vendors (organization_id, name, id);
SELECT app.apply_org_kit('maintenance.vendors', '{tax_id}');

-- The organization's response target per priority; a priority without a
-- row uses the default the service names.
CREATE TABLE maintenance.response_targets (
    organization_id uuid        NOT NULL REFERENCES org.organizations (id) ON DELETE CASCADE,
    id              uuid        NOT NULL DEFAULT app.uuid_v7(),
    priority        text        NOT NULL CONSTRAINT response_targets_priority_check CHECK (priority IN ('emergency', 'high', 'normal', 'low')),
    hours           int         NOT NULL CONSTRAINT response_targets_hours_check CHECK (hours BETWEEN 1 AND 2160),
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (organization_id, id),
    CONSTRAINT response_targets_priority_key UNIQUE (organization_id, priority)
);
SELECT app.apply_org_kit('maintenance.response_targets');

CREATE TABLE maintenance.work_orders (
    organization_id     uuid           NOT NULL REFERENCES org.organizations (id) ON DELETE CASCADE,
    id                  uuid           NOT NULL DEFAULT app.uuid_v7(),
    property_id         uuid           NOT NULL,
    unit_id             uuid,
    tenant_id           uuid,
    -- The tenants of the unit's active lease when the order was filed: the
    -- residents who see it.
    tenant_ids          uuid[]         NOT NULL DEFAULT '{}',
    reporter_id         uuid,
    source              text           NOT NULL DEFAULT 'staff' CONSTRAINT work_orders_source_check CHECK (source IN ('staff', 'resident')),
    title               text           NOT NULL CONSTRAINT work_orders_title_check CHECK (length(btrim(title)) BETWEEN 1 AND 200),
    description         text           CONSTRAINT work_orders_description_check CHECK (length(description) <= 8000),
    category            text           NOT NULL DEFAULT 'general' CONSTRAINT work_orders_category_check CHECK (category IN ('plumbing',
                                       'electrical', 'hvac', 'appliance', 'structural', 'pest', 'locks', 'cleaning', 'landscaping', 'general', 'other')),
    priority            text           NOT NULL DEFAULT 'normal' CONSTRAINT work_orders_priority_check CHECK (priority IN ('emergency', 'high', 'normal', 'low')),
    status              text           NOT NULL DEFAULT 'open' CONSTRAINT work_orders_status_check
                                       CHECK (status IN ('open', 'assigned', 'in_progress', 'completed', 'canceled')),
    assignee_id         uuid,
    vendor_id           uuid,
    permission_to_enter boolean        NOT NULL DEFAULT false,
    entry_notes         text           CONSTRAINT work_orders_entry_notes_check CHECK (length(entry_notes) <= 1000),
    scheduled_at        timestamptz,
    completed_at        timestamptz,
    canceled_reason     text           CONSTRAINT work_orders_canceled_reason_check CHECK (length(canceled_reason) <= 500),
    estimated_cost      numeric(14, 2) CONSTRAINT work_orders_estimated_cost_check CHECK (estimated_cost >= 0),
    actual_cost         numeric(14, 2) CONSTRAINT work_orders_actual_cost_check CHECK (actual_cost >= 0),
    respond_by          timestamptz    NOT NULL,
    overdue_notified_at timestamptz,
    created_at          timestamptz    NOT NULL DEFAULT now(),
    updated_at          timestamptz    NOT NULL DEFAULT now(),
    PRIMARY KEY (organization_id, id),
    CONSTRAINT work_orders_property_fkey FOREIGN KEY (organization_id, property_id) REFERENCES property.properties (organization_id, id),
    CONSTRAINT work_orders_unit_fkey FOREIGN KEY (organization_id, unit_id) REFERENCES property.units (organization_id, id),
    CONSTRAINT work_orders_tenant_fkey FOREIGN KEY (organization_id, tenant_id) REFERENCES leasing.tenants (organization_id, id),
    CONSTRAINT work_orders_reporter_fkey FOREIGN KEY (organization_id, reporter_id) REFERENCES org.members (organization_id, id)
        ON DELETE SET NULL (reporter_id),
    CONSTRAINT work_orders_assignee_fkey FOREIGN KEY (organization_id, assignee_id) REFERENCES org.members (organization_id, id),
    CONSTRAINT work_orders_vendor_fkey FOREIGN KEY (organization_id, vendor_id) REFERENCES maintenance.vendors (organization_id, id),
    CONSTRAINT work_orders_one_assignee_check CHECK (assignee_id IS NULL OR vendor_id IS NULL),
    CONSTRAINT work_orders_assigned_check CHECK (status IN ('open', 'canceled') OR assignee_id IS NOT NULL OR vendor_id IS NOT NULL),
    CONSTRAINT work_orders_completed_check CHECK ((status = 'completed') = (completed_at IS NOT NULL))
);
CREATE INDEX work_orders_list_idx ON maintenance.work_orders (organization_id, created_at DESC, id DESC);
CREATE INDEX work_orders_status_idx ON maintenance.work_orders (organization_id, status, priority, created_at DESC, id DESC);
CREATE INDEX work_orders_property_idx ON maintenance.work_orders (organization_id, property_id, created_at DESC, id DESC);
CREATE INDEX work_orders_unit_idx ON maintenance.work_orders (organization_id, unit_id) WHERE unit_id IS NOT NULL;
CREATE INDEX work_orders_tenant_idx ON maintenance.work_orders (organization_id, tenant_id) WHERE tenant_id IS NOT NULL;
CREATE INDEX work_orders_reporter_idx ON maintenance.work_orders (organization_id, reporter_id) WHERE reporter_id IS NOT NULL;
CREATE INDEX work_orders_assignee_idx ON maintenance.work_orders (organization_id, assignee_id) WHERE assignee_id IS NOT NULL;
CREATE INDEX work_orders_vendor_idx ON maintenance.work_orders (organization_id, vendor_id) WHERE vendor_id IS NOT NULL;
CREATE INDEX work_orders_overdue_idx ON maintenance.work_orders (organization_id, respond_by)
    WHERE status = 'open' AND overdue_notified_at IS NULL;
CREATE INDEX work_orders_tenants_idx ON maintenance.work_orders USING gin (tenant_ids);
SELECT app.apply_org_kit('maintenance.work_orders');
CREATE POLICY resident_fence ON maintenance.work_orders AS RESTRICTIVE
    USING (app.current_tenant_id() IS NULL OR app.current_tenant_id() = ANY (tenant_ids));

CREATE TABLE maintenance.work_order_comments (
    organization_id uuid        NOT NULL REFERENCES org.organizations (id) ON DELETE CASCADE,
    id              uuid        NOT NULL DEFAULT app.uuid_v7(),
    work_order_id   uuid        NOT NULL,
    tenant_ids      uuid[]      NOT NULL DEFAULT '{}',
    author_id       uuid,
    body            text        NOT NULL CONSTRAINT work_order_comments_body_check CHECK (length(btrim(body)) BETWEEN 1 AND 4000),
    -- Staff-only notes: residents never see them.
    internal        boolean     NOT NULL DEFAULT false,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (organization_id, id),
    CONSTRAINT work_order_comments_work_order_fkey FOREIGN KEY (organization_id, work_order_id)
        REFERENCES maintenance.work_orders (organization_id, id) ON DELETE CASCADE,
    CONSTRAINT work_order_comments_author_fkey FOREIGN KEY (organization_id, author_id) REFERENCES org.members (organization_id, id)
        ON DELETE SET NULL (author_id)
);
CREATE INDEX work_order_comments_order_idx ON maintenance.work_order_comments (organization_id, work_order_id, created_at, id);
CREATE INDEX work_order_comments_author_idx ON maintenance.work_order_comments (organization_id, author_id) WHERE author_id IS NOT NULL;
SELECT app.apply_org_kit('maintenance.work_order_comments');
CREATE POLICY resident_fence ON maintenance.work_order_comments AS RESTRICTIVE
    USING (app.current_tenant_id() IS NULL OR (app.current_tenant_id() = ANY (tenant_ids) AND NOT internal));

-- Photos are files in the blob store (as property media are).
CREATE TABLE maintenance.work_order_photos (
    organization_id uuid        NOT NULL REFERENCES org.organizations (id) ON DELETE CASCADE,
    id              uuid        NOT NULL DEFAULT app.uuid_v7(),
    work_order_id   uuid        NOT NULL,
    tenant_ids      uuid[]      NOT NULL DEFAULT '{}',
    blob_key        text        NOT NULL,
    content_type    text        NOT NULL,
    size_bytes      bigint      NOT NULL CONSTRAINT work_order_photos_size_check CHECK (size_bytes >= 0),
    caption         text        NOT NULL DEFAULT '' CONSTRAINT work_order_photos_caption_check CHECK (length(caption) <= 500),
    uploaded_by     uuid,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (organization_id, id),
    CONSTRAINT work_order_photos_work_order_fkey FOREIGN KEY (organization_id, work_order_id)
        REFERENCES maintenance.work_orders (organization_id, id) ON DELETE CASCADE,
    CONSTRAINT work_order_photos_uploaded_by_fkey FOREIGN KEY (organization_id, uploaded_by) REFERENCES org.members (organization_id, id)
        ON DELETE SET NULL (uploaded_by)
);
CREATE INDEX work_order_photos_order_idx ON maintenance.work_order_photos (organization_id, work_order_id, created_at, id);
CREATE INDEX work_order_photos_uploaded_by_idx ON maintenance.work_order_photos (organization_id, uploaded_by) WHERE uploaded_by IS NOT NULL;
SELECT app.apply_org_kit('maintenance.work_order_photos');
CREATE POLICY resident_fence ON maintenance.work_order_photos AS RESTRICTIVE
    USING (app.current_tenant_id() IS NULL OR app.current_tenant_id() = ANY (tenant_ids));

-- Residents reach none of the vendors (the targets hold nobody's data: a
-- resident's request reads them for its response time).
CREATE POLICY resident_fence ON maintenance.vendors AS RESTRICTIVE USING (app.current_tenant_id() IS NULL);

-- +goose Down
DROP TABLE maintenance.work_order_photos;
DROP TABLE maintenance.work_order_comments;
DROP TABLE maintenance.work_orders;
DROP TABLE maintenance.response_targets;
DROP TABLE maintenance.vendors;
