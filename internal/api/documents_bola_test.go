package api_test

import (
	"bytes"
	"context"
	"testing"

	"realty"
	"realty/internal/document"
	"realty/internal/property"
)

// globexDocumentIDs adds to foreign a globex document (filed against a
// globex property) and a share link of it.
func globexDocumentIDs(t *testing.T, h *harness, foreign map[string]realty.ID) {
	t.Helper()
	ctx := context.Background()
	broker := h.b.Personas["broker"].Actor
	p, err := h.env.Property.Create(ctx, broker, property.Input{AddressLine1: "7 Foreign Rd", City: "Denver"})
	if err != nil {
		t.Fatal(err)
	}
	doc, err := h.env.Document.Create(ctx, broker, document.Input{Title: "Globex survey", Category: "survey", EntityType: "property",
		EntityID: p.ID, Visibility: "participants"}, document.File{Name: "survey.png", Body: bytes.NewReader(pngBytes)})
	if err != nil {
		t.Fatal(err)
	}
	share, _, err := h.env.Document.CreateShare(ctx, broker, doc.ID, document.ShareInput{})
	if err != nil {
		t.Fatal(err)
	}
	for _, op := range []string{"get-document", "update-document", "delete-document", "list-document-versions", "add-document-version",
		"get-document-content", "list-document-shares", "create-document-share", "get-document-access-log"} {
		foreign[op] = doc.ID
	}
	foreign["revoke-document-share"] = share.ID
}
