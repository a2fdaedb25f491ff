package document_test

import (
	"context"
	"io"
	"strings"
	"testing"

	"realty"
	"realty/internal/deal"
	"realty/internal/document"
	"realty/internal/fixture/fixturetest"
)

// TestParticipantDocuments: a client taking part in a deal sees and
// downloads the deal's documents shared with participants or the public,
// each download logged as theirs; a staff-only document, another deal's
// document and a document of a deal they do not take part in stay hidden
// (Forbidden, as before: they hold no document permission).
func TestParticipantDocuments(t *testing.T) {
	t.Parallel()
	env := fixturetest.New(t)
	acme := env.Organization(t, "acme")
	agent, client := acme.Personas["agent"].Actor, acme.Personas["client"]
	ctx := context.Background()
	d := env.OpenDeal(t, acme, "Shared deal")
	other := env.OpenDeal(t, acme, "Other deal")
	if _, err := env.Deal.AddParticipant(ctx, agent, d.ID, deal.ParticipantInput{Role: "buyer", MemberID: &client.MemberID}); err != nil {
		t.Fatal(err)
	}
	filed := map[string]document.Document{}
	for _, f := range []struct {
		title, visibility string
		on                realty.ID
	}{{"Inspection report", "participants", d.ID}, {"Brochure", "public", d.ID}, {"Offer strategy", "staff", d.ID},
		{"Other report", "participants", other.ID}} {
		doc, err := env.Document.Create(ctx, agent, document.Input{Title: f.title, Category: "report", EntityType: "deal",
			EntityID: f.on, Visibility: f.visibility}, file(f.title+".txt", []byte("text of "+f.title)))
		if err != nil {
			t.Fatal(err)
		}
		filed[f.title] = doc
	}

	shared, err := env.Document.SharedWith(ctx, client.Actor, "deal", d.ID)
	if err != nil {
		t.Fatal(err)
	}
	var titles []string
	for _, doc := range shared {
		titles = append(titles, doc.Title)
	}
	if got := strings.Join(titles, ", "); got != "Brochure, Inspection report" {
		t.Fatalf("shared with the client: %q, want the public and participants documents, never staff", got)
	}
	if _, err := env.Document.SharedWith(ctx, client.Actor, "deal", other.ID); realty.KindOf(err) != realty.NotFound {
		t.Fatalf("documents of a deal the client is not on: err = %v, want NotFound", err)
	}

	r, v, err := env.Document.Open(ctx, client.Actor, filed["Inspection report"].ID, 0, false, document.Client{UserAgent: "portal"})
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(r)
	r.Close()
	if string(body) != "text of Inspection report" || v.Version != 1 {
		t.Fatalf("downloaded %q (version %d)", body, v.Version)
	}
	log, err := env.Document.AccessLog(ctx, agent, filed["Inspection report"].ID)
	if err != nil || len(log) != 1 || log[0].Action != "download" || log[0].MemberID == nil || *log[0].MemberID != client.MemberID {
		t.Fatalf("access log: %+v (%v), want one download by the client", log, err)
	}
	for _, title := range []string{"Offer strategy", "Other report"} {
		if _, _, err := env.Document.Open(ctx, client.Actor, filed[title].ID, 0, false, document.Client{}); realty.KindOf(err) != realty.Forbidden {
			t.Errorf("client opens %s: err = %v, want Forbidden", title, err)
		}
	}
	if _, _, err := env.Document.Open(ctx, acme.Personas["resident"].Actor, filed["Brochure"].ID, 0, false, document.Client{}); realty.KindOf(err) != realty.Forbidden {
		t.Errorf("a member on no deal opens a shared document: err = %v, want Forbidden", err)
	}
	if log, _ := env.Document.AccessLog(ctx, agent, filed["Offer strategy"].ID); len(log) != 0 {
		t.Errorf("a refused open was logged: %+v", log)
	}
}
