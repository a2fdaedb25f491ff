package deal_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	smtpmock "github.com/mocktools/go-smtp-mock/v2"

	"realty/internal/deal"
	"realty/internal/fixture/fixturetest"
	"realty/internal/messaging"
)

// clock is a settable test clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) set(t time.Time)     { c.mu.Lock(); c.t = t; c.mu.Unlock() }
func (c *clock) on(d string)         { c.set(day(d).Time().Add(9 * time.Hour)) }
func (c *clock) add(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

// TestMilestoneNoticesOnce: through the outbox to a real SMTP peer, the
// agent is reminded before the due date, told once it passed, and the
// brokers (holders of deal.manage) are told EscalateDays later — each
// level's e-mail exactly once, though the job runs twice at every step; a
// completed milestone sends nothing.
func TestMilestoneNoticesOnce(t *testing.T) {
	t.Parallel()
	env := fixturetest.New(t)
	acme := env.Organization(t, "acme")
	agent, orgID := acme.Personas["agent"], acme.Organization.ID
	ctx := context.Background()
	srv := smtpmock.New(smtpmock.ConfigurationAttr{HostAddress: "127.0.0.1", MultipleMessageReceiving: true})
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Stop() })
	sender, err := messaging.NewSMTP(messaging.SMTPConfig{Host: "127.0.0.1", Port: srv.PortNumber(), TLS: messaging.TLSNone,
		Timeout: 5 * time.Second, HELO: "realty.acme.example"})
	if err != nil {
		t.Fatal(err)
	}
	msg := messaging.New(env.Pool, env.Jobs, env.Org, env.Identity, messaging.Options{Mail: sender, From: "realty@acme.example"})
	clk := &clock{}
	clk.on("2030-05-01")
	svc := deal.New(env.Pool, clk.now)
	due := day("2030-05-10")
	if _, err := svc.CreateTemplate(ctx, acme.Personas["broker"].Actor, deal.WorkflowTemplateInput{Name: "One step", Kind: "purchase", Side: "buyer",
		Milestones: []deal.MilestoneRule{{Key: "inspection", Name: "Inspection", Required: true, DueFixed: &due},
			{Key: "done", Name: "Paperwork", DueFixed: &due}}}); err != nil {
		t.Fatal(err)
	}
	d := underContract(t, env, svc, acme, "Notices", "2030-04-30", "2030-06-28")
	ms, err := svc.Milestones(ctx, agent.Actor, d.ID)
	if err != nil || len(ms) != 2 {
		t.Fatalf("milestones: %+v (%v)", ms, err)
	}
	if _, err := svc.CompleteMilestone(ctx, agent.Actor, ms[1].ID); err != nil {
		t.Fatal(err)
	}
	deliver := func() {
		t.Helper()
		p, err := msg.Deliveries(ctx, acme.Personas["owner"].Actor, messaging.DeliveryFilter{Limit: 100})
		if err != nil {
			t.Fatal(err)
		}
		for _, x := range p.Items {
			if x.Status == messaging.StatusQueued {
				if _, err := msg.Deliver(ctx, orgID, x.ID); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	count := func(addr, phrase string, name ...string) int {
		name = append(name, "Inspection")
		n := 0
		for _, m := range srv.Messages() {
			body := strings.NewReplacer("=\r\n", "", "=3D", "=").Replace(m.MsgRequest())
			if m.Msg() && strings.Contains(fmt.Sprint(m.RcpttoRequestResponse()), addr) && strings.Contains(body, phrase) &&
				strings.Contains(body, name[0]) {
				n++
			}
		}
		return n
	}
	broker, owner := acme.Personas["broker"].Email, acme.Personas["owner"].Email
	steps := []struct {
		on                           string
		reminders, overdue, brokered int
	}{
		{"2030-05-07", 0, 0, 0}, // three days ahead: nothing yet
		{"2030-05-08", 1, 0, 0}, // two days ahead: the reminder
		{"2030-05-10", 1, 0, 0}, // due today: not late yet
		{"2030-05-11", 1, 1, 0}, // the day after: the agent is told
		{"2030-05-12", 1, 1, 0},
		{"2030-05-13", 1, 1, 1}, // EscalateDays later: the brokers
		{"2030-05-20", 1, 1, 1},
	}
	for _, s := range steps {
		clk.on(s.on)
		for range 2 {
			if _, err := svc.RemindMilestones(ctx, orgID, env.Org, msg); err != nil {
				t.Fatal(err)
			}
			deliver()
		}
		got := []int{count(agent.Email, "is due on"), count(agent.Email, "is not complete"), count(broker, "is still open")}
		if got[0] != s.reminders || got[1] != s.overdue || got[2] != s.brokered || count(owner, "is still open") != s.brokered {
			t.Errorf("on %s: agent reminders %d, agent overdue %d, broker escalations %d; want %d %d %d",
				s.on, got[0], got[1], got[2], s.reminders, s.overdue, s.brokered)
		}
	}
	if n := count(agent.Email, "due", "Paperwork"); n != 0 {
		t.Errorf("a completed milestone sent %d e-mails", n)
	}
	if n := count(acme.Personas["accountant"].Email, "due"); n != 0 {
		t.Errorf("the accountant got %d e-mails", n)
	}
	ms, _ = svc.Milestones(ctx, agent.Actor, d.ID)
	if ms[0].RemindedAt == nil || ms[0].OverdueAt == nil || ms[0].EscalatedAt == nil || !ms[0].Late {
		t.Errorf("levels recorded: %+v", ms[0])
	}
}
