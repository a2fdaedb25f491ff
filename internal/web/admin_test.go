package web_test

import (
	"context"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"realty/internal/fixture/fixturetest"
	"realty/internal/org"
)

// TestInvitations invites through the page, shows the token once, and
// accepts through the link as a new user, who can then sign in.
func TestInvitations(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	o := h.env.Organization(t, "acme")
	c := h.login(o.Personas["owner"].Email, "")
	agent := h.roleID(o.Organization.ID, "agent").String()

	r := h.post("/admin/invitations", url.Values{"email": {"new.agent@example.com"}, "role_id": {agent}}, c)
	expect(t, r, http.StatusOK, `id="invitation-token"`, "new.agent@example.com", ">open<")
	link := regexp.MustCompile(`id="invitation-link" class="wrap">([^<]+)<`).FindStringSubmatch(r.body)[1]
	u, err := url.Parse(html.UnescapeString(link))
	if err != nil || !strings.HasPrefix(u.Query().Get("token"), "inv_") {
		t.Fatalf("accept link %q", link)
	}
	if strings.Contains(h.get("/admin/invitations", c).body, u.Query().Get("token")) {
		t.Fatal("the token is shown again")
	}
	expect(t, h.post("/admin/invitations", url.Values{"email": {"new.agent@example.com"}, "role_id": {agent}}, c),
		http.StatusConflict, "already has an open invitation", `value="new.agent@example.com"`)
	expect(t, h.post("/admin/invitations", url.Values{"email": {"x@example.com"}}, c),
		http.StatusUnprocessableEntity, `class="field-error">no such role`)

	expect(t, h.get(u.RequestURI(), nil), http.StatusOK, `name="password"`)
	form := url.Values{"token": {u.Query().Get("token")}, "first_name": {"Nia"}}
	expect(t, h.post("/invitations/accept", form, nil), http.StatusUnprocessableEntity, `class="field-error"`, `value="Nia"`)
	form.Set("password", "a long and unusual passphrase")
	r = h.post("/invitations/accept", form, nil)
	if r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != "/login?notice=accepted" {
		t.Fatalf("accept = %d to %q: %.300s", r.StatusCode, r.Header.Get("Location"), r.body)
	}
	expect(t, h.post("/invitations/accept", form, nil), http.StatusNotFound, "already used")
	r = h.post("/login", url.Values{"email": {"new.agent@example.com"}, "password": {"a long and unusual passphrase"}}, nil)
	expect(t, h.get("/admin/members", r.cookie("realty_session")), http.StatusOK, "new.agent@example.com")
}

// TestInvitationRevokeHTMX withdraws an invitation from its row: htmx gets
// the row back, a plain form a redirect; a second revoke is a 404 swapped
// into the flash area.
func TestInvitationRevokeHTMX(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	o := h.env.Organization(t, "acme")
	c := h.login(o.Personas["broker"].Email, "")
	r := h.post("/admin/invitations", url.Values{"email": {"someone@example.com"}, "role_id": {h.roleID(o.Organization.ID, "agent").String()}}, c)
	id := regexp.MustCompile(`id="invitation-([0-9a-f-]{36})"`).FindStringSubmatch(r.body)[1]

	r = h.post("/admin/invitations/"+id+"/revoke", nil, c, "HX-Request", "true")
	expect(t, r, http.StatusOK, `id="invitation-`+id+`"`, ">revoked<")
	if strings.Contains(r.body, "<html") {
		t.Fatal("htmx got a whole page")
	}
	r = h.post("/admin/invitations/"+id+"/revoke", nil, c, "HX-Request", "true")
	expect(t, r, http.StatusNotFound, "no open invitation with this id")
	if r.Header.Get("HX-Retarget") != "#flash" {
		t.Fatalf("htmx error not retargeted: %q", r.Header.Get("HX-Retarget"))
	}
	expect(t, h.post("/admin/invitations/"+id+"/revoke", nil, c), http.StatusNotFound, "<html")
	expect(t, h.post("/admin/invitations/not-an-id/revoke", nil, c), http.StatusNotFound)
}

// TestAPIKeys creates a key with chosen permissions, shows its secret once,
// and revokes it from its row; the API honours both.
func TestAPIKeys(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	o := h.env.Organization(t, "acme")
	c := h.login(o.Personas["owner"].Email, "")

	expect(t, h.post("/admin/api-keys", url.Values{"name": {"sync"}}, c), http.StatusUnprocessableEntity, `value="sync"`)
	expect(t, h.post("/admin/api-keys", url.Values{"name": {"sync"}, "permissions": {"member.read"}, "expires_on": {"soon"}}, c),
		http.StatusUnprocessableEntity, "is not a date", `value="member.read" checked`)
	r := h.post("/admin/api-keys", url.Values{"name": {"sync"}, "permissions": {"member.read", "listing.read"}}, c)
	expect(t, r, http.StatusOK, `id="api-key-secret"`, "listing.read", "member.read")
	secret := regexp.MustCompile(`id="api-key-secret" class="wrap">(rk_[^<]+)<`).FindStringSubmatch(r.body)[1]
	id := regexp.MustCompile(`id="api-key-([0-9a-f-]{36})"`).FindStringSubmatch(r.body)[1]
	if strings.Contains(h.get("/admin/api-keys", c).body, secret) {
		t.Fatal("the secret is shown again")
	}
	if st := h.apiGet("/api/v1/members", secret); st != http.StatusOK {
		t.Fatalf("new key: %d", st)
	}
	r = h.post("/admin/api-keys/"+id+"/revoke", nil, c, "HX-Request", "true")
	expect(t, r, http.StatusOK, `id="api-key-`+id+`"`, "revoked ")
	if st := h.apiGet("/api/v1/members", secret); st != http.StatusUnauthorized {
		t.Fatalf("revoked key: %d", st)
	}
}

func (h *harness) apiGet(path, credential string) int {
	h.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, h.url+path, nil)
	req.Header.Set("Authorization", "Bearer "+credential)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		h.t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// TestRoles creates a custom role, grants and withdraws it, and deletes it;
// errors are shown next to the field of the form at fault.
func TestRoles(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	o := h.env.Organization(t, "acme")
	c := h.login(o.Personas["owner"].Email, "")

	expect(t, h.post("/admin/roles", url.Values{"key": {"owner"}, "name": {"Boss"}}, c),
		http.StatusUnprocessableEntity, `class="field-error">is a system role&#39;s key`, `value="Boss"`)
	r := h.post("/admin/roles", url.Values{"key": {"showing_agent"}, "name": {"Showing agent"}, "permissions": {"listing.read", "member.read"}}, c)
	if r.StatusCode != http.StatusSeeOther {
		t.Fatalf("create role = %d: %.400s", r.StatusCode, r.body)
	}
	page := h.get("/admin/roles", c)
	expect(t, page, http.StatusOK, "Showing agent", "listing.read, member.read", ">custom<")
	roleID := h.roleID(o.Organization.ID, "showing_agent").String()
	agent := o.Personas["agent"].MemberID.String()

	expect(t, h.post("/admin/role-assignments", url.Values{"member_id": {agent}, "role_id": {roleID}, "expires_on": {"2001-01-01"}}, c),
		http.StatusUnprocessableEntity, `class="field-error">must be in the future`)
	tomorrow := time.Now().AddDate(0, 0, 2).Format(time.DateOnly)
	expect(t, h.post("/admin/role-assignments", url.Values{"member_id": {agent}, "role_id": {roleID}, "expires_on": {tomorrow}}, c), http.StatusSeeOther)
	page = h.get("/admin/roles", c)
	expect(t, page, http.StatusOK, "Arjun Agent &lt;agent@acme.example&gt;</td>\n      <td>Showing agent</td>")
	expect(t, h.post("/admin/roles/"+roleID+"/delete", nil, c), http.StatusConflict, "withdraw it first")

	assignment := regexp.MustCompile(`/admin/role-assignments/([0-9a-f-]{36})/delete" hx-post="[^"]+"\s+hx-target="closest tr" hx-swap="outerHTML" hx-confirm="Withdraw Showing agent`).FindStringSubmatch(page.body)
	if assignment == nil {
		t.Fatal("no withdraw form for the new assignment")
	}
	expect(t, h.post("/admin/role-assignments/"+assignment[1]+"/delete", nil, c, "HX-Request", "true"), http.StatusOK)
	expect(t, h.post("/admin/roles/"+roleID+"/delete", nil, c), http.StatusSeeOther)
	if strings.Contains(h.get("/admin/roles", c).body, "Showing agent") {
		t.Fatal("deleted role still listed")
	}
}

// TestMembers changes a title from its row and removes a member, whose
// session ends at once.
func TestMembers(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	o := h.env.Organization(t, "acme")
	c := h.login(o.Personas["admin"].Email, "")
	agent := o.Personas["agent"]
	agentSession := h.login(agent.Email, "")

	r := h.post("/admin/members/"+agent.MemberID.String(), url.Values{"title": {"Lead agent"}}, c, "HX-Request", "true")
	expect(t, r, http.StatusOK, `value="Lead agent"`, `id="member-`+agent.MemberID.String()+`"`)
	r = h.post("/admin/members/"+agent.MemberID.String()+"/remove", nil, c)
	if r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != "/admin/members?notice=removed" {
		t.Fatalf("remove = %d to %q", r.StatusCode, r.Header.Get("Location"))
	}
	expect(t, h.get("/admin/members?notice=removed", c), http.StatusOK, "Removed.", ">Inactive<")
	expect(t, h.get("/account", agentSession), http.StatusSeeOther)
	expect(t, h.post("/admin/members/"+o.Personas["owner"].MemberID.String()+"/remove", nil, c),
		http.StatusForbidden, "only an owner can change an owner")
}

// TestAccountPassword changes the password with field errors shown next
// to the field; the change signs out the user's other sessions.
func TestAccountPassword(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	o := h.env.Organization(t, "acme")
	email := o.Personas["accountant"].Email
	c, other := h.login(email, ""), h.login(email, "")

	r := h.post("/account/password", url.Values{"current_password": {"wrong"}, "new_password": {"a long and unusual passphrase"}}, c)
	expect(t, r, http.StatusUnprocessableEntity, `name="current_password" autocomplete="current-password" required aria-invalid="true">
      <small class="field-error">is not your current password</small>`)
	r = h.post("/account/password", url.Values{"current_password": {fixturetest.Password}, "new_password": {"password"}}, c)
	expect(t, r, http.StatusUnprocessableEntity, `name="new_password" autocomplete="new-password" required aria-invalid="true">`)
	r = h.post("/account/password", url.Values{"current_password": {fixturetest.Password}, "new_password": {"a long and unusual passphrase"}}, c)
	if r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != "/account?notice=password" {
		t.Fatalf("change password = %d to %q", r.StatusCode, r.Header.Get("Location"))
	}
	expect(t, h.get("/account", other), http.StatusSeeOther)
	expect(t, h.get("/account?notice=password", c), http.StatusOK, "Your password is changed")
}

// TestAccountSessions lists the user's sessions and revokes them from their
// rows: another one (htmx removes the row), then this one (signing out).
func TestAccountSessions(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	o := h.env.Organization(t, "acme")
	email := o.Personas["accountant"].Email
	c, third := h.login(email, ""), h.login(email, "")
	page := h.get("/account", c)
	expect(t, page, http.StatusOK, "<mark>this session</mark>")
	if n := strings.Count(page.body, "/revoke\""); n != 2*2 {
		t.Fatalf("%d revoke attributes, want two sessions", n)
	}
	var mine, theirs string
	for _, row := range regexp.MustCompile(`(?s)<tr>.*?</tr>`).FindAllString(h.get("/account", third).body, -1) {
		m := regexp.MustCompile(`/account/sessions/([0-9a-f-]{36})/revoke`).FindStringSubmatch(row)
		switch {
		case m == nil: // the header row
		case strings.Contains(row, "<mark>this session</mark>"):
			mine = m[1]
		default:
			theirs = m[1]
		}
	}
	if mine == "" || theirs == "" {
		t.Fatalf("sessions: this %q, other %q", mine, theirs)
	}
	r := h.post("/account/sessions/"+theirs+"/revoke", nil, third, "HX-Request", "true")
	expect(t, r, http.StatusOK)
	if r.body != "" {
		t.Fatalf("htmx revoke answered %q, want an empty body removing the row", r.body)
	}
	expect(t, h.get("/account", c), http.StatusSeeOther)
	r = h.post("/account/sessions/"+mine+"/revoke", nil, third, "HX-Request", "true")
	if r.Header.Get("HX-Redirect") != "/login?notice=signed-out" {
		t.Fatalf("revoking this session: %d, HX-Redirect %q", r.StatusCode, r.Header.Get("HX-Redirect"))
	}
	expect(t, h.get("/account", third), http.StatusSeeOther)
	expect(t, h.post("/account/sessions/"+theirs+"/revoke", nil, h.login(o.Personas["owner"].Email, "")), http.StatusNotFound)
}

// TestAuditViewer filters row changes and security events and pages
// through them with the cursor.
func TestAuditViewer(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	o := h.env.Organization(t, "acme")
	c := h.login(o.Personas["owner"].Email, "")
	agent := h.roleID(o.Organization.ID, "agent")
	for i := range 50 { // more than one page of changes
		if _, _, err := h.env.Org.Invite(context.Background(), o.Personas["owner"].Actor,
			org.NewInvitation{Email: fmt.Sprintf("filler%d@example.com", i), RoleID: agent}); err != nil {
			t.Fatal(err)
		}
	}
	h.post("/admin/invitations", url.Values{"email": {"audited@example.com"}, "role_id": {agent.String()}}, c)

	expect(t, h.get("/admin/audit?tab=changes&table=org.invitations", c), http.StatusOK, `data-table="org.invitations"`, "audited@example.com")
	r := h.get("/admin/audit?tab=events&kind=login.succeeded&user="+o.Personas["owner"].User.ID.String(), c)
	expect(t, r, http.StatusOK, `data-kind="login.succeeded"`, "owner@acme.example")
	if strings.Contains(r.body, `data-kind="logout"`) {
		t.Fatal("kind filter ignored")
	}
	future := time.Now().AddDate(0, 0, 2).Format(time.DateOnly)
	today := time.Now().UTC().Format(time.DateOnly)
	expect(t, h.get("/admin/audit?from="+future, c), http.StatusOK, "No row changes match.")
	expect(t, h.get("/admin/audit?to="+today+"&table=org.invitations", c), http.StatusOK, `data-table="org.invitations"`)
	expect(t, h.get("/admin/audit?from=yesterday", c), http.StatusUnprocessableEntity, `class="field-error">is not a date`)
	expect(t, h.get("/admin/audit?cursor=garbage", c), http.StatusUnprocessableEntity)

	first := h.get("/admin/audit", c)
	next := regexp.MustCompile(`href="(/admin/audit\?[^"]+)" id="next-page"`).FindStringSubmatch(first.body)
	if next == nil {
		t.Fatal("no next page link after 50 changes")
	}
	second := h.get(html.UnescapeString(next[1]), c)
	expect(t, second, http.StatusOK, "<tr data-table=")
	if rowsOf(first.body)[0] == rowsOf(second.body)[0] {
		t.Fatal("the next page repeats the first")
	}
}

func rowsOf(body string) []string {
	return regexp.MustCompile(`(?s)<tr data-table=.*?</tr>`).FindAllString(body, -1)
}
