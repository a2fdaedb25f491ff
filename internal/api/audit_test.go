package api_test

import (
	"encoding/json"
	"net/url"
	"strings"
	"testing"
	"time"

	"realty"
)

type changesPage struct {
	Items []struct {
		ID       string `json:"id"`
		Table    string `json:"table"`
		RecordID string `json:"record_id"`
		Action   string `json:"action"`
		UserID   string `json:"user_id"`
	} `json:"items"`
	NextCursor string `json:"next_cursor"`
}

func TestAuditAPI(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	owner := h.tokens["acme:owner"]
	get := func(query string) (int, changesPage) {
		status, body := h.do("GET", "/api/v1/audit/changes?"+query, owner, nil)
		var p changesPage
		_ = json.Unmarshal(body, &p)
		return status, p
	}
	t.Run("OKKeysetPages", func(t *testing.T) {
		seen := map[string]bool{}
		cursor, pages, inserts := "", 0, 0
		for {
			status, p := get("table=org.members&limit=3&cursor=" + url.QueryEscape(cursor))
			if status != 200 {
				t.Fatalf("page %d: %d", pages, status)
			}
			for _, it := range p.Items {
				if seen[it.ID] || it.Table != "org.members" {
					t.Fatalf("entry %s repeated or of table %s", it.ID, it.Table)
				}
				seen[it.ID] = true
				if it.Action == "INSERT" {
					inserts++
				}
			}
			pages++
			if cursor = p.NextCursor; cursor == "" {
				break
			}
		}
		if inserts != len(h.a.Personas) || pages != (len(seen)+2)/3 {
			t.Fatalf("%d entries (%d inserts) over %d pages; want %d inserts, pages of 3", len(seen), inserts, pages, len(h.a.Personas))
		}
	})
	t.Run("OKFilters", func(t *testing.T) {
		agent := h.a.Personas["agent"].MemberID.String()
		status, p := get("record_id=" + agent)
		if status != 200 || len(p.Items) == 0 {
			t.Fatalf("record filter: %d %+v", status, p)
		}
		for _, it := range p.Items {
			if it.RecordID != agent {
				t.Fatalf("record filter returned %s", it.RecordID)
			}
		}
		future := time.Now().Add(time.Hour).UTC().Format(time.RFC3339)
		if status, p := get("from=" + future); status != 200 || len(p.Items) != 0 {
			t.Fatalf("from the future: %d, %d items", status, len(p.Items))
		}
		ownerID := h.a.Personas["owner"].User.ID.String()
		if status, p := get("user_id=" + ownerID + "&table=org.roles"); status != 200 || len(p.Items) != 10 {
			t.Fatalf("roles created by the owner: %d, %d items", status, len(p.Items))
		}
	})
	t.Run("ErrBadCursor", func(t *testing.T) {
		status, body := h.do("GET", "/api/v1/audit/changes?cursor=garbage", owner, nil)
		if status != 422 || !json.Valid(body) {
			t.Fatalf("bad cursor: %d %s", status, body)
		}
	})
	t.Run("ErrFilterOfTheOtherTrail", func(t *testing.T) {
		for _, c := range []struct{ path, field string }{
			{"/api/v1/audit/changes?kind=login.failed", "kind"},
			{"/api/v1/audit/security-events?table=org.members", "table"},
			{"/api/v1/audit/security-events?record_id=" + realty.NewID().String(), "record_id"},
		} {
			status, body := h.do("GET", c.path, owner, nil)
			if status != 422 || !strings.Contains(string(body), `"`+c.field+`"`) {
				t.Errorf("%s: %d %s, want 422 naming %s", c.path, status, body, c.field)
			}
		}
	})
	t.Run("OKSecurityEvents", func(t *testing.T) {
		h.apiKey(h.a, "member.read")
		status, body := h.do("GET", "/api/v1/audit/security-events?kind=api_key.created", owner, nil)
		var p struct {
			Items []struct {
				Kind string `json:"kind"`
			} `json:"items"`
		}
		if err := json.Unmarshal(body, &p); status != 200 || err != nil || len(p.Items) != 1 {
			t.Fatalf("key events: %d %s", status, body)
		}
		status, body = h.do("GET", "/api/v1/audit/security-events?kind=login.succeeded", owner, nil)
		if err := json.Unmarshal(body, &p); status != 200 || err != nil || len(p.Items) != len(h.a.Personas) {
			t.Fatalf("sign-ins into acme: %d, %d events, want %d", status, len(p.Items), len(h.a.Personas))
		}
	})
}

// TestNoOrganizationIsNot500 calls organization operations as a user who
// belongs to no organization: refused, never a server error.
func TestNoOrganizationIsNot500(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	if err := h.env.Org.RemoveMember(t.Context(), h.a.Personas["owner"].Actor, h.a.Personas["client"].MemberID); err != nil {
		t.Fatal(err)
	}
	token := h.login(h.a.Personas["client"].Email, "")
	for _, path := range []string{"/members", "/organization", "/roles", "/audit/changes"} {
		status, body := h.do("GET", "/api/v1"+path, token, nil)
		if status != 403 {
			t.Errorf("GET %s without an organization: %d %s", path, status, body)
		}
	}
	status, body := h.do("GET", "/api/v1/auth/me", token, nil)
	if status != 200 {
		t.Fatalf("me: %d %s", status, body)
	}
}
