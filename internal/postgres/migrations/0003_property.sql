-- The physical portfolio: properties, buildings, units, valuations and media.

-- +goose Up
CREATE TABLE property.properties (
    organization_id   uuid          NOT NULL REFERENCES org.organizations (id) ON DELETE CASCADE,
    id                uuid          NOT NULL DEFAULT app.uuid_v7(),
    name              text          NOT NULL CONSTRAINT properties_name_check CHECK (length(btrim(name)) BETWEEN 1 AND 200),
    property_type     text          NOT NULL DEFAULT 'residential'
                                    CONSTRAINT properties_type_check CHECK (property_type IN ('residential', 'commercial', 'industrial', 'land', 'mixed')),
    subtype           text          CHECK (length(subtype) <= 50),
    status            text          NOT NULL DEFAULT 'active'
                                    CONSTRAINT properties_status_check CHECK (status IN ('active', 'inactive', 'under_construction', 'sold')),
    address_line1     text          NOT NULL CONSTRAINT properties_address_check CHECK (length(btrim(address_line1)) BETWEEN 1 AND 200),
    address_line2     text          CHECK (length(address_line2) <= 200),
    city              text          NOT NULL CONSTRAINT properties_city_check CHECK (length(btrim(city)) BETWEEN 1 AND 100),
    state_province    text          NOT NULL DEFAULT '' CHECK (length(state_province) <= 100),
    postal_code       text          CHECK (length(postal_code) <= 20),
    country           text          NOT NULL DEFAULT 'US' CONSTRAINT properties_country_check CHECK (country ~ '^[A-Z]{2}$'),
    latitude          numeric(9, 6) CONSTRAINT properties_latitude_check CHECK (latitude BETWEEN -90 AND 90),
    longitude         numeric(9, 6) CONSTRAINT properties_longitude_check CHECK (longitude BETWEEN -180 AND 180),
    parcel_number     text          CHECK (length(parcel_number) <= 50),
    year_built        int           CONSTRAINT properties_year_built_check CHECK (year_built BETWEEN 1600 AND 2200),
    living_area       numeric(12, 2) CONSTRAINT properties_living_area_check CHECK (living_area > 0),
    lot_size          numeric(14, 2) CHECK (lot_size > 0),
    bedrooms          int           CONSTRAINT properties_bedrooms_check CHECK (bedrooms BETWEEN 0 AND 200),
    bathrooms         numeric(4, 1) CONSTRAINT properties_bathrooms_check CHECK (bathrooms BETWEEN 0 AND 200),
    amenities         text[]        NOT NULL DEFAULT '{}',
    features          jsonb         NOT NULL DEFAULT '{}',
    manager_id        uuid,
    acquisition_price numeric(14, 2) CHECK (acquisition_price >= 0),
    market_value      numeric(14, 2) CHECK (market_value >= 0),
    annual_tax        numeric(14, 2) CHECK (annual_tax >= 0),
    annual_insurance  numeric(14, 2) CHECK (annual_insurance >= 0),
    created_at        timestamptz   NOT NULL DEFAULT now(),
    updated_at        timestamptz   NOT NULL DEFAULT now(),
    deleted_at        timestamptz,
    PRIMARY KEY (organization_id, id),
    CONSTRAINT properties_location_check CHECK ((latitude IS NULL) = (longitude IS NULL)),
    CONSTRAINT properties_manager_fkey FOREIGN KEY (organization_id, manager_id) REFERENCES org.members (organization_id, id)
);
CREATE INDEX properties_city_idx ON property.properties (organization_id, lower(city), id) WHERE deleted_at IS NULL;
SELECT app.apply_org_kit('property.properties');

CREATE TABLE property.buildings (
    organization_id uuid        NOT NULL REFERENCES org.organizations (id) ON DELETE CASCADE,
    id              uuid        NOT NULL DEFAULT app.uuid_v7(),
    property_id     uuid        NOT NULL,
    name            text        NOT NULL CONSTRAINT buildings_name_check CHECK (length(btrim(name)) BETWEEN 1 AND 100),
    floors          int         CHECK (floors BETWEEN 0 AND 300),
    year_built      int         CHECK (year_built BETWEEN 1600 AND 2200),
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (organization_id, id),
    CONSTRAINT buildings_property_fkey FOREIGN KEY (organization_id, property_id) REFERENCES property.properties (organization_id, id),
    CONSTRAINT buildings_name_key UNIQUE (organization_id, property_id, name)
);
SELECT app.apply_org_kit('property.buildings');

CREATE TABLE property.units (
    organization_id   uuid          NOT NULL REFERENCES org.organizations (id) ON DELETE CASCADE,
    id                uuid          NOT NULL DEFAULT app.uuid_v7(),
    property_id       uuid          NOT NULL,
    building_id       uuid,
    unit_number       text          NOT NULL CONSTRAINT units_number_check CHECK (length(btrim(unit_number)) BETWEEN 1 AND 25),
    unit_type         text          CHECK (length(unit_type) <= 50),
    floor             int           CHECK (floor BETWEEN -10 AND 300),
    area              numeric(12, 2) CHECK (area > 0),
    bedrooms          int           CHECK (bedrooms BETWEEN 0 AND 50),
    bathrooms         numeric(4, 1) CHECK (bathrooms BETWEEN 0 AND 50),
    market_rent       numeric(12, 2) CONSTRAINT units_market_rent_check CHECK (market_rent >= 0),
    status            text          NOT NULL DEFAULT 'vacant'
                                    CONSTRAINT units_status_check CHECK (status IN ('vacant', 'occupied', 'maintenance', 'unavailable')),
    availability_date date,
    features          jsonb         NOT NULL DEFAULT '{}',
    created_at        timestamptz   NOT NULL DEFAULT now(),
    updated_at        timestamptz   NOT NULL DEFAULT now(),
    PRIMARY KEY (organization_id, id),
    CONSTRAINT units_property_fkey FOREIGN KEY (organization_id, property_id) REFERENCES property.properties (organization_id, id),
    CONSTRAINT units_building_fkey FOREIGN KEY (organization_id, building_id) REFERENCES property.buildings (organization_id, id),
    CONSTRAINT units_number_key UNIQUE (organization_id, property_id, unit_number)
);
SELECT app.apply_org_kit('property.units');

-- Comparative market analyses (filled by the valuation feature).
CREATE TABLE property.valuations (
    organization_id uuid          NOT NULL REFERENCES org.organizations (id) ON DELETE CASCADE,
    id              uuid          NOT NULL DEFAULT app.uuid_v7(),
    property_id     uuid          NOT NULL,
    suggested_price numeric(14, 2) NOT NULL CHECK (suggested_price >= 0),
    low_price       numeric(14, 2) CHECK (low_price >= 0),
    high_price      numeric(14, 2) CHECK (high_price >= 0),
    market_position text          CHECK (market_position IN ('above', 'at', 'below')),
    confidence      numeric(3, 2) CHECK (confidence BETWEEN 0 AND 1),
    comparables     jsonb         NOT NULL DEFAULT '[]',
    method          text          NOT NULL DEFAULT 'cma',
    recommendations text,
    created_by      uuid,
    created_at      timestamptz   NOT NULL DEFAULT now(),
    updated_at      timestamptz   NOT NULL DEFAULT now(),
    PRIMARY KEY (organization_id, id),
    FOREIGN KEY (organization_id, property_id) REFERENCES property.properties (organization_id, id),
    FOREIGN KEY (organization_id, created_by) REFERENCES org.members (organization_id, id),
    CHECK (low_price IS NULL OR high_price IS NULL OR low_price <= high_price)
);
SELECT app.apply_org_kit('property.valuations');

-- Photos, floor plans, videos, tours and documents of a property. A file's
-- bytes live in the blob store under their SHA-256 (blob_key); links to
-- videos and tours are URLs.
CREATE TABLE property.media (
    organization_id uuid        NOT NULL REFERENCES org.organizations (id) ON DELETE CASCADE,
    id              uuid        NOT NULL DEFAULT app.uuid_v7(),
    property_id     uuid        NOT NULL,
    kind            text        NOT NULL CONSTRAINT media_kind_check CHECK (kind IN ('photo', 'floor_plan', 'video', 'virtual_tour', 'document')),
    blob_key        text        CHECK (blob_key ~ '^[0-9a-f]{64}$'),
    url             text        CHECK (url ~ '^https?://'),
    content_type    text,
    size_bytes      bigint      CHECK (size_bytes >= 0),
    position        int         NOT NULL DEFAULT 0,
    caption         text        NOT NULL DEFAULT '' CHECK (length(caption) <= 500),
    metadata        jsonb       NOT NULL DEFAULT '{}',
    uploaded_by     uuid,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (organization_id, id),
    CONSTRAINT media_property_fkey FOREIGN KEY (organization_id, property_id) REFERENCES property.properties (organization_id, id),
    FOREIGN KEY (organization_id, uploaded_by) REFERENCES org.members (organization_id, id),
    CONSTRAINT media_source_check CHECK ((blob_key IS NULL) <> (url IS NULL))
);
CREATE INDEX media_property_idx ON property.media (organization_id, property_id, position, id);
SELECT app.apply_org_kit('property.media');

-- Role assignments may be limited to one property.
ALTER TABLE org.role_assignments ADD CONSTRAINT role_assignments_property_fkey
    FOREIGN KEY (organization_id, property_id) REFERENCES property.properties (organization_id, id);
ALTER TABLE org.invitations ADD CONSTRAINT invitations_property_fkey
    FOREIGN KEY (organization_id, property_id) REFERENCES property.properties (organization_id, id);

-- +goose Down
ALTER TABLE org.invitations DROP CONSTRAINT invitations_property_fkey;
ALTER TABLE org.role_assignments DROP CONSTRAINT role_assignments_property_fkey;
DROP TABLE property.media;
DROP TABLE property.valuations;
DROP TABLE property.units;
DROP TABLE property.buildings;
DROP TABLE property.properties;
