package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"realty"
	"realty/internal/crm"
	"realty/internal/fixture"
	"realty/internal/fixture/fixturetest"
	"realty/internal/identity"
	"realty/internal/messaging"
	"realty/internal/org"
)

// secondAgent adds another agent to o and returns their session.
func secondAgent(t *testing.T, h *harness, o fixture.Org) (*http.Cookie, realty.Actor) {
	t.Helper()
	ctx := context.Background()
	email := "agent2@" + o.Organization.Slug + ".example"
	u, err := h.env.Identity.CreateUser(ctx, identity.NewUser{Email: email, Password: fixturetest.Password, FirstName: "Second", LastName: "Agent"})
	if err != nil {
		t.Fatal(err)
	}
	m, err := h.env.Org.AddMember(ctx, realty.System(o.Organization.ID), u.ID, "agent", "")
	if err != nil {
		t.Fatal(err)
	}
	a, err := h.env.Org.MemberActor(ctx, o.Organization.ID, m.ID)
	if err != nil {
		t.Fatal(err)
	}
	return h.login(email, o.Organization.Slug), a
}

// clientIDOf is the client id a 303 to /clients/{id}?… names.
func clientIDOf(t *testing.T, r reply) string {
	t.Helper()
	loc := r.Header.Get("Location")
	if r.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, "/clients/") {
		t.Fatalf("create client: %d %q: %.400s", r.StatusCode, loc, r.body)
	}
	id, _, _ := strings.Cut(strings.TrimPrefix(loc, "/clients/"), "?")
	return id
}

// TestClientListAndForm: an agent adds a client through the form, finds it
// by phone in any notation, by source and on the stage board; a second
// client with the same address is 409 with a link to the first; another
// agent cannot open it (404) nor find it, a broker can; a malformed agent
// filter is 422 naming agent.
func TestClientListAndForm(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	acme := h.env.Organization(t, "acme")
	agent := h.login(acme.Personas["agent"].Email, "acme")
	r := h.post("/clients", url.Values{"first_name": {"Ann"}, "last_name": {"Lee"}, "email": {"ann@lee.example"},
		"phone": {"+1 415 555 2671"}, "source": {"open_house"}, "stage": {"lead"}, "nurture_status": {"hot"},
		"budget_min": {"300000"}, "budget_max": {"450000"}, "tags": {"first-time, condo"}, "email_consent": {"on"}}, agent)
	id := clientIDOf(t, r)
	expect(t, h.get("/clients/"+id, agent), 200, "Ann Lee", "ann@lee.example", "&#43;14155552671", "open_house",
		"$300,000", "$450,000", "first-time, condo", "e-mail yes")
	expect(t, h.get("/clients?q="+url.QueryEscape("(415) 555-26"), agent), 200, `href="/clients/`+id+`"`)
	expect(t, h.get("/clients?source=open_house", agent), 200, `href="/clients/`+id+`"`)
	if r := h.get("/clients?source=website", agent); strings.Contains(r.body, id) {
		t.Error("the source filter kept a client of another source")
	}
	expect(t, h.get("/clients?view=board", agent), 200, `data-stage="lead"`, `data-id="`+id+`"`, `action="/clients/`+id+`/stage"`)

	dup := h.post("/clients", url.Values{"first_name": {"Annie"}, "email": {"ANN@lee.example"}}, agent)
	expect(t, dup, http.StatusConflict, `id="duplicate"`, `href="/clients/`+id+`"`)
	expect(t, h.post("/clients", url.Values{"first_name": {""}}, agent), http.StatusUnprocessableEntity, "first_name", "is required")

	other, _ := secondAgent(t, h, acme)
	expect(t, h.get("/clients/"+id, other), http.StatusNotFound)
	if r := h.get("/clients?q=ann", other); r.StatusCode != 200 || strings.Contains(r.body, id) {
		t.Errorf("another agent's list: %d, holds the client: %v", r.StatusCode, strings.Contains(r.body, id))
	}
	otherDup := h.post("/clients", url.Values{"first_name": {"Ann"}, "email": {"ann@lee.example"}}, other)
	expect(t, otherDup, http.StatusConflict, "already a client of another agent")
	if strings.Contains(otherDup.body, `href="/clients/`+id+`"`) {
		t.Error("the duplicate links another agent's client the agent cannot open")
	}
	broker := h.login(acme.Personas["broker"].Email, "acme")
	expect(t, h.get("/clients/"+id, broker), 200, "Ann Lee", `id="assign"`)
	expect(t, h.get("/clients?agent=nope", broker), http.StatusUnprocessableEntity, "is not an id")
	if r := h.get("/clients", agent); strings.Contains(r.body, `name="agent"`) {
		t.Error("an agent is offered the agent filter")
	}
	if r := h.get("/clients/"+id, agent); strings.Contains(r.body, `id="assign"`) {
		t.Error("an agent is offered the assign form")
	}
}

// TestClientEdit: the edit form changes facts; a taken address is 409.
func TestClientEdit(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	acme := h.env.Organization(t, "acme")
	agent := h.login(acme.Personas["agent"].Email, "acme")
	ctx := context.Background()
	a := acme.Personas["agent"].Actor
	c, err := h.env.CRM.Create(ctx, a, crm.Input{FirstName: "Bo", Email: "bo@x.example"})
	if err != nil {
		t.Fatal(err)
	}
	taken, err := h.env.CRM.Create(ctx, a, crm.Input{FirstName: "Cy", Email: "cy@x.example"})
	if err != nil {
		t.Fatal(err)
	}
	id := c.ID.String()
	expect(t, h.get("/clients/"+id+"/edit", agent), 200, `value="bo@x.example"`)
	form := url.Values{"first_name": {"Bob"}, "last_name": {"Stone"}, "email": {"bo@x.example"}, "phone": {""}, "source": {"referral"},
		"nurture_status": {"warm"}, "tags": {"vip"}, "notes": {"likes gardens"}, "sms_consent": {"on"}}
	if r := h.post("/clients/"+id, form, agent); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("update: %d %.300s", r.StatusCode, r.body)
	}
	expect(t, h.get("/clients/"+id, agent), 200, "Bob Stone", "referral", "Warm", "vip", "likes gardens", "SMS yes")
	form.Set("email", "cy@x.example")
	expect(t, h.post("/clients/"+id, form, agent), http.StatusConflict, `href="/clients/`+taken.ID.String()+`"`)
}

// TestStageBoardMove: a move posted from the board (no JavaScript) changes
// the stage through the CRM, keeps the history and returns to the board; a
// move from a stale card is 409 and changes nothing; a move the rules do
// not allow is 422.
func TestStageBoardMove(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	acme := h.env.Organization(t, "acme")
	agent := h.login(acme.Personas["agent"].Email, "acme")
	a := acme.Personas["agent"].Actor
	ctx := context.Background()
	c, err := h.env.CRM.Create(ctx, a, crm.Input{FirstName: "Dee"})
	if err != nil {
		t.Fatal(err)
	}
	id := c.ID.String()
	move := url.Values{"from": {"lead"}, "stage": {"prospect"}, "next": {"/clients?view=board&q=dee"}}
	r := h.post("/clients/"+id+"/stage", move, agent)
	if r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != "/clients?view=board&q=dee&notice=saved" {
		t.Fatalf("move: %d %q", r.StatusCode, r.Header.Get("Location"))
	}
	board := h.get("/clients?view=board", agent)
	prospect := board.body[strings.Index(board.body, `data-stage="prospect" aria-label`):]
	if !strings.HasPrefix(prospect[strings.Index(prospect, `class="client-card"`):], `class="client-card" data-id="`+id+`"`) {
		t.Errorf("the card is not in the prospect column: %.600s", prospect)
	}
	history, err := h.env.CRM.StageHistory(ctx, a, c.ID)
	if err != nil || len(history) != 2 || history[1].ToStage != "prospect" || *history[1].ChangedBy != acme.Personas["agent"].MemberID {
		t.Fatalf("history %+v %v", history, err)
	}
	expect(t, h.post("/clients/"+id+"/stage", move, agent), http.StatusConflict, "moved to prospect meanwhile", `id="board"`)
	expect(t, h.post("/clients/"+id+"/stage", url.Values{"from": {"prospect"}, "stage": {"closed"}, "next": {"/clients?view=board"}}, agent),
		http.StatusUnprocessableEntity, "cannot move from prospect to closed")
	if got, _ := h.env.CRM.Get(ctx, a, c.ID); got.Stage != "prospect" {
		t.Errorf("stage %s after refused moves, want prospect", got.Stage)
	}
	expect(t, h.post("/clients/"+id+"/stage", url.Values{"from": {"prospect"}, "stage": {"active"}, "reason": {strings.Repeat("x", 501)},
		"next": {"/clients/" + id}}, agent), http.StatusUnprocessableEntity, `id="stage-form"`, "must be at most 500 characters")
	other, _ := secondAgent(t, h, acme)
	expect(t, h.post("/clients/"+id+"/stage", url.Values{"stage": {"active"}}, other), http.StatusNotFound)
}

// TestClientTimelineAndTasks: an interaction added through the form shows
// in the timeline; the timeline pages with "Older"; a task added on the
// page shows there and in "my tasks", and completing it removes it from
// both views' open lists.
func TestClientTimelineAndTasks(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	acme := h.env.Organization(t, "acme")
	agent := h.login(acme.Personas["agent"].Email, "acme")
	a := acme.Personas["agent"].Actor
	ctx := context.Background()
	c, err := h.env.CRM.Create(ctx, a, crm.Input{FirstName: "Eve"})
	if err != nil {
		t.Fatal(err)
	}
	id := c.ID.String()
	r := h.post("/clients/"+id+"/interactions", url.Values{"type": {"call"}, "outcome": {"left a voicemail"}, "notes": {"asked about schools"}}, agent)
	if r.StatusCode != http.StatusSeeOther {
		t.Fatalf("add interaction: %d %.300s", r.StatusCode, r.body)
	}
	expect(t, h.get("/clients/"+id, agent), 200, `data-kind="interaction"`, "left a voicemail", "asked about schools")
	expect(t, h.post("/clients/"+id+"/interactions", url.Values{"type": {"fax"}}, agent), http.StatusUnprocessableEntity,
		"must be email, call, meeting, sms or note")
	expect(t, h.post("/clients/"+id+"/interactions", url.Values{"type": {"call"}, "occurred_at": {"soon"}}, agent),
		http.StatusUnprocessableEntity, "is not a date and time")

	for i := range 25 {
		at := time.Now().Add(-time.Duration(i+1) * time.Hour)
		if _, err := h.env.CRM.LogInteraction(ctx, a, c.ID, crm.InteractionInput{Type: "note", Notes: "note " + string(rune('a'+i)), OccurredAt: at}); err != nil {
			t.Fatal(err)
		}
	}
	first := h.get("/clients/"+id, agent)
	expect(t, first, 200, `id="older"`)
	if strings.Contains(first.body, "note y") {
		t.Error("the first page holds the oldest note")
	}
	i := strings.Index(first.body, `href="/clients/`+id+`?before=`)
	older, _, _ := strings.Cut(first.body[i+len(`href="`):], `"`)
	expect(t, h.get(strings.ReplaceAll(older, "&amp;", "&"), agent), 200, "note y")

	due := time.Now().Add(-2 * time.Hour).UTC().Format("2006-01-02T15:04")
	if r := h.post("/clients/"+id+"/tasks", url.Values{"title": {"Send the comps"}, "due_at": {due}, "priority": {"high"}}, agent); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("add task: %d %.300s", r.StatusCode, r.body)
	}
	expect(t, h.get("/clients/"+id, agent), 200, "Send the comps", `data-kind="task"`)
	tasks := h.get("/tasks", agent)
	expect(t, tasks, 200, `id="tasks-overdue"`, "Send the comps")
	p, err := h.env.CRM.Tasks(ctx, a, crm.TaskFilter{ClientID: &c.ID})
	if err != nil || len(p.Items) != 1 {
		t.Fatalf("tasks %+v %v", p.Items, err)
	}
	other, _ := secondAgent(t, h, acme)
	expect(t, h.post("/tasks/"+p.Items[0].ID.String()+"/complete", nil, other), http.StatusNotFound)
	r = h.post("/tasks/"+p.Items[0].ID.String()+"/complete", url.Values{"next": {"/clients/" + id}}, agent)
	if r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != "/clients/"+id+"?notice=saved" {
		t.Fatalf("complete: %d %q", r.StatusCode, r.Header.Get("Location"))
	}
	if r := h.get("/tasks", agent); strings.Contains(r.body, "Send the comps") {
		t.Error("a done task is still in my tasks")
	}
	expect(t, h.get("/clients/"+id, agent), 200, `data-status="done"`)
}

// TestNotificationBell: the bell shows the unread count; opening a
// notification marks it read and goes to its client; mark all read
// empties the count; a member's notification is 404 to another member.
func TestNotificationBell(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	acme := h.env.Organization(t, "acme")
	agent := h.login(acme.Personas["agent"].Email, "acme")
	ctx := context.Background()
	a := acme.Personas["agent"]
	clientID := realty.NewID()
	var ids []realty.ID
	for _, name := range []string{"Fay", "Gus"} {
		n, err := h.env.Messaging.Notify(ctx, realty.System(acme.Organization.ID), messaging.Notice{Recipient: a.MemberID,
			Kind: "lead.assigned", Payload: map[string]any{"name": name, "client_id": clientID.String()}})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, *n.Notification)
	}
	expect(t, h.get("/", agent), 200, `id="bell-count">2<`)
	expect(t, h.get("/notifications", agent), 200, "A lead was assigned to you: Fay", `class="unread"`)
	r := h.post("/notifications/"+ids[0].String()+"/read", url.Values{"next": {"/clients/" + clientID.String()}}, agent)
	if r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != "/clients/"+clientID.String() {
		t.Fatalf("open: %d %q", r.StatusCode, r.Header.Get("Location"))
	}
	expect(t, h.get("/", agent), 200, `id="bell-count">1<`)
	broker := h.login(acme.Personas["broker"].Email, "acme")
	expect(t, h.post("/notifications/"+ids[1].String()+"/read", nil, broker), http.StatusNotFound)
	if r := h.post("/notifications/read-all", nil, agent); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("read all: %d", r.StatusCode)
	}
	if r := h.get("/", agent); strings.Contains(r.body, "bell-count") || !strings.Contains(r.body, `id="bell"`) {
		t.Errorf("after mark all read the bell still counts, or is gone: %.300s", r.body)
	}
}

// TestForgotAndResetPages: the request answers the same for an address
// with and without an account; a malformed one is 422; the reset page
// refuses an unknown token with a way to ask again, and mismatched
// passwords beside the field; the verify page refuses an unknown token.
func TestForgotAndResetPages(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	acme := h.env.Organization(t, "acme")
	known := h.post("/forgot-password", url.Values{"email": {acme.Personas["agent"].Email}}, nil)
	unknown := h.post("/forgot-password", url.Values{"email": {"nobody@nowhere.example"}}, nil)
	if known.StatusCode != http.StatusSeeOther || known.Header.Get("Location") != unknown.Header.Get("Location") || known.body != unknown.body {
		t.Fatalf("known: %d %q; unknown: %d %q", known.StatusCode, known.Header.Get("Location"), unknown.StatusCode, unknown.Header.Get("Location"))
	}
	expect(t, h.get(known.Header.Get("Location"), nil), 200, "If an account has this address")
	expect(t, h.post("/forgot-password", url.Values{"email": {"not an address"}}, nil), http.StatusUnprocessableEntity, `aria-invalid="true"`)
	expect(t, h.get("/reset-password?token=abc", nil), 200, `name="token" value="abc"`)
	expect(t, h.post("/reset-password", url.Values{"token": {"abc"}, "password": {"a long enough passphrase"}, "confirm": {"a long enough passphrase"}}, nil),
		http.StatusUnprocessableEntity, `id="link-refused"`, `href="/forgot-password"`)
	expect(t, h.post("/reset-password", url.Values{"token": {"abc"}, "password": {"a long enough passphrase"}, "confirm": {"another"}}, nil),
		http.StatusUnprocessableEntity, "does not match the password")
	expect(t, h.post("/verify-email", url.Values{"token": {"abc"}}, nil), http.StatusUnprocessableEntity, `id="link-refused"`)
	expect(t, h.get("/login", nil), 200, `href="/forgot-password"`)
}

// TestNavCRMLinks: the CRM links and the bell show to the roles that may
// use them: Clients and My tasks with client.read, New client with
// client.write, the bell with notification.read.
func TestNavCRMLinks(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	o := h.env.Organization(t, "acme")
	links := []string{`href="/clients"`, `href="/clients/new"`, `href="/tasks"`, `id="bell"`}
	for role, want := range map[string][]bool{
		"broker":           {true, true, true, true},
		"agent":            {true, true, true, true},
		"read_only":        {true, false, true, true},
		"property_manager": {false, false, false, true},
		"resident":         {false, false, false, false},
	} {
		body := h.get("/account", h.login(o.Personas[role].Email, "")).body
		for i, l := range links {
			if strings.Contains(body, l) != want[i] {
				t.Errorf("%s: shows %s = %v, want %v", role, l, !want[i], want[i])
			}
		}
	}
}

// TestVerifyEmailPages: the account page offers a confirmation link; the
// link's page confirms the address with its button, once; the account page
// then says the address is confirmed.
func TestVerifyEmailPages(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	acme := h.env.Organization(t, "acme")
	agent := h.login(acme.Personas["agent"].Email, "acme")
	expect(t, h.get("/account", agent), 200, `id="email-status">address not confirmed<`, `id="verify-request"`)
	if r := h.post("/account/verify-email", nil, agent); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("ask for a link: %d %.300s", r.StatusCode, r.body)
	}
	var link string
	if err := h.env.Pool.QueryRow(context.Background(), `SELECT data->>'link' FROM messaging.account_deliveries
		WHERE recipient = $1 AND kind = 'account.verify_email'`, acme.Personas["agent"].Email).Scan(&link); err != nil {
		t.Fatal(err)
	}
	u, err := url.Parse(link)
	if err != nil || u.Path != "/verify-email" {
		t.Fatalf("link %q: %v", link, err)
	}
	expect(t, h.get(u.RequestURI(), nil), 200, `id="verify-form"`)
	expect(t, h.get("/account", agent), 200, `id="email-status">address not confirmed<`) // opening the link spent nothing
	form := url.Values{"token": {u.Query().Get("token")}}
	if r := h.post("/verify-email", form, agent); r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != "/account?notice=verified" {
		t.Fatalf("confirm: %d %q", r.StatusCode, r.Header.Get("Location"))
	}
	expect(t, h.get("/account?notice=verified", agent), 200, `id="email-status">address confirmed<`, "Your e-mail address is confirmed.")
	expect(t, h.post("/verify-email", form, nil), http.StatusUnprocessableEntity, `id="link-refused"`)
}

// TestClientTimesInOrgZone: a due time typed in the task form is the
// organization's local time, stored as the instant, and shown back in the
// organization's zone.
func TestClientTimesInOrgZone(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	acme := h.env.Organization(t, "acme")
	ctx := context.Background()
	zone := "America/Chicago"
	if _, err := h.env.Org.UpdateOrganization(ctx, acme.Personas["owner"].Actor, org.OrganizationPatch{TimeZone: &zone}); err != nil {
		t.Fatal(err)
	}
	agent := h.login(acme.Personas["agent"].Email, "acme")
	c := mustCreate(t, h, acme.Personas["agent"].Actor, "Kim")
	id := c.ID.String()
	if r := h.post("/clients/"+id+"/tasks", url.Values{"title": {"Call back"}, "due_at": {"2030-01-15T09:30"}}, agent); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("add task: %d %.300s", r.StatusCode, r.body)
	}
	p, err := h.env.CRM.Tasks(ctx, acme.Personas["agent"].Actor, crm.TaskFilter{ClientID: &c.ID})
	if err != nil || len(p.Items) != 1 || !p.Items[0].DueAt.Equal(time.Date(2030, 1, 15, 15, 30, 0, 0, time.UTC)) {
		t.Fatalf("task %+v %v, want due 15:30 UTC", p.Items, err)
	}
	expect(t, h.get("/clients/"+id, agent), 200, "due 2030-01-15 09:30 CST")
	expect(t, h.get("/tasks", agent), 200, "due 2030-01-15 09:30 CST")
}
