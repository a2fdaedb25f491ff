-- Materialized report results (docs/ledger.md, "Materialized reports"): the
-- manager's dashboard figures, AR aging, rent rolls and income statements
-- of an organization, each as the JSON its service returned, with the time
-- it was computed and the watermark it was computed at (the newest
-- updated_at among the report's inputs, read before them). A read serves
-- the row while no input row is newer than the watermark and the row is
-- younger than the staleness bound, and computes it again otherwise.
-- Derived state: the body, watermark and times leave no trail rows.

-- +goose Up
CREATE TABLE ledger.report_snapshots (
    organization_id uuid        NOT NULL REFERENCES org.organizations (id) ON DELETE CASCADE,
    id              uuid        NOT NULL,
    kind            text        NOT NULL CONSTRAINT report_snapshots_kind_check CHECK (kind ~ '^[a-z][a-z_]{1,39}$'),
    params          text        NOT NULL CONSTRAINT report_snapshots_params_check CHECK (length(params) <= 2000),
    body            jsonb       NOT NULL,
    watermark       timestamptz NOT NULL,
    computed_at     timestamptz NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (organization_id, id),
    CONSTRAINT report_snapshots_key UNIQUE (organization_id, kind, params)
);
SELECT app.apply_org_kit('ledger.report_snapshots', '{body,watermark,computed_at}');

-- +goose Down
DROP TABLE ledger.report_snapshots;
