-- Inspections: each organization's checklist templates (rooms, each with
-- its items) and the move-in, move-out and periodic inspections of a unit,
-- whose items are copied from a template when the inspection is created and
-- rated new, good, fair, poor or damaged. An inspection moves scheduled →
-- in_progress → completed; a completed one is final (the service refuses to
-- change it or its items). Residents see no inspection: a restrictive
-- policy hides every row from a resident's transaction. See
-- docs/maintenance.md.

-- +goose Up
CREATE TABLE maintenance.inspection_templates (
    organization_id uuid        NOT NULL REFERENCES org.organizations (id) ON DELETE CASCADE,
    id              uuid        NOT NULL DEFAULT app.uuid_v7(),
    name            text        NOT NULL CONSTRAINT inspection_templates_name_check CHECK (length(btrim(name)) BETWEEN 1 AND 200),
    -- [{"room": "Kitchen", "items": ["Sink", "Oven"]}, …], checked by the service.
    rooms           jsonb       NOT NULL CONSTRAINT inspection_templates_rooms_check CHECK (jsonb_typeof(rooms) = 'array'),
    is_default      boolean     NOT NULL DEFAULT false,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (organization_id, id),
    CONSTRAINT inspection_templates_name_key UNIQUE (organization_id, name)
);
-- At most one default template per organization.
CREATE UNIQUE INDEX inspection_templates_default_key ON maintenance.inspection_templates (organization_id) WHERE is_default;
SELECT app.apply_org_kit('maintenance.inspection_templates');

CREATE TABLE maintenance.inspections (
    organization_id uuid        NOT NULL REFERENCES org.organizations (id) ON DELETE CASCADE,
    id              uuid        NOT NULL DEFAULT app.uuid_v7(),
    kind            text        NOT NULL CONSTRAINT inspections_kind_check CHECK (kind IN ('move_in', 'move_out', 'periodic')),
    property_id     uuid        NOT NULL,
    unit_id         uuid        NOT NULL,
    lease_id        uuid,
    -- The lease's tenants (none without a lease).
    tenant_ids      uuid[]      NOT NULL DEFAULT '{}',
    template_id     uuid,
    template_name   text        NOT NULL,
    inspector_id    uuid,
    status          text        NOT NULL DEFAULT 'scheduled'
                                CONSTRAINT inspections_status_check CHECK (status IN ('scheduled', 'in_progress', 'completed')),
    scheduled_on    date        NOT NULL,
    started_at      timestamptz,
    completed_at    timestamptz,
    notes           text        CONSTRAINT inspections_notes_check CHECK (length(notes) <= 4000),
    created_by      uuid,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (organization_id, id),
    CONSTRAINT inspections_property_fkey FOREIGN KEY (organization_id, property_id) REFERENCES property.properties (organization_id, id),
    CONSTRAINT inspections_unit_fkey FOREIGN KEY (organization_id, unit_id) REFERENCES property.units (organization_id, id),
    CONSTRAINT inspections_lease_fkey FOREIGN KEY (organization_id, lease_id) REFERENCES leasing.leases (organization_id, id),
    CONSTRAINT inspections_template_fkey FOREIGN KEY (organization_id, template_id)
        REFERENCES maintenance.inspection_templates (organization_id, id) ON DELETE SET NULL (template_id),
    CONSTRAINT inspections_inspector_fkey FOREIGN KEY (organization_id, inspector_id) REFERENCES org.members (organization_id, id),
    CONSTRAINT inspections_created_by_fkey FOREIGN KEY (organization_id, created_by) REFERENCES org.members (organization_id, id)
        ON DELETE SET NULL (created_by),
    CONSTRAINT inspections_started_check CHECK ((status = 'scheduled') = (started_at IS NULL)),
    CONSTRAINT inspections_completed_check CHECK ((status = 'completed') = (completed_at IS NOT NULL))
);
CREATE INDEX inspections_unit_idx ON maintenance.inspections (organization_id, unit_id, kind, scheduled_on DESC, id DESC);
CREATE INDEX inspections_property_idx ON maintenance.inspections (organization_id, property_id, scheduled_on DESC, id DESC);
CREATE INDEX inspections_list_idx ON maintenance.inspections (organization_id, created_at DESC, id DESC);
CREATE INDEX inspections_lease_idx ON maintenance.inspections (organization_id, lease_id, kind) WHERE lease_id IS NOT NULL;
CREATE INDEX inspections_template_idx ON maintenance.inspections (organization_id, template_id) WHERE template_id IS NOT NULL;
CREATE INDEX inspections_inspector_idx ON maintenance.inspections (organization_id, inspector_id) WHERE inspector_id IS NOT NULL;
CREATE INDEX inspections_created_by_idx ON maintenance.inspections (organization_id, created_by) WHERE created_by IS NOT NULL;
SELECT app.apply_org_kit('maintenance.inspections');

-- One line of an inspection's checklist.
CREATE TABLE maintenance.inspection_items (
    organization_id uuid        NOT NULL REFERENCES org.organizations (id) ON DELETE CASCADE,
    id              uuid        NOT NULL DEFAULT app.uuid_v7(),
    inspection_id   uuid        NOT NULL,
    position        int         NOT NULL,
    room            text        NOT NULL CONSTRAINT inspection_items_room_check CHECK (length(btrim(room)) BETWEEN 1 AND 100),
    item            text        NOT NULL CONSTRAINT inspection_items_item_check CHECK (length(btrim(item)) BETWEEN 1 AND 100),
    rating          text        CONSTRAINT inspection_items_rating_check CHECK (rating IN ('new', 'good', 'fair', 'poor', 'damaged')),
    notes           text        CONSTRAINT inspection_items_notes_check CHECK (length(notes) <= 2000),
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (organization_id, id),
    CONSTRAINT inspection_items_inspection_fkey FOREIGN KEY (organization_id, inspection_id)
        REFERENCES maintenance.inspections (organization_id, id) ON DELETE CASCADE,
    CONSTRAINT inspection_items_item_key UNIQUE (organization_id, inspection_id, room, item)
);
SELECT app.apply_org_kit('maintenance.inspection_items');

-- Photos of an inspection (or one of its items), files in the blob store.
CREATE TABLE maintenance.inspection_photos (
    organization_id uuid        NOT NULL REFERENCES org.organizations (id) ON DELETE CASCADE,
    id              uuid        NOT NULL DEFAULT app.uuid_v7(),
    inspection_id   uuid        NOT NULL,
    item_id         uuid,
    blob_key        text        NOT NULL,
    content_type    text        NOT NULL,
    size_bytes      bigint      NOT NULL CONSTRAINT inspection_photos_size_check CHECK (size_bytes >= 0),
    caption         text        NOT NULL DEFAULT '' CONSTRAINT inspection_photos_caption_check CHECK (length(caption) <= 500),
    uploaded_by     uuid,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (organization_id, id),
    CONSTRAINT inspection_photos_inspection_fkey FOREIGN KEY (organization_id, inspection_id)
        REFERENCES maintenance.inspections (organization_id, id) ON DELETE CASCADE,
    CONSTRAINT inspection_photos_item_fkey FOREIGN KEY (organization_id, item_id)
        REFERENCES maintenance.inspection_items (organization_id, id) ON DELETE CASCADE,
    CONSTRAINT inspection_photos_uploaded_by_fkey FOREIGN KEY (organization_id, uploaded_by) REFERENCES org.members (organization_id, id)
        ON DELETE SET NULL (uploaded_by)
);
CREATE INDEX inspection_photos_inspection_idx ON maintenance.inspection_photos (organization_id, inspection_id, created_at, id);
CREATE INDEX inspection_photos_item_idx ON maintenance.inspection_photos (organization_id, item_id) WHERE item_id IS NOT NULL;
CREATE INDEX inspection_photos_uploaded_by_idx ON maintenance.inspection_photos (organization_id, uploaded_by) WHERE uploaded_by IS NOT NULL;
SELECT app.apply_org_kit('maintenance.inspection_photos');

-- Residents reach no inspection, template or photo.
CREATE POLICY resident_fence ON maintenance.inspection_templates AS RESTRICTIVE USING (app.current_tenant_id() IS NULL);
CREATE POLICY resident_fence ON maintenance.inspections AS RESTRICTIVE USING (app.current_tenant_id() IS NULL);
CREATE POLICY resident_fence ON maintenance.inspection_items AS RESTRICTIVE USING (app.current_tenant_id() IS NULL);
CREATE POLICY resident_fence ON maintenance.inspection_photos AS RESTRICTIVE USING (app.current_tenant_id() IS NULL);

-- +goose Down
DROP TABLE maintenance.inspection_photos;
DROP TABLE maintenance.inspection_items;
DROP TABLE maintenance.inspections;
DROP TABLE maintenance.inspection_templates;
