-- A document's search reads its current version only (documents join
-- their current version), but every version kept a search document, so
-- the full-text index matched superseded versions too and the search
-- fetched and dropped them: at 500,000 versions of 125,000 documents
-- (bench W10) three matches in four were thrown away. From now on only the
-- current version carries a search document; a new version empties the
-- older ones'. This empties those of the versions already superseded.
--
-- The backfill reads and writes every organization's rows: the owner sees
-- them only with forced row-level security lifted, for this transaction.
-- The audit and updated_at triggers are off for it: the change is this
-- migration's, not anyone's edit of a document.

-- +goose Up
ALTER TABLE document.documents NO FORCE ROW LEVEL SECURITY;
ALTER TABLE document.document_versions NO FORCE ROW LEVEL SECURITY;
ALTER TABLE document.document_versions DISABLE TRIGGER audit_changes;
ALTER TABLE document.document_versions DISABLE TRIGGER set_updated_at;
UPDATE document.document_versions v SET search_document = ''::tsvector
FROM document.documents d
WHERE d.organization_id = v.organization_id AND d.id = v.document_id
  AND d.current_version_id IS DISTINCT FROM v.id AND v.search_document <> ''::tsvector;
ALTER TABLE document.document_versions ENABLE TRIGGER set_updated_at;
ALTER TABLE document.document_versions ENABLE TRIGGER audit_changes;
ALTER TABLE document.document_versions FORCE ROW LEVEL SECURITY;
ALTER TABLE document.documents FORCE ROW LEVEL SECURITY;

-- +goose Down
ALTER TABLE document.documents NO FORCE ROW LEVEL SECURITY;
ALTER TABLE document.document_versions NO FORCE ROW LEVEL SECURITY;
ALTER TABLE document.document_versions DISABLE TRIGGER audit_changes;
ALTER TABLE document.document_versions DISABLE TRIGGER set_updated_at;
UPDATE document.document_versions v SET search_document =
    setweight(to_tsvector('english', d.title), 'A') || setweight(to_tsvector('english', v.file_name), 'B') ||
    setweight(to_tsvector('english', coalesce(v.extracted_text, '')), 'C')
FROM document.documents d
WHERE d.organization_id = v.organization_id AND d.id = v.document_id
  AND d.current_version_id IS DISTINCT FROM v.id;
ALTER TABLE document.document_versions ENABLE TRIGGER set_updated_at;
ALTER TABLE document.document_versions ENABLE TRIGGER audit_changes;
ALTER TABLE document.document_versions FORCE ROW LEVEL SECURITY;
ALTER TABLE document.documents FORCE ROW LEVEL SECURITY;
