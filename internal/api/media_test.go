package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"testing"

	"realty/internal/property"
)

// TestUploadMediaDefaults uploads a file with neither kind nor caption: the
// documented default kind (photo) and an empty caption are taken, nothing is
// required but the file.
func TestUploadMediaDefaults(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	owner := h.a.Personas["owner"]
	p, err := h.env.Property.Create(context.Background(), owner.Actor, property.Input{AddressLine1: "3 Upload Road", City: "Austin"})
	if err != nil {
		t.Fatal(err)
	}
	status, body := h.do("POST", "/api/v1/properties/"+p.ID.String()+"/media", h.tokens["acme:owner"], pngUpload(nil))
	var m property.Media
	if err := json.Unmarshal(body, &m); status != 201 || err != nil {
		t.Fatalf("upload with only a file: %d %s", status, body)
	}
	if m.Kind != "photo" || m.Caption != "" {
		t.Errorf("kind %q caption %q, want photo and none", m.Kind, m.Caption)
	}

	status, body = h.do("POST", "/api/v1/properties/"+p.ID.String()+"/media", h.tokens["acme:owner"],
		pngUpload(map[string]string{"kind": "hologram"}))
	if status != 422 || !bytes.Contains(body, []byte("form.kind")) {
		t.Errorf("upload with an unknown kind: %d %s, want 422 naming form.kind", status, body)
	}
}
