package api_test

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/danielgtaylor/huma/v2"

	"realty/internal/api"
)

// TestRequestBodiesBounded walks the request body schema of every registered
// operation and fails on a string without maxLength (or an enum), an array
// without maxItems, or a number without both a lower and an upper bound: an
// unbounded input is a way to make the server hold, store or fail on
// anything a caller sends.
func TestRequestBodiesBounded(t *testing.T) {
	t.Parallel()
	a := api.Mount(http.NewServeMux(), api.Deps{Version: "test"})
	var missing []string
	bodies := 0
	for _, op := range operations(a) {
		if op.RequestBody == nil {
			continue
		}
		for ct, media := range op.RequestBody.Content {
			bodies++
			missing = append(missing, unbounded(a.OpenAPI().Components.Schemas, media.Schema, op.OperationID+" "+ct+" body", 0)...)
		}
	}
	if bodies < 20 {
		t.Fatalf("walked only %d request bodies: the walk lost the operations", bodies)
	}
	slices.Sort(missing)
	for _, m := range missing {
		t.Error(m)
	}
}

// unbounded returns the paths below s that lack a bound.
func unbounded(r huma.Registry, s *huma.Schema, path string, depth int) []string {
	for s != nil && s.Ref != "" {
		s = r.SchemaFromRef(s.Ref)
	}
	if s == nil || depth > 10 {
		return nil
	}
	var out []string
	switch s.Type {
	case huma.TypeString:
		if s.MaxLength == nil && len(s.Enum) == 0 && !boundedFormats[s.Format] {
			out = append(out, path+": string without maxLength")
		}
	case huma.TypeNumber, huma.TypeInteger:
		if (s.Minimum == nil && s.ExclusiveMinimum == nil) || (s.Maximum == nil && s.ExclusiveMaximum == nil) {
			out = append(out, path+": number without minimum and maximum")
		}
	case huma.TypeArray:
		if s.MaxItems == nil {
			out = append(out, path+": array without maxItems")
		}
		out = append(out, unbounded(r, s.Items, path+"[]", depth+1)...)
	case huma.TypeObject:
		for name, p := range s.Properties {
			out = append(out, unbounded(r, p, path+"."+name, depth+1)...)
		}
		if ap, ok := s.AdditionalProperties.(*huma.Schema); ok {
			out = append(out, unbounded(r, ap, path+".*", depth+1)...)
		}
	}
	return out
}

// boundedFormats are string formats bounded without a maxLength: huma
// parses a date-time (RFC 3339) and refuses anything longer than its
// grammar, and a file part is bounded by the request body limit.
var boundedFormats = map[string]bool{"date-time": true, "binary": true}

// operations lists every operation a registered.
func operations(a huma.API) []*huma.Operation {
	var ops []*huma.Operation
	for _, item := range a.OpenAPI().Paths {
		for _, op := range []*huma.Operation{item.Get, item.Post, item.Put, item.Patch, item.Delete} {
			if op != nil {
				ops = append(ops, op)
			}
		}
	}
	return ops
}

// TestBadValuesNameTheField sends values PostgreSQL would refuse, and
// bodies past a bound, to several operations: each is a 422 whose errors
// name the field at fault, and nothing is written.
func TestBadValuesNameTheField(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	owner := h.tokens["acme:owner"]
	many := make([]string, 10001)
	for i := range many {
		many[i] = "x"
	}
	status, body := h.do("POST", "/api/v1/properties", owner, map[string]any{"address_line1": "1 Main St", "city": "Springfield"})
	if status != 201 {
		t.Fatalf("create property: %d %s", status, body)
	}
	var prop struct {
		ID string `json:"id"`
	}
	if err := json.Unmarshal(body, &prop); err != nil {
		t.Fatal(err)
	}
	place := `"address_line1":"2 Main St","city":"Springfield"`
	cases := []struct {
		name, method, path string
		body               any
		field              string
	}{
		{"NULInString", "POST", "/api/v1/properties", raw(`{"address_line1":"1 Main\u0000St","city":"Springfield"}`), "body.address_line1"},
		{"NULInListItem", "POST", "/api/v1/listings", raw(`{"property":{` + place + `},"list_price":"100000","features":["pool","a\u0000b"]}`), "body.features[1]"},
		{"NULInNested", "POST", "/api/v1/listings", raw(`{"property":{"address_line1":"x\u0000","city":"Springfield"},"list_price":"100000"}`), "body.property.address_line1"},
		{"NULInForm", "POST", "/api/v1/properties/" + prop.ID + "/media", pngUpload(map[string]string{"caption": "a\x00b"}), "form.caption"},
		{"NULInQuery", "GET", "/api/v1/properties?q=a%00b", nil, "query.q"},
		{"HugeFloat", "POST", "/api/v1/properties", raw(`{` + place + `,"living_area":1e400}`), "body.living_area"},
		{"HugeInteger", "POST", "/api/v1/properties", raw(`{` + place + `,"year_built":1e400}`), "body.year_built"},
		{"IntegerPastColumn", "POST", "/api/v1/properties", raw(`{` + place + `,"year_built":99999999999}`), "body.year_built"},
		{"FloatPastColumn", "POST", "/api/v1/properties", raw(`{` + place + `,"living_area":1e300}`), "body.living_area"},
		{"MoneyPastPrecision", "POST", "/api/v1/properties", raw(`{` + place + `,"market_value":"1e400"}`), "body.market_value"},
		{"MoneyPastColumn", "POST", "/api/v1/listings", raw(`{"property":{` + place + `},"list_price":"1000000000000"}`), "body.list_price"},
		{"NegativeArea", "POST", "/api/v1/properties/" + prop.ID + "/units", raw(`{"unit_number":"1A","area":-5}`), "body.area"},
		{"NegativeLivingArea", "PUT", "/api/v1/properties/" + prop.ID, raw(`{` + place + `,"living_area":-1}`), "body.living_area"},
		{"LongListProperty", "POST", "/api/v1/properties", map[string]any{"address_line1": "3 Main St", "city": "Springfield", "amenities": many}, "body.amenities"},
		{"LongListListing", "POST", "/api/v1/listings", map[string]any{"property": map[string]any{"address_line1": "4 Main St", "city": "Springfield"}, "list_price": "1", "features": many}, "body.features"},
		{"LongListRole", "POST", "/api/v1/roles", map[string]any{"key": "big", "name": "Big", "permissions": many}, "body.permissions"},
		{"LongListAPIKey", "POST", "/api/v1/api-keys", map[string]any{"name": "big", "permissions": many}, "body.permissions"},
		{"LongListOrganization", "PATCH", "/api/v1/organization", map[string]any{"mfa_required_roles": many}, "body.mfa_required_roles"},
		{"LongString", "POST", "/api/v1/listings", map[string]any{"property": map[string]any{"address_line1": "5 Main St", "city": "Springfield"}, "list_price": "1", "public_remarks": strings.Repeat("x", 4001)}, "body.public_remarks"},
		{"LongListItem", "POST", "/api/v1/properties", map[string]any{"address_line1": "6 Main St", "city": "Springfield", "amenities": []string{strings.Repeat("x", 101)}}, "body.amenities[0]"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			status, body := h.do(c.method, c.path, owner, c.body)
			if status != 422 {
				t.Fatalf("%s %s: %d %s, want 422", c.method, c.path, status, clip(body))
			}
			var p huma.ErrorModel
			if err := json.Unmarshal(body, &p); err != nil {
				t.Fatalf("not problem+json: %s", clip(body))
			}
			var named []string
			for _, e := range p.Errors {
				named = append(named, e.Location)
			}
			if !slices.Contains(named, c.field) {
				t.Fatalf("errors name %v, want %s: %s", named, c.field, clip(body))
			}
			if len(body) > 2048 {
				t.Fatalf("a refusal of %d bytes echoes the refused value: %s", len(body), clip(body))
			}
		})
	}
	status, body = h.do("GET", "/api/v1/properties?limit=100", owner, nil)
	if status != 200 || strings.Count(string(body), `"id"`) != 1 {
		t.Fatalf("refused bodies wrote something: %d %s", status, clip(body))
	}
}

func raw(s string) rawBody { return rawBody{contentType: "application/json", data: []byte(s)} }

func clip(b []byte) string {
	if len(b) > 300 {
		return string(b[:300]) + "…"
	}
	return string(b)
}
