-- A document search matches every version's search document (the GIN index
-- holds them all) and keeps the documents whose current version matched.
-- Without an index from a version to the document it is current for, each
-- search read every document of the organization to join them (a hash join
-- over 125,000 documents for every search in bench W10, 500,000 versions);
-- with this one it looks up each matching version's document. Built
-- concurrently: documents are written all day.

-- +goose NO TRANSACTION

-- +goose Up
CREATE INDEX CONCURRENTLY IF NOT EXISTS documents_current_version_idx
    ON document.documents (organization_id, current_version_id) WHERE deleted_at IS NULL;

-- +goose Down
DROP INDEX CONCURRENTLY IF EXISTS document.documents_current_version_idx;
