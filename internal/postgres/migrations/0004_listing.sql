-- Listings: offers on the market, aligned with the RESO Data Dictionary,
-- with status and price history, open houses, MLS status mapping and
-- imports.

-- +goose Up
-- RESO StandardStatus is a closed enumeration: exactly these eleven values.
CREATE TYPE listing.standard_status AS ENUM (
    'Active', 'ActiveUnderContract', 'Canceled', 'Closed', 'ComingSoon', 'Delete', 'Expired', 'Hold',
    'Incomplete', 'Pending', 'Withdrawn');

CREATE TABLE listing.listings (
    organization_id          uuid          NOT NULL REFERENCES org.organizations (id) ON DELETE CASCADE,
    id                       uuid          NOT NULL DEFAULT app.uuid_v7(),
    property_id              uuid          NOT NULL,
    unit_id                  uuid,
    listing_key              text          NOT NULL CONSTRAINT listings_key_check CHECK (length(btrim(listing_key)) BETWEEN 1 AND 255),
    listing_id               text          CHECK (length(listing_id) <= 255),
    originating_system_name  text          CHECK (length(originating_system_name) <= 255),
    originating_system_key   text          CHECK (length(originating_system_key) <= 255),
    list_type                text          NOT NULL DEFAULT 'sale' CONSTRAINT listings_list_type_check CHECK (list_type IN ('sale', 'lease')),
    standard_status          listing.standard_status NOT NULL DEFAULT 'Active',
    mls_status               text          CHECK (length(mls_status) <= 50),
    property_type            text          NOT NULL DEFAULT 'Residential' CONSTRAINT listings_property_type_check CHECK (property_type IN (
                                 'BusinessOpportunity', 'CommercialLease', 'CommercialSale', 'Farm', 'Land', 'ManufacturedInPark',
                                 'Residential', 'ResidentialIncome', 'ResidentialLease')),
    property_sub_type        text          CHECK (length(property_sub_type) <= 50),
    list_price               numeric(14, 2) NOT NULL CONSTRAINT listings_list_price_check CHECK (list_price > 0),
    original_list_price      numeric(14, 2) CHECK (original_list_price > 0),
    close_price              numeric(14, 2) CONSTRAINT listings_close_price_check CHECK (close_price > 0),
    listing_contract_date    date,
    on_market_date           date,
    off_market_date          date,
    close_date               date,
    expiration_date          date,
    original_entry_timestamp timestamptz   NOT NULL DEFAULT now(),
    modification_timestamp   timestamptz   NOT NULL DEFAULT now(),
    status_change_timestamp  timestamptz   NOT NULL DEFAULT now(),
    price_change_timestamp   timestamptz,
    list_agent_id            uuid,
    public_remarks           text          CHECK (length(public_remarks) <= 4000),
    private_remarks          text          CHECK (length(private_remarks) <= 4000),
    -- Location, copied from the property and kept in step with it.
    street_address           text          NOT NULL,
    unit_number              text,
    city                     text          NOT NULL,
    state_province           text          NOT NULL DEFAULT '',
    postal_code              text,
    country                  text          NOT NULL DEFAULT 'US',
    latitude                 numeric(9, 6),
    longitude                numeric(9, 6),
    -- Facts of the offer (initialised from the property or unit).
    bedrooms_total           int           CONSTRAINT listings_bedrooms_check CHECK (bedrooms_total BETWEEN 0 AND 200),
    bathrooms_total          numeric(4, 1) CONSTRAINT listings_bathrooms_check CHECK (bathrooms_total BETWEEN 0 AND 200),
    living_area              numeric(12, 2) CONSTRAINT listings_living_area_check CHECK (living_area > 0),
    lot_size_area            numeric(14, 2) CHECK (lot_size_area > 0),
    year_built               int           CHECK (year_built BETWEEN 1600 AND 2200),
    stories                  int           CHECK (stories BETWEEN 0 AND 300),
    garage_spaces            int           CHECK (garage_spaces BETWEEN 0 AND 100),
    association_fee          numeric(12, 2) CHECK (association_fee >= 0),
    tax_annual_amount        numeric(14, 2) CHECK (tax_annual_amount >= 0),
    features                 text[]        NOT NULL DEFAULT '{}',
    appliances               text[]        NOT NULL DEFAULT '{}',
    cooling                  text[]        NOT NULL DEFAULT '{}',
    heating                  text[]        NOT NULL DEFAULT '{}',
    flooring                 text[]        NOT NULL DEFAULT '{}',
    view                     text[]        NOT NULL DEFAULT '{}',
    pool_features            text[]        NOT NULL DEFAULT '{}',
    primary_photo            text          CHECK (primary_photo ~ '^[0-9a-f]{64}$'),
    photos_count             int           NOT NULL DEFAULT 0,
    city_key                 text          GENERATED ALWAYS AS (lower(city)) STORED,
    search_document          tsvector      NOT NULL DEFAULT ''::tsvector,
    created_at               timestamptz   NOT NULL DEFAULT now(),
    updated_at               timestamptz   NOT NULL DEFAULT now(),
    PRIMARY KEY (organization_id, id),
    CONSTRAINT listings_key_key UNIQUE (organization_id, listing_key),
    CONSTRAINT listings_origin_key UNIQUE (organization_id, originating_system_name, originating_system_key),
    CONSTRAINT listings_property_fkey FOREIGN KEY (organization_id, property_id) REFERENCES property.properties (organization_id, id),
    CONSTRAINT listings_unit_fkey FOREIGN KEY (organization_id, unit_id) REFERENCES property.units (organization_id, id),
    CONSTRAINT listings_agent_fkey FOREIGN KEY (organization_id, list_agent_id) REFERENCES org.members (organization_id, id),
    CONSTRAINT listings_location_check CHECK ((latitude IS NULL) = (longitude IS NULL)),
    CONSTRAINT listings_dates_check CHECK (off_market_date IS NULL OR on_market_date IS NULL OR off_market_date >= on_market_date)
);

-- One index per search shape; each leads with the organization, as every
-- query (and the RLS policy) does.
CREATE INDEX listings_status_city_price_idx ON listing.listings (organization_id, standard_status, city_key, list_price, id);
CREATE INDEX listings_status_price_idx ON listing.listings (organization_id, standard_status, list_price, id);
CREATE INDEX listings_status_newest_idx ON listing.listings (organization_id, standard_status, original_entry_timestamp DESC, id DESC);
CREATE INDEX listings_newest_idx ON listing.listings (organization_id, original_entry_timestamp DESC, id DESC);
CREATE INDEX listings_agent_idx ON listing.listings (organization_id, list_agent_id, original_entry_timestamp DESC, id DESC);
CREATE INDEX listings_modified_idx ON listing.listings (organization_id, modification_timestamp, id);
CREATE INDEX listings_postal_idx ON listing.listings (organization_id, postal_code, list_price, id);
CREATE INDEX listings_property_idx ON listing.listings (organization_id, property_id);
CREATE INDEX listings_geo_idx ON listing.listings USING gist (organization_id, ll_to_earth(latitude::float8, longitude::float8))
    WHERE latitude IS NOT NULL;
CREATE INDEX listings_search_idx ON listing.listings USING gin (search_document);
CREATE INDEX listings_address_trgm_idx ON listing.listings USING gin (street_address gin_trgm_ops);
SELECT app.apply_org_kit('listing.listings', '{search_document,city_key}');

-- Keeps RESO's timestamps and the search document: modification on any real
-- change, status and price change times, the original price, and the text
-- full-text search ranks (address first, then features, then remarks).
-- +goose StatementBegin
CREATE FUNCTION listing.before_write() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' THEN
        IF NEW IS NOT DISTINCT FROM OLD THEN
            RETURN NEW;
        END IF;
        NEW.modification_timestamp := now();
        IF NEW.standard_status IS DISTINCT FROM OLD.standard_status THEN
            NEW.status_change_timestamp := now();
        END IF;
        IF NEW.list_price IS DISTINCT FROM OLD.list_price THEN
            NEW.price_change_timestamp := now();
        END IF;
    ELSE
        NEW.original_list_price := coalesce(NEW.original_list_price, NEW.list_price);
        SELECT (SELECT m.blob_key FROM property.media m WHERE m.organization_id = NEW.organization_id AND m.property_id = NEW.property_id
                  AND m.kind = 'photo' AND m.blob_key IS NOT NULL ORDER BY m.position, m.id LIMIT 1),
               (SELECT count(*) FROM property.media m WHERE m.organization_id = NEW.organization_id AND m.property_id = NEW.property_id
                  AND m.kind = 'photo')
          INTO NEW.primary_photo, NEW.photos_count;
    END IF;
    NEW.search_document :=
        setweight(to_tsvector('english', concat_ws(' ', NEW.street_address, NEW.unit_number, NEW.city, NEW.postal_code)), 'A') ||
        setweight(to_tsvector('english', array_to_string(NEW.features, ' ')), 'B') ||
        setweight(to_tsvector('english', coalesce(NEW.public_remarks, '')), 'C');
    RETURN NEW;
END
$$;
-- +goose StatementEnd
CREATE TRIGGER listings_before_write BEFORE INSERT OR UPDATE ON listing.listings
    FOR EACH ROW EXECUTE FUNCTION listing.before_write();

CREATE TABLE listing.listing_history (
    organization_id uuid        NOT NULL REFERENCES org.organizations (id) ON DELETE CASCADE,
    id              uuid        NOT NULL DEFAULT app.uuid_v7(),
    listing_id      uuid        NOT NULL,
    change_type     text        CHECK (change_type IN ('Active', 'ActiveUnderContract', 'BackOnMarket', 'Canceled', 'Closed',
                                    'ComingSoon', 'Deleted', 'Expired', 'Hold', 'NewListing', 'Pending', 'PriceChange', 'Withdrawn')),
    field           text        NOT NULL,
    previous_value  text,
    new_value       text,
    changed_by      uuid        REFERENCES identity.users (id) ON DELETE SET NULL,
    changed_at      timestamptz NOT NULL DEFAULT clock_timestamp(),
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (organization_id, id),
    FOREIGN KEY (organization_id, listing_id) REFERENCES listing.listings (organization_id, id) ON DELETE CASCADE
);
CREATE INDEX listing_history_listing_idx ON listing.listing_history (organization_id, listing_id, changed_at, id);
SELECT app.apply_org_kit('listing.listing_history');

-- Writes the history of every new listing, status change and price change
-- in the transaction that makes it — whoever makes it: the API, the
-- dashboard or a set-based import — with the acting user.
-- +goose StatementBegin
CREATE FUNCTION listing.record_history() RETURNS trigger
    LANGUAGE plpgsql AS $$
DECLARE
    who uuid := app.current_user_id();
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO listing.listing_history (organization_id, listing_id, change_type, field, new_value, changed_by)
        VALUES (NEW.organization_id, NEW.id, 'NewListing', 'StandardStatus', NEW.standard_status::text, who);
        RETURN NULL;
    END IF;
    IF NEW.standard_status IS DISTINCT FROM OLD.standard_status THEN
        INSERT INTO listing.listing_history (organization_id, listing_id, change_type, field, previous_value, new_value, changed_by)
        VALUES (NEW.organization_id, NEW.id,
            CASE
                WHEN NEW.standard_status = 'Active' AND OLD.standard_status IN
                    ('ActiveUnderContract', 'Pending', 'Hold', 'Withdrawn', 'Expired', 'Canceled', 'Closed') THEN 'BackOnMarket'
                WHEN NEW.standard_status = 'Delete' THEN 'Deleted'
                WHEN NEW.standard_status = 'Incomplete' THEN NULL
                ELSE NEW.standard_status::text
            END,
            'StandardStatus', OLD.standard_status::text, NEW.standard_status::text, who);
    END IF;
    IF NEW.list_price IS DISTINCT FROM OLD.list_price THEN
        INSERT INTO listing.listing_history (organization_id, listing_id, change_type, field, previous_value, new_value, changed_by)
        VALUES (NEW.organization_id, NEW.id, 'PriceChange', 'ListPrice', OLD.list_price::text, NEW.list_price::text, who);
    END IF;
    RETURN NULL;
END
$$;
-- +goose StatementEnd
CREATE TRIGGER listings_history AFTER INSERT OR UPDATE OF standard_status, list_price ON listing.listings
    FOR EACH ROW EXECUTE FUNCTION listing.record_history();

-- Location facts follow the property they describe.
-- +goose StatementBegin
CREATE FUNCTION listing.follow_property() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    UPDATE listing.listings l SET
        street_address = NEW.address_line1, city = NEW.city, state_province = NEW.state_province,
        postal_code = NEW.postal_code, country = NEW.country, latitude = NEW.latitude, longitude = NEW.longitude
    WHERE l.organization_id = NEW.organization_id AND l.property_id = NEW.id
      AND (l.street_address, l.city, l.state_province, l.postal_code, l.country, l.latitude, l.longitude)
          IS DISTINCT FROM (NEW.address_line1, NEW.city, NEW.state_province, NEW.postal_code, NEW.country, NEW.latitude, NEW.longitude);
    RETURN NULL;
END
$$;
-- +goose StatementEnd
CREATE TRIGGER properties_follow AFTER UPDATE OF address_line1, city, state_province, postal_code, country, latitude, longitude
    ON property.properties FOR EACH ROW EXECUTE FUNCTION listing.follow_property();

-- A listing shows its property's first photo and photo count.
-- +goose StatementBegin
CREATE FUNCTION listing.follow_media() RETURNS trigger
    LANGUAGE plpgsql AS $$
DECLARE
    org  uuid := coalesce(NEW.organization_id, OLD.organization_id);
    prop uuid := coalesce(NEW.property_id, OLD.property_id);
    first_photo text;
    photos int;
BEGIN
    SELECT (SELECT m.blob_key FROM property.media m WHERE m.organization_id = org AND m.property_id = prop
              AND m.kind = 'photo' AND m.blob_key IS NOT NULL ORDER BY m.position, m.id LIMIT 1),
           (SELECT count(*) FROM property.media m WHERE m.organization_id = org AND m.property_id = prop AND m.kind = 'photo')
      INTO first_photo, photos;
    UPDATE listing.listings l SET primary_photo = first_photo, photos_count = photos
    WHERE l.organization_id = org AND l.property_id = prop
      AND (l.primary_photo, l.photos_count) IS DISTINCT FROM (first_photo, photos);
    RETURN NULL;
END
$$;
-- +goose StatementEnd
CREATE TRIGGER media_follow AFTER INSERT OR UPDATE OR DELETE ON property.media
    FOR EACH ROW EXECUTE FUNCTION listing.follow_media();

CREATE TABLE listing.open_houses (
    organization_id  uuid        NOT NULL REFERENCES org.organizations (id) ON DELETE CASCADE,
    id               uuid        NOT NULL DEFAULT app.uuid_v7(),
    listing_id       uuid        NOT NULL,
    starts_at        timestamptz NOT NULL,
    ends_at          timestamptz NOT NULL,
    open_house_type  text        NOT NULL DEFAULT 'Public'
                                 CONSTRAINT open_houses_type_check CHECK (open_house_type IN ('Broker', 'Office', 'Public', 'Association', 'Virtual')),
    status           text        NOT NULL DEFAULT 'Active' CHECK (status IN ('Active', 'Canceled', 'Ended')),
    remarks          text        CHECK (length(remarks) <= 2000),
    refreshments     text        CHECK (length(refreshments) <= 200),
    showing_agent_id uuid,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (organization_id, id),
    FOREIGN KEY (organization_id, listing_id) REFERENCES listing.listings (organization_id, id) ON DELETE CASCADE,
    FOREIGN KEY (organization_id, showing_agent_id) REFERENCES org.members (organization_id, id),
    CONSTRAINT open_houses_time_check CHECK (ends_at > starts_at AND ends_at - starts_at <= interval '24 hours')
);
CREATE INDEX open_houses_listing_idx ON listing.open_houses (organization_id, listing_id, starts_at);
CREATE INDEX open_houses_modified_idx ON listing.open_houses (organization_id, updated_at, id);
SELECT app.apply_org_kit('listing.open_houses');

-- The organization's local (MLS) statuses and the RESO status each means.
CREATE TABLE listing.mls_statuses (
    organization_id uuid        NOT NULL REFERENCES org.organizations (id) ON DELETE CASCADE,
    id              uuid        NOT NULL DEFAULT app.uuid_v7(),
    mls_status      text        NOT NULL CHECK (length(btrim(mls_status)) BETWEEN 1 AND 50),
    standard_status listing.standard_status NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (organization_id, id),
    CONSTRAINT mls_statuses_key UNIQUE (organization_id, mls_status)
);
SELECT app.apply_org_kit('listing.mls_statuses');

-- MLS imports run from the CLI or as jobs; this is their record.
CREATE TABLE listing.imports (
    organization_id         uuid        NOT NULL REFERENCES org.organizations (id) ON DELETE CASCADE,
    id                      uuid        NOT NULL DEFAULT app.uuid_v7(),
    status                  text        NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'running', 'succeeded', 'failed')),
    source_name             text        NOT NULL DEFAULT '',
    format                  text        NOT NULL CHECK (format IN ('json', 'jsonl', 'csv')),
    originating_system_name text        NOT NULL DEFAULT '',
    blob_key                text        CHECK (blob_key ~ '^[0-9a-f]{64}$'),
    total                   int         NOT NULL DEFAULT 0,
    inserted                int         NOT NULL DEFAULT 0,
    updated                 int         NOT NULL DEFAULT 0,
    unchanged               int         NOT NULL DEFAULT 0,
    rejected                int         NOT NULL DEFAULT 0,
    rejects                 jsonb       NOT NULL DEFAULT '[]',
    error                   text,
    created_by              uuid,
    started_at              timestamptz,
    finished_at             timestamptz,
    created_at              timestamptz NOT NULL DEFAULT now(),
    updated_at              timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (organization_id, id),
    FOREIGN KEY (organization_id, created_by) REFERENCES org.members (organization_id, id)
);
SELECT app.apply_org_kit('listing.imports', '{rejects}');

-- +goose Down
DROP TABLE listing.imports;
DROP TABLE listing.mls_statuses;
DROP TABLE listing.open_houses;
DROP TRIGGER media_follow ON property.media;
DROP FUNCTION listing.follow_media();
DROP TRIGGER properties_follow ON property.properties;
DROP FUNCTION listing.follow_property();
DROP TABLE listing.listing_history;
DROP TABLE listing.listings;
DROP FUNCTION listing.record_history();
DROP FUNCTION listing.before_write();
DROP TYPE listing.standard_status;
