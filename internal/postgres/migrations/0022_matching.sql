-- Saved preferences (what a client is looking for) and the listings matched
-- to them, each with its score and the per-criterion breakdown that explains
-- it. The hard criteria are typed columns the match engine filters on in
-- SQL; the box_* columns bound a centre-and-radius search (computed by the
-- application from the centre, the radius and the distance tolerance).

-- +goose Up
CREATE TABLE crm.client_preferences (
    organization_id uuid          NOT NULL REFERENCES org.organizations (id) ON DELETE CASCADE,
    id              uuid          NOT NULL DEFAULT app.uuid_v7(),
    client_id       uuid          NOT NULL,
    name            text          NOT NULL CONSTRAINT client_preferences_name_check CHECK (length(btrim(name)) BETWEEN 1 AND 100),
    list_type       text          NOT NULL DEFAULT 'sale' CONSTRAINT client_preferences_list_type_check CHECK (list_type IN ('sale', 'lease')),
    price_min       numeric(14, 2) CONSTRAINT client_preferences_price_min_check CHECK (price_min >= 0),
    price_max       numeric(14, 2) CONSTRAINT client_preferences_price_max_check CHECK (price_max > 0),
    bedrooms_min    int           CONSTRAINT client_preferences_bedrooms_check CHECK (bedrooms_min BETWEEN 0 AND 200),
    bathrooms_min   numeric(4, 1) CONSTRAINT client_preferences_bathrooms_check CHECK (bathrooms_min BETWEEN 0 AND 200),
    property_types  text[]        NOT NULL DEFAULT '{}' CONSTRAINT client_preferences_property_types_check CHECK (property_types <@ ARRAY[
                                      'BusinessOpportunity', 'CommercialLease', 'CommercialSale', 'Farm', 'Land', 'ManufacturedInPark',
                                      'Residential', 'ResidentialIncome', 'ResidentialLease']),
    centre_lat      numeric(9, 6) CONSTRAINT client_preferences_centre_lat_check CHECK (centre_lat BETWEEN -90 AND 90),
    centre_lon      numeric(9, 6) CONSTRAINT client_preferences_centre_lon_check CHECK (centre_lon BETWEEN -180 AND 180),
    radius_km       numeric(7, 2) CONSTRAINT client_preferences_radius_check CHECK (radius_km > 0 AND radius_km <= 500),
    box_min_lat     float8,
    box_max_lat     float8,
    box_min_lon     float8,
    box_max_lon     float8,
    cities          text[]        NOT NULL DEFAULT '{}' CONSTRAINT client_preferences_cities_check CHECK (cardinality(cities) <= 50),
    city_keys       text[]        NOT NULL DEFAULT '{}',
    postal_codes    text[]        NOT NULL DEFAULT '{}' CONSTRAINT client_preferences_postal_codes_check CHECK (cardinality(postal_codes) <= 50),
    living_area_min numeric(12, 2) CONSTRAINT client_preferences_living_area_min_check CHECK (living_area_min > 0),
    living_area_max numeric(12, 2) CONSTRAINT client_preferences_living_area_max_check CHECK (living_area_max > 0),
    features        text[]        NOT NULL DEFAULT '{}' CONSTRAINT client_preferences_features_check CHECK (cardinality(features) <= 30),
    keywords        text[]        NOT NULL DEFAULT '{}' CONSTRAINT client_preferences_keywords_check CHECK (cardinality(keywords) <= 30),
    extra           jsonb         NOT NULL DEFAULT '{}' CONSTRAINT client_preferences_extra_check CHECK (jsonb_typeof(extra) = 'object' AND length(extra::text) <= 8000),
    active          boolean       NOT NULL DEFAULT true,
    alert_frequency text          NOT NULL DEFAULT 'instant' CONSTRAINT client_preferences_alert_frequency_check
                                  CHECK (alert_frequency IN ('instant', 'daily', 'weekly', 'never')),
    last_digest_at  timestamptz,
    created_by      uuid,
    created_at      timestamptz   NOT NULL DEFAULT now(),
    updated_at      timestamptz   NOT NULL DEFAULT now(),
    PRIMARY KEY (organization_id, id),
    CONSTRAINT client_preferences_client_fkey FOREIGN KEY (organization_id, client_id) REFERENCES crm.clients (organization_id, id) ON DELETE CASCADE,
    CONSTRAINT client_preferences_created_by_fkey FOREIGN KEY (organization_id, created_by) REFERENCES org.members (organization_id, id) ON DELETE SET NULL (created_by),
    CONSTRAINT client_preferences_price_check CHECK (price_min IS NULL OR price_max IS NULL OR price_min <= price_max),
    CONSTRAINT client_preferences_living_area_check CHECK (living_area_min IS NULL OR living_area_max IS NULL OR living_area_min <= living_area_max),
    CONSTRAINT client_preferences_centre_check CHECK ((centre_lat IS NULL) = (centre_lon IS NULL) AND (centre_lat IS NULL) = (radius_km IS NULL)
        AND (centre_lat IS NULL) = (box_min_lat IS NULL))
);
CREATE INDEX client_preferences_client_idx ON crm.client_preferences (organization_id, client_id, created_at, id);
-- The match engine's prefilter for one listing: the organization's active
-- preferences of one list type, by maximum price.
CREATE INDEX client_preferences_match_idx ON crm.client_preferences (organization_id, list_type, price_max) WHERE active;
SELECT app.apply_org_kit('crm.client_preferences');

CREATE TABLE crm.property_matches (
    organization_id   uuid          NOT NULL REFERENCES org.organizations (id) ON DELETE CASCADE,
    id                uuid          NOT NULL DEFAULT app.uuid_v7(),
    preference_id     uuid          NOT NULL,
    listing_id        uuid          NOT NULL,
    client_id         uuid          NOT NULL,
    score             int           NOT NULL CONSTRAINT property_matches_score_check CHECK (score BETWEEN 0 AND 100),
    breakdown         jsonb         NOT NULL,
    status            text          NOT NULL DEFAULT 'new' CONSTRAINT property_matches_status_check
                                    CHECK (status IN ('new', 'notified', 'viewed', 'interested', 'dismissed')),
    price             numeric(14, 2) NOT NULL,
    dismissed_price   numeric(14, 2),
    listing_title     text          NOT NULL DEFAULT '',
    active            boolean       NOT NULL DEFAULT true,
    surfaced_at       timestamptz   NOT NULL DEFAULT now(),
    notified_at       timestamptz,
    status_changed_at timestamptz,
    created_at        timestamptz   NOT NULL DEFAULT now(),
    updated_at        timestamptz   NOT NULL DEFAULT now(),
    PRIMARY KEY (organization_id, id),
    CONSTRAINT property_matches_pair_key UNIQUE (organization_id, preference_id, listing_id),
    CONSTRAINT property_matches_preference_fkey FOREIGN KEY (organization_id, preference_id)
        REFERENCES crm.client_preferences (organization_id, id) ON DELETE CASCADE,
    CONSTRAINT property_matches_client_fkey FOREIGN KEY (organization_id, client_id) REFERENCES crm.clients (organization_id, id) ON DELETE CASCADE,
    CONSTRAINT property_matches_listing_fkey FOREIGN KEY (organization_id, listing_id)
        REFERENCES listing.listings (organization_id, id) ON DELETE CASCADE
);
CREATE INDEX property_matches_client_best_idx ON crm.property_matches (organization_id, client_id, score DESC, id DESC) WHERE active;
CREATE INDEX property_matches_client_newest_idx ON crm.property_matches (organization_id, client_id, created_at DESC, id DESC);
CREATE INDEX property_matches_listing_idx ON crm.property_matches (organization_id, listing_id);
CREATE INDEX property_matches_new_idx ON crm.property_matches (organization_id, preference_id, surfaced_at) WHERE status = 'new' AND active;
SELECT app.apply_org_kit('crm.property_matches');

-- +goose Down
DROP TABLE crm.property_matches;
DROP TABLE crm.client_preferences;
