-- A match's score, breakdown, price, listing title and active mark are
-- derived from its listing and preference: the engine recomputes them on
-- every listing change and full rematch. A recompute is no change of the
-- match's facts (its status, dismissal, notification), so the audit trail
-- leaves those columns out: a rescore that changes only derived data writes
-- no trail row, and a new match's trail row stays small (no breakdown).

-- +goose Up
CREATE OR REPLACE TRIGGER audit_changes AFTER INSERT OR UPDATE OR DELETE ON crm.property_matches
    FOR EACH ROW EXECUTE FUNCTION audit.log_change('score', 'breakdown', 'price', 'listing_title', 'active');

-- +goose Down
CREATE OR REPLACE TRIGGER audit_changes AFTER INSERT OR UPDATE OR DELETE ON crm.property_matches
    FOR EACH ROW EXECUTE FUNCTION audit.log_change();
