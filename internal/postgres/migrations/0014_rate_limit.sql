-- An organization may have its own request rate on the API and the RESO Web
-- API: requests per minute per credential. NULL takes the server's default
-- (REALTY_RATE_LIMIT). Set by an operator: `realty org rate-limit`.
-- A nullable column without default: no table rewrite.

-- +goose Up
ALTER TABLE org.organizations ADD COLUMN rate_limit integer;
ALTER TABLE org.organizations ADD CONSTRAINT organizations_rate_limit_check
    CHECK (rate_limit IS NULL OR rate_limit BETWEEN 1 AND 1000000) NOT VALID;
ALTER TABLE org.organizations VALIDATE CONSTRAINT organizations_rate_limit_check;

-- +goose Down
ALTER TABLE org.organizations DROP COLUMN rate_limit;
