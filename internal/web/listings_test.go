package web_test

import (
	"bytes"
	"context"
	"image"
	"image/png"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/shopspring/decimal"

	"realty"
	"realty/internal/fixture"
	"realty/internal/listing"
	"realty/internal/property"
)

// listed creates a listing of a new property as the persona.
func listed(t *testing.T, h *harness, o fixture.Org, persona, street, city string, price int64) listing.Listing {
	t.Helper()
	p := decimal.NewFromInt(price)
	beds := 3
	l, err := h.env.Listing.Create(context.Background(), o.Personas[persona].Actor, listing.Input{
		Property: &property.Input{AddressLine1: street, City: city, StateProvince: "TX"}, ListingKey: strings.ReplaceAll(street, " ", "-"),
		Fields: listing.Fields{ListPrice: &p, BedroomsTotal: &beds}})
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// TestListingPages: search with filters, counts and field errors in place;
// the listing page with its history; editing the price writes history and
// a bad price comes back in place; another organization's listing is 404.
func TestListingPages(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	acme, globex := h.env.Organization(t, "acme"), h.env.Organization(t, "globex")
	l := listed(t, h, acme, "agent", "12 Elm Street", "Austin", 450000)
	listed(t, h, acme, "agent", "14 Oak Avenue", "Denver", 650000)
	foreign := listed(t, h, globex, "agent", "99 Foreign Road", "Austin", 300000)
	agent := h.login(acme.Personas["agent"].Email, "acme")

	expect(t, h.get("/listings?city=Austin&status=Active", agent), http.StatusOK, "12 Elm Street", "1 listings match", `value="Austin"`)
	r := h.get("/listings?city=Austin", agent)
	if strings.Contains(r.body, "99 Foreign Road") || strings.Contains(r.body, "14 Oak Avenue") {
		t.Fatalf("the search shows another city or organization: %.500s", r.body)
	}
	expect(t, h.get("/listings?min_price=lots&city=Austin", agent), http.StatusUnprocessableEntity, "is not a number", `value="lots"`)
	expect(t, h.get("/listings?status=Sold", agent), http.StatusUnprocessableEntity, "is not a RESO StandardStatus")
	expect(t, h.get("/listings?sort=distance", agent), http.StatusUnprocessableEntity, "distance needs lat and lng")
	expect(t, h.get("/listings?lat=30.2", agent), http.StatusUnprocessableEntity, "lat and lng go together")
	expect(t, h.get("/listings?cursor=garbage", agent), http.StatusUnprocessableEntity, "is not a cursor")

	expect(t, h.get("/listings/"+l.ID.String(), agent), http.StatusOK, "12 Elm Street", "$450,000", "NewListing")
	expect(t, h.get("/listings/"+foreign.ID.String(), agent), http.StatusNotFound)
	expect(t, h.get("/listings/"+realty.NewID().String(), agent), http.StatusNotFound)
	expect(t, h.get("/listings/"+l.ID.String()+"/photo", agent), http.StatusNotFound)

	expect(t, h.post("/listings/"+l.ID.String(), url.Values{"list_price": {"-5"}}, agent), http.StatusUnprocessableEntity,
		"must be positive", `value="-5"`)
	r = h.post("/listings/"+l.ID.String(), url.Values{"list_price": {"425000"}}, agent)
	if r.StatusCode != http.StatusSeeOther {
		t.Fatalf("price change: %d %.300s", r.StatusCode, r.body)
	}
	expect(t, h.get("/listings/"+l.ID.String(), agent), http.StatusOK, "$425,000", "PriceChange", "$450000.00 → $425000.00")
	expect(t, h.post("/listings/"+foreign.ID.String(), url.Values{"list_price": {"1"}}, agent), http.StatusNotFound)

	expect(t, h.post("/listings", url.Values{"list_price": {"300000"}, "list_type": {"sale"}}, agent), http.StatusUnprocessableEntity, "field-error")
	r = h.post("/listings", url.Values{"address_line1": {"5 New Lane"}, "city": {"Austin"}, "list_price": {"310000"},
		"list_type": {"sale"}, "standard_status": {"Active"}, "property_type": {"Residential"}}, agent)
	if r.StatusCode != http.StatusSeeOther || !strings.HasPrefix(r.Header.Get("Location"), "/listings/") {
		t.Fatalf("create: %d %q %.300s", r.StatusCode, r.Header.Get("Location"), r.body)
	}
	expect(t, h.get(strings.Split(r.Header.Get("Location"), "?")[0], agent), http.StatusOK, "5 New Lane", "$310,000")
}

// TestListingSearchStatuses: the search offers its status filters in
// words, without Delete and Incomplete.
func TestListingSearchStatuses(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	acme := h.env.Organization(t, "acme")
	r := h.get("/listings", h.login(acme.Personas["agent"].Email, "acme"))
	expect(t, r, http.StatusOK, `value="ActiveUnderContract"> Active under contract</label>`, "Coming soon")
	if strings.Contains(r.body, `value="Delete"`) || strings.Contains(r.body, `value="Incomplete"`) {
		t.Error("the search offers Delete or Incomplete as a status filter")
	}
}

func pngOf(t *testing.T) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := png.Encode(&buf, image.NewRGBA(image.Rect(0, 0, 4, 4))); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// upload posts a file to the property's media form.
func (h *harness) upload(path string, session *http.Cookie, kind string, content []byte) reply {
	h.t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	_ = mw.WriteField("kind", kind)
	_ = mw.WriteField("caption", "Front")
	fw, _ := mw.CreateFormFile("file", "photo.jpg")
	_, _ = io.Copy(fw, bytes.NewReader(content))
	_ = mw.Close()
	req, _ := http.NewRequest(http.MethodPost, h.url+path, &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	req.AddCookie(&http.Cookie{Name: session.Name, Value: session.Value})
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Do(req)
	if err != nil {
		h.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return reply{Response: resp, body: string(b)}
}

// TestPropertyPages: the portfolio list and a property's page; buildings,
// units (with status) and media added through its forms, refusals in
// place; another organization's property is 404.
func TestPropertyPages(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	acme, globex := h.env.Organization(t, "acme"), h.env.Organization(t, "globex")
	ctx := context.Background()
	p, err := h.env.Property.Create(ctx, acme.Personas["property_manager"].Actor, property.Input{AddressLine1: "1 Tower Road", City: "Austin"})
	if err != nil {
		t.Fatal(err)
	}
	gp, err := h.env.Property.Create(ctx, globex.Personas["property_manager"].Actor, property.Input{AddressLine1: "2 Far Street", City: "Austin"})
	if err != nil {
		t.Fatal(err)
	}
	pm := h.login(acme.Personas["property_manager"].Email, "acme")
	page := "/properties/" + p.ID.String()
	expect(t, h.get("/properties", pm), http.StatusOK, "1 Tower Road")
	if strings.Contains(h.get("/properties", pm).body, "2 Far Street") {
		t.Fatal("another organization's property is listed")
	}
	expect(t, h.get("/properties/"+gp.ID.String(), pm), http.StatusNotFound)
	expect(t, h.post("/properties/"+gp.ID.String()+"/units", url.Values{"unit_number": {"1"}, "status": {"vacant"}}, pm), http.StatusNotFound)

	if r := h.post(page+"/buildings", url.Values{"name": {"North"}}, pm); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("building: %d %.300s", r.StatusCode, r.body)
	}
	expect(t, h.post(page+"/units", url.Values{"unit_number": {"1A"}, "status": {"vacant"}, "market_rent": {"many"}}, pm),
		http.StatusUnprocessableEntity, "is not a number", `value="many"`)
	if r := h.post(page+"/units", url.Values{"unit_number": {"1A"}, "status": {"occupied"}, "market_rent": {"1850"}}, pm); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("unit: %d %.300s", r.StatusCode, r.body)
	}
	expect(t, h.post(page+"/units", url.Values{"unit_number": {"1A"}, "status": {"vacant"}}, pm), http.StatusConflict, "1A")
	expect(t, h.get(page, pm), http.StatusOK, "North", `data-status="occupied"`, "$1,850")

	expect(t, h.upload(page+"/media", pm, "photo", []byte("not an image at all")), http.StatusUnprocessableEntity, "text/plain", "field-error")
	if r := h.upload(page+"/media", pm, "photo", pngOf(t)); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("upload: %d %.300s", r.StatusCode, r.body)
	}
	media, err := h.env.Property.MediaOf(ctx, acme.Personas["property_manager"].Actor, p.ID)
	if err != nil || len(media) != 1 {
		t.Fatalf("media after upload: %v %v", media, err)
	}
	r := h.get("/media/"+media[0].ID.String()+"/content", pm)
	if r.StatusCode != http.StatusOK || r.Header.Get("Content-Type") != "image/png" {
		t.Fatalf("media content: %d %s", r.StatusCode, r.Header.Get("Content-Type"))
	}
	other := h.login(globex.Personas["owner"].Email, "globex")
	expect(t, h.get("/media/"+media[0].ID.String()+"/content", other), http.StatusNotFound)
}
