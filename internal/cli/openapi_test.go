package cli

import (
	"bytes"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"testing"

	"realty/internal/api"
)

// TestOpenAPICommand checks that `realty openapi` writes, without a
// database, the document the server serves, to standard output or -o.
func TestOpenAPICommand(t *testing.T) {
	t.Parallel()
	want, err := api.Document(api.Mount(http.NewServeMux(), api.Deps{}))
	if err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr := run(t, map[string]string{"REALTY_DATABASE_URL": "postgres://nowhere.invalid/none"}, "openapi")
	if code != 0 || stdout != string(want) {
		t.Fatalf("exit %d, stderr %q; stdout differs from the served document (%d bytes, want %d)", code, stderr, len(stdout), len(want))
	}
	var doc struct {
		OpenAPI string         `json:"openapi"`
		Paths   map[string]any `json:"paths"`
	}
	if err := json.Unmarshal([]byte(stdout), &doc); err != nil || doc.OpenAPI != "3.1.0" || doc.Paths["/api/v1/listings"] == nil {
		t.Fatalf("not the API's document: %v %.200s", err, stdout)
	}
	file := filepath.Join(t.TempDir(), "openapi.json")
	if code, _, stderr := run(t, nil, "openapi", "-o", file); code != 0 {
		t.Fatalf("openapi -o: exit %d: %s", code, stderr)
	}
	if got, err := os.ReadFile(file); err != nil || !bytes.Equal(got, want) {
		t.Fatalf("-o wrote %d bytes (%v), want the document", len(got), err)
	}
	if code, _, _ := run(t, nil, "openapi", "extra"); code != 2 {
		t.Errorf("an argument: exit %d, want 2", code)
	}
}
