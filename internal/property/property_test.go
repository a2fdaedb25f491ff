package property_test

import (
	"bytes"
	"context"
	"image"
	"image/png"
	"strings"
	"testing"

	"realty"
	"realty/internal/fixture/fixturetest"
	"realty/internal/postgres/pgtest"
	"realty/internal/property"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

func pngBytes(t *testing.T, w int) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := png.Encode(&buf, image.NewRGBA(image.Rect(0, 0, w, w))); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestMedia: uploads are typed by their contents, limited in size, stored
// once however often they are uploaded, ordered, and out of reach of other
// organizations.
func TestMedia(t *testing.T) {
	t.Parallel()
	env := fixturetest.New(t)
	acme, globex := env.Organization(t, "acme"), env.Organization(t, "globex")
	ctx := context.Background()
	pm := acme.Personas["property_manager"].Actor
	p, err := env.Property.Create(ctx, pm, property.Input{AddressLine1: "1 Elm Street", City: "Springfield"})
	if err != nil {
		t.Fatal(err)
	}
	photo := pngBytes(t, 8)
	first, err := env.Property.Upload(ctx, pm, p.ID, "photo", "Front", bytes.NewReader(photo))
	if err != nil || *first.ContentType != "image/png" || first.Position != 0 {
		t.Fatalf("photo: %+v %v", first, err)
	}
	again, err := env.Property.Upload(ctx, pm, p.ID, "floor_plan", "Same bytes", bytes.NewReader(photo))
	if err != nil || *again.BlobKey != *first.BlobKey || again.Position != 1 {
		t.Fatalf("the same contents were not stored once, or not ordered after: %+v %v", again, err)
	}
	for _, c := range []struct {
		name, kind, field string
		body              []byte
	}{
		{"text as a photo", "photo", "file", []byte("just text, named photo.jpg")},
		{"html as a document", "document", "file", []byte("<html><script>alert(1)</script></html>")},
		{"too large", "photo", "file", append(photo, bytes.Repeat([]byte{0}, fixturetest.MaxMedia)...)},
		{"empty", "photo", "file", nil},
		{"a link kind", "video", "kind", photo},
	} {
		_, err := env.Property.Upload(ctx, pm, p.ID, c.kind, "", bytes.NewReader(c.body))
		if realty.KindOf(err) != realty.Invalid || realty.FieldsOf(err)[c.field] == "" {
			t.Errorf("%s: %v, want Invalid naming %s", c.name, err, c.field)
		}
	}
	long := "https://tours.example/" + strings.Repeat("a", 8000)
	if _, err := env.Property.AddLink(ctx, pm, p.ID, "virtual_tour", "", long); realty.FieldsOf(err)["url"] == "" {
		t.Errorf("a link longer than RESO's MediaURL: %v, want Invalid naming url", err)
	}
	media, err := env.Property.MediaOf(ctx, pm, p.ID)
	if err != nil || len(media) != 2 {
		t.Fatalf("refused uploads left media behind: %d %v", len(media), err)
	}
	other := globex.Personas["owner"].Actor
	if _, err := env.Property.Upload(ctx, other, p.ID, "photo", "", bytes.NewReader(photo)); realty.KindOf(err) != realty.NotFound {
		t.Fatalf("another organization uploaded to this property: %v", err)
	}
	if _, err := env.Property.Medium(ctx, other, first.ID); realty.KindOf(err) != realty.NotFound {
		t.Fatalf("another organization read this medium: %v", err)
	}
	if _, err := env.Property.Upload(ctx, acme.Personas["client"].Actor, p.ID, "photo", "", bytes.NewReader(photo)); realty.KindOf(err) != realty.Forbidden {
		t.Fatalf("a client uploaded: %v", err)
	}
}

// TestUnits: unit numbers are unique per property, statuses are the four
// allowed, and a unit cannot name another organization's building.
func TestUnits(t *testing.T) {
	t.Parallel()
	env := fixturetest.New(t)
	acme, globex := env.Organization(t, "acme"), env.Organization(t, "globex")
	ctx := context.Background()
	pm := acme.Personas["property_manager"].Actor
	p, err := env.Property.Create(ctx, pm, property.Input{AddressLine1: "2 Tower Road", City: "Springfield"})
	if err != nil {
		t.Fatal(err)
	}
	b, err := env.Property.CreateBuilding(ctx, pm, p.ID, property.BuildingInput{Name: "North"})
	if err != nil {
		t.Fatal(err)
	}
	u, err := env.Property.CreateUnit(ctx, pm, p.ID, property.UnitInput{UnitNumber: "1A", BuildingID: &b.ID, Status: "vacant"})
	if err != nil || u.Status != "vacant" {
		t.Fatalf("unit: %+v %v", u, err)
	}
	if _, err := env.Property.CreateUnit(ctx, pm, p.ID, property.UnitInput{UnitNumber: "1A"}); realty.KindOf(err) != realty.Conflict {
		t.Fatalf("a second unit 1A: %v", err)
	}
	if _, err := env.Property.CreateUnit(ctx, pm, p.ID, property.UnitInput{UnitNumber: "1B", Status: "haunted"}); realty.FieldsOf(err)["status"] == "" {
		t.Fatalf("an unknown status: %v", err)
	}
	gpm := globex.Personas["property_manager"].Actor
	gp, err := env.Property.Create(ctx, gpm, property.Input{AddressLine1: "3 Other Lane", City: "Shelbyville"})
	if err != nil {
		t.Fatal(err)
	}
	_, err = env.Property.CreateUnit(ctx, gpm, gp.ID, property.UnitInput{UnitNumber: "9", BuildingID: &b.ID})
	if k := realty.KindOf(err); k != realty.NotFound && k != realty.Invalid {
		t.Fatalf("a unit on another organization's building: %v", err)
	}
	if !strings.Contains(realty.MessageOf(err)+strings.Join(mapValues(realty.FieldsOf(err)), " "), "building") {
		t.Fatalf("the refusal does not name the building: %v", err)
	}
}

func mapValues(m map[string]string) []string {
	var out []string
	for k, v := range m {
		out = append(out, k+" "+v)
	}
	return out
}
