package document_test

import (
	"context"
	"testing"

	"realty/internal/document"
	"realty/internal/fixture/fixturetest"
)

// TestSearchReadsTheCurrentVersion: a word only an older version held is
// no longer found once a newer version replaces it, a word of the new one
// is, once, and a new title is searchable; the older version's text stays
// readable through the document.
func TestSearchReadsTheCurrentVersion(t *testing.T) {
	t.Parallel()
	env := fixturetest.New(t)
	acme := env.Organization(t, "acme")
	agent, broker := acme.Personas["agent"].Actor, acme.Personas["broker"].Actor
	ctx := context.Background()
	d := env.OpenDeal(t, acme, "3 Birch purchase")
	doc, err := env.Document.Create(ctx, agent, document.Input{Title: "Seller disclosure", Category: "seller_disclosure",
		EntityType: "deal", EntityID: d.ID}, file("disclosure.txt", []byte("the basement has a heron nest")))
	if err != nil {
		t.Fatal(err)
	}
	count := func(q string) int {
		t.Helper()
		page, err := env.Document.List(ctx, broker, document.Filter{Query: q})
		if err != nil {
			t.Fatal(err)
		}
		return len(page.Items)
	}
	if n := count("heron"); n != 1 {
		t.Fatalf("heron before the new version: %d documents, want 1", n)
	}
	if _, err := env.Document.AddVersion(ctx, agent, doc.ID, file("disclosure-2.txt", []byte("the basement was dried; an ibis nests on the roof"))); err != nil {
		t.Fatal(err)
	}
	if _, err := env.Document.AddVersion(ctx, agent, doc.ID, file("disclosure-3.txt", []byte("the ibis left; the roof was repaired"))); err != nil {
		t.Fatal(err)
	}
	if n, m := count("heron"), count("ibis"); n != 0 || m != 1 {
		t.Fatalf("after two new versions: heron finds %d, ibis %d; want 0 and 1", n, m)
	}
	if _, err := env.Document.Update(ctx, agent, doc.ID, document.Update{Title: "Amended flamingo disclosure",
		Category: "seller_disclosure", Visibility: "staff"}); err != nil {
		t.Fatal(err)
	}
	if n, m, old := count("flamingo"), count("repaired"), count("dried"); n != 1 || m != 1 || old != 0 {
		t.Fatalf("after the new title: flamingo finds %d, repaired %d, dried %d; want 1, 1, 0", n, m, old)
	}
	versions, err := env.Document.Versions(ctx, agent, doc.ID)
	if err != nil || len(versions) != 3 {
		t.Fatalf("versions = %d, %v; want all three kept", len(versions), err)
	}
}
