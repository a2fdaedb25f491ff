package web

import "testing"

// TestLabel turns stored enumeration values into words.
func TestLabel(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"ActiveUnderContract": "Active under contract",
		"ComingSoon":          "Coming soon",
		"Active":              "Active",
		"property_manager":    "Property manager",
		"read_only":           "Read only",
		"under_construction":  "Under construction",
		"vacant":              "Vacant",
		"BusinessOpportunity": "Business opportunity",
		"MLSStatus":           "MLS status",
		"PriceChange":         "Price change",
		"sale":                "Sale",
		"":                    "",
	} {
		if got := label(in); got != want {
			t.Errorf("label(%q) = %q, want %q", in, got, want)
		}
	}
}
