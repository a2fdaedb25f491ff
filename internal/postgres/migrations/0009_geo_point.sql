-- The radius index's expression no longer depends on the search path.
-- earthdistance's ll_to_earth is an SQL function whose body names earth()
-- and the earth type without a schema, so it cannot be planned under an
-- empty search path, which is how autovacuum (and pg_dump's restore) work:
-- every automatic VACUUM and ANALYZE of listing.listings failed with
-- `type "earth" does not exist` while evaluating listings_geo_idx, leaving
-- the table's statistics as the last manual ANALYZE left them and its dead
-- rows to pile up. app.geo_point computes the same point with a body bound
-- at creation (an SQL-standard body, every name qualified). LEAKPROOF, as
-- ll_to_earth is marked in 0001, so row-level security lets a radius filter
-- use the index.

-- +goose Up
-- Migrations run as realty_owner; marking a function LEAKPROOF takes the
-- administrative role (a superuser), for this transaction only.
SET LOCAL ROLE NONE;
CREATE FUNCTION app.geo_point(lat float8, lng float8) RETURNS public.earth
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF
    RETURN public.cube(public.cube(public.cube(public.earth() * cos(radians(lat)) * cos(radians(lng))),
        public.earth() * cos(radians(lat)) * sin(radians(lng))), public.earth() * sin(radians(lat)))::public.earth;
ALTER FUNCTION app.geo_point(float8, float8) OWNER TO realty_owner;
SET LOCAL ROLE realty_owner;
DROP INDEX listing.listings_geo_idx;
CREATE INDEX listings_geo_idx ON listing.listings USING gist (organization_id, app.geo_point(latitude::float8, longitude::float8))
    WHERE latitude IS NOT NULL;

-- +goose Down
DROP INDEX listing.listings_geo_idx;
CREATE INDEX listings_geo_idx ON listing.listings USING gist (organization_id, ll_to_earth(latitude::float8, longitude::float8))
    WHERE latitude IS NOT NULL;
DROP FUNCTION app.geo_point(float8, float8);
