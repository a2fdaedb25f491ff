package reso_test

import (
	"context"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
)

// related returns an expanded collection's entities.
func related(t *testing.T, v map[string]any, nav string) []map[string]any {
	t.Helper()
	list, ok := v[nav].([]any)
	if !ok {
		t.Fatalf("%s is not an array in %v", nav, v)
	}
	out := make([]map[string]any, len(list))
	for i, x := range list {
		out[i] = x.(map[string]any)
	}
	return out
}

func TestExpand(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	agent := h.a.Personas["agent"]
	t.Run("OKEveryNavigation", func(t *testing.T) {
		c := h.page(q("$expand", "Media,OpenHouse,ListAgent,ListOffice", "$orderby", "ListingKey", "$select", "ListingKey"), h.keyA)
		if !strings.HasSuffix(c.Context, "#Property(ListingKey,Media(),OpenHouse(),ListAgent(),ListOffice())") {
			t.Errorf("context %s", c.Context)
		}
		a1 := c.Value[0]
		if a1["ListingKey"] != "A-1" || len(a1) != 5 {
			t.Fatalf("A-1 %v", a1)
		}
		media := related(t, a1, "Media")
		if len(media) != 2 || media[0]["MediaKey"] != h.mediaA[0].ID.String() || media[1]["PreferredPhotoYN"] != true ||
			media[1]["MediaURL"] != h.url+"/api/v1/media/"+h.mediaA[1].ID.String()+"/content" {
			t.Errorf("A-1 media %v", media)
		}
		if oh := related(t, a1, "OpenHouse"); len(oh) != 1 || oh[0]["OpenHouseKey"] != h.ohA.ID.String() || oh[0]["ListingKey"] != "A-1" {
			t.Errorf("A-1 open houses %v", oh)
		}
		la, _ := a1["ListAgent"].(map[string]any)
		if la["MemberKey"] != agent.MemberID.String() || la["MemberEmail"] != agent.Email {
			t.Errorf("A-1 list agent %v", a1["ListAgent"])
		}
		lo, _ := a1["ListOffice"].(map[string]any)
		if lo["OfficeKey"] != h.a.Organization.ID.String() || lo["OfficeName"] != h.a.Organization.Name || lo["OfficeStatus"] != "Active" {
			t.Errorf("A-1 list office %v", a1["ListOffice"])
		}
		for _, v := range c.Value[1:] {
			oh := related(t, v, "OpenHouse")
			if v["ListingKey"] == "O'Brien-2" && len(oh) == 2 && oh[0]["OpenHouseKey"] == h.ohLocal[0].ID.String() &&
				oh[1]["OpenHouseKey"] == h.ohLocal[1].ID.String() {
				oh = nil // its own two, by start time
			}
			if len(related(t, v, "Media")) != 0 || len(oh) != 0 {
				t.Errorf("%s has another listing's media or open houses: %v", v["ListingKey"], v)
			}
			if la, _ := v["ListAgent"].(map[string]any); la["MemberKey"] != agent.MemberID.String() {
				t.Errorf("%s list agent %v", v["ListingKey"], v["ListAgent"])
			}
		}
	})
	t.Run("OKNestedOptions", func(t *testing.T) {
		c := h.page(q("$filter", "ListingKey eq 'A-1'", "$expand", "Media($select=MediaURL,Order;$top=1;$orderby=Order desc)"), h.keyA)
		if !strings.HasSuffix(c.Context, "#Property(*,Media(MediaURL,Order))") {
			t.Errorf("context %s", c.Context)
		}
		media := related(t, c.Value[0], "Media")
		if len(media) != 1 || len(media[0]) != 2 || media[0]["Order"] == nil || !strings.HasSuffix(media[0]["MediaURL"].(string), "/content") {
			t.Fatalf("top 1 by Order desc, two fields: %v", media)
		}
		c = h.page(q("$filter", "ListingKey eq 'A-1'", "$expand", "Media($top=0),OpenHouse($select=OpenHouseKey)"), h.keyA)
		if len(related(t, c.Value[0], "Media")) != 0 || len(related(t, c.Value[0], "OpenHouse")[0]) != 1 {
			t.Fatalf("top 0 and select %v", c.Value[0])
		}
	})
	t.Run("OKEntityAndMember", func(t *testing.T) {
		v := h.entity("/reso/odata/Property('A-1')?$select=ListingKey&$expand=Media($select=MediaKey)", h.keyA)
		if len(related(t, v, "Media")) != 2 || len(v) != 3 {
			t.Fatalf("entity %v", v)
		}
		m := h.entity("/reso/odata/Member('"+agent.MemberID.String()+"')?$expand=Office", h.keyA)
		if office, _ := m["Office"].(map[string]any); office["OfficeKey"] != h.a.Organization.ID.String() {
			t.Fatalf("member office %v", m["Office"])
		}
		c := h.page("/reso/odata/Member?$expand=Office($select=OfficeName)", h.keyA)
		for _, m := range c.Value {
			if office, _ := m["Office"].(map[string]any); len(office) != 1 || office["OfficeName"] != h.a.Organization.Name {
				t.Fatalf("member office %v", m)
			}
		}
	})
	t.Run("OKNextLinkKeepsExpand", func(t *testing.T) {
		c := h.page(q("$top", "3", "$expand", "Media($top=1)"), h.keyA)
		if next, _ := url.QueryUnescape(c.NextLink); !strings.Contains(next, "$expand=Media($top=1)") {
			t.Fatalf("next link %s", c.NextLink)
		}
		got := h.follow(q("$top", "3", "$expand", "Media($top=1),ListAgent"))
		if want := keys(h.page(q("$orderby", "ModificationTimestamp"), h.keyA), "ListingKey"); !slices.Equal(got, want) {
			t.Fatalf("pages with expansions %v, want %v", got, want)
		}
	})
	for _, c := range []struct {
		name, path, credential string
		status                 int
		want                   string
	}{
		{"ErrUnknownNavigation", q("$expand", "Photos"), h.keyA, 400, `unknown navigation property "Photos" of Property`},
		{"ErrNavigationOfOtherSet", q("$expand", "Office"), h.keyA, 400, `unknown navigation property "Office"`},
		{"ErrNestedFilter", q("$expand", "Media($filter=Order eq 1)"), h.keyA, 400, "Media: nested option $filter is not supported"},
		{"ErrNestedExpand", q("$expand", "ListAgent($expand=Office)"), h.keyA, 400, "nested option $expand is not supported"},
		{"ErrNestedSelectUnknown", q("$expand", "Media($select=Bogus)"), h.keyA, 400, `Media: $select: unknown field "Bogus" of Media`},
		{"ErrNestedTopOnSingle", q("$expand", "ListAgent($top=1)"), h.keyA, 400, "ListAgent: $top: applies to collections only"},
		{"ErrNestedTopTooLarge", q("$expand", "Media($top=5000)"), h.keyA, 400, "Media: $top: must be a whole number"},
		{"ErrUnbalanced", q("$expand", "Media($top=1"), h.keyA, 400, "unbalanced parentheses"},
		{"ErrTwice", q("$expand", "Media,Media"), h.keyA, 400, "Media expanded twice"},
		{"ErrMediaNeedsPropertyRead", q("$expand", "Media"), h.keyMin, 403, "property.read"},
		{"ErrListAgentNeedsMemberRead", "/reso/odata/Property('A-1')?$expand=ListAgent", h.keyMin, 403, "member.read"},
	} {
		t.Run(c.name, func(t *testing.T) {
			if msg := h.odataError(c.path, c.credential, c.status); !strings.Contains(msg, c.want) {
				t.Fatalf("message %q lacks %q", msg, c.want)
			}
		})
	}
}

// statements counts the statements the runtime role has run in the test's
// database, as pg_stat_statements records them, less the credential checks
// (API keys and sessions) and the body of org.member_org_ids(), which the
// row-level security policy of org.organizations evaluates once per
// statement that reads the table.
func (h *harness) statements() int64 {
	h.t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, h.env.DB.AdminURL)
	h.must(err)
	defer conn.Close(ctx)
	var n int64
	h.must(conn.QueryRow(ctx, `SELECT coalesce(sum(s.calls), 0)::int8 FROM pg_stat_statements s JOIN pg_roles r ON r.oid = s.userid
		WHERE s.dbid = (SELECT oid FROM pg_database WHERE datname = current_database()) AND r.rolname = 'realty_app'
		AND s.query NOT LIKE '%identity.api_key%' AND s.query NOT LIKE '%identity.session%'
		AND s.query NOT LIKE '%app.current_user_id()%'`).Scan(&n))
	return n
}

// ran is the number of statements a GET of path runs.
func (h *harness) ran(path string) int64 {
	h.t.Helper()
	before := h.statements()
	h.page(path, h.keyA)
	return h.statements() - before
}

// TestExpandStatements holds $expand to one statement per navigation
// property for the whole page: the count does not grow with the page.
func TestExpandStatements(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	const nav = "Media($top=2;$orderby=Order),OpenHouse,ListAgent,ListOffice"
	h.ran(q("$top", "1", "$expand", nav)) // warm the credential cache
	plain := h.ran(q("$top", "8"))
	small := h.ran(q("$top", "1", "$expand", nav))
	large := h.ran(q("$top", "8", "$expand", nav))
	counted := h.ran(q("$top", "8", "$expand", nav, "$count", "true"))
	t.Logf("statements: page of 8 without $expand %d; with 4 expansions: page of 1 %d, page of 8 %d, with $count %d",
		plain, small, large, counted)
	if plain != 1 || small != 5 || large != 5 || counted != 6 {
		t.Fatalf("statements: plain %d, page of 1 %d, page of 8 %d, counted %d; want 1, 5, 5, 6", plain, small, large, counted)
	}
	if entity := h.ran("/reso/odata/Property('A-1')?$expand=" + url.QueryEscape(nav)); entity != 5 {
		t.Fatalf("an entity with 4 expansions ran %d statements, want 5", entity)
	}
	if members := h.ran("/reso/odata/Member?$expand=Office"); members != 2 {
		t.Fatalf("members with their office ran %d statements, want 2", members)
	}
}

// keysOfRelated lists an expanded collection's keys across a page.
func keysOfRelated(t *testing.T, c collection, nav, key string) []string {
	var out []string
	for _, v := range c.Value {
		for _, r := range related(t, v, nav) {
			out = append(out, r[key].(string))
		}
	}
	slices.Sort(out)
	return out
}
