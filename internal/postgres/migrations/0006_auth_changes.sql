-- Credential changes are announced on the channel realty_auth, so a
-- process that keeps resolved API keys in memory forgets them the moment a
-- key is revoked, expires early or changes permissions, or its creator's
-- membership or account ends. NOTIFY is delivered at commit, to every
-- listening process, and only for committed changes.
--
-- Statement-level triggers on the columns that decide whether a key is
-- valid: touching last_used_at (every minute of use) announces nothing.

-- +goose Up
-- +goose StatementBegin
CREATE FUNCTION identity.announce_auth_change() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog AS $$
BEGIN
    PERFORM pg_notify('realty_auth', TG_TABLE_SCHEMA || '.' || TG_TABLE_NAME);
    RETURN NULL;
END
$$;
-- +goose StatementEnd

CREATE TRIGGER announce_auth_change
    AFTER UPDATE OF organization_id, prefix, key_hash, permissions, created_by, expires_at, revoked_at OR DELETE
    ON identity.api_keys FOR EACH STATEMENT EXECUTE FUNCTION identity.announce_auth_change();
CREATE TRIGGER announce_auth_change
    AFTER UPDATE OF organization_id, user_id, status OR DELETE
    ON org.members FOR EACH STATEMENT EXECUTE FUNCTION identity.announce_auth_change();
CREATE TRIGGER announce_auth_change
    AFTER UPDATE OF status OR DELETE
    ON identity.users FOR EACH STATEMENT EXECUTE FUNCTION identity.announce_auth_change();

-- +goose Down
DROP TRIGGER announce_auth_change ON identity.users;
DROP TRIGGER announce_auth_change ON org.members;
DROP TRIGGER announce_auth_change ON identity.api_keys;
DROP FUNCTION identity.announce_auth_change();
