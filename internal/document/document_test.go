package document_test

import (
	"bytes"
	"context"
	"image"
	"image/png"
	"io"
	"strings"
	"testing"

	"realty"
	"realty/internal/document"
	"realty/internal/fixture/fixturetest"
	"realty/internal/postgres/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

func pngBytes(t *testing.T) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := png.Encode(&b, image.NewRGBA(image.Rect(0, 0, 2, 2))); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func file(name string, b []byte) document.File {
	return document.File{Name: name, Body: bytes.NewReader(b)}
}

func TestUploadSniffsTypeCleansNamesAndKeepsVersions(t *testing.T) {
	t.Parallel()
	env := fixturetest.New(t)
	acme := env.Organization(t, "acme")
	agent := acme.Personas["agent"].Actor
	ctx := context.Background()
	d := env.OpenDeal(t, acme, "12 Elm purchase")
	doc, err := env.Document.Create(ctx, agent, document.Input{Title: "Floor plan", Category: "floor_plan", EntityType: "deal",
		EntityID: d.ID}, file("../../../etc/plan\x00.pdf", pngBytes(t)))
	if err != nil {
		t.Fatal(err)
	}
	if doc.ContentType != "image/png" || doc.FileName != "plan.pdf" || doc.Version != 1 || doc.Visibility != "staff" {
		t.Fatalf("uploaded = %+v, want image/png named plan.pdf, version 1, staff", doc)
	}
	long := strings.Repeat("x", 5000) + ".txt"
	v2, err := env.Document.AddVersion(ctx, agent, doc.ID, file(long, []byte("second draft of the plan")))
	if err != nil {
		t.Fatal(err)
	}
	if v2.Version != 2 || v2.ContentType != "text/plain; charset=utf-8" || len(v2.FileName) != 255 || !strings.HasSuffix(v2.FileName, ".txt") {
		t.Fatalf("second version = %+v, want version 2 of text with a 255-byte name", v2)
	}
	got, err := env.Document.Get(ctx, agent, doc.ID)
	if err != nil || got.Version != 2 || *got.CurrentVersionID != v2.ID {
		t.Fatalf("after a new version: %+v, %v; want version 2 current", got, err)
	}
	versions, err := env.Document.Versions(ctx, agent, doc.ID)
	if err != nil || len(versions) != 2 || versions[1].ContentType != "image/png" {
		t.Fatalf("versions = %+v, %v; want both kept, the PNG first uploaded", versions, err)
	}
	r, v, err := env.Document.Open(ctx, agent, doc.ID, 1, false, document.Client{})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(r)
	r.Close()
	if !bytes.Equal(b, pngBytes(t)) || v.SHA256 != v.BlobKey {
		t.Fatalf("version 1 opens %d bytes (sha %s), want the PNG", len(b), v.SHA256)
	}
}

func TestUploadRefusesBadInput(t *testing.T) {
	t.Parallel()
	env := fixturetest.New(t)
	acme, globex := env.Organization(t, "acme"), env.Organization(t, "globex")
	agent := acme.Personas["agent"].Actor
	ctx := context.Background()
	d := env.OpenDeal(t, acme, "12 Elm purchase")
	other := env.OpenDeal(t, globex, "Globex deal")
	in := document.Input{Title: "Offer", Category: "offer", EntityType: "deal", EntityID: d.ID}
	for _, c := range []struct {
		name  string
		in    func(document.Input) document.Input
		body  []byte
		field string
	}{
		{"too large", nil, bytes.Repeat([]byte("a"), fixturetest.MaxMedia+1), "file"},
		{"empty", nil, nil, "file"},
		{"html", nil, []byte("<!DOCTYPE html><html><script>alert(1)</script></html>"), "file"},
		{"another organization's deal", func(i document.Input) document.Input { i.EntityID = other.ID; return i }, []byte("x"), "entity_id"},
		{"unknown entity type", func(i document.Input) document.Input { i.EntityType = "boat"; return i }, []byte("x"), "entity_type"},
		{"bad category", func(i document.Input) document.Input { i.Category = "Bad Category!"; return i }, []byte("x"), "category"},
		{"no title", func(i document.Input) document.Input { i.Title = " "; return i }, []byte("x"), "title"},
	} {
		input := in
		if c.in != nil {
			input = c.in(in)
		}
		_, err := env.Document.Create(ctx, agent, input, file("a.pdf", c.body))
		if realty.FieldsOf(err)[c.field] == "" {
			t.Errorf("%s: err = %v, want a field error on %s", c.name, err, c.field)
		}
	}
	list, err := env.Document.List(ctx, acme.Personas["broker"].Actor, document.Filter{})
	if err != nil || len(list.Items) != 0 {
		t.Fatalf("after refused uploads: %d documents, %v; want none", len(list.Items), err)
	}
}

func TestSearchFindsWordsInsidePDFsOfOneOrganization(t *testing.T) {
	t.Parallel()
	env := fixturetest.New(t)
	acme, globex := env.Organization(t, "acme"), env.Organization(t, "globex")
	ctx := context.Background()
	for _, o := range []struct {
		deal string
		text string
	}{{"acme", "The inspection found a wombat burrow under the porch"}, {"globex", "Globex wombat survey"}} {
		org := acme
		if o.deal == "globex" {
			org = globex
		}
		d := env.OpenDeal(t, org, o.deal+" deal")
		if _, err := env.Document.Create(ctx, org.Personas["agent"].Actor, document.Input{Title: "Inspection report",
			Category: "inspection_report", EntityType: "deal", EntityID: d.ID}, file("report.pdf", minimalPDF(o.text))); err != nil {
			t.Fatal(err)
		}
	}
	d := env.OpenDeal(t, acme, "other")
	if _, err := env.Document.Create(ctx, acme.Personas["agent"].Actor, document.Input{Title: "Appraisal", Category: "appraisal",
		EntityType: "deal", EntityID: d.ID}, file("a.txt", []byte("an appraisal of the porch"))); err != nil {
		t.Fatal(err)
	}
	page, err := env.Document.List(ctx, acme.Personas["broker"].Actor, document.Filter{Query: "wombat"})
	hits := page.Items
	if err != nil || len(hits) != 1 || hits[0].Title != "Inspection report" || hits[0].Rank <= 0 {
		t.Fatalf("search wombat in acme = %+v, %v; want acme's one inspection report, ranked", hits, err)
	}
	// Two documents hold porch: a page of one, then the other.
	first, err := env.Document.List(ctx, acme.Personas["broker"].Actor, document.Filter{Query: "porch", Limit: 1})
	if err != nil || len(first.Items) != 1 || first.NextCursor == "" {
		t.Fatalf("search porch, page 1 = %+v, %v; want one hit and a cursor", first, err)
	}
	second, err := env.Document.List(ctx, acme.Personas["broker"].Actor, document.Filter{Query: "porch", Limit: 1, Cursor: first.NextCursor})
	if err != nil || len(second.Items) != 1 || second.NextCursor != "" || second.Items[0].ID == first.Items[0].ID {
		t.Fatalf("search porch, page 2 = %+v, %v; want the other hit and no cursor", second, err)
	}
	newest, err := env.Document.List(ctx, acme.Personas["broker"].Actor, document.Filter{Limit: 1})
	if err != nil || newest.NextCursor == "" {
		t.Fatalf("newest page = %+v, %v", newest, err)
	}
	rest, err := env.Document.List(ctx, acme.Personas["broker"].Actor, document.Filter{Limit: 5, Cursor: newest.NextCursor})
	if err != nil || len(rest.Items) != 1 || rest.Items[0].ID == newest.Items[0].ID {
		t.Fatalf("after the newest = %+v, %v; want the older one", rest, err)
	}
	if z, err := env.Document.List(ctx, acme.Personas["broker"].Actor, document.Filter{Query: "zebra"}); err != nil || len(z.Items) != 0 {
		t.Fatalf("search zebra = %+v, %v; want nothing", z, err)
	}
	cats, err := env.Document.Categories(ctx, acme.Personas["agent"].Actor, "deal", d.ID)
	if err != nil || len(cats) != 1 || cats[0] != "appraisal" {
		t.Fatalf("categories of the deal = %v, %v; want [appraisal]", cats, err)
	}
}
