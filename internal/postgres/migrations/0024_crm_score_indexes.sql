-- The hottest leads first (the client list sorted by score), and the open
-- tasks not yet reminded by due time (the reminder sweep), built
-- concurrently since both tables exist.

-- +goose NO TRANSACTION

-- +goose Up
CREATE INDEX CONCURRENTLY IF NOT EXISTS clients_score_idx ON crm.clients (organization_id, lead_score DESC NULLS LAST, id DESC) WHERE merged_into IS NULL;
CREATE INDEX CONCURRENTLY IF NOT EXISTS tasks_remind_idx ON crm.tasks (organization_id, due_at) WHERE status IN ('open', 'in_progress') AND reminded_at IS NULL AND due_at IS NOT NULL;

-- +goose Down
DROP INDEX CONCURRENTLY IF EXISTS crm.tasks_remind_idx;
DROP INDEX CONCURRENTLY IF EXISTS crm.clients_score_idx;
