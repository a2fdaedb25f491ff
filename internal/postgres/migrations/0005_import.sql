-- MLS import: find a property by address (first line, city and postal code,
-- without regard to case), as the importer links each new listing to the
-- organization's property at its address.
--
-- The key is a stored column compared with plain text equality, not an
-- index on lower(…): under row-level security PostgreSQL evaluates a
-- condition on a function that is not LEAKPROOF (lower is not) only after
-- the policy, so it can never be an index condition, and every lookup by
-- lower(address_line1) reads all of the organization's properties.

-- +goose Up
ALTER TABLE property.properties ADD COLUMN address_key text
    GENERATED ALWAYS AS (lower(address_line1) || chr(31) || lower(city) || chr(31) || lower(coalesce(postal_code, ''))) STORED;
CREATE INDEX properties_address_idx ON property.properties (organization_id, address_key) WHERE deleted_at IS NULL;
-- The audit trail leaves the derived key out, as it does listings.city_key.
DROP TRIGGER audit_changes ON property.properties;
CREATE TRIGGER audit_changes AFTER INSERT OR UPDATE OR DELETE ON property.properties
    FOR EACH ROW EXECUTE FUNCTION audit.log_change('address_key');

-- +goose Down
DROP TRIGGER audit_changes ON property.properties;
CREATE TRIGGER audit_changes AFTER INSERT OR UPDATE OR DELETE ON property.properties
    FOR EACH ROW EXECUTE FUNCTION audit.log_change();
DROP INDEX property.properties_address_idx;
ALTER TABLE property.properties DROP COLUMN address_key;
