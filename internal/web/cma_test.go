package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// TestCMAPages: an agent runs a CMA from the property's analyses page, is
// taken to the printable CMA with its comparables and adjustments, and a bad
// option comes back on the form naming the field.
func TestCMAPages(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	o := h.env.Organization(t, "acme")
	v := h.env.Valuation(t, o)
	agent := h.login(o.Personas["agent"].Email, "acme")
	expect(t, h.get("/properties/"+v.PropertyID.String(), agent), http.StatusOK, `href="/properties/`+v.PropertyID.String()+`/cma"`)
	expect(t, h.get("/properties/"+v.PropertyID.String()+"/cma", agent), http.StatusOK, `href="/cma/`+v.ID.String()+`"`, `id="cma-form"`)

	r := h.post("/properties/"+v.PropertyID.String()+"/cma", url.Values{"radius_km": {"1"}, "list_price": {"999000"}}, agent)
	if r.StatusCode != http.StatusSeeOther || !strings.HasPrefix(r.Header.Get("Location"), "/cma/") {
		t.Fatalf("run: %d %s", r.StatusCode, r.Header.Get("Location"))
	}
	expect(t, h.get(r.Header.Get("Location"), agent), http.StatusOK, `id="cma-comps"`, "10 Comparable Lane", "Above the market",
		`href="/static/cma.css"`, "Living area", "Adjusted")
	expect(t, h.post("/properties/"+v.PropertyID.String()+"/cma", url.Values{"months": {"99"}}, agent), http.StatusUnprocessableEntity,
		`aria-invalid="true"`, "must be 1 to 36")
	expect(t, h.get("/static/cma.css", nil), http.StatusOK, "@media print")
}
