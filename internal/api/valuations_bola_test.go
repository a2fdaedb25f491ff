package api_test

import (
	"testing"

	"realty"
)

// globexValuationIDs adds to foreign a globex property with a CMA.
func globexValuationIDs(t *testing.T, h *harness, foreign map[string]realty.ID) {
	t.Helper()
	v := h.env.Valuation(t, h.b)
	foreign["create-valuation"], foreign["list-property-valuations"] = v.PropertyID, v.PropertyID
	foreign["get-valuation"] = v.ID
}
