package web_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"realty/internal/ledger"
	"realty/internal/property"
)

// TestFormPickers: the bill form offers the organization's vendors by
// name, and its property picker and the saved-report form's hold every
// property, past the first page of a hundred; the saved-report form
// offers the budgets by name. Another organization's vendor is not
// offered.
func TestFormPickers(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	o, other := h.env.Organization(t, "acme"), h.env.Organization(t, "globex")
	ctx := context.Background()
	pm := o.Personas["property_manager"].Actor
	vendor, foreign := h.env.Vendor(t, o, "Cool Air"), h.env.Vendor(t, other, "Elsewhere Pipes")
	var last property.Property
	for i := range 101 {
		p, err := h.env.Property.Create(ctx, pm, property.Input{Name: fmt.Sprintf("Court %03d", i), AddressLine1: "1 Any Road", City: "Austin"})
		if err != nil {
			t.Fatal(err)
		}
		last = p
	}
	b, err := h.env.Ledger.CreateBudget(ctx, pm, ledger.BudgetInput{PropertyID: &last.ID, Year: 2027, Name: "Court plan"})
	if err != nil {
		t.Fatal(err)
	}
	session := h.login(o.Personas["property_manager"].Email, "acme")
	form := h.get("/bills/new", session)
	expect(t, form, http.StatusOK, `<select name="vendor_id" required>`, `<option value="`+vendor.String()+`">Cool Air (`,
		`<option value="`+last.ID.String()+`">Court 100</option>`)
	if strings.Contains(form.body, foreign.String()) {
		t.Error("the bill form offers another organization's vendor")
	}
	expect(t, h.get("/reports/saved", session), http.StatusOK, `<select name="property_id">`,
		`<option value="`+last.ID.String()+`">Court 100</option>`, `<option value="`+b.ID.String()+`">Court plan (2027, Court 100)</option>`)
}
