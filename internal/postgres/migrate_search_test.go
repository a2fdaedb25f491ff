package postgres_test

import (
	"io"
	"log/slog"
	"testing"

	"realty/internal/postgres"
	"realty/internal/postgres/pgtest"
)

// TestSearchMigrationEmptiesSupersededVersions runs migration 0053 over a
// document of two versions that both carry a search document (as every
// version did before it): the superseded version's is emptied, the
// current one's kept, row-level security is forced and the triggers
// enabled again afterwards; the way down gives the superseded version its
// search document back.
func TestSearchMigrationEmptiesSupersededVersions(t *testing.T) {
	t.Parallel()
	db := pgtest.New(t)
	m := postgres.NewMigrator(db.AdminURL, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err := m.Down(ctx0, stepsDownTo(52)); err != nil {
		t.Fatalf("down to 0052: %v", err)
	}
	conn := adminConn(t, db)
	const org, doc, v1, v2 = "01900000-0000-7000-8000-000000000001", "01900000-0000-7000-8000-0000000000d1",
		"01900000-0000-7000-8000-0000000000a1", "01900000-0000-7000-8000-0000000000a2"
	hex := "'" + "ab12ab12ab12ab12ab12ab12ab12ab12ab12ab12ab12ab12ab12ab12ab12ab12" + "'"
	for _, sql := range []string{
		`SELECT set_config('app.org_id', '` + org + `', false)`, // for the audit trigger
		`INSERT INTO org.organizations (id, name, slug) VALUES ('` + org + `', 'Acme', 'acme')`,
		`INSERT INTO document.documents (organization_id, id, title, category, entity_type, entity_id, current_version_id)
			VALUES ('` + org + `', '` + doc + `', 'Heron survey', 'survey', 'deal', app.uuid_v7(), '` + v2 + `')`,
		`INSERT INTO document.document_versions (organization_id, id, document_id, version, blob_key, sha256, size_bytes, content_type,
			file_name, extracted_text, search_document) VALUES
			('` + org + `', '` + v1 + `', '` + doc + `', 1, ` + hex + `, ` + hex + `, 10, 'text/plain', 'a.txt', 'old egret text', to_tsvector('english', 'old egret text')),
			('` + org + `', '` + v2 + `', '` + doc + `', 2, ` + hex + `, ` + hex + `, 10, 'text/plain', 'b.txt', 'new ibis text', to_tsvector('english', 'new ibis text'))`,
	} {
		if _, err := conn.Exec(ctx0, sql); err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
	}
	searchable := func(id string) bool {
		t.Helper()
		var on bool
		if err := conn.QueryRow(ctx0, `SELECT search_document <> ''::tsvector FROM document.document_versions WHERE id = $1`, id).Scan(&on); err != nil {
			t.Fatal(err)
		}
		return on
	}
	if err := m.Up(ctx0); err != nil {
		t.Fatalf("up: %v", err)
	}
	if searchable(v1) || !searchable(v2) {
		t.Errorf("after 0053: superseded searchable %v, current %v; want false, true", searchable(v1), searchable(v2))
	}
	for sql, want := range map[string]int{
		`SELECT count(*) FROM pg_class WHERE relname IN ('documents', 'document_versions') AND relforcerowsecurity
			AND relnamespace = 'document'::regnamespace`: 2,
		`SELECT count(*) FROM pg_trigger WHERE tgname IN ('audit_changes', 'set_updated_at') AND tgrelid = 'document.document_versions'::regclass
			AND tgenabled = 'O'`: 2,
	} {
		var got int
		if err := conn.QueryRow(ctx0, sql).Scan(&got); err != nil || got != want {
			t.Errorf("after up: %s = %d (%v), want %d", sql, got, err, want)
		}
	}
	if err := m.Down(ctx0, stepsDownTo(52)); err != nil {
		t.Fatalf("down again: %v", err)
	}
	if !searchable(v1) || !searchable(v2) {
		t.Errorf("after 0053's down: superseded searchable %v, current %v; want both", searchable(v1), searchable(v2))
	}
	if err := m.Up(ctx0); err != nil {
		t.Fatalf("up again: %v", err)
	}
}
