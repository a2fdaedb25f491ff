-- What a stored match costs to write (W8, docs/crm.md "How the engine
-- runs"). The engine writes matches by the hundred thousand as the System
-- actor; members read them and change their status.
--
-- The audit trail records what actors do. A match the engine stores,
-- rescores, marks inactive or marks notified is derived from a listing and
-- a preference whose own changes are in the trail, and a full rematch
-- would otherwise write one trail row per match (9.5 million for 100000
-- preferences against 1M listings). The trigger therefore fires only in a
-- transaction with a user (app.user_id set): status changes, merges,
-- deletions of a client or preference keep their trail rows; the engine's
-- writes, with app.user_id empty, write none.
--
-- Two of the four foreign-key checks each new match paid are redundant:
-- the organization's (the preference, client and listing keys are all
-- composite with organization_id, and each of those rows is its
-- organization's), and the client's (a match's client is its preference's
-- client, written from the preference by the engine and moved with it by a
-- merge; deleting a client deletes its preferences and so their matches
-- through property_matches_preference_fkey).

-- +goose Up
CREATE OR REPLACE TRIGGER audit_changes AFTER INSERT OR UPDATE OR DELETE ON crm.property_matches
    FOR EACH ROW WHEN (app.current_user_id() IS NOT NULL)
    EXECUTE FUNCTION audit.log_change('score', 'breakdown', 'price', 'listing_title', 'active');
ALTER TABLE crm.property_matches DROP CONSTRAINT property_matches_organization_id_fkey;
ALTER TABLE crm.property_matches DROP CONSTRAINT property_matches_client_fkey;

-- +goose Down
-- NOT VALID then VALIDATE: the check of the existing rows takes no lock
-- that blocks writes.
ALTER TABLE crm.property_matches ADD CONSTRAINT property_matches_client_fkey FOREIGN KEY (organization_id, client_id)
    REFERENCES crm.clients (organization_id, id) ON DELETE CASCADE NOT VALID;
ALTER TABLE crm.property_matches VALIDATE CONSTRAINT property_matches_client_fkey;
ALTER TABLE crm.property_matches ADD CONSTRAINT property_matches_organization_id_fkey FOREIGN KEY (organization_id)
    REFERENCES org.organizations (id) ON DELETE CASCADE NOT VALID;
ALTER TABLE crm.property_matches VALIDATE CONSTRAINT property_matches_organization_id_fkey;
CREATE OR REPLACE TRIGGER audit_changes AFTER INSERT OR UPDATE OR DELETE ON crm.property_matches
    FOR EACH ROW EXECUTE FUNCTION audit.log_change('score', 'breakdown', 'price', 'listing_title', 'active');
