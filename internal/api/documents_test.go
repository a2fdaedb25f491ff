package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"mime/multipart"
	"strings"
	"testing"

	"realty/internal/property"
)

// textUpload is a multipart upload of a text file named name with fields.
func textUpload(name, text string, fields map[string]string) rawBody {
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	for k, v := range fields {
		_ = w.WriteField(k, v)
	}
	part, _ := w.CreateFormFile("file", name)
	_, _ = part.Write([]byte(text))
	_ = w.Close()
	return rawBody{contentType: w.FormDataContentType(), data: buf.Bytes()}
}

func TestDocumentsOverHTTP(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	agent := h.tokens["acme:agent"]
	p, err := h.env.Property.Create(context.Background(), h.a.Personas["agent"].Actor, property.Input{AddressLine1: "3 Doc St", City: "Austin"})
	if err != nil {
		t.Fatal(err)
	}
	fields := map[string]string{"title": "HOA rules", "category": "hoa", "entity_type": "property", "entity_id": p.ID.String()}
	status, body := h.do("POST", "/api/v1/documents", agent, textUpload("../../rules.txt", "No flamingos on the lawn.", fields))
	if status != 201 {
		t.Fatalf("upload: %d %s", status, body)
	}
	var doc struct {
		ID          string `json:"id"`
		FileName    string `json:"file_name"`
		ContentType string `json:"content_type"`
	}
	_ = json.Unmarshal(body, &doc)
	if doc.FileName != "rules.txt" || doc.ContentType != "text/plain; charset=utf-8" {
		t.Fatalf("uploaded %+v, want rules.txt as text", doc)
	}
	status, body = h.do("GET", "/api/v1/documents?q=flamingos", h.tokens["acme:accountant"], nil)
	if status != 200 || !strings.Contains(string(body), doc.ID) {
		t.Fatalf("search flamingos: %d %s", status, body)
	}
	if status, body = h.do("GET", "/api/v1/documents?q=flamingos", h.tokens["globex:owner"], nil); status != 200 || strings.Contains(string(body), doc.ID) {
		t.Fatalf("globex searches flamingos: %d %s", status, body)
	}
	status, body = h.do("GET", "/api/v1/documents/"+doc.ID+"/content", agent, nil)
	if status != 200 || string(body) != "No flamingos on the lawn." {
		t.Fatalf("content: %d %q", status, body)
	}
	status, body = h.do("POST", "/api/v1/documents", agent, textUpload("x.html", "<html><body>hi</body></html>", fields))
	if status != 422 || !strings.Contains(string(body), "file") {
		t.Fatalf("an HTML upload: %d %s, want 422 naming file", status, body)
	}
	status, body = h.do("GET", "/api/v1/documents/"+doc.ID+"/access-log", agent, nil)
	if status != 200 || !strings.Contains(string(body), `"action":"download"`) {
		t.Fatalf("access log: %d %s", status, body)
	}
}
