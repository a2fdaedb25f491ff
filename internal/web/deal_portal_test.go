package web_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"realty/internal/deal"
	"realty/internal/document"
)

// TestDealPortalDocuments: the portal lists the deal's documents shared
// with its participants, never staff-only ones; the client downloads a
// shared one through the document download path, logged as theirs, and
// is refused a staff-only one.
func TestDealPortalDocuments(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	acme := h.env.Organization(t, "acme")
	agent, client := acme.Personas["agent"].Actor, acme.Personas["client"]
	ctx := context.Background()
	d := h.env.OpenDeal(t, acme, "Portal documents deal")
	if _, err := h.env.Deal.AddParticipant(ctx, agent, d.ID, deal.ParticipantInput{Role: "seller", MemberID: &client.MemberID}); err != nil {
		t.Fatal(err)
	}
	docs := map[string]document.Document{}
	for title, vis := range map[string]string{"Seller disclosure": "participants", "Pricing notes": "staff"} {
		doc, err := h.env.Document.Create(ctx, agent, document.Input{Title: title, Category: "disclosure", EntityType: "deal",
			EntityID: d.ID, Visibility: vis}, document.File{Name: "file.txt", Body: strings.NewReader("the " + title)})
		if err != nil {
			t.Fatal(err)
		}
		docs[title] = doc
	}
	session := h.login(client.Email, "acme")
	shared := docs["Seller disclosure"].ID.String()
	page := h.get("/my-deals", session)
	expect(t, page, http.StatusOK, "Seller disclosure", `href="/documents/`+shared+`/content"`)
	if strings.Contains(page.body, "Pricing notes") || strings.Contains(page.body, docs["Pricing notes"].ID.String()) {
		t.Fatalf("the portal lists a staff-only document: %.800s", page.body)
	}
	expect(t, h.get("/documents/"+shared+"/content", session), http.StatusOK, "the Seller disclosure")
	if r := h.get("/documents/"+docs["Pricing notes"].ID.String()+"/content", session); r.StatusCode != http.StatusForbidden {
		t.Fatalf("the client downloads a staff-only document: %d, want 403", r.StatusCode)
	}
	log, err := h.env.Document.AccessLog(ctx, agent, docs["Seller disclosure"].ID)
	if err != nil || len(log) != 1 || log[0].MemberID == nil || *log[0].MemberID != client.MemberID || log[0].Action != "download" {
		t.Fatalf("access log: %+v (%v), want the client's download", log, err)
	}
}
