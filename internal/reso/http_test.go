package reso_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// q builds a Property query string from name/value pairs.
func q(pairs ...string) string {
	v := url.Values{}
	for i := 0; i < len(pairs); i += 2 {
		v.Set(pairs[i], pairs[i+1])
	}
	return "/reso/odata/Property?" + v.Encode()
}

func TestAuth(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	for _, c := range []struct {
		name, path, credential string
		status                 int
	}{
		{"ErrNoCredential", "/reso/odata/Property", "", 401},
		{"ErrNoCredentialMetadata", "/reso/odata/$metadata", "", 401},
		{"ErrNoCredentialRoot", "/reso/odata/", "", 401},
		{"ErrBadKey", "/reso/odata/Property", "rk_000000000000_notakeyatallnotakeyatallnotakeyatall00000", 401},
		{"ErrNotAToken", "/reso/odata/Property", "garbage", 401},
		{"ErrNoListingRead", "/reso/odata/Property", h.keyNo, 403},
		{"ErrMemberNeedsMemberRead", "/reso/odata/Member", h.keyMin, 403},
		{"ErrMediaNeedsPropertyRead", "/reso/odata/Media", h.keyMin, 403},
		{"ErrUnknownSet", "/reso/odata/Nope", h.keyA, 404},
		{"ErrDeeperPath", "/reso/odata/Property/ListPrice", h.keyA, 404},
	} {
		t.Run(c.name, func(t *testing.T) {
			h.odataError(c.path, c.credential, c.status)
		})
	}
	t.Run("OKListingReadOnly", func(t *testing.T) {
		if c := h.page("/reso/odata/Property", h.keyMin); len(c.Value) != 8 {
			t.Fatalf("%d listings", len(c.Value))
		}
	})
	t.Run("OKChallenge", func(t *testing.T) {
		resp, _ := h.get("/reso/odata/Property", "")
		if !strings.HasPrefix(resp.Header.Get("WWW-Authenticate"), "Bearer") {
			t.Fatalf("WWW-Authenticate %q", resp.Header.Get("WWW-Authenticate"))
		}
	})
	t.Run("ErrReadOnly", func(t *testing.T) {
		resp, err := http.Post(h.url+"/reso/odata/Property", "application/json", strings.NewReader("{}"))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 405 || resp.Header.Get("Allow") != "GET, HEAD" {
			t.Fatalf("POST = %d, Allow %q", resp.StatusCode, resp.Header.Get("Allow"))
		}
	})
}

func TestServiceDocument(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	for _, path := range []string{"/reso/odata/", "/reso/odata"} {
		c := h.page(path, h.keyA)
		if c.Context != h.url+"/reso/odata/$metadata" || len(c.Value) != 6 {
			t.Fatalf("%s: %+v", path, c)
		}
		var doc map[string]any
		_, body := h.get(path, h.keyA)
		if err := json.Unmarshal(body, &doc); err != nil || doc["@realty.oauth.tokenEndpoint"] != h.url+"/reso/oauth/token" {
			t.Errorf("%s: the service document does not advertise the token endpoint: %v %v", path, doc, err)
		}
		for i, name := range []string{"Property", "Member", "OpenHouse", "Media", "Office", "Lookup"} {
			if c.Value[i]["name"] != name || c.Value[i]["kind"] != "EntitySet" || c.Value[i]["url"] != name {
				t.Errorf("%s: set %d is %v", path, i, c.Value[i])
			}
		}
	}
}

func TestIsolation(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	a := h.page(q("$count", "true", "$top", "1000"), h.keyA)
	if *a.Count != 8 || len(a.Value) != 8 || slices.Contains(keys(a, "ListingKey"), "B-1") {
		t.Fatalf("acme sees %d (count %d): %v", len(a.Value), *a.Count, keys(a, "ListingKey"))
	}
	for _, v := range a.Value {
		if v["ListPrice"].(interface{ String() string }).String() == "999999.00" {
			t.Fatalf("acme sees globex's A-1: %v", v)
		}
	}
	h.odataError("/reso/odata/Property('B-1')", h.keyA, 404)
	mine := h.page("/reso/odata/Property?$filter="+url.QueryEscape("City eq 'Austin'")+"&$orderby=ListingKey", h.keyA)
	if got := keys(mine, "ListingKey"); !slices.Equal(got, []string{"A-1", "O'Brien-2"}) {
		t.Fatalf("acme's Austin listings %v", got)
	}
	resp, body := h.get("/reso/odata/Property('A-1')", h.keyB)
	if resp.StatusCode != 200 || !strings.Contains(string(body), `"ListPrice":999999.00`) {
		t.Fatalf("globex's own A-1: %d %s", resp.StatusCode, body)
	}
	b := h.page("/reso/odata/Property", h.keyB)
	if got := keys(b, "ListingKey"); len(got) != 2 {
		t.Fatalf("globex sees %v", got)
	}
	h.odataError("/reso/odata/OpenHouse('"+h.ohB.ID.String()+"')", h.keyA, 404)
	ohs := []string{h.ohA.ID.String(), h.ohLocal[0].ID.String(), h.ohLocal[1].ID.String()}
	if oh := h.page("/reso/odata/OpenHouse", h.keyA); !slices.Equal(keys(oh, "OpenHouseKey"), ohs) {
		t.Fatalf("acme's open houses %v", oh.Value)
	}
	if m := h.page("/reso/odata/Media", h.keyB); len(m.Value) != 0 {
		t.Fatalf("globex sees media %v", m.Value)
	}
	h.odataError("/reso/odata/Media('"+h.mediaA[0].ID.String()+"')", h.keyB, 404)
	h.odataError("/reso/odata/Member('"+h.b.Personas["agent"].MemberID.String()+"')", h.keyA, 404)
	tokA := h.token(h.keyA) // an access token of acme's key reads what the key reads, nothing of globex
	if c := h.page(q("$count", "true"), tokA); *c.Count != 8 || slices.Contains(keys(c, "ListingKey"), "B-1") {
		t.Fatalf("acme's token sees %v", keys(c, "ListingKey"))
	}
	h.odataError("/reso/odata/Property('B-1')", tokA, 404)
	h.odataError("/reso/odata/OpenHouse('"+h.ohB.ID.String()+"')", tokA, 404)
	if m := h.page("/reso/odata/Media", h.token(h.keyB)); len(m.Value) != 0 {
		t.Fatalf("globex's token sees media %v", m.Value)
	}
	for _, m := range h.page("/reso/odata/Member", h.keyA).Value {
		if !strings.HasSuffix(m["MemberEmail"].(string), "@acme.example") {
			t.Fatalf("acme sees member %v", m)
		}
	}
	if o := h.page("/reso/odata/Office", h.keyB); len(o.Value) != 1 || o.Value[0]["OfficeKey"] != h.b.Organization.ID.String() {
		t.Fatalf("globex's offices %v", o.Value)
	}
	h.odataError("/reso/odata/Office('"+h.a.Organization.ID.String()+"')", h.keyB, 404)
	if n := h.count("/reso/odata/Property/$count", h.keyB); n != "2" {
		t.Fatalf("globex counts %s listings", n)
	}
	// Expansions: globex's A-1 shares its key with acme's, which has media;
	// globex's expansions hold only globex's media, open houses, agent and
	// office, and acme's never globex's.
	const nav = "Media,OpenHouse,ListAgent,ListOffice"
	gb := h.page(q("$expand", nav, "$orderby", "ListingKey"), h.keyB)
	if got := keysOfRelated(t, gb, "Media", "MediaKey"); len(got) != 0 {
		t.Fatalf("globex's expansions show media %v", got)
	}
	if got := keysOfRelated(t, gb, "OpenHouse", "OpenHouseKey"); !slices.Equal(got, []string{h.ohB.ID.String()}) {
		t.Fatalf("globex's expansions show open houses %v", got)
	}
	for _, v := range gb.Value {
		agent, _ := v["ListAgent"].(map[string]any)
		office, _ := v["ListOffice"].(map[string]any)
		if agent["MemberKey"] != h.b.Personas["agent"].MemberID.String() || office["OfficeKey"] != h.b.Organization.ID.String() {
			t.Fatalf("globex's %s expands agent %v, office %v", v["ListingKey"], agent, office)
		}
	}
	ga := h.page(q("$expand", nav), h.keyA)
	if got, want := keysOfRelated(t, ga, "OpenHouse", "OpenHouseKey"), slices.Sorted(slices.Values(ohs)); !slices.Equal(got, want) {
		t.Fatalf("acme's expansions show open houses %v", got)
	}
	for _, m := range h.page("/reso/odata/Member?$expand=Office", h.keyB).Value {
		if office, _ := m["Office"].(map[string]any); office["OfficeKey"] != h.b.Organization.ID.String() {
			t.Fatalf("globex's member %v has office %v", m["MemberKey"], m["Office"])
		}
	}
}

func TestFilters(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	houston := []string{"H-1", "H-2", "H-3", "H-4", "H-5"}
	all := append([]string{"A-1", "A-3"}, append(houston, "O'Brien-2")...)
	for _, c := range []struct {
		filter string
		want   []string
	}{
		{"StandardStatus eq 'Active' and City eq 'austin'", []string{"A-1"}},
		{"StandardStatus eq org.reso.metadata.enums.StandardStatus'Pending'", []string{"O'Brien-2"}},
		{"StandardStatus has org.reso.metadata.enums.StandardStatus'Pending'", []string{"O'Brien-2"}},
		{"StandardStatus ne 'Active'", []string{"O'Brien-2"}},
		{"StandardStatus in ('Pending', 'Closed')", []string{"O'Brien-2"}},
		{"Appliances/any(a: a eq 'Dishwasher')", []string{"A-1", "O'Brien-2"}},
		{"Appliances/any(a: a eq 'Refrigerator' or a eq 'Washer')", []string{"A-1"}},
		{"Appliances/all(a: a eq 'Dishwasher')", append([]string{"A-3"}, append(houston, "O'Brien-2")...)},
		{"Appliances/any()", []string{"A-1", "O'Brien-2"}},
		{"Appliances has 'Refrigerator' and Cooling/any(c: c eq 'CentralAir')", []string{"A-1"}},
		{"OnMarketDate ge 2024-06-01", []string{"O'Brien-2"}},
		{"OnMarketDate lt 2024-06-01", []string{"A-1"}},
		{"OnMarketDate eq null and City ne 'Houston'", []string{"A-3"}},
		{"ModificationTimestamp gt 2000-01-01T00:00:00Z", all},
		{"ModificationTimestamp gt now()", nil},
		{"OriginalEntryTimestamp le now() and ListPrice lt 300000.01", []string{"A-3"}},
		{"ListPrice ge 400003 and ListPrice lt 500000", []string{"H-3", "H-4", "H-5"}},
		{"not (ListPrice le 500000)", []string{"O'Brien-2"}},
		{"ListingKey eq 'O''Brien-2'", []string{"O'Brien-2"}},
		{"BathroomsTotalInteger eq 3 and BedroomsTotal eq 3", []string{"A-1"}},
		{"BedroomsTotal in (2, 3) and BedroomsTotal ge 3.0", []string{"A-1"}},
		{"BedroomsTotal lt ListPrice and DaysOnMarket ge 0", []string{"A-1"}},
		{"City in ('Dallas', 'HOUSTON')", append([]string{"A-3"}, houston...)},
		{"ListAgentKey eq '" + h.a.Personas["agent"].MemberID.String() + "' and City eq 'Dallas'", []string{"A-3"}},
		{"PublicRemarks ne null", []string{"A-1"}},
		// Functions, on the wire.
		{"contains(City,'stin')", []string{"A-1", "O'Brien-2"}},
		{"startswith(City,'Aus')", []string{"A-1"}},
		{"endswith(UnparsedAddress,'H-1 Street')", []string{"H-1"}},
		{"contains(UnparsedAddress,'%') or contains(UnparsedAddress,'_')", nil},
		{`contains(PublicRemarks,'\ and')`, []string{"A-1"}},
		{"startswith(UnparsedAddress,'1 ') and endswith(UnparsedAddress,City)", nil},
		{"contains(PublicRemarks,'café') and not contains(PublicRemarks,'Café')", []string{"A-1"}},
		{"tolower(City) eq 'austin'", []string{"A-1", "O'Brien-2"}},
		{"toupper(City) eq 'DALLAS'", []string{"A-3"}},
		{"length(City) eq 6", []string{"A-1", "A-3", "O'Brien-2"}},
		{"year(OnMarketDate) eq 2024 and month(OnMarketDate) eq 6", []string{"O'Brien-2"}},
		{"day(OnMarketDate) eq 1", []string{"A-1"}},
		{"date(ModificationTimestamp) le date(now()) and year(OriginalEntryTimestamp) ge 2024", all},
		{"date(ModificationTimestamp) lt 2000-01-01", nil},
	} {
		t.Run(c.filter, func(t *testing.T) {
			got := keys(h.page(q("$filter", c.filter, "$orderby", "ListingKey"), h.keyA), "ListingKey")
			if !slices.Equal(got, c.want) && (len(got) != 0 || len(c.want) != 0) {
				t.Fatalf("got %v, want %v", got, c.want)
			}
		})
	}
	t.Run("ErrTypeMismatch", func(t *testing.T) {
		msg := h.odataError(q("$filter", "ListPrice eq 'cheap'"), h.keyA, 400)
		if !strings.Contains(msg, "cannot compare ListPrice") {
			t.Fatal(msg)
		}
	})
	t.Run("ErrFunctionArgument", func(t *testing.T) {
		msg := h.odataError(q("$filter", "contains(ListPrice,'5')"), h.keyA, 400)
		if !strings.Contains(msg, "contains takes Edm.String arguments, not ListPrice") {
			t.Fatal(msg)
		}
	})
	for _, c := range []struct{ name, filter, want string }{
		{"ErrFractionForInt64", "BedroomsTotal eq 3.5", "BedroomsTotal (Edm.Int64) holds whole numbers: 3.5 is not one"},
		{"ErrFractionInList", "YearBuilt in (2000, 2000.5)", "YearBuilt (Edm.Int64) holds whole numbers: 2000.5 is not one"},
		{"ErrStringForInt64", "BedroomsTotal eq '3'", "cannot compare BedroomsTotal (Edm.Int64)"},
	} {
		t.Run(c.name, func(t *testing.T) {
			if msg := h.odataError(q("$filter", c.filter), h.keyA, 400); !strings.Contains(msg, c.want) {
				t.Fatalf("%s: %s", c.filter, msg)
			}
		})
	}
	t.Run("ErrPrivateRemarks", func(t *testing.T) {
		h.odataError(q("$filter", "PrivateRemarks eq 'gate code 1234'"), h.keyA, 400)
	})
}

// count fetches a /$count and returns its plain-text body.
func (h *harness) count(path, credential string) string {
	h.t.Helper()
	resp, body := h.get(path, credential)
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/plain") {
		h.t.Fatalf("GET %s = %d %s: %s", path, resp.StatusCode, resp.Header.Get("Content-Type"), body)
	}
	return string(body)
}

func TestCount(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	if n := h.count("/reso/odata/Property/$count", h.keyA); n != "8" {
		t.Fatalf("count %s", n)
	}
	if n := h.count("/reso/odata/Property/$count?$filter="+url.QueryEscape("City eq 'Houston' or contains(City,'ustin')"), h.keyA); n != "7" {
		t.Fatalf("filtered count %s", n)
	}
	if n := h.count("/reso/odata/Media/$count", h.keyA); n != "2" {
		t.Fatalf("media count %s", n)
	}
	for _, c := range []struct {
		name, path, credential string
		status                 int
	}{
		{"ErrNoCredential", "/reso/odata/Property/$count", "", 401},
		{"ErrPermission", "/reso/odata/Media/$count", h.keyMin, 403},
		{"ErrUnknownSet", "/reso/odata/Nope/$count", h.keyA, 404},
		{"ErrTop", "/reso/odata/Property/$count?$top=1", h.keyA, 400},
		{"ErrFilter", "/reso/odata/Property/$count?$filter=" + url.QueryEscape("contains(ListPrice,'5')"), h.keyA, 400},
	} {
		t.Run(c.name, func(t *testing.T) { h.odataError(c.path, c.credential, c.status) })
	}
}

func TestMaxPageSize(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	for _, c := range []struct {
		path, prefer, applied string
		n                     int
	}{
		{q("$orderby", "ListPrice"), "odata.maxpagesize=3", "odata.maxpagesize=3", 3},
		{q("$orderby", "ListPrice"), `return=minimal, odata.maxpagesize="5"`, "odata.maxpagesize=5", 5},
		{q("$orderby", "ListPrice", "$top", "2"), "odata.maxpagesize=3", "odata.maxpagesize=3", 2},
		{q("$orderby", "ListPrice"), "odata.maxpagesize=5000", "odata.maxpagesize=1000", 8},
		{q("$orderby", "ListPrice"), "odata.maxpagesize=zero", "", 8},
		{q("$orderby", "ListPrice"), "", "", 8},
	} {
		req, err := http.NewRequest("GET", h.url+c.path, nil)
		h.must(err)
		req.Header.Set("Authorization", "Bearer "+h.keyA)
		if c.prefer != "" {
			req.Header.Set("Prefer", c.prefer)
		}
		resp, err := http.DefaultClient.Do(req)
		h.must(err)
		var page collection
		err = json.NewDecoder(resp.Body).Decode(&page)
		resp.Body.Close()
		h.must(err)
		if got := resp.Header.Get("Preference-Applied"); got != c.applied || len(page.Value) != c.n {
			t.Errorf("Prefer %q on %s: %d entities, Preference-Applied %q; want %d, %q", c.prefer, c.path, len(page.Value), got, c.n, c.applied)
		}
		if c.n < 8 && !strings.Contains(page.NextLink, "$skip="+strconv.Itoa(c.n)) {
			t.Errorf("Prefer %q: next link %q", c.prefer, page.NextLink)
		}
	}
}
