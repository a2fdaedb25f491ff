-- Deal workflow: an organization's holiday calendar (seeded with its
-- country's public holidays, editable), workflow templates per deal kind and
-- side (milestone definitions with their due rules, and the document
-- categories each stage requires), and each deal's milestones, instantiated
-- from the matching template with computed due dates, completion and the
-- reminder and escalation levels already sent. See docs/deals.md.

-- +goose Up
CREATE TABLE deal.holidays (
    organization_id uuid        NOT NULL REFERENCES org.organizations (id) ON DELETE CASCADE,
    id              uuid        NOT NULL DEFAULT app.uuid_v7(),
    day             date        NOT NULL,
    name            text        NOT NULL CONSTRAINT holidays_name_check CHECK (length(btrim(name)) BETWEEN 1 AND 200),
    -- Seeded from the country's rules (not added by hand).
    seeded          boolean     NOT NULL DEFAULT false,
    -- A removed day stays as a row, so the yearly seeding never brings back
    -- a day the organization took off its calendar.
    removed_at      timestamptz,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (organization_id, id),
    CONSTRAINT holidays_day_key UNIQUE (organization_id, day)
);
SELECT app.apply_org_kit('deal.holidays');

-- kind and side 'any' match every deal; the most specific template wins.
-- milestones is a list of definitions (key, name, required, due rule);
-- required_documents lists, per stage, the document categories a deal needs
-- before it enters that stage. Both are checked by the service.
CREATE TABLE deal.workflow_templates (
    organization_id    uuid        NOT NULL REFERENCES org.organizations (id) ON DELETE CASCADE,
    id                 uuid        NOT NULL DEFAULT app.uuid_v7(),
    name               text        NOT NULL CONSTRAINT workflow_templates_name_check CHECK (length(btrim(name)) BETWEEN 1 AND 200),
    kind               text        NOT NULL DEFAULT 'any' CONSTRAINT workflow_templates_kind_check
                                   CHECK (kind IN ('any', 'purchase', 'sale', 'lease', 'referral', 'refinance')),
    side               text        NOT NULL DEFAULT 'any' CONSTRAINT workflow_templates_side_check CHECK (side IN ('any', 'buyer', 'seller', 'dual')),
    milestones         jsonb       NOT NULL DEFAULT '[]' CONSTRAINT workflow_templates_milestones_check CHECK (jsonb_typeof(milestones) = 'array'),
    required_documents jsonb       NOT NULL DEFAULT '[]' CONSTRAINT workflow_templates_required_documents_check
                                   CHECK (jsonb_typeof(required_documents) = 'array'),
    created_at         timestamptz NOT NULL DEFAULT now(),
    updated_at         timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (organization_id, id),
    CONSTRAINT workflow_templates_kind_side_key UNIQUE (organization_id, kind, side)
);
SELECT app.apply_org_kit('deal.workflow_templates');

-- A deal's milestone carries its rule, copied from the template when the
-- deal got it, so editing a template never moves an open deal's dates.
-- due_date is what the rule (or due_override) computes; reminded_at,
-- overdue_at and escalated_at record the notice levels sent, each once.
CREATE TABLE deal.milestones (
    organization_id uuid        NOT NULL REFERENCES org.organizations (id) ON DELETE CASCADE,
    id              uuid        NOT NULL DEFAULT app.uuid_v7(),
    deal_id         uuid        NOT NULL,
    template_id     uuid,
    key             text        NOT NULL CONSTRAINT milestones_key_check CHECK (key ~ '^[a-z][a-z0-9_]{0,39}$'),
    name            text        NOT NULL CONSTRAINT milestones_name_check CHECK (length(btrim(name)) BETWEEN 1 AND 200),
    position        int         NOT NULL DEFAULT 0 CONSTRAINT milestones_position_check CHECK (position BETWEEN 0 AND 1000),
    required        boolean     NOT NULL DEFAULT false,
    due_fixed       date,
    anchor          text        CONSTRAINT milestones_anchor_check CHECK (anchor IN ('contract_date', 'expected_close', 'milestone')),
    anchor_key      text        CONSTRAINT milestones_anchor_key_check CHECK ((anchor IS NOT DISTINCT FROM 'milestone') = (anchor_key IS NOT NULL)),
    offset_days     int         NOT NULL DEFAULT 0 CONSTRAINT milestones_offset_days_check CHECK (offset_days BETWEEN -365 AND 365),
    business_days   boolean     NOT NULL DEFAULT false,
    due_override    date,
    due_date        date,
    completed_at    timestamptz,
    completed_by    uuid,
    reminded_at     timestamptz,
    overdue_at      timestamptz,
    escalated_at    timestamptz,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (organization_id, id),
    CONSTRAINT milestones_deal_key UNIQUE (organization_id, deal_id, key),
    CONSTRAINT milestones_deal_fkey FOREIGN KEY (organization_id, deal_id) REFERENCES deal.deals (organization_id, id) ON DELETE CASCADE,
    CONSTRAINT milestones_template_fkey FOREIGN KEY (organization_id, template_id) REFERENCES deal.workflow_templates (organization_id, id)
        ON DELETE SET NULL (template_id),
    CONSTRAINT milestones_completed_by_fkey FOREIGN KEY (organization_id, completed_by) REFERENCES org.members (organization_id, id)
        ON DELETE SET NULL (completed_by),
    CONSTRAINT milestones_due_fixed_check CHECK (due_fixed IS NULL OR anchor IS NULL)
);
-- The reminder job: open milestones by due date.
CREATE INDEX milestones_due_idx ON deal.milestones (organization_id, due_date) WHERE completed_at IS NULL AND due_date IS NOT NULL;
SELECT app.apply_org_kit('deal.milestones');

-- +goose Down
DROP TABLE deal.milestones;
DROP TABLE deal.workflow_templates;
DROP TABLE deal.holidays;
