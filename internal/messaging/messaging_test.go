package messaging_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	smtpmock "github.com/mocktools/go-smtp-mock/v2"

	"realty"
	"realty/internal/app"
	"realty/internal/fixture"
	"realty/internal/fixture/fixturetest"
	"realty/internal/messaging"
	"realty/internal/postgres/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// bundle is one test's database, organization and a messaging service
// sending to a real SMTP peer on 127.0.0.1.
type bundle struct {
	env  fixturetest.Env
	org  fixture.Org
	smtp *smtpmock.Server
	svc  *messaging.Service
}

func setup(t *testing.T, mock smtpmock.ConfigurationAttr) bundle {
	t.Helper()
	env := fixturetest.New(t)
	o := env.Organization(t, "acme")
	mock.HostAddress, mock.MultipleMessageReceiving = "127.0.0.1", true
	srv := smtpmock.New(mock)
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Stop() })
	return bundle{env: env, org: o, smtp: srv, svc: newService(t, env, srv.PortNumber())}
}

// newService is a messaging service sending to port on 127.0.0.1, with
// retries milliseconds apart.
func newService(t *testing.T, env fixturetest.Env, port int) *messaging.Service {
	t.Helper()
	sender, err := messaging.NewSMTP(messaging.SMTPConfig{Host: "127.0.0.1", Port: port, TLS: messaging.TLSNone, Timeout: 5 * time.Second, HELO: "realty.acme.example"})
	if err != nil {
		t.Fatal(err)
	}
	return messaging.New(env.Pool, env.Jobs, env.Org, env.Identity, messaging.Options{Mail: sender, From: "realty@acme.example",
		Audience: app.Audience{Leasing: env.Leasing, Property: env.Property}, MaxAttempts: 3, Backoff: func(n int) time.Duration { return time.Duration(n) * 20 * time.Millisecond }})
}

// accepted are the messages the SMTP peer accepted (DATA completed).
func accepted(srv *smtpmock.Server) []smtpmock.Message {
	var out []smtpmock.Message
	for _, m := range srv.Messages() {
		if m.Msg() {
			out = append(out, m)
		}
	}
	return out
}

func (b bundle) persona(role string) fixture.Persona { return b.org.Personas[role] }

// notify sends a notice of kind to the persona with role, as the owner.
func (b bundle) notify(t *testing.T, svc *messaging.Service, role, kind string, payload map[string]any) messaging.Notified {
	t.Helper()
	n, err := svc.Notify(context.Background(), b.persona("owner").Actor, messaging.Notice{Recipient: b.persona(role).MemberID, Kind: kind, Payload: payload})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func (b bundle) delivery(t *testing.T, id realty.ID) messaging.Delivery {
	t.Helper()
	p, err := b.svc.Deliveries(context.Background(), b.persona("owner").Actor, messaging.DeliveryFilter{Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range p.Items {
		if d.ID == id {
			return d
		}
	}
	t.Fatalf("delivery %s not in the outbox", id)
	return messaging.Delivery{}
}

func TestNotifications(t *testing.T) {
	t.Parallel()
	b := setup(t, smtpmock.ConfigurationAttr{})
	ctx := context.Background()
	agent := b.persona("agent").Actor
	for i := range 5 {
		b.notify(t, b.svc, "agent", "task.due", map[string]any{"title": fmt.Sprint("task ", i)})
	}
	b.notify(t, b.svc, "broker", "task.due", map[string]any{"title": "not the agent's"})

	t.Run("OK keyset pages, newest first", func(t *testing.T) {
		var seen []string
		cursor := ""
		for {
			p, err := b.svc.Notifications(ctx, agent, messaging.Filter{Cursor: cursor, Limit: 2})
			if err != nil {
				t.Fatal(err)
			}
			for _, n := range p.Items {
				seen = append(seen, n.Payload["title"].(string))
			}
			if cursor = p.NextCursor; cursor == "" {
				break
			}
		}
		if got := strings.Join(seen, ","); got != "task 4,task 3,task 2,task 1,task 0" {
			t.Fatalf("pages: %s", got)
		}
	})
	t.Run("OK mark read", func(t *testing.T) {
		p, _ := b.svc.Notifications(ctx, agent, messaging.Filter{Limit: 10})
		if n, _ := b.svc.UnreadCount(ctx, agent); n != 5 {
			t.Fatalf("unread %d, want 5", n)
		}
		first, err := b.svc.MarkRead(ctx, agent, p.Items[0].ID)
		if err != nil || first.ReadAt == nil {
			t.Fatalf("mark read: %v %v", first.ReadAt, err)
		}
		again, _ := b.svc.MarkRead(ctx, agent, p.Items[0].ID)
		if !again.ReadAt.Equal(*first.ReadAt) {
			t.Errorf("second mark moved read_at from %v to %v", first.ReadAt, again.ReadAt)
		}
		unread, _ := b.svc.Notifications(ctx, agent, messaging.Filter{Unread: true, Limit: 10})
		if len(unread.Items) != 4 {
			t.Errorf("unread list has %d, want 4", len(unread.Items))
		}
		if n, _ := b.svc.MarkAllRead(ctx, agent); n != 4 {
			t.Errorf("mark all read marked %d, want 4", n)
		}
		if n, _ := b.svc.UnreadCount(ctx, agent); n != 0 {
			t.Errorf("unread after mark all: %d", n)
		}
		if n, _ := b.svc.UnreadCount(ctx, b.persona("broker").Actor); n != 1 {
			t.Errorf("the broker's unread count moved to %d", n)
		}
	})
	t.Run("ErrOtherMembersNotification", func(t *testing.T) {
		p, _ := b.svc.Notifications(ctx, b.persona("broker").Actor, messaging.Filter{Limit: 10})
		if _, err := b.svc.MarkRead(ctx, agent, p.Items[0].ID); realty.KindOf(err) != realty.NotFound {
			t.Fatalf("marking the broker's notification: %v, want not found", err)
		}
	})
	t.Run("ErrBadCursor", func(t *testing.T) {
		_, err := b.svc.Notifications(ctx, agent, messaging.Filter{Cursor: "nope", Limit: 2})
		if realty.FieldsOf(err)["cursor"] == "" {
			t.Fatalf("bad cursor: %v", err)
		}
	})
	t.Run("ErrNoMember", func(t *testing.T) {
		if _, err := b.svc.UnreadCount(ctx, realty.System(b.org.Organization.ID)); realty.KindOf(err) != realty.Forbidden {
			t.Fatalf("system actor: %v, want forbidden", err)
		}
	})
}

func TestPreferences(t *testing.T) {
	t.Parallel()
	b := setup(t, smtpmock.ConfigurationAttr{})
	ctx := context.Background()
	agent := b.persona("agent").Actor
	prefs, err := b.svc.Preferences(ctx, agent)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][2]bool{"lead.assigned": {true, true}, "task.due": {true, false}, "match.new": {true, true},
		"appointment.booked": {true, true}, "appointment.canceled": {true, true}, "workorder.overdue": {true, true},
		"message.new": {true, true}, "announcement.published": {true, true},
		"milestone.due": {true, true}, "milestone.overdue": {true, true}, "milestone.escalated": {true, true}}
	for _, p := range prefs {
		if w, ok := want[p.Kind]; !ok || w != [2]bool{p.InApp, p.Email} {
			t.Errorf("default of %s: in_app %v email %v, want %v", p.Kind, p.InApp, p.Email, w)
		}
	}
	if len(prefs) != len(want) {
		t.Errorf("%d preferences, want %d (account e-mails are no preference)", len(prefs), len(want))
	}
	n := b.notify(t, b.svc, "agent", "task.due", map[string]any{"title": "x"})
	if n.Notification == nil || n.Delivery != nil {
		t.Fatalf("default task.due: %+v, want in-app only", n)
	}
	if _, err := b.svc.SetPreference(ctx, agent, "task.due", messaging.ChannelInApp, false); err != nil {
		t.Fatal(err)
	}
	p, err := b.svc.SetPreference(ctx, agent, "task.due", messaging.ChannelEmail, true)
	if err != nil || p.InApp || !p.Email {
		t.Fatalf("after choosing: %+v %v", p, err)
	}
	n = b.notify(t, b.svc, "agent", "task.due", map[string]any{"title": "x"})
	if n.Notification != nil || n.Delivery == nil {
		t.Fatalf("chosen task.due: %+v, want e-mail only", n)
	}
	t.Run("ErrBadKindOrChannel", func(t *testing.T) {
		for field, call := range map[string]func() error{
			"kind": func() error {
				_, err := b.svc.SetPreference(ctx, agent, "nope", messaging.ChannelEmail, true)
				return err
			},
			"channel": func() error { _, err := b.svc.SetPreference(ctx, agent, "task.due", "sms", true); return err },
		} {
			if err := call(); realty.FieldsOf(err)[field] == "" {
				t.Errorf("%s: %v, want invalid naming it", field, err)
			}
		}
		if _, err := b.svc.SetPreference(ctx, agent, "account.password_reset", messaging.ChannelEmail, false); realty.FieldsOf(err)["kind"] == "" {
			t.Errorf("turning off an account e-mail: %v", err)
		}
	})
}

// TestTwoOrganizations: nothing of one organization's notifications,
// preferences or outbox is seen or changed from another.
func TestTwoOrganizations(t *testing.T) {
	t.Parallel()
	b := setup(t, smtpmock.ConfigurationAttr{})
	ctx := context.Background()
	other := b.env.Organization(t, "globex")
	n := b.notify(t, b.svc, "agent", "lead.assigned", map[string]any{"name": "Ann Lee"})
	them := other.Personas["agent"].Actor
	if p, err := b.svc.Notifications(ctx, them, messaging.Filter{Limit: 100}); err != nil || len(p.Items) != 0 {
		t.Fatalf("other organization's agent sees %d notifications (%v)", len(p.Items), err)
	}
	if _, err := b.svc.MarkRead(ctx, them, *n.Notification); realty.KindOf(err) != realty.NotFound {
		t.Errorf("marking across organizations: %v, want not found", err)
	}
	// Acting for the other organization, a member id of this one names nothing.
	_, err := b.svc.Notify(ctx, other.Personas["owner"].Actor, messaging.Notice{Recipient: b.persona("agent").MemberID, Kind: "task.due", Payload: map[string]any{"title": "x"}})
	if realty.KindOf(err) == "" {
		t.Errorf("notifying another organization's member succeeded")
	}
	if p, err := b.svc.Deliveries(ctx, other.Personas["owner"].Actor, messaging.DeliveryFilter{Limit: 100}); err != nil || len(p.Items) != 0 {
		t.Errorf("other organization's outbox holds %d deliveries (%v)", len(p.Items), err)
	}
	if p, _ := b.svc.Deliveries(ctx, b.persona("owner").Actor, messaging.DeliveryFilter{Limit: 100}); len(p.Items) != 1 {
		t.Errorf("own outbox holds %d deliveries, want 1", len(p.Items))
	}
	if a, err := b.svc.Deliver(ctx, other.Organization.ID, *n.Delivery); err == nil {
		t.Errorf("delivering another organization's delivery: %+v", a)
	}
	if len(accepted(b.smtp)) != 0 {
		t.Errorf("the SMTP peer got mail")
	}
}

func TestTemplatesComplete(t *testing.T) {
	data := map[string]any{"name": "Ann <b>Lee</b>", "title": "Call", "client": "Ann", "listing": "1 Main St", "link": "https://x.example/r?t=1&u=2",
		"inviter": "Olivia", "token": "inv_x", "kind": "showing", "starts_at": "2030-03-04T15:00:00Z", "ends_at": "2030-03-04T16:00:00Z",
		"cancellation_reason": "seller away", "excerpt": "The tap drips", "body": "Water off on Monday", "from": "2030-02-01", "to": "2030-02-28",
		"price": "410,000", "preference": "Family home", "score": 75, "count": 1, "milestone": "Inspection", "deal_title": "12 Elm", "due_date": "2030-03-04",
		"matches": []map[string]any{{"listing": "1 Main St", "price": "410,000", "score": 75}}}
	for _, k := range messaging.Kinds {
		r, err := messaging.Render(k.Name, messaging.View{Organization: "Acme Realty", Data: data})
		if err != nil {
			t.Errorf("%s: %v", k.Name, err)
			continue
		}
		if r.Subject == "" || r.Text == "" || r.HTML == "" {
			t.Errorf("%s: empty part in %+v", k.Name, r)
		}
		if strings.Contains(r.HTML, "<b>Lee") {
			t.Errorf("%s: HTML does not escape data: %s", k.Name, r.HTML)
		}
	}
	if _, err := messaging.Render("lead.assigned", messaging.View{Organization: "A", Data: map[string]any{}}); err == nil {
		t.Errorf("rendering without the data the template needs succeeded")
	}
}
