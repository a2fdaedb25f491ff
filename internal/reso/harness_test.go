package reso_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"realty"
	"realty/internal/api"
	"realty/internal/fixture"
	"realty/internal/fixture/fixturetest"
	"realty/internal/identity"
	"realty/internal/listing"
	"realty/internal/postgres/pgtest"
	"realty/internal/property"
	"realty/internal/reso"
	"realty/internal/server"
	"realty/internal/web"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// harness is the real server tree over a fresh database holding two
// organizations: acme with eight listings (three with known details, five
// more in Houston for paging), three open houses (one Public, one Virtual,
// one Association) and two media; globex with a
// listing whose key is also one of acme's, and one of its own.
type harness struct {
	t      *testing.T
	env    fixturetest.Env
	url    string
	a, b   fixture.Org
	keyA   string // acme: listing.read, member.read, property.read
	keyB   string // globex: the same
	keyMin string // acme: listing.read only
	keyNo  string // acme: member.read only
	l1, l2 listing.Listing
	ohA    listing.OpenHouse
	ohB    listing.OpenHouse
	// ohLocal are acme's open houses of realty's local types Virtual and
	// Association.
	ohLocal []listing.OpenHouse
	mediaA  []property.Media
}

func newHarness(t *testing.T) *harness {
	t.Helper()
	env := fixturetest.New(t)
	h := &harness{t: t, env: env, a: env.Organization(t, "acme"), b: env.Organization(t, "globex")}
	log := server.NewLogger(io.Discard, "json", "error")
	srv, err := server.New(server.Options{Addr: "127.0.0.1:0", MaxBodyBytes: 1 << 20, Log: log, Pool: env.Pool,
		Metrics: server.NewMetrics(env.Pool, log),
		API:     api.Deps{Log: log, Version: "test", Services: env.Services},
		Web:     web.Deps{Log: log, Version: "test", Services: env.Services},
		RESO:    reso.Deps{Log: log, Pool: env.Pool, Org: env.Org}})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv.Handler)
	t.Cleanup(ts.Close)
	h.url = ts.URL
	all := []string{"listing.read", "member.read", "property.read"}
	h.keyA, h.keyB = h.apiKey(h.a, all), h.apiKey(h.b, all)
	h.keyMin, h.keyNo = h.apiKey(h.a, []string{"listing.read"}), h.apiKey(h.a, []string{"member.read"})
	h.seed()
	return h
}

func (h *harness) apiKey(o fixture.Org, perms []string) string {
	h.t.Helper()
	_, secret, err := h.env.Identity.CreateAPIKey(context.Background(), o.Personas["owner"].Actor,
		identity.NewAPIKey{Name: "reso " + strings.Join(perms, " "), Permissions: perms}, identity.Client{})
	if err != nil {
		h.t.Fatal(err)
	}
	return secret
}

// remarks holds characters JSON must escape.
const remarks = "Sunny \"corner\" lot\nwith a \\ and a tab\t– naïve café ✓"

func (h *harness) seed() {
	agent := h.a.Personas["agent"].Actor
	h.l1 = h.listing(agent, "A-1", "Austin", "500000", listing.Fields{
		StandardStatus: ptr("Active"), MlsStatus: ptr("Active - Showing"), PropertySubType: ptr("SingleFamilyResidence"),
		BedroomsTotal: ptr(3), BathroomsTotal: ptr(2.5), PublicRemarks: ptr(remarks), PrivateRemarks: ptr("gate code 1234"),
		OnMarketDate: &realty.Date{Year: 2024, Month: 5, Day: 1}, Appliances: &[]string{"Dishwasher", "Refrigerator", "Granite Counters"},
		Cooling: &[]string{"CentralAir"}})
	h.l2 = h.listing(agent, "O'Brien-2", "austin", "750000", listing.Fields{StandardStatus: ptr("Pending"),
		MlsStatus: ptr("Under Contract"), PropertySubType: ptr("Garden Home"),
		OnMarketDate: &realty.Date{Year: 2024, Month: 6, Day: 15}, Appliances: &[]string{"Dishwasher"}})
	h.listing(agent, "A-3", "Dallas", "300000", listing.Fields{})
	for i := range 5 {
		h.listing(agent, "H-"+string(rune('1'+i)), "Houston", "40000"+string(rune('1'+i)), listing.Fields{})
	}
	other := h.b.Personas["agent"].Actor
	h.listing(other, "A-1", "Austin", "999999", listing.Fields{})
	lb := h.listing(other, "B-1", "Austin", "123456", listing.Fields{})
	ctx := context.Background()
	start := time.Date(2024, 7, 6, 23, 30, 0, 0, time.UTC)
	var err error
	h.ohA, err = h.env.Listing.ScheduleOpenHouse(ctx, agent, h.l1.ID, listing.OpenHouseInput{StartsAt: start, EndsAt: start.Add(2 * time.Hour)})
	h.must(err)
	h.ohB, err = h.env.Listing.ScheduleOpenHouse(ctx, other, lb.ID, listing.OpenHouseInput{StartsAt: start, EndsAt: start.Add(time.Hour)})
	h.must(err)
	for _, typ := range []string{"Virtual", "Association"} {
		start = start.AddDate(0, 0, 7)
		oh, err := h.env.Listing.ScheduleOpenHouse(ctx, agent, h.l2.ID, listing.OpenHouseInput{StartsAt: start, EndsAt: start.Add(time.Hour),
			OpenHouseType: typ})
		h.must(err)
		h.ohLocal = append(h.ohLocal, oh)
	}
	tour, err := h.env.Property.AddLink(ctx, agent, h.l1.PropertyID, "virtual_tour", "Walk through", "https://tours.example/a1")
	h.must(err)
	photo, err := h.env.Property.Upload(ctx, agent, h.l1.PropertyID, "photo", "Front", bytes.NewReader(png))
	h.must(err)
	h.mediaA = []property.Media{tour, photo}
}

// png is the smallest file sniffed as image/png.
var png = []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89")

func (h *harness) listing(actor realty.Actor, key, city, price string, f listing.Fields) listing.Listing {
	h.t.Helper()
	f.ListPrice = ptr(decimal.RequireFromString(price))
	l, err := h.env.Listing.Create(context.Background(), actor, listing.Input{ListingKey: key, ListingID: ptr("MLS-" + key),
		Property: &property.Input{AddressLine1: "1 " + key + " Street", City: city, StateProvince: "TX", PostalCode: ptr("78701")},
		Fields:   f})
	h.must(err)
	return l
}

func (h *harness) must(err error) {
	h.t.Helper()
	if err != nil {
		h.t.Fatal(err)
	}
}

func ptr[T any](v T) *T { return &v }

// get fetches path (under the server) with a bearer credential.
func (h *harness) get(path, credential string) (*http.Response, []byte) {
	h.t.Helper()
	req, err := http.NewRequest("GET", h.url+path, nil)
	h.must(err)
	if credential != "" {
		req.Header.Set("Authorization", "Bearer "+credential)
	}
	resp, err := http.DefaultClient.Do(req)
	h.must(err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	h.must(err)
	return resp, body
}

// collection is a decoded entity set page.
type collection struct {
	Context  string           `json:"@odata.context"`
	Count    *int             `json:"@odata.count"`
	NextLink string           `json:"@odata.nextLink"`
	Value    []map[string]any `json:"value"`
}

// page fetches a collection and fails the test unless it is a 200.
func (h *harness) page(path, credential string) collection {
	h.t.Helper()
	resp, body := h.get(path, credential)
	if resp.StatusCode != 200 {
		h.t.Fatalf("GET %s = %d: %s", path, resp.StatusCode, body)
	}
	var c collection
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if err := dec.Decode(&c); err != nil {
		h.t.Fatalf("GET %s: %v in %s", path, err, body)
	}
	return c
}

// keys lists a page's values of one field, in order.
func keys(c collection, field string) []string {
	out := make([]string, len(c.Value))
	for i, v := range c.Value {
		out[i], _ = v[field].(string)
	}
	return out
}

// odataError checks an OData error body and returns its message.
func (h *harness) odataError(path, credential string, status int) string {
	h.t.Helper()
	resp, body := h.get(path, credential)
	if resp.StatusCode != status {
		h.t.Fatalf("GET %s = %d, want %d: %s", path, resp.StatusCode, status, body)
	}
	var e struct {
		Error struct{ Code, Message string } `json:"error"`
	}
	if err := json.Unmarshal(body, &e); err != nil || e.Error.Code == "" || e.Error.Message == "" {
		h.t.Fatalf("GET %s: not an OData error: %s", path, body)
	}
	if !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
		h.t.Fatalf("GET %s: content type %q", path, resp.Header.Get("Content-Type"))
	}
	return e.Error.Message
}
