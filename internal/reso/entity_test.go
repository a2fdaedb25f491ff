package reso_test

import (
	"bytes"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"
)

// entity fetches one entity and decodes it, numbers kept as written.
func (h *harness) entity(path, credential string) map[string]any {
	h.t.Helper()
	resp, body := h.get(path, credential)
	if resp.StatusCode != 200 {
		h.t.Fatalf("GET %s = %d: %s", path, resp.StatusCode, body)
	}
	var v map[string]any
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if err := dec.Decode(&v); err != nil {
		h.t.Fatalf("GET %s: %v", path, err)
	}
	return v
}

func TestEntity(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	t.Run("OKRendering", func(t *testing.T) {
		v := h.entity("/reso/odata/Property('A-1')", h.keyA)
		want := map[string]any{
			"@odata.context": h.url + "/reso/odata/$metadata#Property/$entity",
			"ListingKey":     "A-1", "ListingId": "MLS-A-1", "StandardStatus": "Active", "PropertyType": "Residential",
			"ListPrice": json.Number("500000.00"), "OnMarketDate": "2024-05-01", "BedroomsTotal": json.Number("3"),
			"BathroomsTotalInteger": json.Number("3"), "City": "Austin", "StateOrProvince": "TX", "PostalCode": "78701",
			"UnparsedAddress": "1 A-1 Street", "PublicRemarks": remarks, "ClosePrice": nil, "CloseDate": nil,
			"ListAgentKey": h.a.Personas["agent"].MemberID.String(), "PhotosCount": json.Number("1"),
		}
		for k, w := range want {
			if v[k] != w {
				t.Errorf("%s = %#v, want %#v", k, v[k], w)
			}
		}
		if _, ok := v["PrivateRemarks"]; ok {
			t.Error("PrivateRemarks served")
		}
		if got := v["Appliances"].([]any); len(got) != 2 || got[0] != "Dishwasher" || got[1] != "Refrigerator" {
			t.Errorf("Appliances %v: only standard values are served", got)
		}
		if got := v["Heating"].([]any); len(got) != 0 {
			t.Errorf("Heating %v", got)
		}
		ts, _ := v["ModificationTimestamp"].(string)
		parsed, err := time.Parse(time.RFC3339Nano, ts)
		if err != nil || !strings.HasSuffix(ts, "Z") || parsed.Before(h.l1.ModificationTimestamp) {
			t.Errorf("ModificationTimestamp %q (%v)", ts, err)
		}
		if orig, _ := v["OriginalEntryTimestamp"].(string); !time.Time.Equal(mustTime(t, orig), h.l1.OriginalEntryTimestamp) {
			t.Errorf("OriginalEntryTimestamp %s, want %s", orig, h.l1.OriginalEntryTimestamp)
		}
	})
	t.Run("OKKeys", func(t *testing.T) {
		for _, path := range []string{"/reso/odata/Property('O''Brien-2')", "/reso/odata/Property(ListingKey='O''Brien-2')",
			"/reso/odata/Property('O%27%27Brien-2')"} {
			if v := h.entity(path, h.keyA); v["ListingKey"] != "O'Brien-2" || v["StandardStatus"] != "Pending" {
				t.Fatalf("%s: %v", path, v)
			}
		}
		v := h.entity("/reso/odata/Property('A-1')?$select=ListPrice", h.keyA)
		if len(v) != 2 || v["ListPrice"] != json.Number("500000.00") ||
			v["@odata.context"] != h.url+"/reso/odata/$metadata#Property(ListPrice)/$entity" {
			t.Fatalf("selected entity %v", v)
		}
	})
	for _, c := range []struct {
		name, path string
		status     int
	}{
		{"ErrUnknownKey", "/reso/odata/Property('nope')", 404},
		{"ErrUnbalancedQuote", "/reso/odata/Property('O'Brien-2')", 400},
		{"ErrUnquoted", "/reso/odata/Property(A-1)", 400},
		{"ErrWrongKeyName", "/reso/odata/Property(ListingId='MLS-A-1')", 400},
		{"ErrMalformedUUIDKey", "/reso/odata/Member('12')", 404},
	} {
		t.Run(c.name, func(t *testing.T) { h.odataError(c.path, h.keyA, c.status) })
	}
}

// TestOtherSets reads OpenHouse, Media and Member.
func TestOtherSets(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	t.Run("OKOpenHouse", func(t *testing.T) {
		v := h.entity("/reso/odata/OpenHouse('"+h.ohA.ID.String()+"')", h.keyA)
		if v["ListingKey"] != "A-1" || v["OpenHouseDate"] != "2024-07-06" || v["OpenHouseStartTime"] != "2024-07-06T23:30:00Z" ||
			v["OpenHouseEndTime"] != "2024-07-07T01:30:00Z" || v["OpenHouseType"] != "Public" || v["OpenHouseStatus"] != "Active" {
			t.Fatalf("open house %v", v)
		}
	})
	t.Run("OKMedia", func(t *testing.T) {
		c := h.page("/reso/odata/Media?$orderby=Order", h.keyA)
		if len(c.Value) != 2 {
			t.Fatalf("media %v", c.Value)
		}
		tour, photo := c.Value[0], c.Value[1]
		if tour["MediaCategory"] != "UnbrandedVirtualTour" || tour["MediaURL"] != "https://tours.example/a1" ||
			tour["PreferredPhotoYN"] != false || tour["ResourceRecordKey"] != "A-1" || tour["ResourceName"] != "Property" {
			t.Errorf("tour %v", tour)
		}
		if photo["MediaCategory"] != "Photo" || photo["MediaURL"] != h.url+"/api/v1/media/"+h.mediaA[1].ID.String()+"/content" ||
			photo["PreferredPhotoYN"] != true || photo["LongDescription"] != "Front" {
			t.Errorf("photo %v", photo)
		}
		if got := keysOf(h.page("/reso/odata/Media?$filter=PreferredPhotoYN%20eq%20true", h.keyA), "MediaKey"); !slices.Equal(got, []string{h.mediaA[1].ID.String()}) {
			t.Errorf("preferred photos %v", got)
		}
	})
	t.Run("OKMembers", func(t *testing.T) {
		c := h.page("/reso/odata/Member?$orderby=MemberEmail", h.keyA)
		emails := keysOf(c, "MemberEmail")
		if !slices.Contains(emails, "agent@acme.example") || slices.Contains(emails, "resident@acme.example") ||
			slices.Contains(emails, "client@acme.example") {
			t.Fatalf("members %v: residents and clients are not RESO members", emails)
		}
		v := h.entity("/reso/odata/Member('"+h.a.Personas["agent"].MemberID.String()+"')", h.keyA)
		if v["MemberFullName"] != "Arjun Agent" || v["MemberStatus"] != "Active" || v["JobTitle"] != "Sales associate" {
			t.Fatalf("member %v", v)
		}
	})
}

func keysOf(c collection, field string) []string { return keys(c, field) }

func mustTime(t *testing.T, s string) time.Time {
	t.Helper()
	ts, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		t.Fatal(err)
	}
	return ts
}
