package web_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"testing"

	"realty/internal/property"
)

// TestFormsRefuseBadValues posts the values PostgreSQL refuses (a NUL
// character, numbers past a column's range, NaN, negative measures) to the
// dashboard's forms: each is a 422 page naming the field, never a 500.
func TestFormsRefuseBadValues(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	acme := h.env.Organization(t, "acme")
	p, err := h.env.Property.Create(context.Background(), acme.Personas["property_manager"].Actor,
		property.Input{AddressLine1: "1 Tower Road", City: "Austin"})
	if err != nil {
		t.Fatal(err)
	}
	pm := h.login(acme.Personas["property_manager"].Email, "acme")
	broker := h.login(acme.Personas["broker"].Email, "acme")
	units := "/properties/" + p.ID.String() + "/units"
	buildings := "/properties/" + p.ID.String() + "/buildings"
	listing := func(k, v string) url.Values {
		return url.Values{"address_line1": {"9 Elm St"}, "city": {"Austin"}, "list_price": {"250000"}, k: {v}}
	}
	cases := []struct {
		name, path string
		form       url.Values
		session    *http.Cookie
		field      string
	}{
		{"NULInName", buildings, url.Values{"name": {"A\x00"}}, pm, "name"},
		{"HugeFloors", buildings, url.Values{"name": {"B"}, "floors": {"99999999999"}}, pm, "floors"},
		{"HugeRent", units, url.Values{"unit_number": {"1A"}, "market_rent": {"1e400"}}, pm, "market_rent"},
		{"HugeBedrooms", units, url.Values{"unit_number": {"1B"}, "bedrooms": {"99999999999"}}, pm, "bedrooms"},
		{"HugeBathrooms", units, url.Values{"unit_number": {"1C"}, "bathrooms": {"1e400"}}, pm, "bathrooms"},
		{"NegativeBathrooms", units, url.Values{"unit_number": {"1D"}, "bathrooms": {"-1"}}, pm, "bathrooms"},
		{"HugePrice", "/listings", listing("list_price", "1e400"), broker, "list_price"},
		{"NegativeArea", "/listings", listing("living_area", "-5"), broker, "living_area"},
		{"HugeArea", "/listings", listing("living_area", "1e300"), broker, "living_area"},
		{"NaNArea", "/listings", listing("living_area", "NaN"), broker, "living_area"},
		{"HugeYear", "/listings", listing("year_built", "99999999999"), broker, "year_built"},
		{"NULInRemarks", "/listings", listing("public_remarks", "a\x00b"), broker, "public_remarks"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := h.post(c.path, c.form, c.session)
			expect(t, r, http.StatusUnprocessableEntity)
			named := regexp.MustCompile(`role="alert">` + c.field + `: |name="` + c.field + `"[^>]*aria-invalid="true"`)
			if !named.MatchString(r.body) {
				t.Fatalf("the page does not name %s: %.2000s", c.field, r.body)
			}
		})
	}
	expect(t, h.get("/listings?q=a%00b", broker), http.StatusUnprocessableEntity, "q: must not contain a NUL character")
}
