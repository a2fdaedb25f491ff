-- Comparative market analysis: the adjustment rates of each market an
-- organization prices in, the condition rating of a property (which a CMA
-- adjusts for), and what a valuation records beside its comparables: the
-- subject as it was priced, the options and the rates used.

-- +goose Up
-- A market's adjustment rates: what one unit of difference between the
-- subject and a comparable is worth (docs/cma.md). "default" applies where
-- no market names the subject's city.
CREATE TABLE property.adjustment_rates (
    organization_id      uuid           NOT NULL REFERENCES org.organizations (id) ON DELETE CASCADE,
    id                   uuid           NOT NULL DEFAULT app.uuid_v7(),
    market               text           NOT NULL CONSTRAINT adjustment_rates_market_check
                                        CHECK (market = lower(btrim(market)) AND length(market) BETWEEN 1 AND 100),
    area_unit            text           NOT NULL DEFAULT 'sqft' CONSTRAINT adjustment_rates_area_unit_check CHECK (area_unit IN ('sqft', 'sqm')),
    per_area             numeric(12, 2) NOT NULL CONSTRAINT adjustment_rates_per_area_check CHECK (per_area >= 0),
    per_bedroom          numeric(14, 2) NOT NULL CONSTRAINT adjustment_rates_per_bedroom_check CHECK (per_bedroom >= 0),
    per_bathroom         numeric(14, 2) NOT NULL CONSTRAINT adjustment_rates_per_bathroom_check CHECK (per_bathroom >= 0),
    per_year_of_age      numeric(14, 2) NOT NULL CONSTRAINT adjustment_rates_per_year_check CHECK (per_year_of_age >= 0),
    lot_unit             text           NOT NULL DEFAULT 'sqft' CONSTRAINT adjustment_rates_lot_unit_check CHECK (lot_unit IN ('sqft', 'sqm', 'acre')),
    per_lot_unit         numeric(14, 4) NOT NULL CONSTRAINT adjustment_rates_per_lot_check CHECK (per_lot_unit >= 0),
    per_condition_step   numeric(14, 2) NOT NULL CONSTRAINT adjustment_rates_per_condition_check CHECK (per_condition_step >= 0),
    monthly_appreciation numeric(6, 3)  NOT NULL CONSTRAINT adjustment_rates_monthly_check CHECK (monthly_appreciation BETWEEN -10 AND 10),
    notes                text           NOT NULL DEFAULT '' CONSTRAINT adjustment_rates_notes_check CHECK (length(notes) <= 2000),
    updated_by           uuid,
    created_at           timestamptz    NOT NULL DEFAULT now(),
    updated_at           timestamptz    NOT NULL DEFAULT now(),
    PRIMARY KEY (organization_id, id),
    CONSTRAINT adjustment_rates_market_key UNIQUE (organization_id, market),
    FOREIGN KEY (organization_id, updated_by) REFERENCES org.members (organization_id, id)
);
SELECT app.apply_org_kit('property.adjustment_rates');

-- Condition on the appraisers' scale turned upside down: 1 poor, 2 fair,
-- 3 average, 4 good, 5 excellent. Nullable, no default: adding it rewrites
-- nothing.
ALTER TABLE property.properties ADD COLUMN condition smallint
    CONSTRAINT properties_condition_check CHECK (condition BETWEEN 1 AND 5);

ALTER TABLE property.valuations
    ADD COLUMN subject    jsonb          NOT NULL DEFAULT '{}',
    ADD COLUMN options    jsonb          NOT NULL DEFAULT '{}',
    ADD COLUMN rates      jsonb          NOT NULL DEFAULT '{}',
    ADD COLUMN list_price numeric(14, 2) CONSTRAINT valuations_list_price_check CHECK (list_price > 0),
    ADD COLUMN as_of      date;

-- The default rates of the organizations that exist (the property service
-- seeds new ones), as 0025 seeded the chart of accounts.
ALTER TABLE org.organizations NO FORCE ROW LEVEL SECURITY;
ALTER TABLE property.adjustment_rates NO FORCE ROW LEVEL SECURITY;
ALTER TABLE property.adjustment_rates DISABLE TRIGGER audit_changes;
INSERT INTO property.adjustment_rates (organization_id, market, per_area, per_bedroom, per_bathroom, per_year_of_age,
    per_lot_unit, per_condition_step, monthly_appreciation, notes)
SELECT o.id, 'default', 150, 10000, 7500, 1000, 2, 15000, 0.3, 'Starting values: calibrate them to your market (docs/cma.md).'
FROM org.organizations o;
ALTER TABLE property.adjustment_rates ENABLE TRIGGER audit_changes;
ALTER TABLE property.adjustment_rates FORCE ROW LEVEL SECURITY;
ALTER TABLE org.organizations FORCE ROW LEVEL SECURITY;

-- +goose Down
ALTER TABLE property.valuations DROP COLUMN as_of, DROP COLUMN list_price, DROP COLUMN rates, DROP COLUMN options, DROP COLUMN subject;
ALTER TABLE property.properties DROP COLUMN condition;
DROP TABLE property.adjustment_rates;
