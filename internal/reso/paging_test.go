package reso_test

import (
	"slices"
	"strings"
	"testing"
)

func TestQueryOptions(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	byPrice := []string{"A-3", "H-1", "H-2", "H-3", "H-4", "H-5", "A-1", "O'Brien-2"}
	t.Run("OKSelect", func(t *testing.T) {
		c := h.page(q("$select", "ListingKey, ListPrice"), h.keyA)
		if !strings.HasSuffix(c.Context, "/reso/odata/$metadata#Property(ListingKey,ListPrice)") {
			t.Fatalf("context %s", c.Context)
		}
		for _, v := range c.Value {
			if len(v) != 2 || v["ListingKey"] == nil || v["ListPrice"] == nil {
				t.Fatalf("selected %v", v)
			}
		}
	})
	t.Run("OKOrderBy", func(t *testing.T) {
		got := keys(h.page(q("$orderby", "ListPrice desc"), h.keyA), "ListingKey")
		want := slices.Clone(byPrice)
		slices.Reverse(want)
		if !slices.Equal(got, want) {
			t.Fatalf("got %v, want %v", got, want)
		}
		got = keys(h.page(q("$orderby", "OnMarketDate desc,ListingKey asc"), h.keyA), "ListingKey")
		if !slices.Equal(got[:3], []string{"O'Brien-2", "A-1", "A-3"}) {
			t.Fatalf("nulls last descending: %v", got)
		}
	})
	t.Run("OKTopSkipCount", func(t *testing.T) {
		c := h.page(q("$orderby", "ListPrice", "$top", "2", "$skip", "1", "$count", "true"), h.keyA)
		if got := keys(c, "ListingKey"); !slices.Equal(got, byPrice[1:3]) || *c.Count != 8 {
			t.Fatalf("got %v count %v", got, *c.Count)
		}
		if !strings.Contains(c.NextLink, "$skip=3") || !strings.HasPrefix(c.NextLink, h.url+"/reso/odata/Property?") {
			t.Fatalf("next link %s", c.NextLink)
		}
		c = h.page(q("$filter", "City eq 'Houston'", "$count", "true", "$top", "0"), h.keyA)
		if len(c.Value) != 0 || *c.Count != 5 || c.NextLink != "" {
			t.Fatalf("count only: %+v", c)
		}
	})
}

// TestPaging follows next links: $skip under an $orderby, the
// ModificationTimestamp keyset by default.
func TestPaging(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	byPrice := []string{"A-3", "H-1", "H-2", "H-3", "H-4", "H-5", "A-1", "O'Brien-2"}
	t.Run("OKNextLinkBySkip", func(t *testing.T) {
		got := h.follow(q("$orderby", "ListPrice", "$top", "3"))
		if !slices.Equal(got, byPrice) {
			t.Fatalf("pages %v, want %v", got, byPrice)
		}
	})
	t.Run("OKNextLinkByKeyset", func(t *testing.T) {
		first := h.page(q("$top", "3"), h.keyA)
		if !strings.Contains(first.NextLink, "$skiptoken=") || strings.Contains(first.NextLink, "$skip=") {
			t.Fatalf("replication link %s", first.NextLink)
		}
		got := h.follow(q("$top", "3", "$select", "ListingKey"))
		want := keys(h.page(q("$orderby", "ModificationTimestamp"), h.keyA), "ListingKey")
		if len(got) != 8 || !slices.Equal(got, want) {
			t.Fatalf("pages %v, want %v", got, want)
		}
		got = h.follow(q("$top", "3", "$filter", "City eq 'Houston'", "$orderby", "ModificationTimestamp asc"))
		if len(got) != 5 {
			t.Fatalf("filtered pages %v", got)
		}
	})
}

// TestQueryOptionErrors holds the options' limits and refusals.
func TestQueryOptionErrors(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	t.Run("OKTopCapped", func(t *testing.T) {
		resp, _ := h.get(q("$top", "5000"), h.keyA)
		if resp.StatusCode != 200 || resp.Header.Get("X-Max-Top") != "1000" || resp.Header.Get("OData-Version") != "4.0" {
			t.Fatalf("%d %v", resp.StatusCode, resp.Header)
		}
	})
	for _, c := range []struct{ name, path, want string }{
		{"ErrSelectUnknown", q("$select", "ListingKey,listprice"), `unknown field "listprice"`},
		{"ErrSelectPrivate", q("$select", "PrivateRemarks"), `unknown field "PrivateRemarks"`},
		{"ErrOrderByUnknown", q("$orderby", "Bogus desc"), `unknown field "Bogus"`},
		{"ErrOrderByCollection", q("$orderby", "Appliances"), "cannot be ordered by"},
		{"ErrOrderByDirection", q("$orderby", "ListPrice sideways"), "asc or Field desc"},
		{"ErrTop", q("$top", "-1"), "$top"},
		{"ErrSkip", q("$skip", "x"), "$skip"},
		{"ErrCount", q("$count", "maybe"), "$count"},
		{"ErrSearch", q("$search", "pool"), "$search: not supported"},
		{"ErrSkipToken", q("$skiptoken", "garbage"), "$skiptoken"},
		{"ErrSkipTokenWithOrder", q("$skiptoken", "x", "$orderby", "ListPrice"), "$skiptoken"},
		{"ErrFormat", q("$format", "xml"), "$format"},
		{"ErrRepeated", "/reso/odata/Property?$top=1&$top=2", "more than once"},
		{"ErrFilterSyntax", q("$filter", "(ListPrice gt 1"), "unbalanced parentheses"},
		{"ErrEntityFilter", "/reso/odata/Property('A-1')?$filter=true", "$filter: not supported here"},
	} {
		t.Run(c.name, func(t *testing.T) {
			if msg := h.odataError(c.path, h.keyA, 400); !strings.Contains(msg, c.want) {
				t.Fatalf("message %q lacks %q", msg, c.want)
			}
		})
	}
}

// follow reads every page from path on, by next links, and returns the
// listing keys in order.
func (h *harness) follow(path string) []string {
	h.t.Helper()
	var out []string
	for i := 0; path != ""; i++ {
		if i > 20 {
			h.t.Fatalf("next links do not end: %v", out)
		}
		c := h.page(path, h.keyA)
		out = append(out, keys(c, "ListingKey")...)
		path = strings.TrimPrefix(c.NextLink, h.url)
	}
	return out
}
